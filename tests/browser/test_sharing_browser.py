"""A quote's, an interview's and a post's page in a real browser: the quote right under its
kicker, the card shows, the share links are plain links, the copy button (static js/copy.js)
works, the JSON-LD blocks raise no Content-Security-Policy report."""

import pytest
from playwright.sync_api import expect

from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def quote():
    leader = f.leader(name="Ada Example", honours="OBE", role="Chief Executive", slug="ada")
    interview = f.interview(leader=leader, title="Ada on being you")
    answer = f.answer(
        interview=interview,
        question=f.question(text="Why do you use social media?"),
        body="Because people want to hear from a person. So I post what I see, every week.",
    )
    return f.quote(
        interview=interview,
        answer=answer,
        leader=leader,
        text="Be yourself, dive in and share stuff: people want to hear from a person.",
    )


@pytest.mark.parametrize("width", [390, 1280])
def test_the_quote_page_shares_without_third_party_scripts(
    live_server, new_context, quote, screenshot, width
):
    context = new_context(viewport={"width": width, "height": 844})
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    requested = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(f"{live_server.url}/quotes/{quote.pk}/")
    # The quote stands right under the kicker (its heading is for screen readers only): it sat
    # 66px lower, the header's padding and the quote's margin one on the other.
    kicker = page.locator(".page-header .kicker").bounding_box()
    pull_quote = page.locator("main .pull-quote").bounding_box()
    gap = pull_quote["y"] - (kicker["y"] + kicker["height"])
    assert 0 < gap <= 16, gap
    card = page.locator("img.quote-page__card")
    card.scroll_into_view_if_needed()
    for _ in range(100):  # lazy: loads once in view (wait_for_function would need eval)
        if card.evaluate("img => img.complete && img.naturalWidth > 0"):
            break
        page.wait_for_timeout(100)
    assert card.evaluate("img => img.naturalWidth") == 1200
    assert not problems, problems  # no CSP violation (JSON-LD is data, not script)
    assert all(url.startswith(live_server.url) for url in requested), requested
    assert page.locator("script[type='application/ld+json']").count() == 1  # breadcrumbs
    assert (
        page.get_by_role("link", name="LinkedIn")
        .get_attribute("href")
        .startswith("https://www.linkedin.com/sharing/share-offsite/?url=")
    )
    page.get_by_role("button", name="Copy link").click()
    expect(page.get_by_role("status").filter(has_text="Link copied.")).to_be_visible()
    if width == 390:
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, f"{width}")


def test_without_javascript_the_link_is_there_to_copy(live_server, new_context, quote):
    page = new_context(java_script_enabled=False).new_page()
    page.goto(f"{live_server.url}/quotes/{quote.pk}/")
    field = page.get_by_label("The link to share")
    assert field.input_value().endswith(f"/quotes/{quote.pk}/")
    assert page.get_by_role("button", name="Copy link").count() == 0


def test_the_quote_page_passes_axe(live_server, a11y_page, axe, quote):
    a11y_page.goto(f"{live_server.url}/quotes/{quote.pk}/")
    assert axe(a11y_page) == []


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("kind", ["interview", "post"])
def test_interviews_and_posts_share_like_quotes(live_server, new_context, quote, kind, width):
    piece = quote.interview if kind == "interview" else f.post(title="Ten ways to be heard")
    url = f"{live_server.url}{piece.get_absolute_url()}"
    context = new_context(viewport={"width": width, "height": 844})
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.goto(url)
    share = page.locator("section.share-links")
    for name in ("X (Twitter)", "LinkedIn", "Facebook", "Email"):
        assert share.get_by_role("link", name=name).count() == 1, name
    share.get_by_role("button", name="Copy link").click()
    expect(share.get_by_role("status").filter(has_text="Link copied.")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()").endswith(piece.get_absolute_url())
    assert not problems, problems
    if width == 390:
        assert page.evaluate("document.documentElement.scrollWidth") <= 390

    scriptless = new_context(java_script_enabled=False).new_page()
    scriptless.goto(url)
    field = scriptless.get_by_label("The link to share")
    assert field.input_value().endswith(piece.get_absolute_url())  # to copy by hand
    assert scriptless.get_by_role("button", name="Copy link").count() == 0
