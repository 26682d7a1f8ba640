"""What every public page shares: the layout, metadata, 404 and 500 pages, hostile URLs."""

import re

import pytest
from django.template import engines
from django.template.loader import get_template
from django.test import override_settings

from tests import factories as f

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_page_cache")]

PAGES = [
    "/",
    "/interviews/",
    "/interviews/{interview}/",
    "/platforms/",
    "/platforms/{platform}/",
    "/themes/",
    "/themes/{theme}/",
    "/quotes/",
    "/leaders/",
    "/leaders/{leader}/",
    "/series/{series}/",
    "/questions/",
    "/questions/{question}/",
    "/blog/",
    "/blog/{post}/",
    "/blog/tags/{tag}/",
    "/blog/authors/{author}/",
    "/blog/{year}/{month}/",
]


@pytest.fixture
def site_urls():
    series = f.series()
    interview = f.interview(series=series, series_order=1)
    interview.themes.add("Listening")
    platform = f.platform()
    f.uses(interview, platform, favourite=True)
    answer = f.answer(interview=interview)
    f.quote(interview=interview, answer=answer)
    post = f.post()
    post.tags.add("News")
    f.comment(post=post)
    from django.utils import timezone

    local = timezone.localtime(post.publish_at)
    values = {
        "interview": interview.slug,
        "platform": platform.slug,
        "theme": "listening",
        "leader": interview.leader.slug,
        "series": series.slug,
        "question": answer.question.slug,
        "post": post.slug,
        "tag": "news",
        "author": post.author.slug,
        "year": f"{local:%Y}",
        "month": f"{local:%m}",
    }
    return [page.format(**values) for page in PAGES]


def test_every_page_has_the_shared_layout_and_metadata(client, site_urls, settings):
    settings.SITE_URL = "https://socialleaders.example"
    for url in site_urls:
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        assert page.count("<h1") == 1, url
        title = re.search(r"<title>(.+?)</title>", page).group(1)
        assert "Social Leaders" in title and len(title) > len("Social Leaders"), url
        assert re.search(r'<meta name="description" content="[^"]{10,}">', page), url
        assert f'<link rel="canonical" href="https://socialleaders.example{url}">' in page, url
        assert '<meta property="og:title"' in page and '<meta name="twitter:card"' in page, url
        for landmark in ("<header", "<nav", '<main id="content"', "<footer"):
            assert landmark in page, (url, landmark)
        assert '<a class="skip-link" href="#content">' in page, url
        assert 'action="/search/"' in page and 'name="q"' in page, url
        # The CSP allows no inline script or style: none in our pages.
        assert "style=" not in page and "onclick" not in page, url
        # JSON-LD blocks are data, which browsers never run.
        assert re.search(r'<script(?![^>]*\b(src=|type="application/ld\+json"))', page) is None, url


def test_page_titles_differ(client, site_urls):
    titles = set()
    for url in site_urls:
        page = client.get(url).content.decode()
        titles.add(re.search(r"<title>(.+?)</title>", page).group(1))
    assert len(titles) == len(site_urls)


def test_current_section_is_marked_in_the_navigation(client, site_urls):
    page = client.get("/quotes/").content.decode()
    assert '<a href="/quotes/" aria-current="true">Quotes</a>' in page
    assert '<a href="/blog/" aria-current="true">' not in page


@pytest.mark.parametrize(
    "url",
    [
        "/interviews/does-not-exist/",
        "/interviews/%3Cscript%3Ealert(1)%3C%2Fscript%3E/",
        "/interviews/..%2F..%2Fetc%2Fpasswd/",
        "/leaders/%00/",
        "/platforms/%E2%98%83/",
        "/themes/'%20OR%201=1--/",
        "/blog/%F0%9F%92%A9/",
        "/blog/tags/a%20b/",
        "/questions/" + "x" * 5000 + "/",
        "/series/%C0%AF/",
        "/interviews/?page=%27%3B--",
        "/blog/?page=1e9",
    ],
)
def test_hostile_urls_are_a_friendly_404(client, url):
    response = client.get(url)
    assert response.status_code == 404
    page = response.content.decode()
    assert "couldn’t find that page" in page
    assert "<script>alert" not in page


def test_404_page_shows_the_path_escaped(client):
    response = client.get("/nothing-here/<b>hello</b>/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "&lt;b&gt;hello&lt;/b&gt;" in page
    assert "<b>hello</b>" not in page


def test_500_page_needs_no_context_or_database(django_assert_num_queries):
    with django_assert_num_queries(0):
        page = get_template("500.html").render({})
    assert "Something went wrong" in page
    # Rendered from a bare template too, as Django does when everything else has failed.
    source = get_template("500.html").template.source
    assert "{% extends" not in source and "{% url" not in source
    assert engines["django"].from_string(source).render({})


@override_settings(DEBUG=False)
def test_server_error_renders_the_friendly_page(client, monkeypatch):
    from frontpage import views

    def boom(*args, **kwargs):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(views.HomeView, "get_context_data", boom)
    client.raise_request_exception = False
    response = client.get("/")
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


def test_pages_work_without_javascript(client, site_urls):
    """The only script is deferred progressive enhancement; every link is a real href."""
    for url in site_urls:
        page = client.get(url).content.decode()
        assert 'href="#"' not in page, url
        assert "javascript:" not in page, url
