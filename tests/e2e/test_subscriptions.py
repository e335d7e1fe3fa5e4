"""A reader follows an initiative by email, in Chromium: subscribe, confirm from the email, get a
notice of an endorsement, and stop with one click."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from initiatives import endorsing
from initiatives.models import Initiative
from members.models import MemberState
from subscriptions import subscribing
from subscriptions.models import Subscription
from tests.conftest import deliver
from tests.e2e.test_accessibility import violations
from tests.factories import UserFactory

pytestmark = pytest.mark.e2e

EMAIL = "reader@newsroom.example"
SLUG = "gender-at-the-centre"


def path_of(link: str, body: str) -> str:
    return re.search(rf"https?://[^/\s]+(/en/subscriptions/{link}/[\w-]+/)", body).group(1)


def notices(mailoutbox) -> list:
    return [message for message in mailoutbox if message.to == [EMAIL] and "change" in message.subject]


def test_a_reader_follows_an_initiative_confirms_is_told_and_unsubscribes(
    live_register, page: Page, mailoutbox, settings
):
    settings.NOTICE_GATHER_SECONDS = 0
    base = live_register.url

    page.goto(f"{base}/en/initiatives/{SLUG}/")
    page.get_by_role("link", name="Follow this initiative by email").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Follow by email")
    page.get_by_label("Your email address").fill(EMAIL)
    page.get_by_label("How often").select_option(label="As it happens (one email for changes close together)")
    page.get_by_role("button", name="Subscribe").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your inbox")

    # The worker sends the confirmation; its link opens a page, and only the button confirms.
    deliver()
    [confirmation] = [message for message in mailoutbox if message.to == [EMAIL]]
    page.goto(base + path_of("confirm", confirmation.body))
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your subscription")
    expect(page.get_by_text(EMAIL)).to_have_count(0)  # masked
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text("Your subscription is confirmed")).to_be_visible()
    expect(page).to_have_url(re.compile(rf"/en/initiatives/{SLUG}/$"))

    # France endorses: one notice, in plain words, with the way out.
    recorder = UserFactory(email="recorder@secretariat.example", is_staff=True)
    initiative = Initiative.objects.get(slug=SLUG)
    endorsing.record_endorsement(
        initiative=initiative,
        member_state=MemberState.objects.get(code="FRA"),
        endorsed_on=timezone.localdate(),
        recorded_by=recorder,
        source_url="https://example.org/note-verbale",
    )
    deliver()
    [notice] = notices(mailoutbox)
    assert "France endorsed “Gender at the Centre Initiative”" in notice.body
    unsubscribe = path_of("unsubscribe", notice.body)
    assert notice.extra_headers["List-Unsubscribe"].endswith(f"{unsubscribe}>")

    page.goto(base + unsubscribe)
    expect(page.get_by_role("heading", level=1)).to_have_text("Stop these emails")
    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You are unsubscribed")

    # Germany endorses too: nothing more reaches the reader.
    endorsing.record_endorsement(
        initiative=initiative,
        member_state=MemberState.objects.get(code="DEU"),
        endorsed_on=timezone.localdate(),
        recorded_by=recorder,
        source_url="https://example.org/note-verbale-2",
    )
    deliver()
    assert len(notices(mailoutbox)) == 1


@pytest.fixture
def browser_context_args(browser_context_args):
    # axe-core is injected as an inline script, which the site's CSP rightly refuses.
    return {**browser_context_args, "bypass_csp": True}


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_subscription_pages_have_no_wcag_violation(live_register, page: Page, language):
    subscribing.follow(
        email=EMAIL,
        initiative=Initiative.objects.get(slug=SLUG),
        member_state=None,
        frequency=Subscription.Frequency.DAILY,
        language=language,
    )
    token = Subscription.objects.get().token
    found = {}
    page.goto(f"{live_register.url}/{language}/subscriptions/follow/")
    page.locator("#id_email").fill("reader@example")  # the browser lets it through; the register does not
    page.locator("form.stack button[type=submit]").click()
    expect(page.locator("#id_email")).to_have_attribute("aria-invalid", "true")
    if problems := violations(page):
        found["follow, with an error"] = problems
    for path in (
        f"subscriptions/confirm/{token}/",
        f"subscriptions/unsubscribe/{token}/",
        "subscriptions/follow/sent/",
    ):
        page.goto(f"{live_register.url}/{language}/{path}")
        if problems := violations(page):
            found[path] = problems
    assert found == {}
