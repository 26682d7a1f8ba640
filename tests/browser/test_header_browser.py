"""The header on a phone: one row (the name, a search button, a menu button) that works without
JavaScript; on a desktop the search box and the menu bar as before; the search page shows one box
and its results in the first screen."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .seeded import import_seeds

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def site(live_server, seeds_dir):
    import_seeds(seeds_dir)
    return live_server.url


def _top(locator):
    box = locator.bounding_box()
    return box["y"], box["y"] + box["height"]


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_the_phone_header_is_one_row_that_opens_the_menu_and_search(
    site, new_context, screenshot, javascript
):
    page = new_context(viewport=PHONE, java_script_enabled=javascript).new_page()
    page.goto(site + "/interviews/")
    header = page.locator(".site-header")
    brand = header.locator(".brand")
    search_button = header.locator("summary", has_text="Search")
    menu_button = header.locator("summary", has_text="Menu")
    # One row: the three share a line, and the header is a small part of the screen.
    assert header.bounding_box()["height"] <= 64
    for item in (brand, search_button, menu_button):
        expect(item).to_be_visible()
        top, bottom = _top(item)
        assert top >= 0 and bottom <= header.bounding_box()["height"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    nav_link = header.get_by_role("link", name="Leaders", exact=True)
    expect(nav_link).to_be_hidden()
    expect(page.locator("#site-search-q")).to_be_hidden()
    if javascript:
        screenshot(page, "phone-header")

    menu_button.click()
    expect(nav_link).to_be_visible()
    if javascript:
        screenshot(page, "phone-menu-open")
    nav_link.click()
    page.wait_for_url("**/leaders/")

    search_button = page.locator(".site-header summary", has_text="Search")
    search_button.click()
    box = page.locator("#site-search-q")
    expect(box).to_be_visible()
    box.fill("twitter")
    box.press("Enter")
    page.wait_for_url("**/search/?q=twitter")


def test_the_desktop_header_shows_the_search_box_and_the_menu_bar(site, new_context, screenshot):
    page = new_context(viewport=DESKTOP).new_page()
    page.goto(site + "/interviews/")
    header = page.locator(".site-header")
    expect(page.locator("#site-search-q")).to_be_visible()
    for name in ("Interviews", "Leaders", "Quotes", "Blog"):
        expect(header.get_by_role("link", name=name, exact=True)).to_be_visible()
    expect(header.locator("summary", has_text="Menu")).to_be_hidden()
    expect(header.locator("summary", has_text="Search")).to_be_hidden()
    # The menu bar is one row below the name.
    assert header.bounding_box()["height"] <= 140
    screenshot(page, "desktop-header")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1280"])
def test_the_search_page_shows_one_box_and_results_in_the_first_screen(
    site, new_context, screenshot, viewport
):
    page = new_context(viewport=viewport).new_page()
    page.goto(site + "/search/?q=twitter")
    boxes = page.locator("input[type=search]")
    assert boxes.count() == 1
    expect(boxes.first).to_be_visible()
    first = page.locator(".search-result").first
    expect(first).to_be_visible()
    assert first.bounding_box()["y"] < viewport["height"] - 40, "a result in the first screen"
    screenshot(page, f"search-{viewport['width']}")


def test_the_header_has_no_accessibility_violations_open_or_closed(site, a11y_page, axe):
    a11y_page.set_viewport_size(PHONE)
    a11y_page.goto(site + "/interviews/")
    assert axe(a11y_page) == []
    a11y_page.locator(".site-header summary", has_text="Menu").click()
    assert axe(a11y_page) == []


def test_screenshots_for_the_docs(site, new_context):
    """docs/frontend.md shows the phone header; this keeps the picture current when run with
    UPDATE_DOCS_IMAGES=1."""
    if not os.environ.get("UPDATE_DOCS_IMAGES"):
        pytest.skip("set UPDATE_DOCS_IMAGES=1 to refresh docs/img")
    docs = Path(__file__).resolve().parents[2] / "docs" / "img"
    page = new_context(viewport=PHONE, device_scale_factor=2).new_page()
    page.goto(site + "/interviews/socialleaders-series-phil-jones/")
    page.screenshot(path=str(docs / "phone-header.png"), clip={"x": 0, "y": 0, **PHONE})
    page.locator(".site-header summary", has_text="Menu").click()
    page.screenshot(path=str(docs / "phone-menu-open.png"), clip={"x": 0, "y": 0, **PHONE})
    page = new_context(viewport=DESKTOP).new_page()
    page.goto(site + "/interviews/socialleaders-series-phil-jones/")
    clip = {"x": 0, "y": 0, "width": 1280, "height": 500}
    page.screenshot(path=str(docs / "desktop-header.png"), clip=clip)


def test_leader_page_screenshots_for_the_docs(site, new_context):
    """docs/frontend.md shows a leader page of the real content at both widths (the first
    screen); UPDATE_DOCS_IMAGES=1 refreshes them."""
    if not os.environ.get("UPDATE_DOCS_IMAGES"):
        pytest.skip("set UPDATE_DOCS_IMAGES=1 to refresh docs/img")
    docs = Path(__file__).resolve().parents[2] / "docs" / "img"
    for viewport, scale in ((PHONE, 2), (DESKTOP, 1)):
        page = new_context(viewport=viewport, device_scale_factor=scale).new_page()
        page.goto(site + "/quotes/")  # a leader with quotes, so every part of the page shows
        page.locator("#quote-wall figcaption a").first.click()
        page.wait_for_url("**/leaders/**")
        expect(page.locator("#leader-quotes")).to_be_visible()
        page.screenshot(path=str(docs / f"leader-page-{viewport['width']}.png"))
        if os.environ.get("FULL_PAGE_TOO"):  # to look at the whole page, not for the docs
            page.screenshot(path=f"/tmp/leader-page-{viewport['width']}-full.png", full_page=True)
