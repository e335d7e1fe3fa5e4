"""axe-core finds no WCAG 2.2 A/AA violation on the main pages, in English and in Arabic."""

import datetime
from pathlib import Path

import pytest
from django.test import Client
from playwright.sync_api import Page

from initiatives import coalitions
from initiatives.endorsing import correct_endorsement
from initiatives.models import DatePrecision, Endorsement, Theme
from members.models import MemberState
from tests.conftest import accredit, sign_in, turn_on_mfa
from tests.factories import UserFactory

pytestmark = pytest.mark.e2e

# axe-core 4.14.1 from the npm registry, kept in the repository (no CDN at test time).
AXE = Path(__file__).parent / "vendor" / "axe-core-4.14.1.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PUBLIC = [
    "",
    "initiatives/",
    "initiatives/paris-call/",
    "states/",
    "states/fra/",
    "events/",
    "about/",
    "transparency/",
    "subscriptions/follow/?state=fra",
    "accounts/login/",
    "accounts/signup/",
]


@pytest.fixture
def browser_context_args(browser_context_args):
    # axe-core is injected as an inline script, which the site's CSP rightly refuses.
    return {**browser_context_args, "bypass_csp": True}


def violations(page: Page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", TAGS)
    return [
        f"{item['id']}: {item['help']} ({', '.join(node['target'][0] for node in item['nodes'][:3])})"
        for item in result["violations"]
    ]


@pytest.mark.parametrize("language", ["en", "ar"])
def test_public_and_account_pages_have_no_wcag_violation(live_register, page: Page, language):
    found = {}
    for path in PUBLIC:
        page.goto(f"{live_register.url}/{language}/{path}")
        if problems := violations(page):
            found[path] = problems
    assert found == {}


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_endorse_page_has_no_wcag_violation(live_register, page: Page, language):
    user = UserFactory()
    turn_on_mfa(user)
    accredit(user, "FRA")
    client = sign_in(Client(), user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_register.url}]
    )
    page.goto(f"{live_register.url}/{language}/initiatives/gender-at-the-centre/endorse/")
    assert page.url.endswith("/initiatives/gender-at-the-centre/endorse/")  # not sent to sign in again
    assert page.get_by_role("checkbox").count() == 1  # the statement of authority
    assert violations(page) == []


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_corrections_page_has_no_wcag_violation(live_register, page: Page, language):
    row = Endorsement.objects.get(initiative__slug="paris-call", member_state__code="GIN")
    correct_endorsement(
        endorsement=row,
        corrected_by=UserFactory(is_staff=True),
        reason="The note verbale is dated 20 November.",
        endorsed_on=row.endorsed_on + datetime.timedelta(days=1),
        date_precision=DatePrecision.DAY,
        source_url=row.source_url,
        source_note=row.source_note,
    )
    page.goto(f"{live_register.url}/{language}/corrections/")
    assert row.reference in page.content()
    assert violations(page) == []


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_delegate_space_and_renewal_page_have_no_wcag_violation(live_register, page: Page, language):
    user = UserFactory()
    turn_on_mfa(user)
    accredit(user, "FRA", valid_until=datetime.date.today() + datetime.timedelta(days=20))
    client = sign_in(Client(), user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_register.url}]
    )
    found = {}
    for path in ("delegate/", "delegate/accreditation/renew/"):
        page.goto(f"{live_register.url}/{language}/{path}")
        assert page.url.endswith(path)  # not sent elsewhere
        if problems := violations(page):
            found[path] = problems
    assert found == {}


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_draft_pages_have_no_wcag_violation(live_register, page: Page, language):
    lead = UserFactory()
    turn_on_mfa(lead)
    france = accredit(lead, "FRA")
    draft = coalitions.propose_draft(
        delegate=france,
        language="ar",  # written in one language: the English pages mark its texts as Arabic
        title="نداء من أجل المحيطات",
        summary="ملخص.",
        commitment="تلتزم الدولة بحماية المحيطات.",
        theme=Theme.objects.order_by("slug").first(),
        kind="call",
        signing_opens_on=datetime.date.today() + datetime.timedelta(days=10),
        signing_closes_on=None,
    )
    coalitions.invite_state(draft=draft, delegate=france, member_state=MemberState.objects.get(code="DEU"))
    invited = UserFactory()
    turn_on_mfa(invited)
    accredit(invited, "DEU")
    found = {}
    for user, paths in (
        (lead, ("delegate/drafts/", "delegate/drafts/new/", f"delegate/drafts/{draft.pk}/")),
        (invited, (f"delegate/drafts/{draft.pk}/", f"delegate/drafts/{draft.pk}/accept/")),
    ):
        page.context.clear_cookies()
        client = sign_in(Client(), user)
        page.context.add_cookies(
            [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_register.url}]
        )
        for path in paths:
            page.goto(f"{live_register.url}/{language}/{path}")
            assert page.url.endswith(path)  # not sent elsewhere
            if problems := violations(page):
                found[f"{user.email} {path}"] = problems
    assert found == {}


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_secretariat_dashboard_has_no_wcag_violation_in_its_own_part(live_register, page: Page, language):
    """The dashboard the register adds to the admin's start page (Django's own admin around it is
    Django's)."""
    admin = UserFactory(is_staff=True, is_superuser=True)  # sees every figure (the browser tests empty the groups)
    turn_on_mfa(admin)
    client = sign_in(Client(), admin)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_register.url}]
    )
    page.goto(f"{live_register.url}/{language}/admin/")
    assert page.url.endswith("/admin/")
    assert page.locator(".secretariat-dashboard").count() == 1
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("tags => axe.run('.secretariat-dashboard', {runOnly: {type: 'tag', values: tags}})", TAGS)
    assert [item["id"] for item in result["violations"]] == []


@pytest.mark.parametrize("language", ["en", "ar"])
def test_a_receipt_and_the_verify_page_its_certificate_links_to_have_no_wcag_violation(
    live_register, page: Page, language
):
    row = Endorsement.objects.filter(member_state__code="FRA").order_by("pk").first()
    found = {}
    for path in (f"endorsements/{row.reference}/", f"receipts/verify/?reference={row.reference}"):
        page.goto(f"{live_register.url}/{language}/{path}")
        assert row.reference in page.content()
        if problems := violations(page):
            found[path] = problems
    assert found == {}
