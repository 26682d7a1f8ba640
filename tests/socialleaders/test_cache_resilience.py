"""When a hot page goes stale, one request renders it while the others get the previous copy;
while the database is down, readers get the last copy (or a plain 503), never a 500."""

import threading
import time
from contextlib import contextmanager

import pytest
from django.db import connection
from django.test import Client

from frontpage.views import HomeView
from socialleaders import cache as content_cache
from socialleaders.cachetags import list_tag
from tests import factories as f

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
