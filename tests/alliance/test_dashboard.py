"""The secretariat's dashboard at the admin's index: each figure, its count and the list it opens,
shown only to staff who may open that list."""

import datetime
import re
from http import HTTPStatus

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from alliance import background
from initiatives.endorsing import record_endorsement
from initiatives.models import Initiative, LogEntry, Sponsorship
from members.models import Accreditation, MemberState, User
from tests.conftest import accredit, sign_in, turn_on_mfa
from tests.factories import InitiativeFactory, UserFactory
from webhooks.models import Delivery, Endpoint

LANGUAGES = ["en", "fr", "es", "ar", "zh-hans", "ru"]
PENDING = "/en/admin/members/accreditation/?status__exact=pending"
EXPIRING = "/en/admin/members/accreditation/?validity=expiring"
DRAFTS = "/en/admin/initiatives/initiative/?status__exact=draft"
AWAITING_REVIEW = "/en/admin/initiatives/initiative/?coalition=submitted"
FAILED_TASKS = "/en/admin/django_tasks_database/dbtaskresult/?state=failed"
FAILED_DELIVERIES = "/en/admin/webhooks/delivery/?status__exact=failed"
PAUSED_ENDPOINTS = "/en/admin/webhooks/endpoint/?state__exact=paused"
FIGURE = re.compile(
    r'<th scope="row"><a href="(?P<url>[^"]+)">(?P<label>[^<]+)</a></th>\s*'
    r'<td class="secretariat-count">(?P<count>\d+)</td>\s*<td>(?P<detail>[^<]*)</td>'
)


def unreviewed(code: str) -> str:
    return f"/en/admin/initiatives/initiative/?unreviewed={code}"


def figures_on(page: str) -> dict[str, tuple[str, int, str]]:
    """The dashboard's figures by the list they link to: (label, count, detail)."""
    return {m["url"]: (m["label"], int(m["count"]), m["detail"]) for m in FIGURE.finditer(page)}


@pytest.fixture
def staff(register):
    def build(role: str) -> tuple[User, Client]:
        user = UserFactory(email=f"{role}@secretariat.example", is_staff=True)
        turn_on_mfa(user)
        user.groups.add(Group.objects.get(name="Secretariat editors" if role == "editor" else "Secretariat admins"))
        return user, sign_in(Client(), user)

    return build


def machine_assisted_now(code: str) -> int:
    """Counted in Python over every initiative, apart from the query the dashboard runs."""
    return sum(initiative.is_machine_assisted(code) for initiative in Initiative.objects.all())


def make_work(django_capture_on_commit_callbacks) -> dict[str, object]:
    """One row of each kind the dashboard counts."""
    applicant = UserFactory(email="counsellor@mission.example")
    pending = accredit(applicant, "NOR", status=Accreditation.Status.PENDING)
    Accreditation.objects.filter(pk=pending.pk).update(requested_at=timezone.now() - datetime.timedelta(days=3))
    accredit(
        UserFactory(email="attache@mission.example"),
        "PER",
        valid_until=timezone.localdate() + datetime.timedelta(days=10),
    )

    draft = InitiativeFactory(slug="ocean-commons", title="Ocean commons", status=Initiative.Status.DRAFT)
    proposer = UserFactory(email="proposer@mission.example")
    Sponsorship.objects.create(
        initiative=draft,
        member_state=MemberState.objects.get(code="FRA"),
        role=Sponsorship.Role.LEAD,
        status=Sponsorship.Status.ACCEPTED,
        decided_at=timezone.now(),
        decided_by=proposer,
    )
    in_arabic = InitiativeFactory(slug="digital-commons", title="Digital commons")
    in_arabic.translation_status = {"summary": {"ar": "machine_assisted", "fr": "reviewed"}}
    in_arabic.save()

    recorded = record_endorsement(
        initiative=in_arabic,
        member_state=MemberState.objects.get(code="CHL"),
        endorsed_on=timezone.localdate(),
        recorded_by=UserFactory(email="recorder@secretariat.example", is_staff=True),
        source_url="https://example.org/note-verbale",
        announce=False,
    )
    endpoint = Endpoint.objects.create(
        url="https://partner.example/hooks",
        events=["endorsement.recorded"],
        owner_email="ops@partner.example",
        cursor=0,
    )
    Delivery.objects.create(
        endpoint=endpoint,
        log_entry=LogEntry.objects.order_by("-pk").first(),
        event="endorsement.recorded",
        webhook_id="msg_dashboard",
        body="{}",
        status=Delivery.Status.FAILED,
        attempts=5,
    )
    with django_capture_on_commit_callbacks(execute=True):
        background.send_message.enqueue({"to": ["someone@example.org"], "subject": "Hello", "body": "Hi"})
    DBTaskResult.objects.update(status="FAILED")
    return {"endorsement": recorded, "initiative": in_arabic}


def test_an_admin_sees_each_figure_with_its_count_and_list(staff, django_capture_on_commit_callbacks):
    before = {code: machine_assisted_now(code) for code in LANGUAGES}
    made = make_work(django_capture_on_commit_callbacks)
    _user, client = staff("admin")

    response = client.get("/en/admin/")

    assert response.status_code == HTTPStatus.OK
    shown = figures_on(response.content.decode())
    assert shown[PENDING][:2] == ("Pending accreditations", 1)
    assert shown[PENDING][2] == "the oldest has waited 3\xa0days"
    assert shown[EXPIRING][:2] == ("Accreditations expiring within 30 days", 1)
    assert shown[DRAFTS][:2] == ("Drafts proposed by states", 1)
    assert shown[FAILED_TASKS][:2] == ("Background tasks failed after every attempt", 1)
    assert shown[FAILED_DELIVERIES][:2] == ("Failed webhook deliveries", 1)
    assert shown[PAUSED_ENDPOINTS][:2] == ("Paused webhook endpoints", 0)
    assert shown[unreviewed("ar")] == ("Initiatives with an unreviewed translation in Arabic", before["ar"] + 1, "–")
    for code in LANGUAGES:
        assert shown[unreviewed(code)][1] == machine_assisted_now(code)
    assert shown[unreviewed("fr")][1] == before["fr"]  # reviewed in French

    page = response.content.decode()
    endorsement = made["endorsement"]
    assert f'href="/en/admin/initiatives/endorsement/{endorsement.pk}/history/">Chile – Digital commons</a>' in page
    assert f'href="/en/admin/initiatives/initiative/{made["initiative"].pk}/history/">Digital commons</a>' in page


def test_each_figure_opens_a_list_showing_its_rows(staff, django_capture_on_commit_callbacks):
    make_work(django_capture_on_commit_callbacks)
    _user, client = staff("admin")
    expected = {
        PENDING: "counsellor@mission.example",
        EXPIRING: "attache@mission.example",
        DRAFTS: "Ocean commons",
        unreviewed("ar"): "Digital commons",
        FAILED_TASKS: "send_message",
        FAILED_DELIVERIES: "partner.example",
    }
    for url, text in expected.items():
        response = client.get(url)
        assert response.status_code == HTTPStatus.OK, url
        assert text in response.content.decode(), url
    assert "Digital commons" not in client.get(unreviewed("fr")).content.decode()
    assert "Ocean commons" not in client.get(unreviewed("ar")).content.decode()


def test_an_editor_sees_only_the_figures_they_may_act_on(staff, django_capture_on_commit_callbacks):
    make_work(django_capture_on_commit_callbacks)
    _user, client = staff("editor")

    shown = figures_on(client.get("/en/admin/").content.decode())

    assert set(shown) == {DRAFTS, AWAITING_REVIEW, *(unreviewed(code) for code in LANGUAGES)}
    assert shown[DRAFTS][1] == 1
    assert shown[AWAITING_REVIEW][1] == 0  # proposed, not yet submitted by its lead state
    for hidden in (PENDING, EXPIRING, FAILED_TASKS, FAILED_DELIVERIES, PAUSED_ENDPOINTS):
        assert client.get(hidden).status_code == HTTPStatus.FORBIDDEN, hidden
    assert client.get(DRAFTS).status_code == HTTPStatus.OK


@pytest.mark.parametrize("who", ["anonymous", "signed_in", "delegate_of_x"])
def test_people_outside_the_secretariat_are_sent_to_sign_in(who, persona):
    _user, client = persona(who)
    response = client.get("/en/admin/")
    assert response.status_code == HTTPStatus.FOUND
    assert "Pending accreditations" not in response.content.decode()


def test_the_dashboard_reads_in_french(staff, django_capture_on_commit_callbacks):
    make_work(django_capture_on_commit_callbacks)
    _user, client = staff("admin")

    page = client.get("/fr/admin/").content.decode()

    assert '<html lang="fr"' in page
    shown = figures_on(page)
    assert shown["/fr/admin/members/accreditation/?status__exact=pending"][1] == 1
    assert shown["/fr/admin/initiatives/initiative/?status__exact=draft"][1] == 1
    assert "/fr/admin/initiatives/initiative/?unreviewed=ar" in shown


def test_the_dashboard_queries_do_not_grow_with_the_rows(
    staff, django_capture_on_commit_callbacks, django_assert_num_queries
):
    _user, client = staff("admin")
    client.get("/en/admin/")  # the session's first request writes its activity once
    with django_assert_num_queries(QUERIES):
        client.get("/en/admin/")
    make_work(django_capture_on_commit_callbacks)
    for index in range(12):
        InitiativeFactory(slug=f"more-{index}", translation_status={"title": {"ru": "machine_assisted"}})
    with django_assert_num_queries(QUERIES):
        page = client.get("/en/admin/").content.decode()
    assert page.count("/history/") == 10  # the last ten changes, not all of them


# The user, the second factor, permissions, and one query per figure or trail; without Redis the
# session is read from the database too.
QUERIES = 15 if settings.SESSION_ENGINE.endswith("cached_db") else 16
