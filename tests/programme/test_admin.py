"""The secretariat keeps the programme of work in the admin: editors and admins may, nobody else
(DESIGN.md, "Who may do what"); every change is in the audit trail and on the public page at once."""

import datetime
from http import HTTPStatus

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from initiatives.models import Initiative
from members.models import Accreditation
from programme.models import AgendaItem, Meeting
from tests.conftest import accredit, sign_in, turn_on_mfa
from tests.factories import AgendaItemFactory, InitiativeFactory, MeetingFactory, UserFactory

ROLES = ["anonymous", "signed_in", "delegate", "revoked_delegate", "editor", "admin"]
SECRETARIAT = {"editor", "admin"}
NEXT_MONTH = timezone.localdate() + datetime.timedelta(days=30)
QUERIES = 9  # the changelist of meetings, with each agenda's length


@pytest.fixture
def as_role(register):
    def build(role: str) -> tuple[object, Client]:
        if role == "anonymous":
            return None, Client()
        user = UserFactory(email=f"{role}@example.org", is_staff=role in SECRETARIAT)
        turn_on_mfa(user)
        if role == "editor":
            user.groups.add(Group.objects.get(name="Secretariat editors"))
        elif role == "admin":
            user.groups.add(Group.objects.get(name="Secretariat admins"))
        elif role == "delegate":
            accredit(user, "FRA")
        elif role == "revoked_delegate":
            accredit(user, "FRA", status=Accreditation.Status.REVOKED)
        return user, sign_in(Client(), user)

    return build


def meeting_form(**values) -> dict[str, str]:
    """The admin's add or change form of a meeting, with no agenda item unless given."""
    data = {
        "kind": "ministerial",
        "title_en": "Ministerial meeting of the Alliance",
        "place_en": "New York",
        "starts_on": NEXT_MONTH.isoformat(),
        "ends_on": "",
        "start_time": "10:00",
        "end_time": "13:00",
        "time_zone": "America/New_York",
        "link": "",
        "agenda_items-TOTAL_FORMS": "0",
        "agenda_items-INITIAL_FORMS": "0",
        "agenda_items-MIN_NUM_FORMS": "0",
        "agenda_items-MAX_NUM_FORMS": "1000",
    }
    for code, _name in settings.LANGUAGES:
        data.setdefault(f"title_{code.replace('-', '_')}", "")
        data.setdefault(f"place_{code.replace('-', '_')}", "")
    data.update(values)
    return data


def agenda_item(index: int, **values) -> dict[str, str]:
    fields = {"order": str(index + 1), "title_en": "", "initiative": "", "outcome": "", "id": "", "meeting": ""}
    fields.update(values)
    return {f"agenda_items-{index}-{name}": value for name, value in fields.items()}


@pytest.mark.parametrize("role", ROLES)
def test_only_the_secretariat_adds_a_meeting_with_its_agenda(as_role, role, django_capture_on_commit_callbacks):
    user, client = as_role(role)
    paris_call = Initiative.objects.get(slug="paris-call")
    data = meeting_form(**{"agenda_items-TOTAL_FORMS": "1"}, **agenda_item(0, initiative=str(paris_call.pk)))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/en/admin/programme/meeting/add/", data)
    if role in SECRETARIAT:
        assert response.status_code == HTTPStatus.FOUND, response.content.decode()[:3000]
        meeting = Meeting.objects.get()
        assert meeting.starts_at() == datetime.datetime.combine(NEXT_MONTH, datetime.time(10), tzinfo=meeting.zone())
        assert list(meeting.agenda_items.values_list("initiative__slug", flat=True)) == ["paris-call"]
        assert meeting.history.get().history_user == user
        assert AgendaItem.history.get().history_user == user
    else:
        assert response.status_code in (HTTPStatus.FOUND, HTTPStatus.FORBIDDEN)
        assert response.get("Location", "/en/admin/login/").startswith("/en/admin/login/")
        assert Meeting.objects.count() == 0 and AgendaItem.objects.count() == 0


@pytest.mark.parametrize("role", ROLES)
def test_only_the_secretariat_changes_or_deletes_a_meeting(as_role, role):
    _user, client = as_role(role)
    meeting = MeetingFactory(title="Before")
    item = AgendaItemFactory(meeting=meeting, title="An item")
    changed = client.post(
        f"/en/admin/programme/meeting/{meeting.pk}/change/", meeting_form(title_en="After", start_time="", end_time="")
    )
    assert changed.status_code in (HTTPStatus.FOUND, HTTPStatus.FORBIDDEN)
    meeting.refresh_from_db()
    assert (meeting.title_en == "After") is (role in SECRETARIAT)
    client.post(f"/en/admin/programme/agendaitem/{item.pk}/delete/", {"post": "yes"})
    assert AgendaItem.objects.filter(pk=item.pk).exists() is (role not in SECRETARIAT)
    client.post(f"/en/admin/programme/meeting/{meeting.pk}/delete/", {"post": "yes"})
    assert Meeting.objects.filter(pk=meeting.pk).exists() is (role not in SECRETARIAT)


@pytest.mark.parametrize(
    "path", ["/en/admin/programme/meeting/", "/en/admin/programme/meeting/add/", "/en/admin/programme/agendaitem/"]
)
@pytest.mark.parametrize("role", ROLES)
def test_the_programme_pages_of_the_admin_open_only_for_the_secretariat(as_role, role, path):
    _user, client = as_role(role)
    response = client.get(path)
    if role in SECRETARIAT:
        assert response.status_code == HTTPStatus.OK
    else:
        assert response.status_code in (HTTPStatus.FOUND, HTTPStatus.FORBIDDEN)
        assert response.get("Location", "/en/admin/login/").startswith("/en/admin/login/")


def test_the_meeting_form_has_a_tab_for_each_language_and_the_agenda_inline(as_role):
    _user, client = as_role("editor")
    page = client.get("/en/admin/programme/meeting/add/").content.decode()
    for code, _name in settings.LANGUAGES:
        assert f'id="id_title_{code.replace("-", "_")}"' in page
        assert f'id="id_agenda_items-0-title_{code.replace("-", "_")}"' in page
    assert "vendor/jquery-ui-1.13.3/jquery-ui.min.js" in page
    assert '<option value="Europe/Paris">Europe/Paris</option>' in page


def test_a_change_in_the_admin_shows_at_once_on_the_stored_public_page(as_role, django_capture_on_commit_callbacks):
    _user, client = as_role("editor")
    reader = Client()
    meeting = MeetingFactory(title="Ministerial meeting in Paris", starts_on=NEXT_MONTH)
    assert "Ministerial meeting in Paris" in reader.get("/en/programme/").content.decode()  # now stored
    data = meeting_form(
        title_en="Ministerial meeting in Geneva",
        start_time="",
        end_time="",
        time_zone="",
        **{"agenda_items-TOTAL_FORMS": "1"},
        **agenda_item(0, title_en="Digital governance"),
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/en/admin/programme/meeting/{meeting.pk}/change/", data)
    assert response.status_code == HTTPStatus.FOUND
    page = reader.get("/en/programme/").content.decode()
    assert "Ministerial meeting in Geneva" in page and "Digital governance" in page
    assert "Ministerial meeting in Paris" not in page
    assert "Ministerial meeting in Geneva" in reader.get("/en/programme/meetings.ics").content.decode()


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"ends_on": (NEXT_MONTH - datetime.timedelta(days=1)).isoformat()}, "The last day cannot come before"),
        ({"time_zone": ""}, "needs the time zone of its place"),
        ({"end_time": "09:00"}, "the end time comes after the start time"),
        ({"time_zone": "Mars/Olympus_Mons"}, "Select a valid choice"),
        ({"title_en": "\u202eevil"}, "invisible control character"),
    ],
)
def test_a_wrong_meeting_is_refused_with_a_clear_message_and_nothing_is_saved(as_role, values, message):
    _user, client = as_role("editor")
    response = client.post("/en/admin/programme/meeting/add/", meeting_form(**values))
    assert response.status_code == HTTPStatus.OK
    assert message in response.content.decode()
    assert Meeting.objects.count() == 0


def test_an_outcome_before_the_meeting_or_a_draft_launched_is_refused(as_role):
    _user, client = as_role("editor")
    draft = InitiativeFactory(status=Initiative.Status.DRAFT)
    data = meeting_form(**{"agenda_items-TOTAL_FORMS": "1"}, **agenda_item(0, title_en="Early", outcome="presented"))
    page = client.post("/en/admin/programme/meeting/add/", data).content.decode()
    assert "An outcome is recorded once the meeting has begun." in page
    last_year = (timezone.localdate() - datetime.timedelta(days=365)).isoformat()
    data = meeting_form(
        starts_on=last_year,
        **{"agenda_items-TOTAL_FORMS": "1"},
        **agenda_item(0, initiative=str(draft.pk), outcome="launched"),
    )
    page = client.post("/en/admin/programme/meeting/add/", data).content.decode()
    assert "open it first, then record its launch" in page
    assert Meeting.objects.count() == 0 and AgendaItem.objects.count() == 0


@pytest.mark.parametrize("meetings", [1, 20])
def test_the_meetings_list_takes_the_same_queries_for_1_and_20_meetings(as_role, django_assert_num_queries, meetings):
    _user, client = as_role("editor")
    for _ in range(meetings):
        AgendaItemFactory(meeting=MeetingFactory())
    client.get("/en/admin/programme/meeting/")  # the session's first read of the second factor
    # Without Redis, the session is read from the database.
    extra = 0 if settings.SESSION_ENGINE.endswith("cached_db") else 1
    with django_assert_num_queries(QUERIES + extra):
        page = client.get("/en/admin/programme/meeting/").content.decode()
    assert page.count('class="field-agenda_length"') == meetings


def test_the_secretariat_reads_each_change_of_a_meeting_in_its_history(as_role):
    user, client = as_role("editor")
    client.post("/en/admin/programme/meeting/add/", meeting_form(title_en="First title"))
    meeting = Meeting.objects.get()
    client.post(f"/en/admin/programme/meeting/{meeting.pk}/change/", meeting_form(title_en="Second title"))
    page = client.get(f"/en/admin/programme/meeting/{meeting.pk}/history/").content.decode()
    assert "First title" in page and "Second title" in page  # each version, listed with who made it
    assert [row.history_user for row in meeting.history.all()] == [user, user]
    version = meeting.history.earliest("history_date")
    past = client.post(
        f"/en/admin/programme/meeting/{meeting.pk}/history/{version.history_id}/", meeting_form(title_en="Forged")
    )
    assert past.status_code == HTTPStatus.FORBIDDEN  # a past version is never restored from the admin
    meeting.refresh_from_db()
    assert meeting.title_en == "Second title"
