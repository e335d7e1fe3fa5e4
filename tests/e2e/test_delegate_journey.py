"""The whole journey of a delegate, in Chromium: from sign-up to a public, withdrawn endorsement."""

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import PDF, deliver
from tests.e2e.steps import (
    PASSWORD,
    approve_first_pending_accreditation,
    current_totp,
    sign_in,
    sign_in_as_secretariat_admin,
)

pytestmark = pytest.mark.e2e

EMAIL = "delegate@mission.example"


def test_a_delegate_signs_up_is_accredited_endorses_and_withdraws(
    live_register, page: Page, browser: Browser, mailoutbox
):
    base = live_register.url

    # Sign up, and confirm the address through the link in the email (a page with a button).
    page.goto(f"{base}/en/accounts/signup/")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.get_by_role("button", name="Sign Up").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Verify Your Email Address")
    deliver()  # the worker sends the email the sign-up enqueued
    link = re.search(r"https?://[^/\s]+(/en/accounts/confirm-email/\S+)", mailoutbox[-1].body).group(1)
    page.goto(f"{base}{link}")
    page.get_by_role("button", name="Confirm").click()
    sign_in(page, base, EMAIL, PASSWORD)

    # Set up an authenticator app (TOTP), typing the code it would show.
    page.goto(f"{base}/en/delegate/")
    page.get_by_role("link", name="Set up an authenticator app").click()
    if page.get_by_label("Password").count():  # allauth may ask for the password first
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Confirm").click()
    secret = page.locator("#authenticator_secret").input_value()
    page.get_by_label("Authenticator code").fill(current_totp(secret))
    page.get_by_role("button", name="Activate").click()
    page.goto(f"{base}/en/delegate/")
    expect(page.get_by_text("Two-factor authentication is on.")).to_be_visible()

    # Request an accreditation for France, with a note verbale.
    page.get_by_role("link", name="Request an accreditation").click()
    page.get_by_label("State you act for").select_option(label="France")
    page.get_by_label("Your position").fill("Counsellor, Permanent Mission to the United Nations")
    page.get_by_label("Evidence of your mandate").set_input_files(
        {"name": "note-verbale.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_role("button", name="Send the request").click()
    expect(page.get_by_text("Your request is sent to the secretariat.")).to_be_visible()

    # A secretariat admin, signing in with a second factor, approves it in the admin.
    admin_page = browser.new_context().new_page()
    sign_in_as_secretariat_admin(admin_page, base, "admin@secretariat.example")
    approve_first_pending_accreditation(admin_page, base)

    # Endorse on behalf of France, re-entering the password when asked.
    page.goto(f"{base}/en/initiatives/gender-at-the-centre/")
    page.get_by_role("link", name="Endorse on behalf of France").click()
    if "reauthenticate" in page.url:
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Endorse on behalf of France")
    page.get_by_label("I confirm that I am authorised").check()
    page.get_by_label("Public statement").fill("France supports gender equality in education.")
    page.get_by_role("button", name="Endorse on behalf of France").click()

    expect(page.get_by_text("Your state's endorsement is recorded.")).to_be_visible()
    reference = re.search(r"/endorsements/([0-9A-Z-]+)/", page.url).group(1)
    expect(page.get_by_text("France supports gender equality in education.")).to_be_visible()

    # The public sees France on the initiative page, and the receipt.
    public = browser.new_context().new_page()
    public.goto(f"{base}/en/initiatives/gender-at-the-centre/")
    endorsers = public.get_by_role("table", name="Western European and other States")
    expect(endorsers.get_by_role("link", name="France", exact=True)).to_be_visible()
    endorsers.get_by_role("link", name=reference).click()
    expect(public.get_by_role("heading", level=1)).to_contain_text(reference)
    expect(public.get_by_text(EMAIL)).to_have_count(0)

    # Withdraw with a reason; the public history shows it.
    page.goto(f"{base}/en/initiatives/gender-at-the-centre/")
    page.get_by_role("link", name="Withdraw the endorsement of France").click()
    page.get_by_label("Reason for the withdrawal").fill("Superseded by a national strategy.")
    page.get_by_label("I confirm that I am authorised").check()
    page.get_by_role("button", name="Withdraw the endorsement").click()
    expect(page.get_by_text("Your state's endorsement is withdrawn.")).to_be_visible()

    public.goto(f"{base}/en/initiatives/gender-at-the-centre/")
    withdrawn = public.get_by_role("region", name="Withdrawn endorsements")
    expect(withdrawn.get_by_role("rowheader", name="France")).to_be_visible()
    expect(withdrawn.get_by_text("Superseded by a national strategy.")).to_be_visible()
