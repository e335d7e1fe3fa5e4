"""A coalition forms in Chromium (issue #18, "Done when"): France proposes a draft and invites
Germany and Italy; Germany accepts and proposes an amendment that France accepts; Italy declines;
France submits, Germany confirms; the secretariat, signed in with a second factor, opens it in the
admin; the public page, the API and the feeds list France and Germany, with their endorsements
of the final version, and Italy nowhere."""

import re

import pytest
from django.test import Client
from django.utils import timezone
from modeltranslation.utils import build_localized_fieldname
from playwright.sync_api import Browser, Page, expect

from initiatives import publishing
from initiatives.models import Initiative, Theme
from tests.conftest import accredit, sign_in, turn_on_mfa
from tests.e2e.steps import sign_in_as_secretariat_admin
from tests.factories import UserFactory

pytestmark = pytest.mark.e2e

COMMITMENT = "The State commits to protect a third of its waters by 2030."
AMENDED = "The State commits to protect half of its waters by 2030."


def delegate_page(browser: Browser, base: str, code: str) -> Page:
    """A browser of an accredited delegate of `code`, signed in with a second factor and freshly
    re-authenticated (as after typing the password again)."""
    user = UserFactory(email=f"delegate@{code.lower()}.example")
    turn_on_mfa(user)
    accredit(user, code)
    client = sign_in(Client(), user)
    context = browser.new_context()
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}])
    return context.new_page()


def test_a_coalition_forms_agrees_its_text_and_opens_with_its_sponsors(live_register, page: Page, browser: Browser):
    base = live_register.url
    france, germany, italy = (delegate_page(browser, base, code) for code in ("FRA", "DEU", "ITA"))
    theme = Theme.objects.order_by("slug").first()

    # France proposes the draft and invites Germany and Italy.
    france.goto(f"{base}/en/delegate/drafts/new/")
    france.get_by_label("Language of the texts").select_option("en")
    france.get_by_label("Title").fill("Protected oceans")
    france.get_by_label("Summary").fill("States protect their waters.")
    france.get_by_label("Commitment").fill(COMMITMENT)
    france.get_by_label("Theme").select_option(label=theme.name)
    france.get_by_label("Kind").select_option("call")
    france.get_by_label("Signature would open on").fill(timezone.localdate().isoformat())
    france.get_by_label("I confirm that I am authorised").check()
    france.get_by_role("button", name="Propose the draft").click()
    expect(france.get_by_text("Your draft is saved.")).to_be_visible()
    draft_url = france.url
    for state in ("Germany", "Italy"):
        france.get_by_role("link", name="Invite a co-sponsor").click()
        france.get_by_label("State to invite").select_option(label=state)
        france.get_by_label("I confirm that I am authorised").check()
        france.get_by_role("button", name="Send the invitation").click()
        expect(france.get_by_text(f"{state} is invited")).to_be_visible()

    # Germany accepts, then proposes an amendment to a precise passage.
    germany.goto(draft_url)
    germany.get_by_role("link", name="Accept the invitation").click()
    germany.get_by_label("I confirm that I am authorised").check()
    germany.get_by_role("button", name="Co-sponsor on behalf of Germany").click()
    expect(germany.get_by_text("Germany co-sponsors this draft.")).to_be_visible()
    germany.get_by_role("link", name="Propose an amendment").click()
    germany.get_by_label("Text to amend").select_option("commitment")
    germany.get_by_label("Language of the passage").select_option("en")
    germany.get_by_label("Passage to replace").fill("a third")
    germany.get_by_label("Replace it with").fill("half")
    germany.get_by_label("I confirm that I am authorised").check()
    germany.get_by_role("button", name="Propose the amendment").click()
    expect(germany.get_by_text("Your amendment is proposed")).to_be_visible()

    # France accepts it with a reason: version 2.
    france.goto(draft_url)
    france.get_by_role("link", name=re.compile("^Accept \\(Germany")).click()
    france.get_by_label("Reason for the decision").fill("Agreed by both capitals.")
    france.get_by_label("I confirm that I am authorised").check()
    france.get_by_role("button", name="Accept the amendment").click()
    expect(france.get_by_text("The amendment is accepted")).to_be_visible()
    expect(france.get_by_role("heading", name="Texts, version 2")).to_be_visible()
    france.get_by_role("link", name="Every version, and what each amendment changed").click()
    expect(france.locator("del", has_text="a third")).to_be_visible()

    # Italy declines.
    italy.goto(draft_url)
    italy.get_by_role("link", name="Decline the invitation").click()
    italy.get_by_label("I confirm that I am authorised").check()
    italy.get_by_role("button", name="Decline on behalf of Italy").click()
    expect(italy.get_by_text("Italy declined the invitation.")).to_be_visible()

    # France submits the agreed text; Germany confirms it with the endorsing statement.
    france.goto(draft_url)
    france.get_by_role("link", name="Submit the text to the secretariat").click()
    france.get_by_label("I confirm that I am authorised to endorse this text").check()
    france.get_by_role("button", name="Submit the text").click()
    expect(france.get_by_text("France submitted the text to the secretariat")).to_be_visible()
    germany.goto(draft_url)
    germany.get_by_role("link", name="Confirm the submitted text").click()
    germany.get_by_label("I confirm that I am authorised to endorse this text").check()
    germany.get_by_role("button", name="Confirm on behalf of Germany").click()
    expect(germany.get_by_text("Germany confirmed the submitted text")).to_be_visible()

    # The secretariat completes the other five languages (the admin's translation tabs, through
    # the same domain function), then opens the draft in the admin, signed in with its second factor.
    draft = Initiative.objects.get(title_en="Protected oceans")
    changed = []
    for field, text in (("title", "Protected oceans"), ("summary", "Summary."), ("commitment", AMENDED)):
        for code in ("fr", "es", "ar", "zh_hans", "ru"):
            setattr(draft, build_localized_fieldname(field, code), f"{text} [{code}]")
            changed.append(f"{field}_{code}")
    publishing.save_initiative(initiative=draft, changed=changed)
    sign_in_as_secretariat_admin(page, base, "head@secretariat.example")
    page.goto(f"{base}/en/admin/initiatives/initiative/?coalition=submitted")
    page.get_by_role("link", name="Protected oceans").click()
    page.get_by_label("Status:").select_option("open")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("was changed successfully")).to_be_visible()

    # The public page: France and Germany lead it and endorse version 2; Italy is nowhere in it.
    public = browser.new_context().new_page()
    public.goto(f"{base}/en/initiatives/{draft.slug}/")
    led_by = public.locator("dt", has_text="Led by").locator("xpath=following-sibling::dd")
    expect(led_by).to_have_text("France, Germany")
    endorsers = public.get_by_role("table", name="Western European and other States")
    expect(endorsers.get_by_role("link", name="France", exact=True)).to_be_visible()
    expect(endorsers.get_by_role("link", name="Germany", exact=True)).to_be_visible()
    expect(endorsers.get_by_role("link", name="Italy", exact=True)).to_have_count(0)
    coalition = public.get_by_role("region", name="How the coalition formed")
    expect(coalition).to_contain_text("France proposed the draft.")
    expect(coalition).to_contain_text("Germany joined as a co-sponsor.")
    expect(coalition).not_to_contain_text("Italy")
    expect(public.get_by_text("Agreed by both capitals.")).to_have_count(0)  # the reasons stay private
    expect(public.locator(".commitment")).to_contain_text(AMENDED)

    # The API and the feeds agree.
    api = public.request.get(f"{base}/api/v1/initiatives/{draft.slug}").json()
    assert (sorted(api["lead_states"]), api["text_version"], api["endorsing_states"]) == (["DEU", "FRA"], 2, 2)
    rows = public.request.get(f"{base}/api/v1/endorsements?initiative={draft.slug}").json()["items"]
    assert sorted((row["state"], row["channel"], row["text_version"]) for row in rows) == [
        ("DEU", "co_sponsor", 2),
        ("FRA", "co_sponsor", 2),
    ]
    feed = public.request.get(f"{base}/en/feeds/initiatives/{draft.slug}/").text()
    assert "France" in feed and "Germany" in feed and "Italy" not in feed
    assert "Protected oceans" in public.request.get(f"{base}/en/feeds/initiatives/").text()
