"""What happens once a change readers can see has been committed and has settled.

``socialleaders.cache`` calls ``content_committed()`` for every committed content change (after
the commit, never for a rolled-back transaction). When there is something to do, a background
thread of this process waits until the changes have been quiet for a moment, then:

1. with read replicas (``DATABASE_REPLICA_URLS``), bumps the content generation once more: a page
   rendered from a replica that had not yet received the change, and cached under the
   generation bumped at commit, is dropped. So it waits at least
   ``DATABASE_REPLICA_LAG_SECONDS`` (2 s) after the last change;
2. with ``CDN_PURGE_URL`` set, sends one purge request to the CDN or HTTP cache in front (a
   Varnish ``PURGE``/``BAN``, Cloudflare's ``purge_cache`` with ``{"purge_everything":true}``,
   Fastly's ``purge_all``...). It waits at least ``CDN_PURGE_DELAY`` (1 s).

A burst of changes (a bulk action of a hundred rows, an import) gives one round: the wait
restarts with each change (but never exceeds ten times the delay, so constant editing cannot put
the purge off for ever; changes made during the last delay then get a round of their own). The
purge has a short timeout (``CDN_PURGE_TIMEOUT``, 5 s); a failure is logged (logger
``socialleaders.cdn``) and changes nothing else: the save that caused it has long succeeded, and
the CDN's copies expire by themselves after ``PAGE_CACHE_S_MAXAGE`` (60 s).

Nothing here runs unless one of the two is configured.
"""

import logging
import threading
import time
import urllib.error
import urllib.request

from django.conf import settings

from socialleaders import replica

logger = logging.getLogger(__name__)

USER_AGENT = "socialleaders-cdn-purge"


def purge():
    """Send the purge request now. Returns True if the CDN accepted it; never raises."""
    url = settings.CDN_PURGE_URL
    method = settings.CDN_PURGE_METHOD
    body = settings.CDN_PURGE_BODY.encode() or None
    headers = {"User-Agent": USER_AGENT, **settings.CDN_PURGE_HEADERS}
    if body is not None and not any(name.lower() == "content-type" for name in headers):
        headers["Content-Type"] = "application/json"
    started = time.perf_counter()
    try:
        request = urllib.request.Request(url, data=body, method=method, headers=headers)
        with urllib.request.urlopen(request, timeout=settings.CDN_PURGE_TIMEOUT) as response:
            status = response.status
            response.read(65536)
    except urllib.error.HTTPError as error:
        # Headers are never logged: they carry the API token.
        detail = error.read(500).decode("utf-8", "replace")
        logger.warning("CDN purge refused: %s %s answered %s %s", method, url, error.code, detail)
        return False
    except Exception as error:  # unreachable, timed out, bad URL: pages expire by themselves
        logger.warning("CDN purge failed: %s %s: %s", method, url, error)
        return False
    logger.info(
        "CDN purged: %s %s answered %s in %.0f ms",
        method,
        url,
        status,
        (time.perf_counter() - started) * 1000,
    )
    return True


def _settled():
    if replica.replica_aliases():
        from socialleaders.cache import _safe_bump

        _safe_bump()  # before the purge: what the CDN fetches next is rendered afresh
    if settings.CDN_PURGE_URL:
        purge()


class _Debouncer:
    """Runs an action once, ``delay`` seconds after the last of a burst of ``note()`` calls, in
    one background thread per process (at most ``10 × delay`` after the first call)."""

    def __init__(self, clock=time.monotonic, sleep=time.sleep):
        self._clock, self._sleep = clock, sleep  # tests pass a clock they move themselves
        self._lock = threading.Lock()
        self._thread = None
        self._first = self._last = None

    def note(self, delay, action):
        now = self._clock()
        with self._lock:
            self._last = now
            if self._first is None:
                self._first = now
            if self._thread is None:
                # Not a daemon: a management command's purge is still sent when it exits.
                self._thread = threading.Thread(
                    target=self._run, args=(delay, action), name="sl-after-commit"
                )
                self._thread.start()

    def _run(self, delay, action):
        while True:
            with self._lock:
                if self._first is None:  # nothing new arrived during the last action
                    self._thread = None
                    return
                now = self._clock()
                due = min(self._last + delay, self._first + 10 * delay)
                if now >= due:
                    if self._last + delay <= now:  # every change noted so far has settled
                        self._first = self._last = None
                    else:  # waited as long as allowed: the latest changes get another round
                        self._first = now
            if now < due:
                self._sleep(due - now)
                continue
            try:
                action()
            except Exception:
                logger.exception("after-commit work failed")

    def wait(self, timeout=None):
        """Wait until nothing is pending (tests; a command that wants to be sure)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            with self._lock:
                thread = self._thread
            if thread is None:
                return True
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                return False
            thread.join(remaining)


_debouncer = _Debouncer()


def content_committed():
    """A change readers can see has been committed (called by ``socialleaders.cache``)."""
    try:
        delays = []
        if getattr(settings, "CDN_PURGE_URL", ""):
            delays.append(settings.CDN_PURGE_DELAY)
        if replica.replica_aliases():
            delays.append(settings.DATABASE_REPLICA_LAG_SECONDS)
        if delays:
            _debouncer.note(max(delays), _settled)
    except Exception:  # saving content must never fail because of this
        logger.exception("could not schedule the CDN purge")


def wait(timeout=None):
    """Wait for pending after-commit work (the purge) to finish. True if nothing is pending."""
    return _debouncer.wait(timeout)
