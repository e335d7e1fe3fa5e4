"""axe-core finds no WCAG 2.2 A/AA violation on the main pages, in English and in Arabic."""

import datetime
from pathlib import Path

import pytest
from django.test import Client
from playwright.sync_api import Page

from initiatives import coalitions
from initiatives.endorsing import correct_endorsement
from initiatives.models import DatePrecision, Endorsement, Initiative, Theme
from members.models import MemberState
from programme.models import AgendaItem
from tests.conftest import accredit, sign_in, turn_on_mfa
from tests.factories import AgendaItemFactory, InitiativeFactory, MeetingFactory, UserFactory

pytestmark = pytest.mark.e2e

# axe-core 4.14.1 from the npm registry, kept in the repository (no CDN at test time).
AXE = Path(__file__).parent / "vendor" / "axe-core-4.14.1.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PUBLIC = [
    "",
    "initiatives/",
    "initiatives/paris-call/",
    "states/",
    "states/?q=fr&group=western_european_others",
    "states/fra/",
    "matrix/",
    "matrix/?group=nowhere&as_of=2020-01-01",
    "data/",
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
def test_the_programme_of_work_has_no_wcag_violation(live_register, page: Page, language):
    today = datetime.date.today()
    upcoming = MeetingFactory(
        title="Ministerial meeting at the General Assembly",
        starts_on=today + datetime.timedelta(days=10),
        ends_on=today + datetime.timedelta(days=11),
        start_time=datetime.time(10),
        end_time=datetime.time(13),
        time_zone="America/New_York",
        link="https://example.org/ministerial",
    )
    draft = InitiativeFactory(status=Initiative.Status.DRAFT, theme=Theme.objects.order_by("slug").first())
    AgendaItemFactory(meeting=upcoming, order=1, title="", initiative=Initiative.objects.get(slug="paris-call"))
    AgendaItemFactory(meeting=upcoming, order=2, title="", initiative=draft)
    AgendaItemFactory(meeting=upcoming, order=3, title="Reform of the multilateral system")
    past = MeetingFactory(kind="side_event", title="Side event", starts_on=today - datetime.timedelta(days=30))
    AgendaItemFactory(
        meeting=past,
        order=1,
        title="",
        initiative=Initiative.objects.get(slug="gender-at-the-centre"),
        outcome=AgendaItem.Outcome.LAUNCHED,
    )
    AgendaItemFactory(meeting=past, order=2, title="", initiative=draft, outcome=AgendaItem.Outcome.PRESENTED)
    MeetingFactory(kind="working_level", starts_on=today - datetime.timedelta(days=60))  # nothing recorded yet
    page.goto(f"{live_register.url}/{language}/programme/")
    assert page.locator(".event").count() == 3
    assert violations(page) == []


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_pages_agreeing_a_drafts_text_and_its_published_coalition_have_no_wcag_violation(
    live_register, page: Page, language
):
    from initiatives import publishing
    from initiatives.models import Amendment, Initiative

    def delegate(code: str):
        user = UserFactory()
        turn_on_mfa(user)
        return accredit(user, code)

    france, germany = delegate("FRA"), delegate("DEU")
    draft = coalitions.propose_draft(
        delegate=france,
        language="ar",
        title="نداء من أجل المحيطات",
        summary="ملخص.",
        commitment="تلتزم الدولة بحماية ثلث مياهها.",
        theme=Theme.objects.order_by("slug").first(),
        kind="call",
        signing_opens_on=datetime.date.today(),
        signing_closes_on=None,
    )
    coalitions.invite_state(draft=draft, delegate=france, member_state=germany.member_state)
    coalitions.accept_invitation(draft=draft, delegate=germany)
    coalitions.comment_on_draft(draft=draft, delegate=germany, text="نقترح صياغة أكثر طموحا.")
    accepted = coalitions.propose_amendment(
        draft=draft,
        delegate=germany,
        text="commitment",
        language="ar",
        passage="ثلث",
        replacement="نصف",
        explanation="",
    )
    coalitions.accept_amendment(amendment=accepted, delegate=france, reason="موافق.")
    pending = coalitions.propose_amendment(
        draft=draft, delegate=germany, text="summary", language="ar", passage="ملخص", replacement="موجز", explanation=""
    )
    found = {}

    def check(user, paths) -> None:
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

    drafts = f"delegate/drafts/{draft.pk}"
    check(
        france.user,
        (f"{drafts}/", f"{drafts}/versions/", f"{drafts}/amendments/{pending.pk}/accept/", f"{drafts}/amend/"),
    )
    coalitions.reject_amendment(amendment=Amendment.objects.get(pk=pending.pk), delegate=france, reason="لا.")
    check(france.user, (f"{drafts}/submit/",))
    coalitions.submit_draft(draft=draft, delegate=france)
    check(germany.user, (f"{drafts}/", f"{drafts}/confirm/"))
    coalitions.confirm_text(draft=draft, delegate=germany)
    draft = Initiative.objects.get(pk=draft.pk)
    changed = []
    for field in ("title", "summary", "commitment"):
        for code in ("en", "fr", "es", "zh_hans", "ru"):
            setattr(draft, f"{field}_{code}", f"{field} ({code})")
            changed.append(f"{field}_{code}")
    publishing.save_initiative(initiative=draft, changed=changed)
    draft.status = Initiative.Status.OPEN
    publishing.save_initiative(initiative=draft)
    page.context.clear_cookies()
    page.goto(f"{live_register.url}/{language}/initiatives/{draft.slug}/")
    assert page.locator("#coalition-title").count() == 1  # the timeline of the coalition is checked too
    if problems := violations(page):
        found[f"initiatives/{draft.slug}/"] = problems


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
