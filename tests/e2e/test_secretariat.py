"""A secretariat admin signs in with TOTP, approves a request, records an offline endorsement,
and finds both on the public pages and in the audit trail."""

import datetime
import re

import pytest
from playwright.sync_api import Page, expect

from members.models import Accreditation
from tests.conftest import accredit
from tests.e2e.steps import approve_first_pending_accreditation, sign_in_as_secretariat_admin
from tests.factories import UserFactory

pytestmark = pytest.mark.e2e


def test_a_secretariat_admin_approves_records_and_sees_the_audit_trail(live_register, page: Page):
    base = live_register.url
    applicant = UserFactory(email="counsellor@mission.example")
    accredit(applicant, "NOR", status=Accreditation.Status.PENDING)
    admin = sign_in_as_secretariat_admin(page, base, "head@secretariat.example")
    approve_first_pending_accreditation(page, base, valid_until=datetime.date.today() + datetime.timedelta(days=180))

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
    approved = Accreditation.objects.get(user=applicant)
    assert approved.valid_until == datetime.date.today() + datetime.timedelta(days=180)
    assert approved.history.latest().history_user == admin
