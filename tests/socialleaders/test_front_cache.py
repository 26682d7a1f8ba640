"""The shipped front cache (deploy/varnish/default.vcl), started for real: Varnish in front of
gunicorn on a migrated database. Anonymous pages come from Varnish, editors and commenters pass
straight through, pages are purged by tag, and cached pages outlive an app server that fails."""

import contextlib
import gzip
import json
import os
import secrets
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import connection

from tests.processes import (
    ROOT,
    eventually,
    free_port,
    front_cache_missing,
    request,
    start_app_server,
    start_front_cache,
    stop,
    throwaway_databases,
    wait_until_up,
)

REDIS_URL = os.environ.get("FRONT_CACHE_REDIS_URL", "redis://127.0.0.1:6379/5")


@pytest.fixture(scope="module")
def varnish_available():
    missing = front_cache_missing()
    if missing:
        if os.environ.get("REQUIRE_FRONT_CACHE") == "1":
            pytest.fail(f"REQUIRE_FRONT_CACHE=1 but {missing}")
        pytest.skip(missing)


# A database of its own for the app server --------------------------------------------------


@pytest.fixture(scope="module")
def app_env(tmp_path_factory, varnish_available):
    """Settings for an app server on a throwaway database of the suite's kind (an SQLite file,
    or a new PostgreSQL database), migrated, with some content, and a Redis key prefix."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.RedisError as error:
        pytest.skip(f"the front cache tests need Redis at {REDIS_URL}: {error}")
    tmp = tmp_path_factory.mktemp("front-cache")
    databases = contextlib.ExitStack()
    if connection.vendor == "postgresql":
        database_url = databases.enter_context(throwaway_databases("frontcache"))["frontcache"]
    else:
        database_url = f"sqlite:///{tmp / 'db.sqlite3'}"
    prefix = f"frontcache-{uuid.uuid4().hex[:10]}"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PYTEST")},
        "DJANGO_SETTINGS_MODULE": "socialleaders.settings",
        "ENV_FILE": "",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS_URL,
        "CACHE_KEY_PREFIX": prefix,
        "PAGE_CACHE": "1",
        "STATIC_ROOT": str(tmp / "static"),
        "LOG_LEVEL": "WARNING",
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "CDN_PURGE_DELAY": "0.2",
    }
    try:
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        orm(
            env,
            "from comments.models import ModerationSettings; ModerationSettings.load()\n"
            "ada = factories.leader(name='Ada Front')\n"
            "factories.interview(title='Ada on LinkedIn', slug='ada', leader=ada)\n"
            "factories.interview(title='Bo on video', slug='bo')\n"
            "factories.interview(title='A draft for editors', slug='draft', published=False)\n"
            "factories.post(title='Why we asked', slug='why')\n"
            "from django.contrib.auth import get_user_model\n"
            "get_user_model().objects.create_superuser('editor', 'e@example.org', 'pw')\n",
        )
        yield env
    finally:
        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)
        databases.close()


def orm(env, code):
    """Run ORM code in another process against the app server's database and cache; returns
    its last line of output."""
    setup = "import django; django.setup()\nfrom tests import factories\n"
    result = subprocess.run(
        [sys.executable, "-c", setup + code],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    lines = result.stdout.strip().splitlines()
    return lines[-1] if lines else ""


@pytest.fixture(scope="module")
def app_server(app_env):
    """gunicorn for the module, purging the Varnish of each test (always on one port)."""
    app_port, front_port = free_port(), free_port()
    env = {
        **app_env,
        "CDN_PURGE_URL": f"http://127.0.0.1:{front_port}/",
        "CDN_PURGE_METHOD": "PURGE",
        "CDN_PURGE_HEADERS": json.dumps({"xkey-purge": "{tags}"}),
    }
    app = start_app_server(app_port, env)
    try:
        wait_until_up(app_port, app)
        yield app_port, front_port, env
    finally:
        stop(app)


@pytest.fixture
def stack(app_server, tmp_path):
    """Varnish with the shipped VCL, empty, in front of the app server: yields (its port,
    the app server's settings)."""
    app_port, front_port, env = app_server
    front = start_front_cache(front_port, app_port, tmp_path / "varnish")
    try:
        yield front_port, env
    finally:
        stop(front)


def get(port, path, **headers):
    return request(port, path, headers=headers)


def purge(port, tags, header="xkey-purge"):
    """What socialleaders/cdn.py sends with CDN_PURGE_HEADERS={"xkey-purge": "{tags}"}."""
    status, _, body = request(port, "/", method="PURGE", headers={header: tags})
    assert status == 200, body
    return body


def served_by_app(response):
    """Each response the app renders has a new X-Request-ID; a copy from Varnish repeats one."""
    return response[1]["X-Request-ID"]


# Anonymous readers --------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_anonymous_page_is_served_from_varnish_on_the_second_request(stack):
    port, _ = stack
    first = get(port, "/interviews/")
    assert first[0] == 200
    assert "Ada on LinkedIn" in first[2]
    assert first[1]["X-Front-Cache"] == "miss"

    second = get(port, "/interviews/")
    assert second[0] == 200
    assert second[1]["X-Front-Cache"] == "hit"
    assert len(second[1]["X-Varnish"].split()) == 2  # this request's id and the stored one's
    assert int(second[1]["Age"]) >= 0
    assert second[2] == first[2]
    assert served_by_app(second) == served_by_app(first)  # the app was not asked again
    assert "xkey" not in {name.lower() for name in second[1]}


@pytest.mark.django_db
def test_pages_are_stored_compressed_and_sent_as_each_reader_asks(stack):
    port, _ = stack
    plain = get(port, "/interviews/")
    assert plain[0] == 200 and "Content-Encoding" not in plain[1]

    # A browser (they all accept gzip) gets the stored compressed copy: the same page.
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}/interviews/", headers={"Accept-Encoding": "gzip, deflate, br"}
    )
    with urllib.request.urlopen(req, timeout=10) as response:
        assert response.headers["Content-Encoding"] == "gzip"
        assert response.headers["X-Front-Cache"] == "hit"
        assert "Accept-Encoding" in response.headers["Vary"]
        compressed = response.read()
    assert gzip.decompress(compressed).decode() == plain[2]
    assert len(compressed) < len(plain[2].encode()) / 3

    # A client that does not accept it gets plain bytes from the same stored copy.
    again = get(port, "/interviews/")
    assert again[1]["X-Front-Cache"] == "hit" and "Content-Encoding" not in again[1]
    assert again[2] == plain[2]
    assert served_by_app(again) == served_by_app(plain)


@pytest.mark.django_db
def test_other_cookies_do_not_split_the_cache(stack):
    port, _ = stack
    first = get(port, "/interviews/")
    with_analytics = get(port, "/interviews/", Cookie="_ga=GA1.2.3; theme=dark")
    assert with_analytics[1]["X-Front-Cache"] == "hit"
    assert served_by_app(with_analytics) == served_by_app(first)


# Editors and commenters pass straight through ---------------------------------------------------


@pytest.mark.django_db
def test_an_editor_with_a_session_never_gets_a_cached_copy(stack):
    port, env = stack
    session = orm(
        env,
        "from django.test import Client\nfrom django.contrib.auth import get_user_model\n"
        "c = Client(); c.force_login(get_user_model().objects.get(username='editor'))\n"
        "print(c.cookies['sessionid'].value)\n",
    )
    anonymous = get(port, "/interviews/draft/")
    assert anonymous[0] == 404
    get(port, "/interviews/")
    assert get(port, "/interviews/")[1]["X-Front-Cache"] == "hit"

    for _ in range(2):
        as_editor = get(port, "/interviews/draft/", Cookie=f"sessionid={session}; _ga=1")
        assert as_editor[0] == 200  # the editor's preview, not the anonymous 404
        assert "A draft for editors" in as_editor[2]
        assert as_editor[1]["X-Front-Cache"] == "pass"
        listing = get(port, "/interviews/", Cookie=f"sessionid={session}")
        assert listing[1]["X-Front-Cache"] == "pass"
        assert listing[1]["X-Cache"] == "bypass"  # rendered for the editor by the app
        assert "private" in listing[1]["Cache-Control"]
    # ...and nothing of theirs was stored for readers.
    assert get(port, "/interviews/draft/")[0] == 404


@pytest.mark.django_db
@pytest.mark.parametrize("cookie", ["sl_pending=1", "sl_primary=1", "messages=x"])
def test_a_reader_with_a_personal_cookie_passes_through(stack, cookie):
    port, _ = stack
    first = get(port, "/blog/")
    assert get(port, "/blog/")[1]["X-Front-Cache"] == "hit"
    personal = get(port, "/blog/", Cookie=cookie)
    assert personal[1]["X-Front-Cache"] == "pass"
    assert served_by_app(personal) != served_by_app(first)


@pytest.mark.django_db
def test_writes_and_the_admin_pass_through(stack):
    port, _ = stack
    for _ in range(2):
        login = get(port, "/admin/login/")
        assert login[0] == 200
        assert login[1]["X-Front-Cache"] == "pass"
    status, headers, _ = request(port, "/comments/post/1/", method="POST")
    assert headers["X-Front-Cache"] == "pass"
    assert status != 200


@pytest.mark.django_db
def test_only_localhost_may_purge_and_it_needs_tags(stack):
    port, _ = stack
    status, _, body = request(port, "/", method="PURGE")
    assert status == 400
    assert "xkey-purge" in body


# Purged by tag ----------------------------------------------------------------------------------


def _tags(response):
    return set(response[1].get("Surrogate-Key", "").split())


@pytest.mark.django_db
def test_a_purge_by_tag_refreshes_the_pages_with_that_tag_and_keeps_the_others(stack):
    port, _ = stack
    interview, post = get(port, "/interviews/ada/"), get(port, "/blog/why/")
    assert "site" in _tags(interview) and "site" in _tags(post)
    only_interview = sorted(_tags(interview) - _tags(post))
    assert only_interview, (_tags(interview), _tags(post))
    assert get(port, "/interviews/ada/")[1]["X-Front-Cache"] == "hit"
    assert get(port, "/blog/why/")[1]["X-Front-Cache"] == "hit"

    assert purge(port, only_interview[0]).startswith("200 Purged 1")
    assert get(port, "/interviews/ada/")[1]["X-Front-Cache"] == "miss"
    assert get(port, "/blog/why/")[1]["X-Front-Cache"] == "hit"

    # `site` is on every page: purge everything.
    purge(port, "site")
    assert get(port, "/interviews/ada/")[1]["X-Front-Cache"] == "miss"
    assert get(port, "/blog/why/")[1]["X-Front-Cache"] == "miss"


@pytest.mark.django_db
def test_a_soft_purge_serves_the_old_copy_once_while_it_refreshes(stack):
    port, _ = stack
    first = get(port, "/interviews/")
    assert "site" in _tags(first)
    purge(port, "site", header="xkey-softpurge")
    stale = get(port, "/interviews/")
    assert stale[1]["X-Front-Cache"] == "stale"
    assert served_by_app(stale) == served_by_app(first)
    eventually(
        lambda: get(port, "/interviews/"),
        lambda page: (
            page[1]["X-Front-Cache"] == "hit" and served_by_app(page) != served_by_app(first)
        ),
    )


@pytest.mark.django_db
def test_the_app_purges_by_tag_when_content_changes(stack):
    """End to end: an edit in another process reaches Varnish as a purge of its tags; a held
    comment (readers cannot see it) purges nothing."""
    port, env = stack
    for path in ("/interviews/", "/interviews/bo/", "/blog/", "/blog/why/"):
        get(port, path)
    before = {path: get(port, path) for path in ("/interviews/", "/blog/", "/blog/why/")}
    assert all(page[1]["X-Front-Cache"] == "hit" for page in before.values())

    orm(
        env,
        "from interviews.models import Interview\n"
        "i = Interview.objects.get(slug='bo'); i.title = 'Bo on podcasts'; i.save()\n",
    )
    # (The app may answer Varnish's first fetch with its stale copy, for s-maxage=1, while it
    # renders the page again.)
    for path in ("/interviews/", "/interviews/bo/"):
        eventually(lambda path=path: get(port, path), lambda page: "Bo on podcasts" in page[2])
    # The blog does not show interviews: its copies stay.
    for path in ("/blog/", "/blog/why/"):
        assert served_by_app(get(port, path)) == served_by_app(before[path])

    kept = {path: get(port, path) for path in ("/interviews/", "/blog/why/")}
    orm(
        env,
        "from blog.models import Post\n"
        "factories.comment(post=Post.objects.get(slug='why'), status='held')\n",
    )
    time.sleep(1.5)  # longer than CDN_PURGE_DELAY and a purge's round trip
    for path, page in kept.items():
        again = get(port, path)
        assert again[1]["X-Front-Cache"] == "hit"
        assert served_by_app(again) == served_by_app(page)


@pytest.mark.django_db
def test_a_post_with_hundreds_of_comments_is_served_and_refreshed_through_varnish(stack):
    """Its tags would not fit in one header (Varnish refuses a line over 8 KB with a 503): the
    comments are named by one tag, and editing any of them still refreshes the page."""
    port, env = stack
    orm(
        env,
        "post = factories.post(title='A lively thread', slug='lively')\n"
        "for n in range(400):\n"
        "    factories.comment(post=post, body=f'Comment number {n}.')\n",
    )
    first = get(port, "/blog/lively/")
    assert first[0] == 200, first[2][:200]
    assert "Comment number 399." in first[2]
    header = first[1]["Surrogate-Key"]
    assert len(header) <= 4000
    assert "comments.comment:*" in header.split()
    assert "blog.post:" in header  # the post's own tag is still there
    assert get(port, "/blog/lively/")[1]["X-Front-Cache"] == "hit"

    orm(
        env,
        "from comments.models import Comment\n"
        "c = Comment.objects.get(body='Comment number 7.'); c.body = 'Edited comment seven.'\n"
        "c.save()\n",
    )
    eventually(lambda: get(port, "/blog/lively/"), lambda page: "Edited comment seven." in page[2])


# The app server fails ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_cached_pages_outlive_a_failed_app_server_and_others_get_a_plain_503(app_env, tmp_path):
    app_port, front_port = free_port(), free_port()
    # Pages fresh for 1 s in Varnish, then kept (grace) for the app's stale-if-error.
    env = {
        **app_env,
        "PAGE_CACHE_S_MAXAGE": "1",
        "PAGE_CACHE_STALE_WHILE_REVALIDATE": "1",
        "PAGE_CACHE_STALE_IF_ERROR": "300",
    }
    app = start_app_server(app_port, env)
    front = None
    try:
        wait_until_up(app_port, app)
        front = start_front_cache(front_port, app_port, tmp_path / "varnish")
        first = get(front_port, "/interviews/")
        assert first[1]["X-Front-Cache"] == "miss"
        time.sleep(2.5)  # past its s-maxage and stale-while-revalidate: the app is asked again
        refreshed = get(front_port, "/interviews/")
        assert refreshed[1]["X-Front-Cache"] == "miss"
        assert served_by_app(refreshed) != served_by_app(first)
        time.sleep(2.5)

        stop(app)
        for _ in range(3):
            kept = get(front_port, "/interviews/")
            assert kept[0] == 200
            assert kept[1]["X-Front-Cache"] == "stale-if-error"
            assert kept[2] == refreshed[2]
        never_cached = get(front_port, "/blog/")
        assert never_cached[0] == 503
        assert never_cached[1]["Retry-After"]
    finally:
        stop(app)
        if front is not None:
            stop(front)


# The VCL's own rules, against a minimal origin ------------------------------------------------


class Origin:
    """A minimal HTTP origin whose answers the test sets: path -> (status, headers, body); it
    counts the requests it gets."""

    def __init__(self):
        self.pages, self.hits = {}, {}
        self.healthy = True
        origin = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                if self.path == "/healthz":  # Varnish's probe
                    status = 200 if origin.healthy else 503
                    headers, payload = {"Cache-Control": "no-store"}, b"ok"
                else:
                    origin.hits[self.path] = origin.hits.get(self.path, 0) + 1
                    status, headers, body = origin.pages.get(self.path, (404, {}, "missing"))
                    payload = f"{body} #{origin.hits[self.path]}".encode()
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def page(self, path, tags, cache_control="public, max-age=60, s-maxage=60", status=200):
        headers = {"Cache-Control": cache_control, "Surrogate-Key": tags, "Vary": "Cookie"}
        self.pages[path] = (status, headers, f"page {path}")


@pytest.fixture
def origin_and_front(varnish_available, tmp_path):
    origin = Origin()
    port = free_port()
    front = start_front_cache(port, origin.port, tmp_path / "varnish")
    try:
        yield origin, port
    finally:
        stop(front)
        origin.server.shutdown()


def test_vcl_purges_by_tag_and_keeps_other_tags(origin_and_front):
    origin, port = origin_and_front
    origin.page("/a", "site interviews.interview:1 interviews.interview")
    origin.page("/b", "site blog.post:7")
    for path in ("/a", "/b", "/a", "/b"):
        get(port, path)
    assert origin.hits == {"/a": 1, "/b": 1}
    assert purge(port, "interviews.interview:1 other:9").startswith("200 Purged 1")
    assert get(port, "/a")[1]["X-Front-Cache"] == "miss"
    assert get(port, "/b")[1]["X-Front-Cache"] == "hit"
    assert purge(port, "site").startswith("200 Purged 2")
    assert origin.hits == {"/a": 2, "/b": 1}


def test_vcl_serves_stale_while_revalidating_then_refetches(origin_and_front):
    origin, port = origin_and_front
    origin.page("/a", "site", "public, max-age=1, s-maxage=1, stale-while-revalidate=2")
    assert get(port, "/a")[2] == "page /a #1"
    time.sleep(1.3)  # expired, within stale-while-revalidate: the old copy, refreshed behind
    stale = get(port, "/a")
    assert (stale[1]["X-Front-Cache"], stale[2]) == ("stale", "page /a #1")
    eventually(lambda: get(port, "/a")[2], lambda body: body == "page /a #2")
    time.sleep(3.5)  # past stale-while-revalidate with a healthy origin: never the old copy
    late = get(port, "/a")
    assert (late[1]["X-Front-Cache"], late[2]) == ("miss", "page /a #3")


def test_vcl_serves_stale_if_error_when_the_origin_fails(origin_and_front):
    origin, port = origin_and_front
    cache_control = "public, max-age=1, s-maxage=1, stale-while-revalidate=1, stale-if-error=60"
    origin.page("/a", "site", cache_control)
    assert get(port, "/a")[0] == 200
    time.sleep(2.5)
    origin.page("/a", "site", cache_control, status=503)  # the database is down, say
    for _ in range(2):
        kept = get(port, "/a")
        assert (kept[0], kept[1]["X-Front-Cache"], kept[2]) == (200, "stale-if-error", "page /a #1")
    origin.page("/never", "site", cache_control, status=503)
    failed = get(port, "/never")
    assert failed[0] == 503
    assert failed[1]["Retry-After"]
    assert "Guru" not in failed[2]
    # Once the origin answers again, the page is fresh again.
    origin.page("/a", "site", cache_control)
    eventually(
        lambda: get(port, "/a"),
        lambda page: page[1]["X-Front-Cache"] in ("miss", "hit") and page[2] != "page /a #1",
    )


def test_vcl_never_stores_private_pages_or_pages_that_set_cookies(origin_and_front):
    origin, port = origin_and_front
    origin.page("/private", "site", "private")
    origin.pages["/cookie"] = (
        200,
        {"Cache-Control": "public, s-maxage=60", "Set-Cookie": "a=1"},
        "x",
    )
    origin.pages["/plain"] = (200, {}, "no cache-control")
    for path in ("/private", "/cookie", "/plain"):
        get(port, path)
        get(port, path)
    assert origin.hits == {"/private": 2, "/cookie": 2, "/plain": 2}


def test_vcl_still_asks_an_app_server_that_fails_its_health_probe(origin_and_front):
    """A server too busy to answer the probe in time (a spike) is marked sick: copies are then
    served from grace without asking it, but a page with no copy is still fetched from it."""
    origin, port = origin_and_front
    cache_control = "public, max-age=1, s-maxage=1, stale-while-revalidate=1, stale-if-error=60"
    origin.page("/a", "site", cache_control)
    origin.page("/b", "site", cache_control)
    get(port, "/a")
    origin.healthy = False
    # Once the probe has failed enough (3 of 5, every 2 s), the expired copy comes from grace.
    eventually(
        lambda: get(port, "/a"),
        lambda page: page[1]["X-Front-Cache"] == "stale-if-error",
        deadline=20,
    )
    never_cached = get(port, "/b")
    assert (never_cached[0], never_cached[1]["X-Front-Cache"]) == (200, "miss")
    assert never_cached[2] == "page /b #1"
