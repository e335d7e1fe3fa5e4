"""The register is usable by keyboard alone, at 200 % zoom (a 640-pixel-wide window) and on a
320-pixel-wide screen."""

import pytest
from playwright.sync_api import Page, expect

from initiatives.models import Endorsement

pytestmark = pytest.mark.e2e

PAGES = ["", "initiatives/", "initiatives/paris-call/", "states/", "states/fra/", "events/", "programme/", "about/"]


def test_the_first_tab_reaches_the_skip_link_which_moves_focus_to_the_content(live_register, page: Page):
    page.goto(f"{live_register.url}/en/initiatives/paris-call/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_a_keyboard_user_reaches_an_initiative_and_sees_where_focus_is(live_register, page: Page):
    page.goto(f"{live_register.url}/en/initiatives/")
    link = page.get_by_role("link", name="Paris Call for Trust and Security in Cyberspace")
    for _ in range(40):
        page.keyboard.press("Tab")
        if (
            page.evaluate("document.activeElement.textContent.trim()")
            == "Paris Call for Trust and Security in Cyberspace"
        ):
            break
    expect(link).to_be_focused()
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Paris Call for Trust and Security in Cyberspace")


@pytest.mark.parametrize(
    ("language", "width"),
    [
        ("en", 640),  # 200 % zoom of a 1280 px window
        ("ar", 640),
        ("ru", 320),  # 400 % zoom, or a small phone: WCAG's reflow width; Russian has the longest words
        ("ar", 320),
    ],
)
def test_pages_reflow_without_sideways_scrolling(live_register, page: Page, language, width):
    page.set_viewport_size({"width": width, "height": 800})
    receipt = Endorsement.objects.filter(initiative__slug="paris-call").first()
    overflowing = []
    for path in [*PAGES, "initiatives/information-and-democracy/", f"endorsements/{receipt.reference}/"]:
        page.goto(f"{live_register.url}/{language}/{path}")
        # A wide table may scroll inside its own box; the page itself never scrolls sideways.
        if page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1"):
            overflowing.append(path)
    assert overflowing == []
