"""The strict Content-Security-Policy holds on real pages: the browser reports no violation."""

import pytest
from playwright.sync_api import Page

from tests.conftest import sign_in
from tests.factories import UserFactory

pytestmark = pytest.mark.e2e

PAGES = [
    "/en/",
    "/ar/initiatives/paris-call/",
    "/en/states/fra/?as_of=2020-01-01",
    "/en/accounts/login/",
    "/en/accounts/signup/",
    "/en/receipts/verify/",
    "/en/embed/initiatives/paris-call/",
    "/api/v1/docs",
]


def test_pages_load_without_any_csp_violation(live_register, page: Page):
    reports: list[str] = []
    page.on(
        "console", lambda message: reports.append(message.text) if "Content Security Policy" in message.text else None
    )
    for path in PAGES:
        page.goto(f"{live_register.url}{path}")
        page.wait_for_load_state("networkidle")
    assert reports == []


def test_the_authenticator_setup_page_shows_its_qr_code_under_the_csp(live_register, page: Page):
    from django.test import Client

    user = UserFactory()
    client = sign_in(Client(), user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_register.url}]
    )
    reports: list[str] = []
    page.on(
        "console", lambda message: reports.append(message.text) if "Content Security Policy" in message.text else None
    )
    page.goto(f"{live_register.url}/en/accounts/2fa/totp/activate/")
    qr = page.locator("img[src^='data:']")
    assert qr.evaluate("img => img.naturalWidth") > 0
    assert reports == []
