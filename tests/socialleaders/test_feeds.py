"""RSS and Atom feeds, read back with a real feed parser (feedparser)."""

from datetime import UTC, datetime, timedelta

import feedparser
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from socialleaders.feeds import feed_links
from tests import factories as f

pytestmark = pytest.mark.django_db

SITE_URL = "https://socialleaders.example"


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE_URL
    # Requests come in on another host name, as behind a proxy or on a staging address.
    settings.ALLOWED_HOSTS = ["testserver", "other.example"]


def fetch(client, url):
    response = client.get(url, HTTP_HOST="other.example")
    assert response.status_code == 200, url
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.bozo_exception
    return response, parsed


def links(parsed):
    return [entry.link for entry in parsed.entries]


def when(days_ago):
    return timezone.now() - timedelta(days=days_ago)


@pytest.fixture
def content():
    twitter = f.platform(name="Twitter", slug="twitter")
    leader = f.leader(name="Simon Blake", honours="OBE")
    older = f.interview(
        leader=leader,
        title="Simon Blake on being human",
        standfirst="Why it makes you human.",
        publish_at=when(10),
    )
    newer = f.interview(
        title="Jo on finding the time", standfirst="", introduction="Jo " * 100, publish_at=when(2)
    )
    f.uses(older, twitter, favourite=True)
    older.themes.add("Authenticity")
    author = f.author(name="Helen Reynolds")
    post = f.post(author=author, title="Ten tips", excerpt="Tips for councils.", publish_at=when(5))
    post.tags.add("councils")
    long_post = f.post(title="No excerpt", excerpt="", body="word " * 200, publish_at=when(1))
    # Never in any feed.
    draft = f.interview(title="Draft interview", published=False)
    f.uses(draft, twitter)
    draft.themes.add("Authenticity")
    f.interview(title="Future interview", publish_at=timezone.now() + timedelta(days=1))
    draft_post = f.post(title="Draft post", published=False)
    draft_post.tags.add("councils", "secret-tag")
    f.post(title="Future post", publish_at=timezone.now() + timedelta(hours=2))
    return {
        "older": older,
        "newer": newer,
        "post": post,
        "long_post": long_post,
        "twitter": twitter,
    }


def absolute(obj):
    return SITE_URL + obj.get_absolute_url()


HIDDEN = ("Draft", "Future")


def assert_no_hidden(parsed):
    for entry in parsed.entries:
        assert not entry.title.startswith(HIDDEN), entry.title


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_site_feed_has_latest_interviews_and_posts_newest_first(client, content, kind):
    _, parsed = fetch(client, reverse(f"feeds:site-{kind}"))
    assert links(parsed) == [
        absolute(content["long_post"]),
        absolute(content["newer"]),
        absolute(content["post"]),
        absolute(content["older"]),
    ]
    assert_no_hidden(parsed)
    assert parsed.feed.title == "Social Leaders"
    assert parsed.feed.link == SITE_URL + "/"


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_entries_have_dates_authors_and_descriptions(client, content, kind):
    _, parsed = fetch(client, reverse(f"feeds:site-{kind}"))
    by_link = {entry.link: entry for entry in parsed.entries}
    older = by_link[absolute(content["older"])]
    assert older.title == "Simon Blake on being human"
    published = datetime(*older.published_parsed[:6], tzinfo=UTC)
    assert abs(published - content["older"].publish_at) < timedelta(seconds=1)
    assert older.author.startswith("Simon Blake OBE")
    assert older.summary == "Why it makes you human."
    assert [tag.term for tag in older.tags] == ["Authenticity"]
    post = by_link[absolute(content["post"])]
    assert post.author.startswith("Helen Reynolds")
    assert post.summary == "Tips for councils."
    assert [tag.term for tag in post.tags] == ["councils"]
    # No standfirst or excerpt: the start of the text, cut short.
    newer = by_link[absolute(content["newer"])]
    assert newer.summary.startswith("Jo Jo Jo")
    assert newer.summary.endswith("…")
    assert len(newer.summary.split()) <= 61
    long_post = by_link[absolute(content["long_post"])]
    assert len(long_post.summary.split()) <= 61


def test_atom_entries_have_ids_and_updated_dates(client, content):
    _, parsed = fetch(client, reverse("feeds:site-atom"))
    for entry in parsed.entries:
        assert entry.id == entry.link
        assert entry.updated_parsed is not None
    assert parsed.feed.id
    self_links = [link.href for link in parsed.feed.links if link.rel == "self"]
    assert self_links == [SITE_URL + reverse("feeds:site-atom")]


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_interviews_feed(client, content, kind):
    _, parsed = fetch(client, reverse(f"feeds:interviews-{kind}"))
    assert links(parsed) == [absolute(content["newer"]), absolute(content["older"])]


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_blog_feed(client, content, kind):
    _, parsed = fetch(client, reverse(f"feeds:blog-{kind}"))
    assert links(parsed) == [absolute(content["long_post"]), absolute(content["post"])]


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_tag_theme_and_platform_feeds(client, content, kind):
    _, parsed = fetch(client, reverse(f"feeds:tag-{kind}", kwargs={"slug": "councils"}))
    assert links(parsed) == [absolute(content["post"])]
    assert "councils" in parsed.feed.title
    assert parsed.feed.link == SITE_URL + reverse("blog:tag", kwargs={"slug": "councils"})

    _, parsed = fetch(client, reverse(f"feeds:theme-{kind}", kwargs={"slug": "authenticity"}))
    assert links(parsed) == [absolute(content["older"])]
    assert "Authenticity" in parsed.feed.title

    _, parsed = fetch(client, reverse(f"feeds:platform-{kind}", kwargs={"slug": "twitter"}))
    assert links(parsed) == [absolute(content["older"])]
    assert parsed.feed.link == absolute(content["twitter"])


@pytest.mark.parametrize(
    "url",
    [
        "/blog/tags/no-such-tag/feed/",
        "/blog/tags/secret-tag/feed/",  # only a draft carries it
        "/blog/tags/no-such-tag/feed/atom/",
        "/themes/no-such-theme/feed/",
        "/themes/no-such-theme/feed/atom/",
        "/platforms/no-such-platform/feed/",
        "/platforms/no-such-platform/feed/atom/",
        "/platforms/%3Cscript%3E/feed/",
        "/themes/%00/feed/",
    ],
)
def test_unknown_tags_themes_and_platforms_are_404(client, content, url):
    assert client.get(url).status_code == 404


def test_links_use_site_url_whatever_the_host(client, content):
    response, parsed = fetch(client, reverse("feeds:site-rss"))
    assert b"other.example" not in response.content
    assert b"testserver" not in response.content
    assert all(link.startswith(SITE_URL + "/") for link in links(parsed))


def test_feed_urls_are_where_the_docs_say(client):
    assert reverse("feeds:site-rss") == "/feeds/rss/"
    assert reverse("feeds:site-atom") == "/feeds/atom/"
    assert reverse("feeds:interviews-rss") == "/interviews/feed/"
    assert reverse("feeds:blog-atom") == "/blog/feed/atom/"
    assert reverse("feeds:tag-rss", kwargs={"slug": "x"}) == "/blog/tags/x/feed/"
    assert reverse("feeds:theme-rss", kwargs={"slug": "x"}) == "/themes/x/feed/"
    assert reverse("feeds:platform-atom", kwargs={"slug": "x"}) == "/platforms/x/feed/atom/"


def test_content_types(client, content):
    assert client.get("/feeds/rss/")["Content-Type"].startswith("application/rss+xml")
    assert client.get("/feeds/atom/")["Content-Type"].startswith("application/atom+xml")


def test_feed_links_context_for_section_pages(content):
    platform = content["twitter"]
    context = feed_links("platform", platform)
    assert context["feed_url"] == "/platforms/twitter/feed/"
    assert context["feed_atom_url"] == "/platforms/twitter/feed/atom/"
    assert "Twitter" in context["feed_title"]
    assert feed_links("blog")["feed_url"] == "/blog/feed/"


def test_every_page_links_the_site_feeds(client, content):
    from django.template.loader import render_to_string

    html = render_to_string("includes/feed_links.html", {"SITE_NAME": "Social Leaders"})
    assert 'type="application/rss+xml"' in html and 'href="/feeds/rss/"' in html
    assert 'type="application/atom+xml"' in html and 'href="/feeds/atom/"' in html
    html = render_to_string(
        "includes/feed_links.html",
        {"SITE_NAME": "Social Leaders", **feed_links("theme", content["older"].themes.get())},
    )
    assert 'href="/themes/authenticity/feed/"' in html
    assert 'href="/themes/authenticity/feed/atom/"' in html
    # And the real pages include it.
    response = client.get(reverse("search:results"))
    assert b'href="/feeds/rss/"' in response.content


def _build(n):
    platform = f.platform(slug=f"budget-{n}")
    for i in range(n):
        interview = f.interview(title=f"Budget {n}-{i}")
        interview.themes.add(f"theme-{n}-{i}", "shared")
        f.uses(interview, platform)
        post = f.post(title=f"Post {n}-{i}")
        post.tags.add(f"tag-{n}-{i}", "shared")
    return platform


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_query_count_does_not_grow_with_the_data(client):
    small_platform = _build(3)
    urls = lambda platform: [  # noqa: E731
        "/feeds/rss/",
        "/feeds/atom/",
        "/interviews/feed/",
        "/blog/feed/",
        "/blog/tags/shared/feed/",
        "/themes/shared/feed/",
        f"/platforms/{platform.slug}/feed/",
    ]
    small = [_queries(client, url) for url in urls(small_platform)]
    large_platform = _build(30)
    large = [_queries(client, url) for url in urls(large_platform)]
    assert small == large
    assert max(large) <= 6
