"""When a hot page goes stale, one request renders it while the others get the previous copy;
while the database is down, readers get the last copy (or a plain 503), never a 500."""

import threading
import time
from contextlib import contextmanager

import pytest
from django.db import connection
from django.test import Client

from comments.models import ModerationSettings
from frontpage.views import HomeView
from socialleaders import cache as content_cache
from socialleaders.cachetags import list_tag
from socialleaders.publishing import Status
from tests import factories as f
from tests.processes import eventually

pytestmark = pytest.mark.usefixtures("page_cache")


@pytest.mark.django_db(transaction=True)
def test_concurrent_readers_of_a_stale_page_get_it_rendered_once(monkeypatch):
    interview = f.interview(title="The first version")
    renders = []
    original = HomeView.get_context_data

    def slow_render(self, **kwargs):
        renders.append(threading.get_ident())
        time.sleep(0.5)  # a slow page: the others arrive while it renders
        return original(self, **kwargs)

    monkeypatch.setattr(HomeView, "get_context_data", slow_render)
    Client().get("/")
    assert len(renders) == 1
    interview.title = "The second version"
    interview.save()  # the home page is stale now

    answers = []

    def read():
        response = Client().get("/")
        answers.append((response["X-Cache"], response.content.decode()))
        connection.close()  # each thread has its own connection

    readers = [threading.Thread(target=read) for _ in range(8)]
    for reader in readers:
        reader.start()
        time.sleep(0.02)
    for reader in readers:
        reader.join()
    assert len(renders) == 2  # one render for eight readers
    outcomes = sorted(outcome for outcome, _ in answers)
    assert outcomes.count("miss") == 1 and outcomes.count("stale") == 7, outcomes
    for outcome, html in answers:
        assert ("The first version" if outcome == "stale" else "The second version") in html
    # Once rendered, everyone gets the new page from the cache.
    again = Client().get("/")
    assert again["X-Cache"] == "hit" and "The second version" in again.content.decode()


def stored_once(reader):
    """The home page rendered and stored (its first render also makes the comments' settings
    row: a change while it renders, so that copy is not kept)."""
    ModerationSettings.load()
    assert reader.get("/")["X-Cache"] == "miss"
    assert reader.get("/")["X-Cache"] == "hit"


@pytest.mark.django_db(transaction=True)
def test_with_background_refresh_no_reader_waits_for_a_stale_page(monkeypatch, settings):
    settings.PAGE_CACHE_REFRESH_IN_BACKGROUND = True
    interview = f.interview(title="The first version")
    renders, release = [], threading.Event()
    original = HomeView.get_context_data

    def held_render(self, **kwargs):
        renders.append(threading.get_ident())
        if len(renders) > 1:
            release.wait(10)  # the refresh is held until every reader has been answered
        return original(self, **kwargs)

    monkeypatch.setattr(HomeView, "get_context_data", held_render)
    stored_once(Client())
    interview.title = "The second version"
    interview.save()  # the home page is stale now

    # Every reader, the one who found it stale first included, gets the previous copy at
    # once while one render runs elsewhere (it cannot finish before they are all answered).
    answers = [Client().get("/") for _ in range(5)]
    assert [a["X-Cache"] for a in answers] == ["stale"] * 5
    assert all("The first version" in a.content.decode() for a in answers)
    # The one render runs in another thread (it may not have reached the view yet).
    eventually(lambda: len(renders), (2).__eq__)
    assert renders[1] != threading.get_ident()
    release.set()

    def read():
        response = Client().get("/")
        return response["X-Cache"], response.content.decode()

    eventually(read, lambda seen: seen[0] == "hit" and "The second version" in seen[1])
    assert len(renders) == 2  # rendered once, in the background


@pytest.mark.django_db(transaction=True)
def test_a_refresh_that_fails_keeps_the_old_copy_and_lets_the_next_reader_retry(
    monkeypatch, settings, caplog
):
    settings.PAGE_CACHE_REFRESH_IN_BACKGROUND = True
    interview = f.interview(title="The first version")
    original, failures = HomeView.get_context_data, []

    def failing_once(self, **kwargs):
        if interview.title != "The first version" and not failures:
            failures.append(1)
            raise RuntimeError("the render broke")
        return original(self, **kwargs)

    monkeypatch.setattr(HomeView, "get_context_data", failing_once)
    # (A test client re-raises any request's exception it hears of: the refresh's included.)
    reader = Client(raise_request_exception=False)
    stored_once(reader)
    interview.title = "The second version"
    interview.save()
    assert reader.get("/")["X-Cache"] == "stale"  # its refresh fails in the background

    # The lock was released: a later reader's refresh renders it.
    eventually(lambda: reader.get("/").content.decode(), lambda html: "The second version" in html)
    assert failures == [1]


@pytest.mark.django_db(transaction=True)
def test_an_unpublished_page_refreshed_in_the_background_stops_being_served(settings):
    settings.PAGE_CACHE_REFRESH_IN_BACKGROUND = True
    interview = f.interview(title="Soon withdrawn")
    page, reader = interview.get_absolute_url(), Client()
    ModerationSettings.load()
    reader.get(page)
    assert reader.get(page)["X-Cache"] == "hit"
    interview.status = Status.DRAFT
    interview.save()

    # The copy may answer while the page is rendered again; once that render finds it gone,
    # nobody gets it any more.
    eventually(lambda: reader.get(page).status_code, (404).__eq__)
    assert [reader.get(page).status_code for _ in range(3)] == [404] * 3


@pytest.mark.django_db
def test_a_stale_copy_is_served_only_while_another_request_renders(client):
    f.interview(title="Old title")
    client.get("/")
    content_cache.invalidate({list_tag(f.Interview)})
    key = _page_key("http://testserver/")
    assert content_cache.render_lock(key)  # another request is rendering it
    stale = client.get("/")
    assert stale["X-Cache"] == "stale"
    assert "max-age=0" in stale["Cache-Control"]
    content_cache.release_render_lock(key)
    assert client.get("/")["X-Cache"] == "miss"
    assert client.get("/")["X-Cache"] == "hit"


def _page_key(url):
    from socialleaders.middleware import PageCacheMiddleware

    return PageCacheMiddleware._key(url)


needs_a_database_server = pytest.mark.skipif(
    connection.vendor == "sqlite", reason="a database server going down: PostgreSQL's"
)


@contextmanager
def database_down():
    """The database stops answering: the connection is closed and pointed somewhere nothing
    listens (a real connection failure, not a stand-in)."""
    settings_dict = connection.settings_dict
    saved = dict(settings_dict)
    connection.close()
    settings_dict["HOST"], settings_dict["PORT"] = "127.0.0.1", "1"
    try:
        yield
    finally:
        connection.close()
        settings_dict.clear()
        settings_dict.update(saved)


@needs_a_database_server
@pytest.mark.django_db(transaction=True)
def test_while_the_database_is_down_readers_get_the_last_copy_or_a_503(editor):
    interview = f.interview(title="Still readable")
    reader = Client()
    page = interview.get_absolute_url()
    assert reader.get(page)["X-Cache"] == "miss"
    assert reader.get("/interviews/")["X-Cache"] == "miss"
    interview.title = "Changed just before the outage"
    interview.save()  # both pages are stale: they would be rendered again
    editors = Client(raise_request_exception=False)  # as a browser sees it
    editors.force_login(editor)

    with database_down():
        served = reader.get(page)
        assert served.status_code == 200
        assert served["X-Cache"] == "stale-if-error"
        assert "Still readable" in served.content.decode()
        assert reader.get("/interviews/")["X-Cache"] == "stale-if-error"
        never_cached = reader.get("/leaders/")
        assert never_cached.status_code == 503
        assert int(never_cached["Retry-After"]) > 0
        assert "Back in a moment" in never_cached.content.decode()
        # Editors' pages are never cached: a 503 for them too, never a 500.
        assert editors.get(page).status_code == 503

    fresh = reader.get(page)
    assert fresh.status_code == 200 and "Changed just before the outage" in fresh.content.decode()


@needs_a_database_server
@pytest.mark.django_db(transaction=True)
def test_health_check_fails_when_this_server_cannot_reach_its_database(client):
    with database_down():
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"]["ok"] is False
