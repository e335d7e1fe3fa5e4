"""The world map and the timeline render in a browser as accessible SVG."""

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e


def test_the_initiative_map_and_chart_are_rendered_with_accessible_names(live_register, page: Page):
    page.goto(f"{live_register.url}/en/initiatives/paris-call/")
    world_map = page.get_by_role("img", name="Where this initiative is endorsed")
    expect(world_map).to_be_visible()
    assert world_map.evaluate("svg => svg.getBoundingClientRect().width") > 500
    painted = page.locator('svg.world-map [data-code="FRA"] use')
    expect(painted).to_have_attribute("href", re.compile(r"maps/world.*\.svg#FRA$"))
    france = page.locator('svg.world-map [data-code="FRA"]')
    assert france.locator("title").text_content() == "France: endorses"
    assert "map-state--endorsed" in france.get_attribute("class")
    brazil = page.locator('svg.world-map [data-code="BRA"]')
    assert "map-state--not-endorsed" in brazil.get_attribute("class")
    assert page.locator("svg.world-map [data-code]").count() == 193

    chart = page.get_by_role("img", name="Endorsements of this initiative over time")
    expect(chart).to_be_visible()
    assert chart.evaluate("svg => svg.querySelector('.timeline-line').getTotalLength()") > 100

    meter = page.get_by_role("img", name="of 193 UN member states; a majority is 97.")
    expect(meter).to_be_visible()


def test_the_map_reads_in_arabic_too(live_register, page: Page):
    page.goto(f"{live_register.url}/ar/")
    assert page.locator("svg.world-map [data-code]").count() == 193
    assert page.locator('svg.world-map [data-code="FRA"] title').text_content().startswith("فرنسا")
