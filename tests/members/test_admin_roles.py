"""Who may do what in the secretariat's admin: each role × each action (DESIGN.md, "Who may do what")."""

import datetime
import html
import json
import re
from http import HTTPStatus

import pytest
from django import forms
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from initiatives.models import Endorsement, Event, Initiative, ReportedFigure
from members.models import Accreditation, MemberState, User
from tests.conftest import accredit, turn_on_mfa
from tests.factories import EndorsementFactory, InitiativeFactory, MemberStateFactory, UserFactory

A_YEAR_AHEAD = (datetime.date.today() + datetime.timedelta(days=365)).isoformat()

ROLES = ["editor", "admin", "delegate"]


@pytest.fixture
def as_role(register):
    def build(role: str) -> tuple[User, Client]:
        user = UserFactory(email=f"{role}@secretariat.example", is_staff=role != "delegate")
        turn_on_mfa(user)
        if role == "editor":
            user.groups.add(Group.objects.get(name="Secretariat editors"))
        elif role == "admin":
            user.groups.add(Group.objects.get(name="Secretariat admins"))
        else:
            accredit(user, "FRA")
        client = Client()
        client.force_login(user)
        return user, client

    return build


def allowed(response) -> bool:
    return response.status_code in (HTTPStatus.OK, HTTPStatus.FOUND) and "login" not in response.get("Location", "")


@pytest.mark.parametrize(
    ("path", "who"),
    [
        ("/en/admin/initiatives/initiative/", {"editor", "admin"}),
        ("/en/admin/initiatives/initiative/add/", {"editor", "admin"}),
        ("/en/admin/initiatives/endorsement/", {"editor", "admin"}),
        ("/en/admin/initiatives/endorsement/record/", {"editor", "admin"}),
        ("/en/admin/initiatives/endorsement/withdraw/", {"editor", "admin"}),
        ("/en/admin/initiatives/endorsement/correct/", {"editor", "admin"}),
        ("/en/admin/initiatives/endorsement/import/", {"editor", "admin"}),
        ("/en/admin/members/memberstate/", {"editor", "admin"}),
        ("/en/admin/members/accreditation/", {"admin"}),
        ("/en/admin/members/user/", {"admin"}),
        ("/en/admin/mfa/authenticator/", {"admin"}),
        ("/en/admin/usersessions/usersession/", {"admin"}),
    ],
)
@pytest.mark.parametrize("role", ROLES)
def test_each_role_sees_only_its_pages(as_role, role, path, who):
    _user, client = as_role(role)
    response = client.get(path)
    assert allowed(response) is (role in who), response.status_code


@pytest.mark.parametrize("role", ROLES)
def test_changing_an_initiative_is_for_the_secretariat(as_role, role):
    _user, client = as_role(role)
    initiative = Initiative.objects.get(slug="climate-and-security")
    page = client.get(f"/en/admin/initiatives/initiative/{initiative.pk}/change/")
    assert allowed(page) is (role != "delegate")
    if role != "delegate":
        assert 'id="id_title_ar"' in page.content.decode()  # every language has its tab
        assert "vendor/jquery-ui-1.13.3/jquery-ui.min.js" in page.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_nobody_deletes_initiatives_or_endorsements(as_role, role):
    _user, client = as_role(role)
    initiative = Initiative.objects.get(slug="paris-call")
    row = Endorsement.objects.filter(initiative=initiative).first()
    for path in (
        f"/en/admin/initiatives/initiative/{initiative.pk}/delete/",
        f"/en/admin/initiatives/endorsement/{row.pk}/delete/",
    ):
        assert client.post(path, {"post": "yes"}).status_code in (HTTPStatus.FORBIDDEN, HTTPStatus.FOUND)
    assert Initiative.objects.filter(pk=initiative.pk).exists()
    assert Endorsement.objects.filter(pk=row.pk).exists()


@pytest.mark.parametrize("role", ROLES)
def test_approving_and_revoking_accreditations_is_for_secretariat_admins(as_role, role):
    _user, client = as_role(role)
    pending = accredit(UserFactory(), "DEU", status=Accreditation.Status.PENDING)
    approved = accredit(UserFactory(), "ITA")
    client.post(
        "/en/admin/members/accreditation/",
        {
            "action": "approve_selected",
            "_selected_action": [pending.pk],
            "confirmed": "yes",
            "valid_until": A_YEAR_AHEAD,
        },
    )
    client.post(
        "/en/admin/members/accreditation/",
        {
            "action": "revoke_selected",
            "_selected_action": [approved.pk],
            "reason": "Left the mission.",
            "confirmed": "yes",
        },
    )
    pending.refresh_from_db()
    approved.refresh_from_db()
    decided = role == "admin"
    assert (pending.status == Accreditation.Status.APPROVED) is decided
    assert (approved.status == Accreditation.Status.REVOKED) is decided


@pytest.mark.parametrize("role", ROLES)
def test_recording_an_offline_endorsement_goes_through_the_register_rules(as_role, role):
    user, client = as_role(role)
    response = client.post(
        "/en/admin/initiatives/endorsement/record/",
        {
            "initiative": Initiative.objects.get(slug="gender-at-the-centre").pk,
            "member_state": MemberStateFactory(code="NOR").pk,
            "endorsed_on": "2020-02-03",
            "date_precision": "day",
            "source_note": "Note verbale No. 12/2020 of the Permanent Mission of Norway",
        },
    )
    rows = Endorsement.objects.filter(initiative__slug="gender-at-the-centre", member_state__code="NOR")
    if role == "delegate":
        assert not rows.exists()
        return
    assert response.status_code == HTTPStatus.FOUND
    row = rows.get()
    assert (row.channel, row.recorded_by, row.endorsed_on) == ("recorded", user, datetime.date(2020, 2, 3))
    again = client.post(
        "/en/admin/initiatives/endorsement/record/",
        {
            "initiative": row.initiative.pk,
            "member_state": row.member_state.pk,
            "endorsed_on": "2021-01-01",
            "date_precision": "day",
            "source_note": "Another note",
        },
    )
    assert "This initiative was already endorsed on 3 February 2020 by Norway." in again.content.decode()
    assert rows.count() == 1


@pytest.mark.parametrize("role", ROLES)
def test_recording_a_withdrawal(as_role, role):
    _user, client = as_role(role)
    initiative = Initiative.objects.get(slug="paris-call")
    france = initiative.endorsements.get(member_state__code="FRA")
    client.post(
        "/en/admin/initiatives/endorsement/withdraw/",
        {
            "initiative": initiative.pk,
            "member_state": france.member_state.pk,
            "withdrawn_on": "2020-01-02",
            "reason": "Letter of 2 January 2020.",
        },
    )
    france.refresh_from_db()
    assert (france.withdrawn_on is not None) is (role != "delegate")


@pytest.mark.parametrize("role", ROLES)
def test_importing_a_list(as_role, role):
    _user, client = as_role(role)
    upload = SimpleUploadedFile(
        "list.csv", b"initiative,state,endorsed_on,source\ngender-at-the-centre,NOR,2020-02-03,Note 1\n"
    )
    response = client.post("/en/admin/initiatives/endorsement/import/", {"file": upload})
    page = response.content.decode()
    if role == "delegate":
        assert not allowed(response)
        assert "Confirm the import" not in page
    else:
        assert "1 endorsement to create" in page
        assert "Confirm the import" in page
    assert not Endorsement.objects.filter(member_state__code="NOR", initiative__slug="gender-at-the-centre").exists()


def test_the_audit_trail_records_who_changed_what_and_is_read_only(as_role):
    user, client = as_role("editor")
    initiative = Initiative.objects.get(slug="climate-and-security")
    initiative.history.all().delete()
    page = client.get(f"/en/admin/initiatives/initiative/{initiative.pk}/change/")
    assert page.status_code == HTTPStatus.OK
    data = _form_data(page)
    data["title_en"] = "Climate and Security Initiative (revised title)"
    response = client.post(f"/en/admin/initiatives/initiative/{initiative.pk}/change/", data)
    assert response.status_code == HTTPStatus.FOUND, response.content.decode()[:2000]
    change = initiative.history.latest()
    assert change.history_user == user
    assert change.title_en == "Climate and Security Initiative (revised title)"
    history = client.get(f"/en/admin/initiatives/initiative/{initiative.pk}/history/").content.decode()
    assert "editor@secretariat.example" in history
    revert = client.get(f"/en/admin/initiatives/initiative/{initiative.pk}/history/{change.history_id}/")
    assert revert.status_code in (HTTPStatus.FORBIDDEN, HTTPStatus.OK)
    assert 'name="_save"' not in revert.content.decode()


def _form_data(page) -> dict:
    """The values of the admin change form as a browser would submit them."""
    form = page.context["adminform"].form
    data: dict[str, object] = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None:
            continue
        if isinstance(field, forms.JSONField):
            data[name] = json.dumps(value)
        elif isinstance(value, list | tuple) or hasattr(value, "all"):
            data[name] = [getattr(item, "pk", item) for item in (value.all() if hasattr(value, "all") else value)]
        elif hasattr(value, "pk"):
            data[name] = value.pk
        else:
            data[name] = value
    for formset in page.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name in management.fields:
            data[f"{management.prefix}-{name}"] = management.initial.get(name, 0)
        for index, inline_form in enumerate(formset.formset.forms):
            prefix = f"{formset.formset.prefix}-{index}"
            data[f"{prefix}-id"] = inline_form.instance.pk
            data[f"{prefix}-{formset.formset.fk.name}"] = inline_form.instance.initiative_id
            for name in inline_form.fields:
                value = inline_form.initial.get(name)
                if value is not None and name not in ("id", formset.formset.fk.name):
                    data[f"{prefix}-{name}"] = getattr(value, "pk", value)
    return data


@pytest.mark.parametrize(
    "path",
    [
        "/en/admin/initiatives/initiative/",
        "/en/admin/initiatives/endorsement/",
        "/en/admin/members/accreditation/",
        "/en/admin/members/memberstate/",
        "/en/admin/members/user/",
        "/en/admin/initiatives/reportedfigure/",
    ],
)
def test_changelists_take_the_same_queries_whatever_the_rows(db, path):
    admin = UserFactory(is_staff=True, is_superuser=True)
    turn_on_mfa(admin)
    client = Client()
    client.force_login(admin)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == HTTPStatus.OK
        return len(captured)

    initiative = InitiativeFactory()
    state = MemberStateFactory(code="QZA")
    EndorsementFactory(initiative=initiative, member_state=state)
    accredit(UserFactory(), "QZA", status=Accreditation.Status.PENDING)
    queries()  # the first request fills per-process caches (content types, permissions)
    few = queries()
    for index in range(40):
        other = MemberStateFactory(code=f"Q{chr(66 + index // 26)}{chr(65 + index % 26)}")
        EndorsementFactory(initiative=InitiativeFactory(), member_state=other)
        accredit(UserFactory(), other.code, status=Accreditation.Status.PENDING)
    assert queries() == few


def test_the_admin_index_names_the_second_factor_app_in_the_staff_members_language(register):
    user = UserFactory(email="root@secretariat.example", is_staff=True, is_superuser=True)
    turn_on_mfa(user)
    client = Client()
    client.force_login(user)
    page = client.get("/ar/admin/").content.decode()
    assert "المصادقة الثنائية" in page  # "two-factor authentication"
    assert "وزارة الخارجية" not in page  # allauth's Arabic for "MFA": "Ministry of Foreign Affairs"
    assert "عوامل التحقق الثانية" in page  # allauth's models, named: "second factors"
    assert "جلسات مفتوحة" in page  # "signed-in sessions"
    assert "Authenticators" not in page
    assert "User sessions" not in page
    english = client.get("/en/admin/").content.decode()
    assert "Two-factor authentication" in english
    assert "Second factors" in english


def test_changelists_use_the_whole_width_without_the_navigation_sidebar(as_role):
    _user, client = as_role("editor")
    page = client.get("/en/admin/initiatives/endorsement/").content.decode()
    assert 'id="changelist"' in page
    assert 'id="nav-sidebar"' not in page


def test_the_record_forms_list_states_by_name_in_the_staff_members_language(as_role):
    _user, client = as_role("editor")
    for path in ("/fr/admin/initiatives/endorsement/record/", "/fr/admin/initiatives/endorsement/withdraw/"):
        page = client.get(path).content.decode()
        select = page.split('name="member_state"')[1].split("</select>")[0]
        names = [html.unescape(name) for name in re.findall(r'<option value="\d+">([^<]+)</option>', select)]
        assert len(names) == 194
        assert names.index("Afghanistan") < names.index("Afrique du Sud") < names.index("Albanie")
        assert names.index("Égypte") < names.index("Émirats arabes unis") < names.index("Équateur")


def test_the_admins_javascript_speaks_arabic_and_chinese_where_django_does_not(as_role):
    _user, client = as_role("editor")
    arabic = client.get("/ar/admin/jsi18n/").content.decode()
    assert "\\u0627\\u062e\\u062a\\u064a\\u0627\\u0631 \\u0643\\u0644 %s" in arabic  # "اختيار كل %s": choose all
    assert "\\u0627\\u0644\\u062c\\u0645\\u0639\\u0629" in arabic  # "الجمعة": Friday, in the calendar
    chinese = client.get("/zh-hans/admin/jsi18n/").content.decode()
    assert "\\u9009\\u62e9\\u5168\\u90e8%s" in chinese  # "选择全部%s"


def test_every_content_change_and_every_change_of_roles_is_in_the_audit_trail(as_role):
    user, client = as_role("admin")
    state = MemberState.objects.get(code="FRA")
    data = _form_data(client.get(f"/en/admin/members/memberstate/{state.pk}/change/"))
    data["name_fr"] = "République française"
    assert client.post(f"/en/admin/members/memberstate/{state.pk}/change/", data).status_code == HTTPStatus.FOUND
    record = state.history.latest()
    assert (record.name_fr, record.history_user) == ("République française", user)
    history = client.get(f"/en/admin/members/memberstate/{state.pk}/history/").content.decode()
    assert "admin@secretariat.example" in history
    assert "Revert" not in history

    event = Event.objects.order_by("date").first()
    norway = MemberState.objects.get(code="NOR")
    event.co_chairs.add(norway)
    assert norway.pk in {row.memberstate_id for row in event.history.latest().co_chairs.all()}

    figure = ReportedFigure.objects.filter(initiative__slug="paris-call").first()
    data = _form_data(client.get(f"/en/admin/initiatives/reportedfigure/{figure.pk}/change/"))
    data["note_fr"] = "Compté par le ministère"
    client.post(f"/en/admin/initiatives/reportedfigure/{figure.pk}/change/", data)
    assert figure.history.latest().note_fr == "Compté par le ministère"
    page = client.get(f"/en/admin/initiatives/reportedfigure/{figure.pk}/history/").content.decode()
    assert "admin@secretariat.example" in page  # who changed it, on the figure's own History page

    colleague = UserFactory(email="colleague@secretariat.example", is_staff=True)
    editors = Group.objects.get(name="Secretariat editors")
    colleague.groups.add(editors)
    assert [row.group_id for row in colleague.history.latest().groups.all()] == [editors.pk]
    colleague.groups.remove(editors)
    assert list(colleague.history.latest().groups.all()) == []
