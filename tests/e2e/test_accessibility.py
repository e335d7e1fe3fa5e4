"""axe-core finds no WCAG 2.2 A/AA violation on the main pages, in English and in Arabic."""

import datetime
from pathlib import Path

import pytest
from django.test import Client
from playwright.sync_api import Page

from initiatives.endorsing import correct_endorsement
from initiatives.models import DatePrecision, Endorsement
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
