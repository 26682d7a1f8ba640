"""Read replicas (DATABASE_REPLICA_URLS): anonymous readers' pages are read from a replica; anyone
who may expect to see their own writes (editors, the admin, a visitor who just sent a comment,
a request that wrote) reads from the primary, and every write goes to the primary.

The end-to-end test runs gunicorn against two real PostgreSQL databases: a primary and a
"replica" holding different content (streaming replication cannot be set up here; distinct rows
show which database each page was read from)."""

import contextlib
import http.cookiejar
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.http import HttpResponse
from django.test import RequestFactory

from comments.forms import make_timestamp
from interviews.models import Interview, Leader
from socialleaders.replica import ReplicaReadMiddleware
from socialleaders.routers import ReplicaRouter
from tests.processes import (
    environment,
    postgres_admin,
    settings_values,
    start_app_server,
    stop,
    throwaway_databases,
    wait_until_up,
)

ROOT = Path(__file__).resolve().parents[2]
PORTS = range(8005, 8008)


# Settings ------------------------------------------------------------------------------------


def _settings_in_a_new_process(**env):
    env = environment(
        drop=("DATABASE_",),
        DATABASE_URL="postgres://app:pw@primary.internal:5432/socialleaders",
        **env,
    )
    found = settings_values(env, "DATABASES", "DATABASE_ROUTERS", "DATABASE_REPLICAS", "MIDDLEWARE")
    return {
        "databases": found["DATABASES"],
        "routers": found["DATABASE_ROUTERS"],
        "replicas": found["DATABASE_REPLICAS"],
        "middleware": found["MIDDLEWARE"],
    }


def test_without_replicas_nothing_changes():
    found = _settings_in_a_new_process()
    assert list(found["databases"]) == ["default"]
    assert found["routers"] == []
    assert "socialleaders.replica.ReplicaReadMiddleware" not in found["middleware"]


def test_replica_urls_become_aliases_with_the_router_and_middleware():
    found = _settings_in_a_new_process(
        DATABASE_REPLICA_URLS=(
            "postgres://app:pw@replica-a.internal:5432/socialleaders, "
            "postgres://app:pw@replica-b.internal:6432/socialleaders"
        ),
        CONN_MAX_AGE="30",
    )
    databases = found["databases"]
    assert list(databases) == ["default", "replica_1", "replica_2"]
    assert found["replicas"] == ["replica_1", "replica_2"]
    for alias, host, port in [("replica_1", "replica-a", 5432), ("replica_2", "replica-b", 6432)]:
        replica = databases[alias]
        assert replica["ENGINE"] == "django.db.backends.postgresql"
        assert (replica["HOST"], replica["PORT"]) == (f"{host}.internal", port)
        # Same persistent connections and health checks as the primary.
        assert replica["CONN_MAX_AGE"] == databases["default"]["CONN_MAX_AGE"] == 30
        assert replica["CONN_HEALTH_CHECKS"] is True
        # The test suite uses the test database for them.
        assert replica["TEST"]["MIRROR"] == "default"
    assert found["routers"] == ["socialleaders.routers.ReplicaRouter"]
    middleware = found["middleware"]
    at = middleware.index("socialleaders.replica.ReplicaReadMiddleware")
    assert middleware[at - 1] == "socialleaders.middleware.PageCacheMiddleware"
    assert middleware.index("django.contrib.sessions.middleware.SessionMiddleware") > at


# Decisions, in this process (no replica connection is needed to decide) --------------------


@pytest.fixture
def replicas(settings):
    settings.DATABASE_REPLICAS = ["replica_1", "replica_2"]
    return settings.DATABASE_REPLICAS


def _serve(request, view=None):
    """Runs ``request`` through the middleware; returns the response and the alias each read in
    the view was routed to."""
    router = ReplicaRouter()
    reads = []

    def get_response(request):
        reads.append(router.db_for_read(Interview))
        if view is not None:
            view(reads)
        return HttpResponse("ok")

    response = ReplicaReadMiddleware(get_response)(request)
    return response, reads


def test_an_anonymous_get_reads_from_one_replica_all_along(replicas):
    seen = set()
    for _ in range(40):
        _, reads = _serve(
            RequestFactory().get("/interviews/"),
            view=lambda reads: reads.extend(ReplicaRouter().db_for_read(Interview) for _ in "ab"),
        )
        assert len(set(reads)) == 1  # one consistent replica per request
        seen.update(reads)
    assert seen == {"replica_1", "replica_2"}  # chosen at random among them


@pytest.mark.parametrize(
    "make_request",
    [
        lambda rf: rf.post("/comments/interview/1/"),
        lambda rf: rf.head("/interviews/", HTTP_AUTHORIZATION="Bearer x"),
        lambda rf: rf.get("/admin/"),
        lambda rf: rf.get("/admin/login/"),
    ],
    ids=["post", "authorization", "admin", "admin-login"],
)
def test_requests_that_may_see_their_own_writes_read_from_the_primary(replicas, make_request):
    _, reads = _serve(make_request(RequestFactory()))
    assert reads == [DEFAULT_DB_ALIAS]


def test_an_editor_with_a_session_reads_from_the_primary(replicas, settings):
    request = RequestFactory().get("/interviews/")
    request.COOKIES[settings.SESSION_COOKIE_NAME] = "whatever"
    assert _serve(request)[1] == [DEFAULT_DB_ALIAS]


def test_a_visitor_who_just_posted_reads_from_the_primary_for_a_while(replicas, settings):
    settings.DATABASE_PIN_SECONDS = 10
    response, _ = _serve(RequestFactory().post("/comments/interview/1/"))
    pin = response.cookies[settings.DATABASE_PIN_COOKIE]
    assert pin["max-age"] == 10
    assert pin["httponly"]

    following = RequestFactory().get("/interviews/")
    following.COOKIES[settings.DATABASE_PIN_COOKIE] = pin.value
    response, reads = _serve(following)
    assert reads == [DEFAULT_DB_ALIAS]
    assert settings.DATABASE_PIN_COOKIE not in response.cookies  # a GET does not extend it


def test_reads_outside_requests_use_the_primary(replicas):
    """Management commands, the shell, migrations, background threads."""
    assert ReplicaRouter().db_for_read(Interview) == DEFAULT_DB_ALIAS


def test_writes_always_go_to_the_primary(replicas):
    def view(reads):
        reads.append(ReplicaRouter().db_for_write(Interview))

    assert _serve(RequestFactory().get("/interviews/"), view)[1][1] == DEFAULT_DB_ALIAS


@pytest.mark.django_db(transaction=True)
def test_a_request_that_writes_reads_its_writes_from_the_primary(replicas):
    from comments.models import ModerationSettings

    def view(reads):
        router = ReplicaRouter()
        # get_or_create finding its row reads the primary but does not pin...
        ModerationSettings.objects.get_or_create(pk=1)
        reads.append(router.db_for_read(Interview))
        # ...a transaction on the primary reads the primary...
        with transaction.atomic():
            reads.append(router.db_for_read(Interview))
        reads.append(router.db_for_read(Interview))
        # ...and once the request has written, so does all the rest of it.
        ModerationSettings.objects.filter(pk=1).update(comments_enabled=True)
        reads.append(router.db_for_read(Interview))

    ModerationSettings.objects.get_or_create(pk=1)
    _, reads = _serve(RequestFactory().get("/interviews/"), view)
    replica = reads[0]
    assert replica in {"replica_1", "replica_2"}
    assert reads == [replica, replica, DEFAULT_DB_ALIAS, replica, DEFAULT_DB_ALIAS]


def test_relations_across_primary_and_replicas_are_allowed_and_only_the_primary_is_migrated(
    replicas,
):
    router = ReplicaRouter()
    on_primary, on_replica, elsewhere = Interview(), Interview(), Interview()
    on_primary._state.db, on_replica._state.db, elsewhere._state.db = (
        "default",
        "replica_2",
        "archive",
    )
    assert router.allow_relation(on_primary, on_replica) is True
    assert router.allow_relation(on_replica, elsewhere) is None
    assert router.allow_migrate("default", "interviews") is True
    assert router.allow_migrate("replica_1", "interviews") is False


# End to end: gunicorn on a primary and a "replica" ----------------------------------------


SEED = """
import django; django.setup()
from datetime import timedelta
from django.utils import timezone
from comments.models import ModerationSettings
from interviews.models import Interview, Leader
from socialleaders.publishing import Status
ModerationSettings.load()
leader = Leader.objects.create(name="Ada Example", slug="ada")
Interview.objects.create(leader=leader, title={title!r}, slug="ada-on-video",
    standfirst="A leader on social media.", status=Status.PUBLISHED,
    publish_at=timezone.now() - timedelta(days=1))
if {editor!r}:
    from django.contrib.auth.models import User
    User.objects.create_superuser("editor", "editor@example.org", "correct horse battery")
"""
PRIMARY_TITLE = "Ada on video, told by the primary"
REPLICA_TITLE = "Ada on video, told by the replica"


@pytest.fixture
def primary_and_replica(tmp_path):
    """Two throwaway PostgreSQL databases, migrated, with different content: the primary has
    the editor account and PRIMARY_TITLE, the "replica" REPLICA_TITLE and no editor."""
    if connection.vendor != "postgresql":
        pytest.skip("the replica test needs PostgreSQL (set DATABASE_URL=postgres://...)")
    import psycopg

    databases = contextlib.ExitStack()
    urls = databases.enter_context(throwaway_databases("scale_primary", "scale_replica"))
    urls = {"primary": urls["scale_primary"], "replica": urls["scale_replica"]}
    base = {
        **{
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("PYTEST", "DATABASE_", "CDN_", "REDIS_"))
        },
        "DJANGO_SETTINGS_MODULE": "socialleaders.settings",
        "ENV_FILE": "",
        "DEBUG": "0",
        # The test signs the comment form's timestamp, as the page would.
        "SECRET_KEY": django_settings.SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "PAGE_CACHE": "0",
        "STATIC_ROOT": str(tmp_path / "static"),
        "LOG_LEVEL": "WARNING",
    }
    try:
        for role, url in urls.items():
            env = {**base, "DATABASE_URL": url}
            manage = [sys.executable, "manage.py"]
            subprocess.run(
                [*manage, "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
            )
            title = PRIMARY_TITLE if role == "primary" else REPLICA_TITLE
            seed = SEED.format(title=title, editor=role == "primary")
            subprocess.run([sys.executable, "-c", seed], cwd=ROOT, env=env, check=True)
        env = {
            **base,
            "DATABASE_URL": urls["primary"],
            "DATABASE_REPLICA_URLS": urls["replica"],
            "DATABASE_PIN_SECONDS": "3",
        }
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        yield env, {role: psycopg.connect(url, autocommit=True) for role, url in urls.items()}
    finally:
        databases.close()
        shutil.rmtree(tmp_path / "static", ignore_errors=True)


@pytest.fixture
def server(primary_and_replica):
    env, databases = primary_and_replica
    for port in PORTS:
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn does
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:  # taken: try the next one
                continue
        process = start_app_server(port, env)
        try:
            wait_until_up(port, process)
        except RuntimeError:  # the port was taken: try the next one
            stop(process)
            continue
        break
    else:
        pytest.fail(f"no free port in {PORTS.start}-{PORTS.stop - 1}")
    try:
        yield f"http://127.0.0.1:{port}", databases
    finally:
        stop(process)
        for db in databases.values():
            db.close()


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """Cookies kept between requests, redirects not followed: what a browser sends."""

    def __init__(self, base):
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirects
        )

    def request(self, path, data=None):
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, data=body, timeout=20) as response:
                return response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read().decode()

    def csrf_token(self, html):
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)

    def cookie(self, name):
        return next((c.value for c in self.cookies if c.name == name), None)


def _told_by(html):
    primary, replica = PRIMARY_TITLE in html, REPLICA_TITLE in html
    assert primary != replica, "the page shows neither title, or both"
    return "primary" if primary else "replica"


def _count(db, sql, *params):
    return db.execute(sql, params).fetchone()[0]


def test_anonymous_pages_come_from_the_replica_and_writes_and_writers_use_the_primary(
    server, time_machine
):
    base, databases = server
    page = "/interviews/ada-on-video/"

    # An anonymous reader: the pages are read from the replica.
    reader = Browser(base)
    status, _, html = reader.request(page)
    assert status == 200 and _told_by(html) == "replica"
    assert _told_by(reader.request("/interviews/")[2]) == "replica"
    assert _told_by(reader.request("/")[2]) == "replica"

    # They send a comment: it is written to the primary, and the answer pins them to it.
    interview_pk = _count(databases["primary"], "SELECT id FROM interviews_interview")
    target = Interview(pk=interview_pk)
    form = {  # no token: the page is the same for every reader (socialleaders/csrf.py)
        "name": "Grace Reader",
        "email": "grace@example.org",
        "website": "",
        "body": "Written to the primary, read back from it.",
        "timestamp": make_timestamp(target, now=time.time() - 60),
        "hp_subject": "",
        "parent": "",
    }
    status, headers, _ = reader.request(f"/comments/interview/{interview_pk}/", form)
    assert status == 303
    pin = next(c for c in headers.get_all("Set-Cookie") if c.startswith("sl_primary="))
    assert "Max-Age=3" in pin
    comment_sql = "SELECT count(*) FROM blog_comment WHERE body LIKE 'Written to the primary%%'"
    assert _count(databases["primary"], comment_sql) == 1
    assert _count(databases["replica"], comment_sql) == 0

    # Their next pages come from the primary, with their comment awaiting moderation on them.
    # (Writers of comments have a session, which keeps them on the primary.)
    assert reader.cookie("sl_primary") == "1" and reader.cookie("sessionid")
    status, _, html = reader.request(page)
    assert status == 200 and _told_by(html) == "primary"
    assert "Written to the primary, read back from it." in html

    # A visitor whose comment is refused: the POST itself reads the primary (the page is shown
    # again), and so do their pages for DATABASE_PIN_SECONDS (3 s here)...
    visitor = Browser(base)
    _, _, html = visitor.request(page)
    status, _, html = visitor.request(
        f"/comments/interview/{interview_pk}/",
        {**form, "body": "", "email": "nope"},
    )
    assert status == 400 and _told_by(html) == "primary"
    assert visitor.cookie("sl_primary") == "1" and visitor.cookie("sessionid") is None
    assert _told_by(visitor.request(page)[2]) == "primary"
    # ...while everyone else is still served from the replica...
    assert _told_by(Browser(base).request(page)[2]) == "replica"
    # ...and once the pin has expired (the browser drops the cookie), they are back on the replica.
    time_machine.move_to(time.time() + 3.5)
    assert _told_by(visitor.request(page)[2]) == "replica"

    # An editor logs in: the account exists only on the primary, so this works only if the
    # login reads the primary; the session is written there too.
    editor = Browser(base)
    _, _, html = editor.request("/admin/login/")
    status, headers, _ = editor.request(
        "/admin/login/?next=/admin/",
        {
            "csrfmiddlewaretoken": editor.csrf_token(html),
            "username": "editor",
            "password": "correct horse battery",
            "next": "/admin/",
        },
    )
    assert status == 302 and headers["Location"] == "/admin/"
    session_sql = "SELECT count(*) FROM django_session WHERE session_key = %s"
    assert _count(databases["primary"], session_sql, editor.cookie("sessionid")) == 1
    assert _count(databases["replica"], "SELECT count(*) FROM django_session") == 0

    # In the admin, and on the site while logged in, the editor reads the primary.
    status, _, html = editor.request(f"/admin/interviews/interview/{interview_pk}/change/")
    assert status == 200 and _told_by(html) == "primary"
    status, _, html = editor.request("/admin/interviews/interview/")
    assert status == 200 and _told_by(html) == "primary"
    assert _told_by(editor.request(page)[2]) == "primary"

    # Anonymous readers still read the replica.
    assert _told_by(Browser(base).request("/interviews/")[2]) == "replica"


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_the_test_database_serves_as_the_replica_in_tests(settings):
    """With DATABASE_REPLICA_URLS set while running the tests, each replica alias is a mirror of
    the test database (TEST["MIRROR"]), so the suite runs unchanged."""
    if not settings.DATABASE_REPLICAS:
        pytest.skip("run with DATABASE_REPLICA_URLS set to check the test mirrors")
    interview = Interview.objects.create(
        leader=Leader.objects.create(name="Ada Mirror", slug="ada-mirror"), title="Mirrored"
    )
    for alias in settings.DATABASE_REPLICAS:
        assert connections[alias].settings_dict["NAME"] == connection.settings_dict["NAME"]
        assert Interview.objects.using(alias).get(pk=interview.pk).title == "Mirrored"


def test_health_check_covers_each_replica_and_fails_when_one_is_gone(server, primary_and_replica):
    """A load balancer must take an app server out when a replica its readers read from is
    down: /healthz checks the primary and every replica, and names the one that failed."""
    base, _ = server
    env, _ = primary_and_replica
    status, body = _health(base)
    assert status == 200
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["database:replica_1"]["ok"] is True

    replica = env["DATABASE_REPLICA_URLS"].rsplit("/", 1)[1]
    with postgres_admin() as admin:
        admin.execute(f'DROP DATABASE "{replica}" WITH (FORCE)')
    status, body = _health(base)
    assert status == 503
    assert body["status"] == "unavailable"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["database:replica_1"]["ok"] is False


def _health(base):
    try:
        with urllib.request.urlopen(base + "/healthz", timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())
