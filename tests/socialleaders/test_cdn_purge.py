"""Purging the CDN (or Varnish, or any HTTP cache in front) when content changes: one request to
CDN_PURGE_URL after the change is committed, one for a whole burst of changes, none for a
rolled-back change, and a CDN that is down or slow never gets in the way of saving.

The CDN here is a real HTTP server, started by the test in a thread, that records what it gets.
The purge's waits run on a clock the tests move themselves (``after_commit_clock``).
"""

import json
import logging
import socket
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from interviews.models import Interview
from socialleaders import cache as content_cache
from socialleaders import cdn
from socialleaders.cachetags import object_tag
from socialleaders.publishing import Status
from tests import factories
from tests.admin_support import save_in_admin
from tests.processes import environment, load_settings

ROOT = Path(__file__).resolve().parents[2]
# The ports this test file may use (a purge target, a server that never answers, a closed port).
PORTS = range(8005, 8008)
DELAY = 0.3


class ManualClock:
    """A monotonic clock that moves only when the test calls ``advance()``. A thread's
    ``sleep(s)`` returns once the clock reads ``s`` past that thread's last reading of it."""

    def __init__(self, start=1000.0):
        self._now = start
        self._moved = threading.Condition()
        self._read = threading.local()

    def __call__(self):
        with self._moved:
            self._read.at = self._now
            return self._now

    def sleep(self, seconds):
        with self._moved:
            until = getattr(self._read, "at", self._now) + seconds
            self._moved.wait_for(lambda: self._now >= until, timeout=60)

    def advance(self, seconds):
        with self._moved:
            self._now += seconds
            self._moved.notify_all()


@pytest.fixture
def after_commit_clock(monkeypatch):
    """The after-commit work (socialleaders.cdn) waits on a ManualClock for this test."""
    clock = ManualClock()
    monkeypatch.setattr(cdn, "after_commit", cdn._Debouncer(clock=clock, sleep=clock.sleep))
    yield clock
    run_pending(clock)  # no thread is left waiting on this clock


def run_pending(clock):
    """Let every wait started so far run out, and the work after it finish."""
    clock.advance(3600)
    assert cdn.wait(30), "after-commit work was still pending"


class Recorder(BaseHTTPRequestHandler):
    """A stand-in CDN purge endpoint: records every request, whatever the method."""

    def _record(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        server = self.server
        seen = {
            "method": self.command,
            "path": self.path,
            "headers": {name.lower(): value for name, value in self.headers.items()},
            "body": body,
            "at": server.clock(),
        }
        if server.on_request is not None:
            seen.update(server.on_request())
        with server.lock:
            server.seen.append(seen)
        payload = b'{"success": true}' if server.status < 400 else b'{"success": false}'
        self.send_response(server.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def __getattr__(self, name):
        if name.startswith("do_"):  # PURGE, BAN, POST, ...
            return self._record
        raise AttributeError(name)

    def log_message(self, *args):
        pass


def _in_my_ports(make):
    for port in PORTS:
        try:
            return make(port), port
        except OSError:
            continue
    pytest.fail(f"no free port in {PORTS.start}-{PORTS.stop - 1}")


@pytest.fixture
def cdn_server(settings, after_commit_clock):
    """A purge endpoint on a real port, and the site configured to purge it."""
    server, port = _in_my_ports(lambda port: ThreadingHTTPServer(("127.0.0.1", port), Recorder))
    server.seen, server.lock, server.status, server.on_request = [], threading.Lock(), 200, None
    server.clock = after_commit_clock
    # A short poll interval: shutdown() waits for it.
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    settings.CDN_PURGE_URL = f"http://127.0.0.1:{port}/purge"
    settings.CDN_PURGE_METHOD = "PURGE"
    settings.CDN_PURGE_BODY = ""
    settings.CDN_PURGE_HEADERS = {"Authorization": "Bearer test-token", "X-Purge-Tags": "{tags}"}
    settings.CDN_PURGE_TIMEOUT = 2
    settings.CDN_PURGE_DELAY = DELAY
    try:
        yield server
    finally:
        run_pending(after_commit_clock)
        server.shutdown()
        server.server_close()


def purges(server):
    with server.lock:
        return list(server.seen)


def settle(server):
    """Send the purges already caused (by setting up the test's data), then forget them."""
    run_pending(server.clock)
    with server.lock:
        server.seen.clear()


def wait_and_count(server):
    run_pending(server.clock)
    run_pending(server.clock)  # and nothing else turns up later
    return len(purges(server))


@pytest.mark.django_db(transaction=True)
def test_publishing_an_interview_in_the_admin_sends_one_purge(cdn_server, editor_client):
    interview = factories.interview(published=False, title="Ada on LinkedIn")
    factories.answer(interview=interview, body="An answer.")
    settle(cdn_server)

    save_in_admin(editor_client, interview, status=Status.PUBLISHED)

    # Many rows were written (the interview, its answers, its revision): one purge.
    assert wait_and_count(cdn_server) == 1
    purge = purges(cdn_server)[0]
    assert purge["method"] == "PURGE"
    assert purge["path"] == "/purge"
    assert purge["headers"]["authorization"] == "Bearer test-token"
    assert purge["headers"]["user-agent"] == cdn.USER_AGENT
    interview.refresh_from_db()
    assert interview.status == Status.PUBLISHED


@pytest.mark.django_db(transaction=True)
def test_the_purge_is_sent_only_after_the_commit(cdn_server):
    interview = factories.interview(published=False)
    settle(cdn_server)

    with transaction.atomic():
        interview.status = Status.PUBLISHED
        interview.save()
        interview.title = "Ada on LinkedIn, revised"
        interview.save()
        cdn_server.clock.advance(DELAY * 3)
        assert cdn.wait(30)  # nothing was pending
        # Not yet: readers (and the CDN, when it fetches again) cannot see the change.
        assert purges(cdn_server) == []
    assert wait_and_count(cdn_server) == 1


@pytest.mark.django_db(transaction=True)
def test_the_purge_waits_until_no_process_serves_its_own_copy(cdn_server, settings):
    """App processes trust the tag versions they read for PAGE_CACHE_LOCAL_SECONDS: a CDN told
    to refetch sooner could get the old copy from one of them and keep it for s-maxage."""
    settings.PAGE_CACHE_LOCAL_SECONDS = 1
    interview = factories.interview(published=False)
    settle(cdn_server)
    interview.status = Status.PUBLISHED
    interview.save()
    cdn_server.clock.advance(1.0)  # CDN_PURGE_DELAY (0.3 s) long past, the local trust not
    assert cdn.wait(0.5) is False and purges(cdn_server) == []
    cdn_server.clock.advance(0.3)
    assert cdn.wait(30) and len(purges(cdn_server)) == 1


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_sends_no_purge(cdn_server):
    interview = factories.interview(published=False)
    settle(cdn_server)

    with pytest.raises(RuntimeError), transaction.atomic():
        interview.status = Status.PUBLISHED
        interview.save()
        raise RuntimeError("the editor's save fails half-way")

    assert wait_and_count(cdn_server) == 0
    assert Interview.objects.get(pk=interview.pk).status == Status.DRAFT


@pytest.mark.django_db(transaction=True)
def test_a_bulk_publish_of_a_hundred_interviews_sends_one_purge(
    cdn_server, editor_client, settings
):
    leader = factories.leader()
    drafts = [factories.interview(published=False, leader=leader) for _ in range(100)]
    settle(cdn_server)

    response = editor_client.post(
        reverse("admin:interviews_interview_changelist"),
        {"action": "publish", "_selected_action": [item.pk for item in drafts]},
    )

    assert response.status_code == 302
    assert Interview.objects.filter(status=Status.PUBLISHED).count() == 100
    assert wait_and_count(cdn_server) == 1


@pytest.mark.django_db(transaction=True)
def test_a_hundred_separate_saves_in_a_row_send_one_purge(cdn_server, settings):
    """An import or a script saving rows one by one, each committed on its own."""
    settings.CDN_PURGE_DELAY = 2
    leader = factories.leader()
    settle(cdn_server)

    # A save every eighth of a second: 12.5 s in all, each within the delay of the one before.
    for number in range(100):
        factories.interview(leader=leader, title=f"Imported {number}")
        cdn_server.clock.advance(0.125)

    assert Interview.objects.count() == 100
    assert purges(cdn_server) == []
    cdn_server.clock.advance(2)
    assert cdn.wait(30)
    assert len(purges(cdn_server)) == 1


@pytest.mark.django_db(transaction=True)
def test_a_cloudflare_style_purge_posts_its_json_body(cdn_server, settings):
    settings.CDN_PURGE_METHOD = "POST"
    settings.CDN_PURGE_BODY = '{"purge_everything":true}'
    factories.interview()

    assert wait_and_count(cdn_server) == 1
    purge = purges(cdn_server)[0]
    assert purge["method"] == "POST"
    assert json.loads(purge["body"]) == {"purge_everything": True}
    assert purge["headers"]["content-type"] == "application/json"


@pytest.mark.django_db(transaction=True)
def test_a_refused_purge_is_logged(cdn_server, caplog):
    cdn_server.status = 403
    caplog.set_level(logging.INFO, logger="socialleaders.cdn")

    interview = factories.interview(title="Still saved")

    assert wait_and_count(cdn_server) == 1
    assert Interview.objects.get(pk=interview.pk).title == "Still saved"
    refused = [r for r in caplog.records if r.name == "socialleaders.cdn"]
    assert [r.levelname for r in refused] == ["WARNING"]
    assert "CDN purge refused" in refused[0].getMessage()
    assert "403" in refused[0].getMessage()
    assert "test-token" not in refused[0].getMessage()


@pytest.mark.django_db(transaction=True)
def test_an_unreachable_cdn_is_logged_and_saving_still_works(settings, caplog, after_commit_clock):
    # A port that is bound but not listening: connections are refused.
    closed, port = _in_my_ports(lambda port: _bound_socket(port, listen=False))
    settings.CDN_PURGE_URL = f"http://127.0.0.1:{port}/purge"
    settings.CDN_PURGE_DELAY = DELAY
    settings.CDN_PURGE_TIMEOUT = 2
    caplog.set_level(logging.INFO, logger="socialleaders.cdn")
    try:
        with transaction.atomic():
            interview = factories.interview(title="Saved regardless")
        run_pending(after_commit_clock)
    finally:
        closed.close()

    assert Interview.objects.get(pk=interview.pk).title == "Saved regardless"
    failed = [r for r in caplog.records if r.name == "socialleaders.cdn"]
    assert len(failed) == 1
    assert failed[0].levelname == "WARNING"
    assert "CDN purge failed" in failed[0].getMessage()


@pytest.mark.django_db(transaction=True)
def test_a_cdn_that_never_answers_times_out_without_slowing_the_save(settings, caplog):
    # Listening, so the connection is made, but nobody ever answers.
    silent, port = _in_my_ports(lambda port: _bound_socket(port, listen=True))
    settings.CDN_PURGE_URL = f"http://127.0.0.1:{port}/purge"
    settings.CDN_PURGE_DELAY = 0
    settings.CDN_PURGE_TIMEOUT = 1
    caplog.set_level(logging.INFO, logger="socialleaders.cdn")
    try:
        started = time.monotonic()
        with transaction.atomic():
            interview = factories.interview(title="Saved on time")
        saved_in = time.monotonic() - started
        assert cdn.wait(30)
        purge_done_in = time.monotonic() - started
    finally:
        silent.close()

    assert saved_in < 1  # the purge runs in the background
    assert purge_done_in >= 1  # and gave up after CDN_PURGE_TIMEOUT
    assert Interview.objects.get(pk=interview.pk).title == "Saved on time"
    failed = [r for r in caplog.records if r.name == "socialleaders.cdn"]
    assert len(failed) == 1
    assert "CDN purge failed" in failed[0].getMessage()
    assert "timed out" in failed[0].getMessage()


def _bound_socket(port, listen):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(("127.0.0.1", port))
        if listen:
            sock.listen(8)
    except OSError:
        sock.close()
        raise
    return sock


@pytest.mark.django_db
def test_a_scheduled_interview_coming_due_sends_a_purge(
    cdn_server, client, page_cache, time_machine
):
    time_machine.move_to(timezone.now(), tick=False)
    factories.interview(
        title="Ada, scheduled",
        slug="ada-scheduled",
        publish_at=timezone.now() + timedelta(seconds=1.5),
    )
    assert client.get("/interviews/ada-scheduled/").status_code == 404  # notes the schedule
    settle(cdn_server)
    time_machine.shift(1.6)

    assert client.get("/interviews/ada-scheduled/").status_code == 200
    assert wait_and_count(cdn_server) == 1


@pytest.mark.django_db(transaction=True)
def test_with_read_replicas_the_purge_waits_for_them_and_follows_a_second_bump(
    cdn_server, settings, page_cache
):
    """A page rendered from a replica that had not caught up yet is dropped before the CDN is
    told to fetch pages again: the changed interview's tag moves on once more."""
    settings.DATABASE_REPLICAS = ["replica_1"]
    settings.DATABASE_REPLICA_LAG_SECONDS = 1.0
    settings.PAGE_CACHE_LOCAL_SECONDS = 0  # the replicas' wait alone (the local one: above)
    interview = factories.interview(published=False)
    tag = object_tag(interview)

    def version():
        return content_cache.tag_versions([tag], shared=True)[tag]

    cdn_server.on_request = lambda: {"version": version()}
    settle(cdn_server)

    with transaction.atomic():
        interview.status = Status.PUBLISHED
        interview.save()
    committed_at = cdn_server.clock()
    at_commit = version()

    cdn_server.clock.advance(0.75)
    assert not cdn.wait(0.1)  # still waiting for the replicas to catch up
    assert purges(cdn_server) == []
    cdn_server.clock.advance(0.25)
    assert cdn.wait(30)  # sent at exactly 1.0 s on this clock
    assert wait_and_count(cdn_server) == 1
    purge = purges(cdn_server)[0]
    assert purge["at"] - committed_at >= 1.0
    assert purge["version"] > at_commit  # moved on again before the purge was sent
    assert version() == purge["version"]
    assert tag in purge["headers"]["x-purge-tags"].split()


def _settings_in_a_new_process(**env):
    return load_settings(
        environment(drop=("CDN_",), **env),
        "CDN_PURGE_URL",
        "CDN_PURGE_METHOD",
        "CDN_PURGE_HEADERS",
        "CDN_PURGE_TIMEOUT",
        "CDN_PURGE_DELAY",
    )


def test_purging_is_configured_from_the_environment():
    off = _settings_in_a_new_process()
    assert json.loads(off.stdout) == ["", "PURGE", {}, 5.0, 1.0]

    varnish = _settings_in_a_new_process(
        CDN_PURGE_URL="http://varnish:6081/", CDN_PURGE_METHOD="ban"
    )
    assert json.loads(varnish.stdout)[:2] == ["http://varnish:6081/", "BAN"]

    cloudflare = _settings_in_a_new_process(
        CDN_PURGE_URL="https://api.cloudflare.com/client/v4/zones/abc/purge_cache",
        CDN_PURGE_BODY='{"purge_everything":true}',
        CDN_PURGE_HEADERS='{"Authorization": "Bearer t0ken"}',
    )
    assert json.loads(cloudflare.stdout)[1:3] == ["POST", {"Authorization": "Bearer t0ken"}]

    broken = _settings_in_a_new_process(CDN_PURGE_HEADERS="Authorization: Bearer t0ken")
    assert broken.returncode != 0
    assert "CDN_PURGE_HEADERS is not valid JSON" in broken.stderr
