"""A reader's journey through the real content, in headless Chromium, on a desktop and a phone.

The facts asserted were read from the seed files: Simon Blake's pull quote "It makes you human"
comes from his answer to the benefits question; every one of the seven leaders answered the benefits
question; Asif Choudry's advice ends with "JFDI".
"""

import re

import pytest
from playwright.sync_api import expect

from .seeded import import_seeds

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def site(live_server, seeds_dir):
    import_seeds(seeds_dir)
    return live_server.url


def _in_viewport(page, selector):
    return page.evaluate(
        """(sel) => { const r = document.querySelector(sel).getBoundingClientRect();
                      return r.top >= -2 && r.top < window.innerHeight; }""",
        selector,
    )


def _journey(page, site, screenshot, label):
    page.goto(site + "/")
    assert page.locator("h1").count() == 1
    screenshot(page, f"{label}-home")

    # Home -> a platform.
    page.locator("main a", has_text=re.compile(r"^Twitter$")).first.click()
    expect(page).to_have_url(re.compile(r"/platforms/twitter/$"))
    assert "Twitter" in page.locator("h1").inner_text()
    screenshot(page, f"{label}-platform")

    # Platform -> an interview.
    page.locator("main a", has_text="Simon Blake").first.click()
    expect(page).to_have_url(re.compile(r"/interviews/[\w-]+/$"))
    assert "Simon Blake" in page.locator("h1").inner_text()
    assert page.locator("h2#q-advice").count() == 1
    screenshot(page, f"{label}-interview")

    # The quote wall -> the exact answer the quote comes from.
    page.goto(site + "/quotes/")
    quote = page.locator("figure", has_text="It makes you human")
    quote.locator("a", has_text="read it in context").click()
    expect(page).to_have_url(re.compile(r"/interviews/[\w-]+/#q-benefits$"))
    assert _in_viewport(page, "#q-benefits"), "the answer the quote comes from is on screen"
    answer = page.locator("section.qa", has=page.locator("#q-benefits"))
    assert "makes you human" in answer.inner_text()

    # From that answer to every leader's answer to the same question.
    answer.locator("a", has_text=re.compile("How every leader answered")).click()
    expect(page).to_have_url(re.compile(r"/questions/benefits/$"))
    leaders = page.locator("main").inner_text()
    for name in (
        "Simon Blake",
        "Asif Choudry",
        "Jo Swinson",
        "Phil Jones",
        "Rebecca Jeffery",
        "Peter Cheese",
        "Tom Riordan",
    ):
        assert name in leaders
    screenshot(page, f"{label}-question")

    # Search from the header, open a result.
    search = page.locator("#site-search-q")
    if not search.is_visible():  # the header form may collapse on a narrow screen
        page.goto(site + "/search/")
        search = page.locator("#search-q")
    search.fill("JFDI")
    search.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q=JFDI"))
    assert page.locator("mark", has_text="JFDI").count() >= 1
    screenshot(page, f"{label}-search")
    page.locator(".search-result a").first.click()
    expect(page).to_have_url(re.compile(r"/interviews/[\w-]+/#q-advice$"))
    assert "Asif Choudry" in page.locator("h1").inner_text()


def test_reader_journey_on_a_desktop(site, page, screenshot):
    _journey(page, site, screenshot, "desktop")


def test_reader_journey_on_a_375px_phone(site, phone_page, screenshot):
    _journey(phone_page, site, screenshot, "phone")
    # Nothing is wider than the screen: no sideways scrolling on a phone.
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375


def test_pages_work_with_javascript_off(site, new_context):
    page = new_context(java_script_enabled=False).new_page()
    page.goto(site + "/quotes/")
    page.locator("figure", has_text="JFDI").locator("a", has_text="read it in context").click()
    expect(page).to_have_url(re.compile(r"#q-advice$"))
    assert "Asif Choudry" in page.locator("h1").inner_text()
    page.goto(site + "/search/?q=human")
    assert page.locator(".search-result").count() >= 1
