"""The register is usable by keyboard alone and at 200 % zoom (a 640-pixel-wide window)."""

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e

PAGES = ["", "initiatives/", "initiatives/paris-call/", "states/", "states/fra/", "events/", "about/"]


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


@pytest.mark.parametrize("language", ["en", "ar"])
def test_pages_reflow_without_sideways_scrolling_at_200_percent(live_register, page: Page, language):
    page.set_viewport_size({"width": 640, "height": 800})
    overflowing = []
    for path in PAGES:
        page.goto(f"{live_register.url}/{language}/{path}")
        if page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1"):
            overflowing.append(path)
    assert overflowing == []
