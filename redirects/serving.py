"""Answering old addresses: the look-up, its cache, the 301/410 responses and the hit counts.

The answer for an address (a redirect, 410, or "nothing here") is cached by key in the page
cache's store (``PAGE_CACHE_ALIAS``, ``PAGE_CACHE_SECONDS``) with the *redirects generation* it
was read under, one number moved on by every change to the table; reading it is one round trip
(the generation and the answer in one ``get_many``), a miss one indexed query. Before that
query, a Bloom filter of every old address (``SourceFilter``, built once per generation, kept in
the cache and in each process) says "certainly not a redirect" for almost every address that is
none: so a flood of distinct random missing addresses costs the database nothing.
Figures and the reasons: docs/redirects.md.
"""

import contextlib
import hashlib
import logging
import threading
import time

from django.conf import settings
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Case, F, Value, When
from django.db.models.signals import post_delete, post_save
from django.http import HttpResponseGone, HttpResponsePermanentRedirect
from django.template import loader
from django.utils import timezone
from django.utils.cache import patch_cache_control

from socialleaders.transactions import on_commit_once

from .paths import request_key

logger = logging.getLogger(__name__)

GENERATION_KEY = "sl:redirects:generation"
ANSWER_KEY = "sl:redirects:answer:{digest}"
SOURCES_KEY = "sl:redirects:sources"
SOURCES_LOCK_KEY = "sl:redirects:sources:lock"


def _cache():
    return caches[getattr(settings, "PAGE_CACHE_ALIAS", "default")]


# --- The generation -------------------------------------------------------------------------


def _initial_generation(cache):
    cache.add(GENERATION_KEY, time.time_ns() // 1000, timeout=None)
    return cache.get(GENERATION_KEY)


def _bump():
    cache = _cache()
    try:
        try:
            cache.incr(GENERATION_KEY)
        except ValueError:  # not there yet, or evicted
            _initial_generation(cache)
            cache.incr(GENERATION_KEY)
    except Exception:  # the cache is down: the change itself must still be saved
        logger.exception("could not move the redirects generation on")


def redirects_changed(using=DEFAULT_DB_ALIAS):
    """Cached answers are stale: now (for this process) and again at the commit (for a look-up
    another process made in between from the rows before the change)."""
    _bump()
    if connections[using].in_atomic_block:
        on_commit_once(_bump, using=using)


def _on_redirect_saved_or_deleted(sender, using=DEFAULT_DB_ALIAS, **kwargs):
    redirects_changed(using)


def connect_signals():
    from .models import Redirect

    uid = "redirects-generation"
    post_save.connect(_on_redirect_saved_or_deleted, sender=Redirect, dispatch_uid=uid + "-save")
    post_delete.connect(_on_redirect_saved_or_deleted, sender=Redirect, dispatch_uid=uid + "-del")


# --- Which addresses have a redirect: a Bloom filter ----------------------------------------


class SourceFilter:
    """A Bloom filter of old addresses: ``key in f`` is False for certain when the key has no
    redirect, True for every key that has one and for about 1% of the others (which then cost
    the indexed query they cost without it). 10 bits and 7 probes a key: 100,000 redirects
    take 122 KB."""

    BITS_PER_KEY = 10
    PROBES = 7

    def __init__(self, size, data):
        self.size, self.data = size, data

    @staticmethod
    def _hashes(key):
        digest = hashlib.blake2b(key.encode("utf-8", "replace"), digest_size=16).digest()
        return int.from_bytes(digest[:8], "little"), int.from_bytes(digest[8:], "little") | 1

    @classmethod
    def build(cls, keys):
        keys = list(keys)
        size = max(64, len(keys) * cls.BITS_PER_KEY)
        bits = bytearray((size + 7) // 8)
        for key in keys:
            first, step = cls._hashes(key)
            for i in range(cls.PROBES):
                at = (first + i * step) % size
                bits[at >> 3] |= 1 << (at & 7)
        return cls(size, bytes(bits))

    def __contains__(self, key):
        first, step = self._hashes(key)
        for i in range(self.PROBES):
            at = (first + i * step) % self.size
            if not self.data[at >> 3] & (1 << (at & 7)):
                return False
        return True


# This process's filter and the generation it was built under.
_process_sources = {"generation": None, "filter": None}
_sources_lock = threading.Lock()


def _sources(cache, generation):
    """The filter for ``generation``: this process's copy, else the cache's, else built from one
    query (by one process at a time: while another builds, None, and the caller asks the
    database as it would without a filter)."""
    local = _process_sources
    if local["generation"] == generation:
        return local["filter"]
    try:
        stored = cache.get(SOURCES_KEY)
    except Exception:
        return None
    if stored is not None and stored[0] == generation:
        found = SourceFilter(*stored[1])
    else:
        found = _build_sources(cache, generation)
        if found is None:
            return None
    with _sources_lock:
        local["generation"], local["filter"] = generation, found
    return found


def _build_sources(cache, generation):
    from .models import Redirect

    seconds = getattr(settings, "REDIRECTS_FILTER_BUILD_SECONDS", 30)
    try:
        if not cache.add(SOURCES_LOCK_KEY, generation, timeout=seconds):
            return None
    except Exception:
        return None
    try:
        found = SourceFilter.build(
            Redirect.objects.values_list("old_path", flat=True).iterator(chunk_size=5000)
        )
        cache.set(SOURCES_KEY, (generation, (found.size, found.data)), timeout=None)
        return found
    except Exception:
        logger.exception("could not build the redirects filter")
        return None
    finally:
        with contextlib.suppress(Exception):
            cache.delete(SOURCES_LOCK_KEY)


# --- The look-up ----------------------------------------------------------------------------


def answer_for(key):
    """``(pk, status, location)`` for the address ``key``, or None: from the cache, else one
    query on the unique index of ``old_path`` (its result, found or not, is then cached)."""
    from .models import Redirect

    cache = _cache()
    digest = hashlib.sha256(key.encode("utf-8", "replace")).hexdigest()[:40]
    entry_key = ANSWER_KEY.format(digest=digest)
    try:
        found = cache.get_many([GENERATION_KEY, entry_key])
        generation = found.get(GENERATION_KEY)
        if generation is None:
            generation = _initial_generation(cache)
    except Exception:
        logger.exception("redirects cache unavailable; reading the database")
        found, generation = {}, None
    entry = found.get(entry_key)
    if entry is not None and generation is not None and entry[0] == generation:
        return entry[1]
    if generation is not None:
        sources = _sources(cache, generation)
        if sources is not None and key not in sources:
            return None  # certainly none: no query, and nothing stored for a random address
    rows = list(
        Redirect.objects.filter(old_path=key).values_list("pk", "status", "target_path")[:1]
    )
    answer = tuple(rows[0]) if rows else None
    if generation is not None:
        try:
            cache.set(entry_key, (generation, answer), timeout=settings.PAGE_CACHE_SECONDS)
        except Exception:
            logger.exception("could not cache a redirect answer")
    return answer


def response_for(request, *, with_query=False):
    """The 301 or 410 response for the address ``request`` asked for, or None. ``with_query``:
    the key keeps the WordPress query parameters (``/?p=123``); otherwise it is the path alone."""
    request.redirects_checked = True
    if request.method not in {"GET", "HEAD"}:
        return None
    key = request_key(request)
    if key is None:
        return None
    if not with_query:
        key = key.partition("?")[0]
    elif "?" not in key:
        return None
    answer = answer_for(key)
    if answer is None:
        return None
    pk, status, location = answer
    count_hit(pk)
    if status == 410:
        response = HttpResponseGone(
            loader.render_to_string("redirects/gone.html", {"request_path": request.path}, request)
        )
    else:
        response = HttpResponsePermanentRedirect(location)
    # Like every shared page: a minute in browsers and CDNs, so an edited redirect takes effect.
    patch_cache_control(
        response,
        public=True,
        max_age=settings.PAGE_CACHE_MAX_AGE,
        s_maxage=settings.PAGE_CACHE_S_MAXAGE,
    )
    response["X-Redirect"] = "hit"
    return response


# --- Hit counts -----------------------------------------------------------------------------


class _Hits:
    """Hits counted in each process's memory and written in one UPDATE every
    ``REDIRECTS_HITS_FLUSH_SECONDS`` (30 s; 0 writes each hit at once): a hit costs no query,
    and a crashed worker loses at most that long of counts."""

    def __init__(self):
        self.lock = threading.Lock()
        self.pending = {}
        self.flushed_at = time.monotonic()

    def add(self, pk):
        now = timezone.now()
        with self.lock:
            count, _ = self.pending.get(pk, (0, now))
            self.pending[pk] = (count + 1, now)
            due = (
                time.monotonic() - self.flushed_at
                >= getattr(settings, "REDIRECTS_HITS_FLUSH_SECONDS", 30)
                or len(self.pending) >= 500
            )
        if due:
            self.flush()

    def flush(self):
        from .models import Redirect

        with self.lock:
            pending, self.pending = self.pending, {}
            self.flushed_at = time.monotonic()
        if not pending:
            return
        try:
            Redirect.objects.filter(pk__in=list(pending)).update(
                hits=F("hits")
                + Case(*[When(pk=pk, then=Value(n)) for pk, (n, _) in pending.items()]),
                last_hit_at=Case(*[When(pk=pk, then=Value(at)) for pk, (_, at) in pending.items()]),
            )
        except Exception:
            logger.exception("could not record redirect hits")


_hits = _Hits()


def count_hit(pk):
    _hits.add(pk)


def flush_hits():
    """Write the hits counted so far (tests, the admin's list)."""
    _hits.flush()
