"""Asking to act for a state, and the secretariat's decisions."""

import datetime
from http import HTTPStatus

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from members.accreditation import AccreditationRefused, approve, reject, revoke
from members.models import Accreditation
from tests.conftest import PDF, accredit, deliver, sign_in, turn_on_mfa
from tests.factories import UserFactory

A_YEAR_AHEAD = (datetime.date.today() + datetime.timedelta(days=365)).isoformat()

REQUEST = "/en/delegate/accreditation/"


@pytest.fixture
def applicant(register):
    user = UserFactory(email="applicant@example.org")
    return user, sign_in(Client(), user)


@pytest.fixture
def admin_user(register):
    user = UserFactory(email="secretariat.admin@example.org", is_staff=True, is_superuser=True)
    turn_on_mfa(user)
    return user


def upload(content: bytes = PDF, name: str = "note.pdf", content_type: str = "application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def test_a_signed_in_user_requests_an_accreditation_with_evidence(
    applicant, settings, mailoutbox, django_capture_on_commit_callbacks
):
    user, client = applicant
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            REQUEST, {"member_state": "FRA", "position": "Counsellor", "evidence": upload()}, follow=True
        )
    accreditation = Accreditation.objects.get(user=user)
    assert accreditation.status == Accreditation.Status.PENDING
    assert accreditation.member_state.code == "FRA"
    assert accreditation.evidence_type == "application/pdf"
    stored = settings.PRIVATE_STORAGE_ROOT / accreditation.evidence.name
    assert stored.read_bytes() == PDF
    assert "Your request is sent to the secretariat." in response.content.decode()
    deliver()
    assert mailoutbox[0].to == ["secretariat@alliance.example"]
    assert "applicant@example.org asks to act for France as Counsellor." in mailoutbox[0].body


@pytest.mark.parametrize(
    ("content", "name", "error"),
    [
        (b"MZ\x90\x00 not a document", "note.pdf", "The file is not a PDF, PNG or JPEG document"),
        (b"<html><script>alert(1)</script>", "note.png", "The file is not a PDF, PNG or JPEG document"),
        (PDF + b"0" * (5 * 1024 * 1024), "big.pdf", "The file is larger than 5 MB."),
    ],
)
def test_evidence_is_checked_by_its_content_and_size(applicant, content, name, error):
    user, client = applicant
    response = client.post(
        REQUEST, {"member_state": "FRA", "position": "Counsellor", "evidence": upload(content, name)}
    )
    assert response.status_code == HTTPStatus.OK
    assert error in response.content.decode()
    assert not Accreditation.objects.filter(user=user).exists()


def test_a_png_or_jpeg_scan_is_accepted(applicant):
    user, client = applicant
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    client.post(
        REQUEST, {"member_state": "DEU", "position": "Attaché", "evidence": upload(png, "scan.png", "image/png")}
    )
    assert Accreditation.objects.get(user=user).evidence_type == "image/png"


def test_one_pending_or_approved_accreditation_per_user(applicant):
    user, client = applicant
    accredit(user, "FRA", status=Accreditation.Status.PENDING)
    response = client.post(
        REQUEST, {"member_state": "DEU", "position": "Counsellor", "evidence": upload()}, follow=True
    )
    assert "You already have a pending or approved accreditation." in response.content.decode()
    assert Accreditation.objects.filter(user=user).count() == 1


def test_anonymous_visitors_are_sent_to_sign_in(register, anonymous):
    response = anonymous.post(REQUEST, {"member_state": "FRA", "position": "X", "evidence": upload()})
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith("/en/accounts/login/")
    assert not Accreditation.objects.exists()


def test_approval_lasts_a_year_by_default_and_the_user_is_emailed(
    applicant, admin_user, mailoutbox, django_capture_on_commit_callbacks
):
    user, _client = applicant
    pending = accredit(user, "FRA", status=Accreditation.Status.PENDING)
    with django_capture_on_commit_callbacks(execute=True):
        approve(accreditation=pending, decided_by=admin_user)
    pending.refresh_from_db()
    assert pending.status == Accreditation.Status.APPROVED
    assert pending.valid_until == timezone.localdate() + datetime.timedelta(days=365)
    assert pending.decided_by == admin_user
    assert pending.is_active() is True
    deliver()
    assert mailoutbox[0].to == [user.email]
    assert "you may act for France until" in mailoutbox[0].body


def test_rejection_and_revocation_need_a_reason_which_the_user_is_told(
    applicant, admin_user, mailoutbox, django_capture_on_commit_callbacks
):
    user, _client = applicant
    pending = accredit(user, "FRA", status=Accreditation.Status.PENDING)
    with pytest.raises(AccreditationRefused, match="Give the reason"):
        reject(accreditation=pending, decided_by=admin_user, reason=" ")
    with django_capture_on_commit_callbacks(execute=True):
        reject(accreditation=pending, decided_by=admin_user, reason="The note verbale is unsigned.")
    pending.refresh_from_db()
    assert pending.status == Accreditation.Status.REJECTED
    deliver()
    assert "Reason: The note verbale is unsigned." in mailoutbox[0].body

    approved = accredit(user, "FRA")
    with django_capture_on_commit_callbacks(execute=True):
        revoke(accreditation=approved, decided_by=admin_user, reason="Posted elsewhere.")
    approved.refresh_from_db()
    assert approved.status == Accreditation.Status.REVOKED
    assert approved.is_active() is False
    deliver()
    assert "revoked" in mailoutbox[1].body


def test_an_expired_accreditation_no_longer_lets_the_user_act(applicant):
    user, _client = applicant
    item = accredit(user, "FRA", valid_until=timezone.localdate() - datetime.timedelta(days=1))
    assert item.is_active() is False
    assert not Accreditation.objects.active().filter(user=user).exists()


def test_the_admin_approves_through_an_action(applicant, admin_user, mailoutbox, django_capture_on_commit_callbacks):
    user, _client = applicant
    pending = accredit(user, "FRA", status=Accreditation.Status.PENDING)
    admin = Client()
    admin.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            "/en/admin/members/accreditation/",
            {
                "action": "approve_selected",
                "_selected_action": [pending.pk],
                "confirmed": "yes",
                "valid_until": A_YEAR_AHEAD,
            },
            follow=True,
        )
    pending.refresh_from_db()
    assert pending.status == Accreditation.Status.APPROVED
    assert "1 accreditation(s) updated" in response.content.decode()
    deliver()
    assert mailoutbox[0].to == [user.email]


def test_the_admin_is_asked_for_a_reason_before_rejecting(applicant, admin_user):
    user, _client = applicant
    pending = accredit(user, "FRA", status=Accreditation.Status.PENDING)
    admin = Client()
    admin.force_login(admin_user)
    ask = admin.post(
        "/en/admin/members/accreditation/", {"action": "reject_selected", "_selected_action": [pending.pk]}
    )
    assert 'name="reason"' in ask.content.decode()
    pending.refresh_from_db()
    assert pending.status == Accreditation.Status.PENDING
    admin.post(
        "/en/admin/members/accreditation/",
        {"action": "reject_selected", "_selected_action": [pending.pk], "reason": "Unsigned.", "confirmed": "yes"},
    )
    pending.refresh_from_db()
    assert (pending.status, pending.decision_reason) == (Accreditation.Status.REJECTED, "Unsigned.")


def test_evidence_is_shown_to_the_secretariat_only(applicant, admin_user, anonymous):
    user, client = applicant
    item = accredit(user, "FRA", status=Accreditation.Status.PENDING)
    url = f"/en/delegate/accreditations/{item.pk}/evidence/"
    admin = Client()
    admin.force_login(admin_user)
    response = admin.get(url)
    assert response.status_code == HTTPStatus.OK
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert {"private", "no-store"} <= {part.strip() for part in response["Cache-Control"].split(",")}
    assert client.get(url).status_code == HTTPStatus.FORBIDDEN
    assert anonymous.get(url).status_code == HTTPStatus.FOUND
    with pytest.raises(ValueError, match="no URL"):
        item.evidence.url  # noqa: B018


def test_the_delegate_space_shows_status_open_initiatives_and_mfa(persona):
    _user, client = persona("delegate_of_x")
    page = client.get("/en/delegate/").content.decode()
    assert "Approved" in page
    assert "Open initiatives France has not endorsed" in page
    assert 'href="/en/initiatives/gender-at-the-centre/endorse/"' in page
    assert 'href="/en/initiatives/paris-call/endorse/"' not in page
    assert "Endorsements and history of France" in page
    assert "Two-factor authentication is on." in page


def test_the_delegate_space_invites_an_unaccredited_user_to_request(applicant):
    _user, client = applicant
    page = client.get("/en/delegate/").content.decode()
    assert "You are not accredited to act for a state." in page
    assert 'href="/en/delegate/accreditation/"' in page
    assert "Two-factor authentication is off." in page


def test_the_decision_reaches_the_applicant_in_the_language_of_the_request(
    applicant, admin_user, mailoutbox, django_capture_on_commit_callbacks
):
    user, client = applicant
    client.post("/fr/delegate/accreditation/", {"member_state": "SEN", "position": "Conseiller", "evidence": upload()})
    pending = Accreditation.objects.get(user=user)
    assert pending.language == "fr"
    admin = Client()
    admin.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(  # the secretariat works in English
            "/en/admin/members/accreditation/",
            {
                "action": "approve_selected",
                "_selected_action": [pending.pk],
                "confirmed": "yes",
                "valid_until": A_YEAR_AHEAD,
            },
        )
    deliver()
    decision = mailoutbox[-1]
    assert decision.to == [user.email]
    assert "Le secrétariat a approuvé votre accréditation" in decision.body
    assert "/fr/delegate/" in decision.body


def test_the_language_of_a_request_is_shown_to_the_secretariat_but_not_editable(applicant, admin_user):
    user, client = applicant
    client.post("/fr/delegate/accreditation/", {"member_state": "SEN", "position": "Conseiller", "evidence": upload()})
    pending = Accreditation.objects.get(user=user)
    admin = Client()
    admin.force_login(admin_user)
    page = admin.get(f"/en/admin/members/accreditation/{pending.pk}/change/").content.decode()
    assert "Language of the request" in page
    assert "French" in page
    assert 'name="language"' not in page  # decided through the actions, never by editing
