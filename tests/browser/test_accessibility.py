"""axe-core (from npm) in the browser on each main page type: no serious or critical violations."""

import pytest

from .seeded import import_seeds

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = [
    "/",
    "/interviews/",
    "/interviews/socialleaders-series-phil-jones/",
    "/platforms/",
    "/platforms/twitter/",
    "/themes/",
    "/quotes/",
    "/leaders/",
    "/leaders/jo-swinson/",
    "/questions/",
    "/questions/advice/",
    "/blog/",
    "/blog/shift-happens/",
    "/search/?q=twitter",
    "/no-such-page/",
]


@pytest.fixture
def site(live_server, seeds_dir):
    import_seeds(seeds_dir)
    return live_server.url


@pytest.mark.parametrize("width", [1280, 375])
def test_main_pages_have_no_serious_accessibility_violations(site, a11y_page, axe, width):
    a11y_page.set_viewport_size({"width": width, "height": 900})
    problems = {}
    for path in PAGES:
        response = a11y_page.goto(site + path)
        assert response.status == (404 if path == "/no-such-page/" else 200), path
        violations = axe(a11y_page)
        if violations:
            problems[path] = violations
    assert problems == {}


def test_keyboard_users_can_skip_to_the_content(site, page):
    page.goto(site + "/interviews/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.getAttribute('href')")
    assert focused == "#content"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "the focused skip link is visibly outlined"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "content"
