"""Production middleware: request logging, the Content-Security-Policy header, the page cache.

Order in ``settings.MIDDLEWARE`` matters; see the comments there.
"""

import hashlib
import logging
import os
import queue
import re
import threading
import time
import uuid

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.core.handlers.wsgi import WSGIRequest
from django.db import close_old_connections, connection
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.functional import empty
from django.utils.http import http_date

from socialleaders import cache as content_cache
from socialleaders import cachetags
from socialleaders.errors import DATABASE_DOWN, unavailable

request_logger = logging.getLogger("socialleaders.request")
cache_logger = logging.getLogger("socialleaders.cache")

REQUEST_ID_HEADER = "X-Request-ID"
_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestLogMiddleware:
    """One log line per request: method, path, status, duration, page cache outcome, request id
    (and the SQL query count with DEBUG). Outermost, so the time covers everything. The request
    id is the proxy's ``X-Request-ID`` when sane, else a new one; it is returned to the client."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request.request_id = incoming if _REQUEST_ID_RE.match(incoming) else uuid.uuid4().hex
        queries_before = len(connection.queries_log) if settings.DEBUG else 0
        started = time.perf_counter()
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request.request_id
        log_request(request, response, started, queries_before)
        return response


def log_request(request, response, started, queries_before=0):
    """The request's log line (also written for a page refreshed in the background)."""
    duration_ms = (time.perf_counter() - started) * 1000
    fields = [
        f"method={request.method}",
        f"path={_quote(request.get_full_path()[:300])}",
        f"status={response.status_code}",
        f"duration_ms={duration_ms:.1f}",
        f"cache={getattr(request, 'page_cache', '-')}",
    ]
    if settings.DEBUG:
        fields.append(f"queries={len(connection.queries_log) - queries_before}")
    fields.append(f"request_id={getattr(request, 'request_id', '-')}")
    request_logger.info(" ".join(fields))


def _quote(value):
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


class RequestContextFilter(logging.Filter):
    """Adds ``request_context`` to log records that carry a request (Django's ``django.request``
    logger passes it for every error), so a traceback says which request caused it."""

    def filter(self, record):
        request = getattr(record, "request", None)
        if request is None or not hasattr(request, "META"):
            record.request_context = ""
            return True
        # Only a user already loaded: loading one now may need the database that just failed.
        user = getattr(request.__dict__.get("user"), "_wrapped", request.__dict__.get("user"))
        known = user is not None and user is not empty
        user_id = getattr(user, "pk", None) if known and user.is_authenticated else None
        parts = [
            f"request_id={getattr(request, 'request_id', '-')}",
            f"method={request.method}",
            f"path={_quote(request.get_full_path()[:300])}",
            f"user={user_id or 'anonymous'}",
            f"ip={request.META.get('REMOTE_ADDR', '-')}",
            f"user_agent={_quote(request.META.get('HTTP_USER_AGENT', '')[:200])}",
        ]
        record.request_context = " [" + " ".join(parts) + "]"
        return True


class ContentSecurityPolicyMiddleware:
    """Sends ``settings.CONTENT_SECURITY_POLICY`` (directive -> sources) on every response that
    does not carry one (why not a library: docs/decisions.md)."""

    def __init__(self, get_response):
        self.get_response = get_response
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", {})
        self.header = "; ".join(
            f"{directive} {' '.join(sources)}".strip() for directive, sources in policy.items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        if self.header and "Content-Security-Policy" not in response:
            # "{origin}" stands for this site's own origin: a source with a path (scripts from
            # /static/ only, never /media/) needs one, and CSP has no path-only form.
            response["Content-Security-Policy"] = self.header.replace("{origin}", _origin(request))
        return response


def _origin(request):
    try:
        return f"{request.scheme}://{request.get_host()}"
    except DisallowedHost:  # the 400 for a host we do not serve: name our own
        return getattr(settings, "SITE_URL", "")


_NO_STORE_DIRECTIVES = {"private", "no-store", "no-cache"}
_SKIPPED_HEADERS = {
    "set-cookie",
    "date",
    "x-request-id",
    "content-security-policy",
    "content-length",
}


class PageCacheMiddleware:
    """Whole pages for anonymous readers, from the shared cache (``socialleaders.cache``).

    Which requests it answers, which responses it stores, stale copies (while one request
    renders, or while the database is down) and the headers it sends: docs/architecture.md,
    "The page cache".
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not self._request_is_cacheable(request):
            request.page_cache = "bypass"
            self._run_due_schedules()
            response = self.get_response(request)
            self._mark_personal(request, response)
            response["X-Cache"] = "bypass"
            return response

        url = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
        try:
            key = self._key(url)
            found = content_cache.lookup(key)
        except Exception:
            cache_logger.exception("page cache unavailable; serving uncached")
            request.page_cache = "error"
            response = self.get_response(request)
            self._mark_personal(request, response)
            response["X-Cache"] = "error"
            return response

        entry = found.entry
        if found.fresh:
            request.page_cache = "hit"
            return self._from_entry(entry, "hit")
        request._sl_stale_entry = entry  # what stale-if-error serves (process_exception)
        locked = self._lock(key, entry)
        if not locked and entry is not None:
            request.page_cache = "stale"  # another request is rendering it
            return self._from_entry(entry, "stale")
        if locked and entry is not None and _refresher.take(self, request, key, found):
            request.page_cache = "stale"  # this process renders it meanwhile (_Refresher)
            return self._from_entry(entry, "stale")

        request.page_cache = "miss"
        try:
            return self._render(request, key, found)
        finally:
            if locked:
                self._unlock(key)

    def _render(self, request, key, found):
        """Render the page and store it if it is the same for every anonymous reader."""
        with cachetags.collecting() as tags:
            response = self.get_response(request)
        if request.page_cache == "stale-if-error":  # process_exception served the old copy
            return response
        cacheable = self._cacheable(response)
        if not cacheable and response.status_code < 500 and found.entry is not None:
            # Gone, moved or personal now: no reader gets the old copy any more (a 5xx keeps
            # it, served while the page is being rendered again).
            self._forget(key)
        stored = self._entry(response, found, tags) if cacheable else None
        if stored is None:
            self._mark_personal(request, response)
            response["X-Cache"] = request.page_cache
            return response
        try:
            content_cache.store(key, stored)
        except Exception:
            cache_logger.exception("could not store a page in the cache")
        return self._from_entry(stored, "miss", response)

    def process_exception(self, request, exception):
        """The database is down: the last copy of the page if there is one, else a plain 503."""
        if not isinstance(exception, DATABASE_DOWN):
            return None
        entry = getattr(request, "_sl_stale_entry", None)
        cache_logger.error("database unavailable: %s", exception)
        if entry is not None:
            request.page_cache = "stale-if-error"
            return self._from_entry(entry, "stale-if-error")
        return unavailable()

    @staticmethod
    def _run_due_schedules():
        """Signed-in users and an uncached site see a schedule's changes once due, as readers
        do (a lookup does it for cached pages)."""
        try:
            content_cache.run_due_schedules()
        except Exception:  # the page itself says whether the database is down
            cache_logger.exception("could not check the schedules")

    # Decisions

    @staticmethod
    def _request_is_cacheable(request):
        if not getattr(settings, "PAGE_CACHE", False) or request.method not in {"GET", "HEAD"}:
            return False
        personal_cookies = {
            settings.SESSION_COOKIE_NAME,
            getattr(settings, "PAGE_CACHE_PENDING_COOKIE", "sl_pending"),
            getattr(settings, "MESSAGE_COOKIE_NAME", "messages"),
            # Just sent a form: read from the primary (socialleaders.replica), so never a copy
            # that may have been rendered from a lagging replica.
            getattr(settings, "DATABASE_PIN_COOKIE", "sl_primary"),
        }
        if personal_cookies.intersection(request.COOKIES) or "HTTP_AUTHORIZATION" in request.META:
            return False
        if len(request.META.get("QUERY_STRING", "")) > settings.PAGE_CACHE_MAX_QUERY_LENGTH:
            return False
        return not request.path_info.startswith(tuple(settings.PAGE_CACHE_EXCLUDED_PATHS))

    @staticmethod
    def _cacheable(response):
        """A response that is the same for every anonymous reader: nothing personal in it."""
        if response.status_code != 200 or response.streaming or response.cookies:
            return False
        cache_control = {
            part.split("=", 1)[0].strip().lower()
            for part in response.get("Cache-Control", "").split(",")
        }
        if cache_control & _NO_STORE_DIRECTIVES:
            return False
        vary = {part.strip().lower() for part in response.get("Vary", "").split(",") if part}
        return vary <= {"cookie", "accept-encoding"}

    @staticmethod
    def _mark_personal(request, response):
        personal = request.COOKIES.get(settings.SESSION_COOKIE_NAME) or response.cookies
        if request.method in {"GET", "HEAD"} and "Cache-Control" not in response and personal:
            patch_cache_control(response, private=True)
        patch_vary_headers(response, ("Cookie",))

    @staticmethod
    def _lock(key, entry):
        """Render only if no other request is rendering this page; a page never stored is
        rendered anyway (there is nothing to serve meanwhile)."""
        try:
            return content_cache.render_lock(key)
        except Exception:
            cache_logger.exception("could not take the render lock")
            return entry is None

    @staticmethod
    def _forget(key):
        try:
            content_cache.forget(key)
        except Exception:
            cache_logger.exception("could not remove a page from the cache")

    @staticmethod
    def _unlock(key):
        try:
            content_cache.release_render_lock(key)
        except Exception:
            cache_logger.exception("could not release the render lock")

    # Keys and entries

    @staticmethod
    def _key(url):
        digest = hashlib.sha256(url.encode("utf-8", "surrogateescape")).hexdigest()[:40]
        return f"sl:page:{digest}"

    @staticmethod
    def _entry(response, found, tags):
        """What is stored for a page, exactly as rendered; None if one of its tags changed
        while it rendered."""
        versions = content_cache.entry_tags(tags, found.clock)
        if versions is None:
            return None
        content = response.content
        headers = [
            (name, value)
            for name, value in response.items()
            if name.lower() not in _SKIPPED_HEADERS
        ]
        etag = (
            response.get("ETag") or f'"{hashlib.md5(content, usedforsecurity=False).hexdigest()}"'
        )
        last_modified = response.get("Last-Modified") or http_date(timezone.now().timestamp())
        return {
            "status": response.status_code,
            "headers": headers,
            "content": content,
            "etag": etag,
            "last_modified": last_modified,
            "generation": found.generation,
            "tags": versions,
        }

    @staticmethod
    def _from_entry(entry, outcome, response=None):
        if response is None:
            response = HttpResponse(entry["content"], status=entry["status"])
            for name, value in entry["headers"]:
                response[name] = value
            response["Content-Length"] = len(entry["content"])
        response["ETag"] = entry["etag"]
        response["Last-Modified"] = entry["last_modified"]
        tags = cachetags.header_tags(
            entry.get("tags") or (cachetags.SITE,), settings.PAGE_CACHE_TAG_HEADER_BYTES
        )
        response[settings.PAGE_CACHE_TAG_HEADER] = " ".join(tags)
        response["Cache-Tag"] = ",".join(tags)
        if outcome in {"hit", "miss"}:
            patch_cache_control(
                response,
                public=True,
                max_age=settings.PAGE_CACHE_MAX_AGE,
                s_maxage=settings.PAGE_CACHE_S_MAXAGE,
                stale_while_revalidate=settings.PAGE_CACHE_STALE_WHILE_REVALIDATE,
                stale_if_error=settings.PAGE_CACHE_STALE_IF_ERROR,
            )
        else:  # a stale copy: nobody should keep it for long, but may serve it while refetching
            patch_cache_control(
                response,
                public=True,
                max_age=0,
                s_maxage=1,
                stale_while_revalidate=settings.PAGE_CACHE_STALE_WHILE_REVALIDATE,
            )
        patch_vary_headers(response, ("Cookie",))
        response["X-Cache"] = outcome
        return response


class _Refresher:
    """Renders stale pages off the request path, one after another, in a thread of each
    process (``PAGE_CACHE_REFRESH_IN_BACKGROUND``): the request that took a stale page's render
    lock gets the stale copy at once, like every other request meanwhile, instead of waiting
    for the render. Full (a burst of stale pages) or off, the request renders it itself."""

    QUEUE_SIZE = 64

    def __init__(self):
        self.lock = threading.Lock()
        self.queue = None
        self.pid = None

    def take(self, middleware, request, key, found):
        """Queue the refresh of ``request``'s page; False if it must be rendered now."""
        if not settings.PAGE_CACHE_REFRESH_IN_BACKGROUND or not isinstance(request, WSGIRequest):
            return False
        # The request's own object stays with it: the refresh renders a copy of its environ
        # (a GET: no body), cookies already dropped or absent (an anonymous reader).
        copy = WSGIRequest(dict(request.environ))
        copy.request_id = f"{getattr(request, 'request_id', '-')}-refresh"
        copy.page_cache = "refresh"
        copy._sl_stale_entry = found.entry
        try:
            self._queue().put_nowait((middleware, copy, key, found))
        except queue.Full:
            return False
        return True

    def _queue(self):
        with self.lock:
            if self.pid != os.getpid():  # first use in this process (or a fork of it)
                self.queue, self.pid = queue.Queue(self.QUEUE_SIZE), os.getpid()
                threading.Thread(target=self._run, args=(self.queue,), daemon=True).start()
            return self.queue

    @staticmethod
    def _run(jobs):
        while True:
            middleware, request, key, found = jobs.get()
            started = time.perf_counter()
            close_old_connections()
            try:
                response = middleware._render(request, key, found)
                log_request(request, response, started)
                response.close()
            except Exception:
                cache_logger.exception("could not refresh %s", request.get_full_path()[:300])
            finally:
                middleware._unlock(key)
                close_old_connections()


_refresher = _Refresher()
