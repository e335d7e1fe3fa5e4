"""Security headers and cookies of a production response."""

from http import HTTPStatus

from allauth.account.models import EmailAddress
from django.test import Client, override_settings

from tests.factories import UserFactory

PRODUCTION = {"SECURE_SSL_REDIRECT": True, "SECURE_HSTS_SECONDS": 31536000, "DEBUG": False}


@override_settings(**PRODUCTION)
def test_every_page_carries_the_security_headers(register):
    response = Client().get("/en/initiatives/paris-call/", secure=True)
    assert response.status_code == HTTPStatus.OK
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "style-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "camera=()" in response["Permissions-Policy"]
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@override_settings(**PRODUCTION)
def test_plain_http_is_redirected_to_https(register):
    response = Client().get("/en/states/")
    assert response.status_code == HTTPStatus.MOVED_PERMANENTLY
    assert response["Location"] == "https://testserver/en/states/"


@override_settings(**PRODUCTION)
def test_only_the_embed_page_may_be_framed_by_other_sites(register):
    for _visit in ("rendered", "from the page cache"):
        response = Client().get("/en/embed/initiatives/paris-call/", secure=True)
        assert "frame-ancestors *" in response["Content-Security-Policy"]
        assert "X-Frame-Options" not in response
    assert (
        "frame-ancestors 'none'" in Client().get("/en/initiatives/paris-call/", secure=True)["Content-Security-Policy"]
    )


@override_settings(**PRODUCTION, SESSION_COOKIE_SECURE=True, CSRF_COOKIE_SECURE=True)
def test_cookies_are_secure_and_http_only(db):
    user = UserFactory(password="a long and unusual passphrase")
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    client = Client()
    form = client.get("/en/accounts/login/", secure=True)
    assert form.cookies["csrftoken"]["secure"] is True
    response = client.post(
        "/en/accounts/login/", {"login": user.email, "password": "a long and unusual passphrase"}, secure=True
    )
    session = response.cookies["sessionid"]
    assert session["secure"] is True
    assert session["httponly"] is True
    assert session["samesite"] == "Lax"


def test_anonymous_reading_pages_set_no_cookie(register, anonymous):
    for path in ["/en/", "/en/initiatives/paris-call/", "/en/states/fra/", "/api/v1/initiatives"]:
        assert anonymous.get(path).cookies == {}, path
