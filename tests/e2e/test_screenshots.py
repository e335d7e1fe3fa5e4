"""Screenshots of the initiative page in Arabic and Chinese, kept as test artefacts."""

from pathlib import Path

import pytest
from playwright.sync_api import Page

pytestmark = pytest.mark.e2e

ARTEFACTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"


@pytest.mark.parametrize("language", ["ar", "zh-hans"])
def test_the_initiative_page_is_captured_and_arabic_reads_right_to_left(live_register, page: Page, language):
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 1000})
    page.goto(f"{live_register.url}/{language}/initiatives/paris-call/")
    path = ARTEFACTS / f"initiative-paris-call-{language}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 20_000

    # Where the heading's text itself sits inside the main column.
    gap_start, gap_end = page.evaluate(
        """() => {
            const heading = document.querySelector("h1"), main = document.querySelector("main");
            const range = document.createRange();
            range.selectNodeContents(heading);
            const text = range.getBoundingClientRect(), column = main.getBoundingClientRect();
            return [text.left - column.left, column.right - text.right];
        }"""
    )
    if language == "ar":
        assert page.evaluate("document.documentElement.dir") == "rtl"
        assert gap_end < gap_start  # the heading hugs the right-hand edge
    else:
        assert page.evaluate("document.documentElement.dir") == "ltr"
        assert gap_start < gap_end
