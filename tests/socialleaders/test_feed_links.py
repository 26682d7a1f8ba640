"""Section pages advertise their own feed (as <link rel="alternate"> and in the footer), and every
page advertises the whole site's."""

import re

import pytest

from tests import factories

pytestmark = pytest.mark.django_db


def _alternates(response):
    return re.findall(
        r'<link rel="alternate" type="application/(?:rss|atom)\+xml"[^>]*href="([^"]+)"',
        response.content.decode(),
    )


@pytest.fixture
def content():
    platform = factories.platform(name="LinkedIn", slug="linkedin")
    interview = factories.interview()
    factories.uses(interview, platform, favourite=True)
    interview.themes.add("Finding the time")
    post = factories.post()
    post.tags.add("digital")
    return platform


@pytest.mark.parametrize(
    "path, feed",
    [
        ("/interviews/", "/interviews/feed/"),
        ("/platforms/linkedin/", "/platforms/linkedin/feed/"),
        ("/themes/finding-the-time/", "/themes/finding-the-time/feed/"),
        ("/blog/", "/blog/feed/"),
        ("/blog/tags/digital/", "/blog/tags/digital/feed/"),
    ],
)
def test_a_section_page_links_its_own_feed(client, content, path, feed):
    response = client.get(path)
    assert response.status_code == 200
    links = _alternates(response)
    assert "/feeds/rss/" in links and "/feeds/atom/" in links
    assert feed in links
    assert f'href="{feed}">Subscribe to this page (RSS)' in response.content.decode()
    assert client.get(feed).status_code == 200


def test_other_pages_link_only_the_site_feeds(client, content):
    links = _alternates(client.get("/quotes/"))
    assert links == ["/feeds/rss/", "/feeds/atom/"]
