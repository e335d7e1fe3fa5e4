"""Steps that several browser journeys take the same way."""

import datetime
import time

from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from playwright.sync_api import Page, expect

from tests.factories import UserFactory

PASSWORD = "a long and unusual passphrase"


def current_totp(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def sign_in(page: Page, base: str, email: str, password: str) -> None:
    page.goto(f"{base}/en/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign In").click()


def sign_in_as_secretariat_admin(page: Page, base: str, email: str):
    """A secretariat admin with an authenticator app, signed in with password and code."""
    admin = UserFactory(email=email, password=PASSWORD, is_staff=True, is_superuser=True)
    EmailAddress.objects.create(user=admin, email=admin.email, primary=True, verified=True)
    secret = generate_totp_secret()
    TOTP.activate(admin, secret)
    sign_in(page, base, admin.email, PASSWORD)
    page.get_by_label("Code").fill(current_totp(secret))
    page.get_by_role("button", name="Sign In").click()
    return admin


def approve_first_pending_accreditation(page: Page, base: str, valid_until: datetime.date | None = None) -> None:
    """Approve through the admin action; its confirmation page asks for the end of validity (a
    year from today unless `valid_until` is given)."""
    page.goto(f"{base}/en/admin/members/accreditation/?status__exact=pending")
    page.get_by_role("checkbox", name="Select this object for an action").first.check()
    page.get_by_role("combobox", name="Action").select_option("approve_selected")
    page.get_by_role("button", name="Go").click()
    end = page.get_by_label("Valid until")
    expect(end).to_have_value((datetime.date.today() + datetime.timedelta(days=365)).isoformat())
    if valid_until is not None:
        end.fill(valid_until.isoformat())
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text("1 accreditation(s) updated")).to_be_visible()
