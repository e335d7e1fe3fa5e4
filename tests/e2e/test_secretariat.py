"""A secretariat admin signs in with TOTP, approves a request, records an offline endorsement,
and finds both on the public pages and in the audit trail."""

import re

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from playwright.sync_api import Page, expect

from members.models import Accreditation
from tests.conftest import accredit
from tests.e2e.test_delegate_journey import PASSWORD, current_totp, sign_in
from tests.factories import UserFactory

pytestmark = pytest.mark.e2e


def test_a_secretariat_admin_approves_records_and_sees_the_audit_trail(live_register, page: Page):
    base = live_register.url
    admin = UserFactory(email="head@secretariat.example", password=PASSWORD, is_staff=True, is_superuser=True)
    EmailAddress.objects.create(user=admin, email=admin.email, primary=True, verified=True)
    secret = generate_totp_secret()
    TOTP.activate(admin, secret)
    applicant = UserFactory(email="counsellor@mission.example")
    accredit(applicant, "NOR", status=Accreditation.Status.PENDING)

    sign_in(page, base, admin.email, PASSWORD)
    page.get_by_label("Code").fill(current_totp(secret))
    page.get_by_role("button", name="Sign In").click()

    page.goto(f"{base}/en/admin/members/accreditation/?status__exact=pending")
    page.get_by_role("checkbox", name="Select this object for an action").first.check()
    page.get_by_role("combobox", name="Action").select_option("approve_selected")
    page.get_by_role("button", name="Go").click()
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text("1 accreditation(s) updated")).to_be_visible()

    page.goto(f"{base}/en/admin/initiatives/endorsement/")
    page.get_by_role("link", name="Record an endorsement").click()
    page.get_by_label("Initiative").select_option(label="Climate and Security Initiative")
    page.get_by_label("State:", exact=True).select_option(label="Nauru")
    page.get_by_label("Endorsed on").fill("2020-03-02")
    page.get_by_label("Document reference").fill("Note verbale No. 7/2020 of the Permanent Mission of Nauru")
    page.get_by_role("button", name="Record an endorsement").click()
    expect(page.get_by_text(re.compile(r"Recorded: Nauru"))).to_be_visible()

    page.goto(f"{base}/en/initiatives/climate-and-security/")
    endorsers = page.get_by_role("table", name="Asia-Pacific States")
    expect(endorsers.get_by_role("link", name="Nauru", exact=True)).to_be_visible()
    expect(endorsers.get_by_text("2 March 2020")).to_be_visible()

    page.goto(f"{base}/en/admin/members/accreditation/")
    page.get_by_role("link", name=re.compile("counsellor@mission.example")).click()
    page.get_by_role("link", name="History").click()
    expect(page.get_by_text("head@secretariat.example").first).to_be_visible()
    assert Accreditation.objects.get(user=applicant).history.latest().history_user == admin
