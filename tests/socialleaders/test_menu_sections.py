"""The main menu names only the sections that have something in them for readers."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from socialleaders import cache as content_cache
from socialleaders.sections import MENU
from tests import factories as f

pytestmark = pytest.mark.django_db

SECTIONS = ["Interviews", "Leaders", "Platforms", "Themes", "Questions", "Quotes", "Blog"]


def menu(client, url="/search/"):
    html = client.get(url).content.decode()
    nav = re.search(r'<nav class="site-nav" aria-label="Main">(.*?)</nav>', html, re.S).group(1)
    return re.findall(r">([A-Za-z]+)</a>", nav)


@pytest.mark.usefixtures("no_page_cache")
def test_an_empty_site_has_an_empty_menu_and_drafts_fill_nothing(client):
    assert menu(client) == []
    draft = f.interview(published=False)
    draft.themes.add("Hidden")
    f.answer(interview=draft)
    f.quote(interview=draft)
    f.uses(draft, f.platform())
    f.post(published=False)
    assert menu(client) == []


@pytest.mark.usefixtures("no_page_cache")
def test_each_section_appears_once_it_has_content(client):
    interview = f.interview()
    assert menu(client) == ["Interviews", "Leaders"]
    f.answer(interview=interview)
    f.quote(interview=interview)
    f.uses(interview, f.platform())
    assert menu(client) == ["Interviews", "Leaders", "Platforms", "Questions", "Quotes"]
    interview.themes.add("Personality")
    f.post()
    assert menu(client) == SECTIONS


@pytest.mark.usefixtures("no_page_cache")
def test_the_menu_costs_one_query(client):
    f.interview()
    client.get("/search/")
    with CaptureQueriesContext(connection) as queries:
        client.get("/search/")
    assert len(queries) == 1
    assert queries.captured_queries[0]["sql"].startswith("SELECT EXISTS(")


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("page_cache")
def test_with_the_page_cache_the_menu_follows_content_changes(client):
    """Every change commits at once (autocommit), as in production."""
    interview = f.interview()
    assert menu(client) == ["Interviews", "Leaders"]
    with CaptureQueriesContext(connection) as queries:
        assert menu(client, "/search/?q=") == ["Interviews", "Leaders"]
    assert not any("EXISTS(" in q["sql"] for q in queries.captured_queries)
    interview.themes.add("Personality")  # an interview gains its first theme
    assert "Themes" in menu(client)
    post = f.post()
    assert "Blog" in menu(client)
    post.status = "draft"
    post.save()
    assert "Blog" not in menu(client)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("page_cache")
def test_a_change_that_fills_no_section_leaves_cached_pages_alone(client):
    f.interview()
    client.get("/search/")
    versions = content_cache.tag_versions([MENU], shared=True)
    f.interview()  # the interviews section had content already
    assert content_cache.tag_versions([MENU], shared=True) == versions
    f.post()
    assert content_cache.tag_versions([MENU], shared=True) != versions


@pytest.mark.usefixtures("no_page_cache")
def test_nothing_found_suggests_themes_only_when_there_are_some(client):
    interview = f.interview()
    f.answer(interview=interview)
    html = client.get("/search/?q=zzzzqqq").content.decode()
    assert "Nothing matched" in html
    assert "/themes/" not in html.split("<main", 1)[1]
    assert 'browse the <a href="/questions/">questions</a>' in html
    interview.themes.add("Personality")
    html = client.get("/search/?q=zzzzqqq").content.decode()
    assert 'browse the <a href="/themes/">themes</a> and' in html
