"""Hostile input stays inert, redirects stay on the site, and the API cannot be written to."""

from http import HTTPStatus

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.test import Client

from initiatives.endorsing import record_endorsement, record_withdrawal
from initiatives.models import Event, Initiative
from members.models import MemberState
from tests.factories import UserFactory

PAYLOAD = '"><script>alert(1)</script><img src=x onerror=alert(2)>'
PASSWORD = "a long and unusual passphrase"


@pytest.fixture
def hostile(register):
    """Every translated text and every free text a delegate or the secretariat types, set to a payload."""
    initiative = Initiative.objects.get(slug="gender-at-the-centre")
    for code, _name in settings.LANGUAGES:
        column = code.replace("-", "_")
        for field in ("title", "summary", "body", "commitment", "launch_place"):
            setattr(initiative, f"{field}_{column}", f"{field} {PAYLOAD}")
    initiative.save()
    state = MemberState.objects.get(code="NOR")
    for code, _name in settings.LANGUAGES:
        setattr(state, f"name_{code.replace('-', '_')}", f"Norway {PAYLOAD}")
    state.save()
    event = Event.objects.order_by("date").first()
    event.title_en = f"Meeting {PAYLOAD}"
    event.save()
    staff = UserFactory(is_staff=True)
    row = record_endorsement(
        initiative=initiative,
        member_state=state,
        endorsed_on=initiative.signing_opens_on,
        recorded_by=staff,
        source_url="https://example.org/note",
        source_note=f"Note {PAYLOAD}",
        statement=f"Statement {PAYLOAD}",
    )
    record_withdrawal(
        initiative=initiative,
        member_state=state,
        withdrawn_on=initiative.signing_opens_on,
        recorded_by=staff,
        reason=f"Reason {PAYLOAD}",
    )
    return row


@pytest.mark.parametrize(
    "path",
    [
        "/en/",
        "/ar/",
        "/en/initiatives/",
        "/en/initiatives/gender-at-the-centre/",
        "/zh-hans/initiatives/gender-at-the-centre/",
        "/en/initiatives/gender-at-the-centre/versions/",
        "/en/states/",
        "/en/states/nor/",
        "/en/events/",
        "/en/embed/initiatives/gender-at-the-centre/",
        "/en/feeds/endorsements/",
        "/en/feeds/states/nor/",
    ],
)
def test_payloads_in_texts_and_statements_are_rendered_inert(hostile, anonymous, path):
    page = anonymous.get(path).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "<img src=x onerror" not in page


def test_the_receipt_and_the_api_escape_or_encode_the_payload(hostile, anonymous):
    receipt = anonymous.get(f"/en/endorsements/{hostile.reference}/").content.decode()
    assert "<script>alert(1)</script>" not in receipt
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in receipt
    api = anonymous.get("/api/v1/endorsements", {"state": "NOR", "initiative": "gender-at-the-centre"})
    assert api["Content-Type"].startswith("application/json")
    assert api.json()["items"][0]["statement"] == f"Statement {PAYLOAD}"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example"])
def test_sign_in_never_redirects_off_the_site(db, target):
    user = UserFactory(password=PASSWORD)
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    response = Client().post(f"/en/accounts/login/?next={target}", {"login": user.email, "password": PASSWORD})
    assert response.status_code == HTTPStatus.FOUND
    assert "evil.example" not in response["Location"]


def test_the_admin_login_is_allauths(db):
    response = Client().get("/en/admin/login/?next=/en/admin/")
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith("/en/accounts/login/")


def test_sign_in_attempts_are_limited_per_address(db):
    client = Client(REMOTE_ADDR="203.0.113.7")
    for number in range(10):
        client.post("/en/accounts/login/", {"login": f"nobody{number}@example.org", "password": "wrong password"})
    user = UserFactory(password=PASSWORD)
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    response = client.post("/en/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert "Too many failed login attempts" in response.content.decode()


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("path", ["/api/v1/endorsements", "/api/v1/initiatives/paris-call", "/api/v1/states/fra"])
def test_the_api_cannot_be_written_to(register, anonymous, method, path):
    before = Initiative.objects.get(slug="paris-call").endorsements.count()
    response = getattr(anonymous, method)(path, {}, content_type="application/json")
    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert Initiative.objects.get(slug="paris-call").endorsements.count() == before
