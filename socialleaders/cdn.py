"""The purge request to the CDN or HTTP cache in front (``CDN_PURGE_URL``), and the debouncer
that sends one per burst of committed changes (``socialleaders.cache`` schedules it). How it is
configured, what it waits for and why: docs/architecture.md."""

import json
import logging
import threading
import time
import urllib.error
import urllib.request

from django.conf import settings

logger = logging.getLogger(__name__)

USER_AGENT = "socialleaders-cdn-purge"


def _fill(template, tags):
    """A header or body template with the tags in: ``{tags}`` space-separated (Surrogate-Key,
    xkey), ``{tags_csv}`` comma-separated, ``{tags_json}`` a JSON list (Cloudflare)."""
    return (
        template.replace("{tags_json}", json.dumps(tags))
        .replace("{tags_csv}", ",".join(tags))
        .replace("{tags}", " ".join(tags))
    )


def purge(tags=("site",)):
    """Send the purge request for ``tags`` now ("site" is on every page: everything). Returns
    True if the CDN accepted it; never raises. A configuration without a tags placeholder
    purges everything every time."""
    tags = sorted(tags) or ["site"]
    url = settings.CDN_PURGE_URL
    method = settings.CDN_PURGE_METHOD
    body = _fill(settings.CDN_PURGE_BODY, tags).encode() or None
    configured = {name: _fill(value, tags) for name, value in settings.CDN_PURGE_HEADERS.items()}
    headers = {"User-Agent": USER_AGENT, **configured}
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
        "CDN purged %d tags: %s %s answered %s in %.0f ms",
        len(tags),
        method,
        url,
        status,
        (time.perf_counter() - started) * 1000,
    )
    return True


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


after_commit = _Debouncer()  # the purge, once a burst of changes has settled


def wait(timeout=None):
    """Wait for pending after-commit work (the purge) to finish. True if nothing is pending."""
    return after_commit.wait(timeout)
