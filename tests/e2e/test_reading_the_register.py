import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e


def test_a_reader_goes_from_the_home_page_to_an_initiative_and_finds_an_endorsing_state(live_register, page: Page):
    page.goto(f"{live_register.url}/en/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Who backs multilateralism, by proof")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Initiatives").click()
    expect(page).to_have_url(re.compile(r"/en/initiatives/$"))
    page.get_by_role("link", name="Paris Call for Trust and Security in Cyberspace").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Paris Call for Trust and Security in Cyberspace")
    endorsers = page.get_by_role("table", name="Western European and other States")
    endorsers.get_by_role("link", name="Germany", exact=True).click()

    expect(page).to_have_url(re.compile(r"/en/states/deu/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Germany")
    endorsed = page.get_by_role("region", name="Initiatives endorsed")
    expect(endorsed.get_by_role("rowheader", name="Paris Call for Trust and Security in Cyberspace")).to_be_visible()


def test_a_reader_switches_to_french_and_stays_on_the_same_page(live_register, page: Page):
    page.goto(f"{live_register.url}/en/states/")
    page.get_by_role("navigation", name="Language").get_by_role("link", name="Français").click()
    expect(page).to_have_url(re.compile(r"/fr/states/$"))
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("link", name="Allemagne", exact=True)).to_be_visible()


def test_arabic_pages_are_laid_out_right_to_left(live_register, page: Page):
    page.goto(f"{live_register.url}/ar/initiatives/paris-call/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
