import json
import shutil
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import translation

from initiatives import reference_data
from initiatives.models import Endorsement, Event, Initiative, ReportedFigure, Theme
from members.models import MemberState
from tests.members.test_admin_roles import _form_data

SEED_SLUGS = {
    "humanitarian-call-for-action",
    "paris-call",
    "information-and-democracy",
    "gender-at-the-centre",
    "climate-and-security",
    "lethal-autonomous-weapons",
}
SOURCE_DOCUMENT = (
    "https://onu.delegfrance.org/l-alliance-pour-le-multilateralisme-pour-une-cooperation-internationale-renovee"
)


def row_counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (MemberState, Theme, Initiative, ReportedFigure, Event, Endorsement)
    }


def test_reference_data_holds_the_193_un_members_in_five_groups_and_the_eu(register):
    un_members = MemberState.objects.un_members()
    assert un_members.count() == 193
    assert Counter(un_members.values_list("regional_group", flat=True)) == {
        "african": 54,
        "asia_pacific": 54,
        "eastern_european": 23,
        "latin_american_caribbean": 33,
        "western_european_others": 29,
    }
    eu = MemberState.objects.get(code="EUU")
    assert eu.kind == MemberState.Kind.ORGANISATION
    assert eu.name_fr == "Union européenne"
    france = MemberState.objects.get(code="FRA")
    assert (france.name_en, france.name_fr, france.name_ar, france.name_zh_hans) == (
        "France",
        "France",
        "فرنسا",
        "法国",
    )
    assert str(france.un_member_since) == "1945-10-24"
    # English names are the UN's short names; the other languages keep CLDR's (no UN list offline).
    korea = MemberState.objects.get(code="PRK")
    assert (korea.name_en, korea.name_fr) == ("Democratic People's Republic of Korea", "Corée du Nord")
    assert MemberState.objects.get(code="GBR").name_en == "United Kingdom of Great Britain and Northern Ireland"


def test_reference_data_holds_the_six_initiatives_with_the_reported_figures(register):
    assert set(Initiative.objects.values_list("slug", flat=True)) == SEED_SLUGS
    from_source_document = ReportedFigure.objects.filter(source_url=SOURCE_DOCUMENT, as_of="2019-09-26")
    assert dict(from_source_document.values_list("initiative__slug", "count")) == {
        "humanitarian-call-for-action": 43,
        "paris-call": 17,
        "information-and-democracy": 34,
        "gender-at-the-centre": 13,
        "climate-and-security": 48,
        "lethal-autonomous-weapons": 82,
    }
    for initiative in Initiative.objects.all():
        assert initiative.title_fr and initiative.summary_fr and initiative.commitment_fr
        assert initiative.sources


def test_listed_endorsements_come_only_from_published_lists_each_with_a_source(register):
    counts = Counter(Endorsement.objects.values_list("initiative__slug", flat=True))
    assert counts["paris-call"] == 81
    assert counts["humanitarian-call-for-action"] == 51  # 50 states and the EU
    assert counts["gender-at-the-centre"] == 0
    assert counts["climate-and-security"] == 0
    assert counts["lethal-autonomous-weapons"] == 0
    assert not Endorsement.objects.filter(source_url="").exists()
    assert Endorsement.objects.filter(
        initiative__slug="humanitarian-call-for-action", member_state__code="EUU"
    ).exists()


def test_loading_twice_changes_nothing(register):
    before = row_counts()
    tally = reference_data.load_reference_data()
    assert row_counts() == before
    assert not any(key.endswith(("created", "updated")) for key in tally), tally


@pytest.fixture
def changed_files(tmp_path, monkeypatch):
    """A copy of reference/ with a corrected French title, a new commitment in every language, and a
    listed endorsement's date changed."""
    changed = tmp_path / "reference"
    shutil.copytree(reference_data.REFERENCE_DIR, changed)
    initiatives = json.loads((changed / "initiatives.json").read_text())
    climate = next(item for item in initiatives if item["slug"] == "climate-and-security")
    climate["title"]["fr"] = "Titre corrigé"
    for language, text in climate["commitment"].items():
        climate["commitment"][language] = text + " (2)"
    (changed / "initiatives.json").write_text(json.dumps(initiatives))
    endorsements = (changed / "endorsements.csv").read_text().replace("2019-11-19", "2019-11-20")
    (changed / "endorsements.csv").write_text(endorsements)
    monkeypatch.setattr(reference_data, "REFERENCE_DIR", changed)
    return changed


def test_a_restart_keeps_what_the_secretariat_changed(register, superuser_client):
    """`make serve` seeds the register at every start: it never undoes the secretariat's work."""
    initiative = Initiative.objects.get(slug="climate-and-security")
    editor = superuser_client
    data = _form_data(editor.get(f"/en/admin/initiatives/initiative/{initiative.pk}/change/"))
    data.update(status="closed", title_fr="Initiative sur le climat et la sécurité (titre du secrétariat)")
    assert editor.post(f"/en/admin/initiatives/initiative/{initiative.pk}/change/", data).status_code == 302
    MemberState.objects.filter(code="FRA").update(name_fr="République française")
    Initiative.objects.get(slug="paris-call").lead_states.clear()
    ReportedFigure.objects.filter(initiative__slug="paris-call").delete()

    call_command("load_reference_data", stdout=StringIO())

    initiative.refresh_from_db()
    assert initiative.status == Initiative.Status.CLOSED
    assert initiative.title_fr == "Initiative sur le climat et la sécurité (titre du secrétariat)"
    assert MemberState.objects.get(code="FRA").name_fr == "République française"
    assert not Initiative.objects.get(slug="paris-call").lead_states.exists()
    assert not ReportedFigure.objects.filter(initiative__slug="paris-call").exists()


def test_changed_files_are_listed_and_nothing_is_written_without_apply(register, changed_files):
    before = row_counts()
    out = StringIO()
    call_command("update_reference_data", stdout=out)
    listing = out.getvalue()
    assert "initiative climate-and-security: title_fr: " in listing and "'Titre corrigé'" in listing
    assert "initiative climate-and-security: commitment_ar: " in listing
    assert "(paris-call, GIN): endorsed_on differ in the file; not changed (record a correction)" in listing
    assert "Nothing was written" in listing
    assert row_counts() == before
    assert Initiative.objects.get(slug="climate-and-security").title_fr != "Titre corrigé"


def test_applying_changed_files_goes_through_the_rules_of_publishing(register, changed_files):
    initiative = Initiative.objects.get(slug="climate-and-security")
    version, revision = initiative.text_version, initiative.revision
    call_command("update_reference_data", "--apply", stdout=StringIO())
    initiative.refresh_from_db()
    assert initiative.title_fr == "Titre corrigé"
    assert initiative.commitment_en.endswith(" (2)")
    assert initiative.text_version == version + 1  # the commitment changed in every language: a new version
    assert initiative.revision == revision + 1
    assert initiative.history.latest().title_fr == "Titre corrigé"  # in the audit trail
    assert initiative.status == Initiative.Status.OPEN
    guinea = Endorsement.objects.get(initiative__slug="paris-call", member_state__code="GIN")
    assert str(guinea.endorsed_on) == "2019-11-19"  # a listed endorsement is corrected explicitly, never reloaded


@pytest.mark.django_db
def test_the_load_command_prints_what_it_did():
    out = StringIO()
    call_command("load_reference_data", stdout=out)
    # The test database holds the reference data already: a second load changes nothing.
    assert "memberstate unchanged: 194" in out.getvalue()
    assert "endorsement present: 140" in out.getvalue()


def test_each_language_keeps_its_own_texts_whatever_language_is_active_when_loading(db):
    with translation.override("fr"):  # e.g. a caller that was serving a French page
        reference_data.load_reference_data()
    paris_call = Initiative.objects.get(slug="paris-call")
    assert paris_call.title_fr.startswith("Appel de Paris")
    assert paris_call.title_en.startswith("Paris Call")
