"""An accreditation's life after approval: reminders before its end, renewal, expiry, and the
end of validity the secretariat chooses."""

import datetime
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http import HTTPStatus

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.utils import formats, timezone, translation

from members.accreditation import (
    AccreditationRefused,
    NotAccredited,
    acting_accreditation,
    approve,
    remind_of_expiry,
    request_renewal,
)
from members.models import Accreditation, User
from tests.conftest import PDF, accredit, deliver, sign_in, turn_on_mfa
from tests.factories import MemberStateFactory, UserFactory

CHANGELIST = "/en/admin/members/accreditation/"
RENEW = "/en/delegate/accreditation/renew/"


def days(count: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=count)


def upload() -> SimpleUploadedFile:
    return SimpleUploadedFile("note.pdf", PDF, content_type="application/pdf")


def long_approved(user: User, code: str, *, valid_until: datetime.date) -> Accreditation:
    """Approved a year before its end: every reminder is still ahead of it."""
    item = accredit(user, code, valid_until=valid_until)
    Accreditation.objects.filter(pk=item.pk).update(decided_at=timezone.now() - datetime.timedelta(days=300))
    item.refresh_from_db()
    return item


@pytest.fixture
def secretariat(register):
    """A secretariat admin or editor, signed in with a second factor."""

    def build(role: str) -> tuple[User, Client]:
        user = UserFactory(email=f"{role}@secretariat.example", is_staff=True)
        user.groups.add(Group.objects.get(name="Secretariat admins" if role == "admin" else "Secretariat editors"))
        turn_on_mfa(user)
        return user, sign_in(Client(), user)

    return build


def approval(item: Accreditation, valid_until: str | None, *, confirmed: bool = True) -> dict:
    data: dict = {"action": "approve_selected", "_selected_action": [item.pk]}
    if confirmed:
        data["confirmed"] = "yes"
    if valid_until is not None:
        data["valid_until"] = valid_until
    return data


# --- Reminders -------------------------------------------------------------------------------


def test_a_delegate_is_reminded_30_and_7_days_before_the_end_once_each_in_their_language(
    persona, mailoutbox, django_capture_on_commit_callbacks
):
    user, _client = persona("signed_in")
    User.objects.filter(pk=user.pk).update(language="fr")
    item = long_approved(user, "FRA", valid_until=days(30))

    assert remind_of_expiry() == 1
    assert remind_of_expiry() == 0
    deliver()
    deliver()
    assert len(mailoutbox) == 1
    reminder = mailoutbox[0]
    with translation.override("fr"):
        end = formats.date_format(item.valid_until, "DATE_FORMAT")
    assert reminder.to == [user.email]
    assert end in reminder.subject and end in reminder.body  # "… 2027", in French
    assert "/fr/delegate/accreditation/renew/" in reminder.body
    assert "Votre espace délégué" in reminder.body
    item.refresh_from_db()
    assert item.reminded_30_at is not None and item.reminded_7_at is None

    a_week_before = item.valid_until - datetime.timedelta(days=7)
    assert remind_of_expiry(on=a_week_before) == 1
    assert remind_of_expiry(on=a_week_before) == 0
    deliver()
    deliver()
    assert len(mailoutbox) == 2
    assert end in mailoutbox[1].body
    item.refresh_from_db()
    assert item.reminded_7_at is not None


def test_the_worker_sends_the_reminders_that_are_due(persona, mailoutbox):
    user, _client = persona("signed_in")
    long_approved(user, "FRA", valid_until=days(7))
    deliver()  # the worker runs its periodic jobs, the reminders among them
    deliver()
    assert [message.to for message in mailoutbox] == [[user.email]]  # the 7-day one only: 30 days is past


def test_a_delegate_approved_with_20_days_left_gets_only_the_7_day_reminder(persona, secretariat, mailoutbox):
    admin, _client = secretariat("admin")
    user, _ = persona("pending")
    pending = Accreditation.objects.get(user=user)
    approve(accreditation=pending, decided_by=admin, valid_until=days(20))
    assert remind_of_expiry() == 0
    assert remind_of_expiry(on=days(12)) == 0
    assert remind_of_expiry(on=days(13)) == 1  # 7 days before the end
    pending.refresh_from_db()
    assert (pending.reminded_30_at, pending.reminded_7_at is not None) == (None, True)


def test_revoked_renewed_staff_and_already_renewing_accreditations_are_never_reminded(register, mailoutbox):
    revoked = long_approved(UserFactory(), "FRA", valid_until=days(30))
    Accreditation.objects.filter(pk=revoked.pk).update(status=Accreditation.Status.REVOKED)
    renewed = long_approved(UserFactory(), "DEU", valid_until=days(30))
    Accreditation.objects.filter(pk=renewed.pk).update(status=Accreditation.Status.RENEWED)
    staff = long_approved(UserFactory(), "ITA", valid_until=days(30))
    User.objects.filter(pk=staff.user_id).update(is_staff=True)
    renewing = long_approved(UserFactory(), "ESP", valid_until=days(30))
    Accreditation.objects.create(
        user=renewing.user,
        member_state=renewing.member_state,
        position="Counsellor",
        evidence=upload(),
        evidence_type="application/pdf",
        renews=renewing,
    )
    for on in (days(0), days(23)):
        assert remind_of_expiry(on=on) == 0
    deliver()
    assert mailoutbox == []


@pytest.mark.django_db(transaction=True)
def test_two_reminder_passes_at_once_send_one_email(mailoutbox):
    """The second pass reads the reminder as due while the first has claimed it but not committed;
    it then waits for the row and finds it claimed."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writes; the race needs PostgreSQL (CI runs it there).")
    MemberStateFactory(code="QZA")
    item = long_approved(UserFactory(), "QZA", valid_until=days(30))
    claimed, release = threading.Event(), threading.Event()

    def first_pass() -> int:
        try:
            with transaction.atomic():
                sent = remind_of_expiry()
                claimed.set()
                release.wait(10)
            return sent
        finally:
            connection.close()

    def second_pass() -> int:
        try:
            claimed.wait(10)
            return remind_of_expiry()
        finally:
            connection.close()

    def a_pass_waits_for_a_row_lock() -> bool:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            return cursor.fetchone()[0] > 0

    with ThreadPoolExecutor(max_workers=2) as pool:
        first, second = pool.submit(first_pass), pool.submit(second_pass)
        deadline = time.monotonic() + 10
        while not a_pass_waits_for_a_row_lock() and time.monotonic() < deadline:
            time.sleep(0.05)
        contended = a_pass_waits_for_a_row_lock()
        release.set()
        sent = sorted([first.result(), second.result()])

    assert contended is True
    assert sent == [0, 1]
    deliver()
    assert [message.to for message in mailoutbox] == [[item.user.email]]


# --- Renewal ---------------------------------------------------------------------------------


def test_a_delegate_renews_before_expiry_and_keeps_acting_until_the_end(
    persona, mailoutbox, django_capture_on_commit_callbacks
):
    user, client = persona("signed_in")
    old = long_approved(user, "FRA", valid_until=days(20))
    page = client.get("/en/delegate/").content.decode()
    assert f'href="{RENEW}"' in page
    assert "Ask for its renewal now" in page

    form = client.get(RENEW).content.decode()
    assert "Renew your accreditation" in form
    assert 'value="Deputy Permanent Representative"' in form  # the position, to confirm or change
    response = client.post(RENEW, {"position": "Permanent Representative", "evidence": upload()}, follow=True)
    assert "Your renewal request is sent to the secretariat." in response.content.decode()

    renewal = Accreditation.objects.get(user=user, status=Accreditation.Status.PENDING)
    assert (renewal.renews, renewal.member_state.code, renewal.position) == (old, "FRA", "Permanent Representative")
    deliver()
    assert mailoutbox[0].to == ["secretariat@alliance.example"]
    assert mailoutbox[0].subject.endswith("Accreditation renewal request for France")
    assert "asks to renew their accreditation to act for France, as Permanent Representative." in mailoutbox[0].body

    assert acting_accreditation(user) == old  # the pending renewal changes nothing yet
    page = client.get("/en/delegate/").content.decode()
    assert "Open initiatives France has not endorsed" in page
    assert "The secretariat is checking your renewal request. Your accreditation keeps working until" in page
    assert f'href="{RENEW}"' not in page

    Accreditation.objects.filter(pk=old.pk).update(valid_until=days(-1))  # the end passes first
    with pytest.raises(NotAccredited):
        acting_accreditation(user)
    endorse = client.post("/en/initiatives/gender-at-the-centre/endorse/", {"authority": "on", "text_version": 1})
    assert endorse.status_code == HTTPStatus.FORBIDDEN
    page = client.get("/en/delegate/").content.decode()
    assert "Expired" in page and "Approved" not in page
    assert "You can act for your state again once it is approved" in page
    assert "Open initiatives France has not endorsed" not in page


def test_a_delegate_renews_after_expiry_and_the_secretariat_reads_expired(persona, mailoutbox):
    user, client = persona("expired")
    old = Accreditation.objects.get(user=user)
    page = client.get("/en/delegate/").content.decode()
    assert "Expired" in page and "Approved" not in page
    assert "Your accreditation has expired: you can no longer act for France until it is renewed." in page
    assert f'href="{RENEW}"' in page

    client.post(RENEW, {"position": "Counsellor", "evidence": upload()})
    renewal = Accreditation.objects.get(user=user, status=Accreditation.Status.PENDING)
    assert renewal.renews == old
    deliver()
    assert "Their current accreditation: Expired, valid until" in mailoutbox[0].body


def test_a_renewal_is_refused_too_early_twice_or_through_the_first_request_form(persona):
    user, client = persona("signed_in")
    held = long_approved(user, "FRA", valid_until=days(200))
    response = client.post(RENEW, {"position": "Counsellor", "evidence": upload()}, follow=True)
    opens = formats.date_format(days(140), "DATE_FORMAT")
    assert f"You may ask to renew your accreditation from {opens}." in response.content.decode()
    with pytest.raises(AccreditationRefused, match="You may ask to renew"):
        request_renewal(
            accreditation=held, position="Counsellor", evidence=upload(), evidence_type="application/pdf", language="en"
        )
    assert Accreditation.objects.filter(user=user).count() == 1

    Accreditation.objects.filter(pk=held.pk).update(valid_until=days(60))  # the window opens 60 days before
    client.post(RENEW, {"position": "Counsellor", "evidence": upload()})
    again = client.post(RENEW, {"position": "Counsellor", "evidence": upload()}, follow=True)
    assert "Your renewal request is already with the secretariat." in again.content.decode()
    first_form = client.post(
        "/en/delegate/accreditation/",
        {"member_state": "DEU", "position": "Counsellor", "evidence": upload()},
        follow=True,
    )
    assert "You already have a pending or approved accreditation." in first_form.content.decode()
    assert Accreditation.objects.filter(user=user).count() == 2


def test_a_staff_member_or_a_user_without_approval_cannot_ask_for_a_renewal(persona):
    for name in ("staff", "pending", "revoked"):
        user, client = persona(name)
        before = Accreditation.objects.filter(user=user).count()
        response = client.post(RENEW, {"position": "Counsellor", "evidence": upload()}, follow=True)
        assert response.redirect_chain[-1][0] == "/en/delegate/"
        assert Accreditation.objects.filter(user=user).count() == before


def test_approving_a_renewal_makes_it_the_one_that_acts(persona, secretariat, mailoutbox):
    admin, _client = secretariat("admin")
    colleague, _ = persona("delegate_of_x")  # another delegate of France
    user, client = persona("signed_in")
    old = long_approved(user, "FRA", valid_until=days(10))
    client.post(RENEW, {"position": "Counsellor", "evidence": upload()})
    renewal = Accreditation.objects.get(user=user, status=Accreditation.Status.PENDING)
    deliver()  # the request, to the secretariat
    mailoutbox.clear()

    approve(accreditation=renewal, decided_by=admin, valid_until=days(400))
    old.refresh_from_db()
    renewal.refresh_from_db()
    assert (old.status, old.display_status) == (Accreditation.Status.RENEWED, "Renewed")
    assert (renewal.status, renewal.valid_until) == (Accreditation.Status.APPROVED, days(400))
    assert acting_accreditation(user) == renewal
    page = client.get("/en/delegate/").content.decode()
    assert "Approved" in page and "Open initiatives France has not endorsed" in page
    deliver()
    assert [message.to for message in mailoutbox] == [[user.email]]  # France's other delegate knows this one
    assert colleague.email not in {address for message in mailoutbox for address in message.to}


def test_a_renewal_of_a_revoked_accreditation_is_not_approved(persona, secretariat):
    admin, _client = secretariat("admin")
    user, client = persona("signed_in")
    old = long_approved(user, "FRA", valid_until=days(10))
    client.post(RENEW, {"position": "Counsellor", "evidence": upload()})
    Accreditation.objects.filter(pk=old.pk).update(status=Accreditation.Status.REVOKED)
    renewal = Accreditation.objects.get(user=user, status=Accreditation.Status.PENDING)
    with pytest.raises(AccreditationRefused, match="was revoked"):
        approve(accreditation=renewal, decided_by=admin)
    renewal.refresh_from_db()
    assert renewal.status == Accreditation.Status.PENDING
    assert not Accreditation.objects.active().filter(user=user).exists()


@pytest.mark.parametrize("status", [Accreditation.Status.PENDING, Accreditation.Status.APPROVED])
def test_the_database_holds_one_pending_and_one_approved_accreditation_per_user(register, status):
    user = UserFactory()
    accredit(user, "FRA", status=status)
    with pytest.raises(IntegrityError), transaction.atomic():
        accredit(user, "DEU", status=status)


# --- Expired reads as expired; the secretariat's approval ------------------------------------


def test_an_expired_accreditation_reads_expired_in_the_admin_with_a_filter(persona, secretariat):
    _admin, client = secretariat("admin")
    expired_user, _ = persona("expired")
    expired = Accreditation.objects.get(user=expired_user)
    ending = accredit(UserFactory(email="ending@mission.example"), "DEU", valid_until=days(10))
    accredit(UserFactory(email="lasting@mission.example"), "ITA", valid_until=days(200))

    listing = client.get(CHANGELIST).content.decode()
    assert "Expired" in listing
    detail = client.get(f"{CHANGELIST}{expired.pk}/change/").content.decode()
    assert "Expired" in detail and "Approved" not in detail

    only_expired = client.get(f"{CHANGELIST}?validity=expired").content.decode()
    assert "expired@example.org" in only_expired and "ending@mission.example" not in only_expired
    expiring = client.get(f"{CHANGELIST}?validity=expiring").content.decode()
    assert "ending@mission.example" in expiring
    assert "lasting@mission.example" not in expiring and "expired@example.org" not in expiring
    assert ending.display_status == "Approved"


def test_the_admin_approves_until_the_date_it_chooses(persona, secretariat, mailoutbox):
    _admin, client = secretariat("admin")
    user, _ = persona("pending")
    pending = Accreditation.objects.get(user=user)

    ask = client.post(CHANGELIST, approval(pending, None, confirmed=False)).content.decode()
    assert 'type="date"' in ask and 'name="valid_until"' in ask
    assert f'value="{days(365).isoformat()}"' in ask  # a year unless the admin chooses otherwise
    pending.refresh_from_db()
    assert pending.status == Accreditation.Status.PENDING

    response = client.post(CHANGELIST, approval(pending, days(180).isoformat()), follow=True)
    assert "1 accreditation(s) updated" in response.content.decode()
    pending.refresh_from_db()
    assert (pending.status, pending.valid_until) == (Accreditation.Status.APPROVED, days(180))
    deliver()
    assert formats.date_format(days(180), "DATE_FORMAT") in mailoutbox[-1].body


@pytest.mark.parametrize(
    ("valid_until", "error"),
    [
        (days(-1).isoformat(), "The end of validity cannot be in the past."),
        (days(2 * 365 + 1).isoformat(), "The end of validity can be at most two years ahead"),
        ("", "This field is required."),
        ("next year", "Enter a valid date."),
    ],
)
def test_the_admin_is_refused_an_end_of_validity_in_the_past_or_beyond_two_years(
    persona, secretariat, valid_until, error
):
    admin, client = secretariat("admin")
    user, _ = persona("pending")
    pending = Accreditation.objects.get(user=user)
    page = client.post(CHANGELIST, approval(pending, valid_until)).content.decode()
    assert error in page
    assert 'aria-invalid="true"' in page
    pending.refresh_from_db()
    assert pending.status == Accreditation.Status.PENDING
    if valid_until and valid_until[0].isdigit():  # the rule holds whatever calls it
        with pytest.raises(AccreditationRefused, match=error):
            approve(accreditation=pending, decided_by=admin, valid_until=datetime.date.fromisoformat(valid_until))


def test_an_editor_cannot_approve_even_with_a_forged_post(persona, secretariat):
    editor, client = secretariat("editor")
    user, _ = persona("pending")
    pending = Accreditation.objects.get(user=user)
    response = client.post(CHANGELIST, approval(pending, days(100).isoformat()))
    assert response.status_code == HTTPStatus.FORBIDDEN
    with pytest.raises(AccreditationRefused, match="Only a secretariat admin decides accreditations."):
        approve(accreditation=pending, decided_by=editor)
    pending.refresh_from_db()
    assert pending.status == Accreditation.Status.PENDING


def test_an_empty_renewal_post_says_what_is_missing_and_records_nothing(register):
    user = UserFactory(email="empty.post@mission.example")
    turn_on_mfa(user)
    accredit(user, "FRA", valid_until=timezone.localdate() + datetime.timedelta(days=20))
    client = sign_in(Client(), user)
    before = Accreditation.objects.count()
    response = client.post("/en/delegate/accreditation/renew/", {})
    assert response.status_code == HTTPStatus.OK
    assert "This field is required." in response.content.decode()
    assert Accreditation.objects.count() == before
