"""sitemap.xml (every published page, with lastmod, on SITE_URL) and robots.txt."""

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date

from blog.models import Post
from interviews.models import Interview
from tests import factories as f

pytestmark = pytest.mark.django_db

SITE_URL = "https://socialleaders.example"
NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


@pytest.fixture(autouse=True)
def _setup(settings):
    settings.SITE_URL = SITE_URL
    settings.ALLOWED_HOSTS = ["testserver", "other.example"]
    cache.clear()  # pages may be cached; every test starts cold
    yield
    cache.clear()


def fetch_sitemap(client):
    response = client.get("/sitemap.xml", HTTP_HOST="other.example")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    root = ET.fromstring(response.content)
    entries = {}
    for url in root.findall("sm:url", NS):
        loc = url.find("sm:loc", NS).text
        lastmod = url.find("sm:lastmod", NS)
        assert loc not in entries, f"{loc} listed twice"
        entries[loc] = lastmod.text if lastmod is not None else None
    return entries


def when(days_ago):
    return timezone.now() - timedelta(days=days_ago)


def day(moment):
    """A lastmod as the sitemap writes it: the local date."""
    return f"{timezone.localtime(moment):%Y-%m-%d}"


@pytest.fixture
def content():
    series = f.series(title="SocialLeaders", slug="socialleaders")
    leader = f.leader(slug="simon-blake")
    twitter = f.platform(slug="twitter")
    question = f.question(slug="advice")
    live = f.interview(leader=leader, series=series, series_order=1, publish_at=when(3))
    live.themes.add("Time")
    f.uses(live, twitter)
    f.answer(interview=live, question=question)
    author = f.author(slug="helen")
    post = f.post(author=author, publish_at=when(40))
    post.tags.add("councils")
    # Hidden things, and the pages that would only show hidden things.
    lonely_leader = f.leader(slug="only-a-draft")
    lonely_series = f.series(slug="draft-series")
    lonely_platform = f.platform(slug="myspace")
    lonely_question = f.question(slug="unanswered")
    draft = f.interview(leader=lonely_leader, series=lonely_series, series_order=1, published=False)
    draft.themes.add("Secret theme")
    f.uses(draft, lonely_platform)
    f.answer(interview=draft, question=lonely_question)
    f.interview(title="Future", slug="future", publish_at=timezone.now() + timedelta(days=2))
    lonely_author = f.author(slug="ghost")
    draft_post = f.post(author=lonely_author, slug="draft-post", published=False)
    draft_post.tags.add("secret-tag")
    return {
        "interview": live,
        "leader": leader,
        "series": series,
        "platform": twitter,
        "question": question,
        "post": post,
        "author": author,
    }


def test_every_published_page_is_listed_with_lastmod(client, content):
    entries = fetch_sitemap(client)
    expected = [
        "/",
        "/interviews/",
        "/leaders/",
        "/platforms/",
        "/themes/",
        "/questions/",
        "/quotes/",
        "/blog/",
        content["interview"].get_absolute_url(),
        content["leader"].get_absolute_url(),
        content["series"].get_absolute_url(),
        content["platform"].get_absolute_url(),
        content["question"].get_absolute_url(),
        reverse("interviews:theme", kwargs={"slug": "time"}),
        content["post"].get_absolute_url(),
        content["author"].get_absolute_url(),
        reverse("blog:tag", kwargs={"slug": "councils"}),
        reverse(
            "blog:month",
            kwargs={
                "year": f"{timezone.localtime(content['post'].publish_at):%Y}",
                "month": f"{timezone.localtime(content['post'].publish_at):%m}",
            },
        ),
    ]
    assert sorted(entries) == sorted(SITE_URL + path for path in expected)
    for loc, lastmod in entries.items():
        assert lastmod, f"{loc} has no lastmod"
        assert parse_date(lastmod) is not None, lastmod


def test_hidden_items_and_pages_showing_only_them_are_absent(client, content):
    entries = " ".join(fetch_sitemap(client))
    for slug in [
        "only-a-draft",
        "draft-series",
        "myspace",
        "unanswered",
        "secret-theme",
        "/future/",
        "ghost",
        "draft-post",
        "secret-tag",
    ]:
        assert slug not in entries


def test_lastmod_is_the_latest_change_of_what_a_page_shows(client, content):
    interview, post = content["interview"], content["post"]
    # Edited long ago, published three days ago (scheduled): it changed for readers when it
    # was published.
    Interview.objects.filter(pk=interview.pk).update(updated_at=when(100), publish_at=when(3))
    # Published forty days ago, edited yesterday.
    Post.objects.filter(pk=post.pk).update(updated_at=when(1), publish_at=when(40))
    entries = fetch_sitemap(client)

    def lastmod(path):
        return entries[SITE_URL + path]

    three_days_ago = day(when(3))
    assert lastmod(interview.get_absolute_url()) == three_days_ago
    for page in ["leader", "series", "platform", "question"]:
        assert lastmod(content[page].get_absolute_url()) == three_days_ago
    assert lastmod(reverse("interviews:theme", kwargs={"slug": "time"})) == three_days_ago
    assert lastmod(reverse("interviews:list")) == three_days_ago
    assert lastmod(post.get_absolute_url()) == day(when(1))
    assert lastmod(reverse("blog:index")) == day(when(1))
    assert lastmod(reverse("blog:tag", kwargs={"slug": "councils"})) == day(when(1))
    assert lastmod("/") == day(when(1))  # the latest of everything


def test_urls_are_on_site_url_not_the_request_host(client, content):
    response = client.get("/sitemap.xml", HTTP_HOST="other.example")
    assert b"other.example" not in response.content
    assert all(loc.startswith(SITE_URL + "/") for loc in fetch_sitemap(client))


def test_sitemap_is_cached_until_content_changes(client, content, settings):
    settings.PAGE_CACHE = True
    fetch_sitemap(client)
    with CaptureQueriesContext(connection) as queries:
        before = fetch_sitemap(client)
    assert len(queries) == 0, "the second request is served from the page cache"
    f.post(slug="brand-new")
    after = fetch_sitemap(client)
    assert SITE_URL + "/blog/brand-new/" in after and after != before


def test_bad_sitemap_page_is_404(client, content):
    assert client.get("/sitemap.xml?p=abc").status_code == 404
    assert client.get("/sitemap.xml?p=99").status_code == 404


def _build(n):
    question = f.question()
    platform = f.platform()
    for i in range(n):
        interview = f.interview(publish_at=when(i))
        interview.themes.add(f"theme {n} {i}")
        f.uses(interview, platform)
        f.answer(interview=interview, question=question)
        post = f.post(publish_at=when(i * 31))
        post.tags.add(f"tag {n} {i}")


def test_query_count_does_not_grow_with_the_data(client):
    _build(3)
    with CaptureQueriesContext(connection) as small:
        fetch_sitemap(client)
    _build(60)
    cache.clear()
    with CaptureQueriesContext(connection) as large:
        entries = fetch_sitemap(client)
    assert len(entries) > 200
    assert len(small) == len(large) <= 30


def test_robots_txt(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines
    assert "Disallow: /admin/" in lines
    assert f"Sitemap: {SITE_URL}/sitemap.xml" in lines
    assert "Disallow: /" not in lines  # the site itself stays crawlable
    assert client.post("/robots.txt").status_code == 405
