"""The content generation: one number that says "what readers can see has changed".

Cached pages carry the generation they were rendered under and count only while it is current;
a save or delete of readers' content, or a schedule coming due, moves it on. How and why:
docs/architecture.md, "The page cache".
"""

import logging
import threading
import time
from collections import OrderedDict

from django.apps import apps
from django.conf import settings
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Min, Q
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from socialleaders import cdn, replica

logger = logging.getLogger(__name__)

GENERATION_KEY = "sl:content-generation"
NEXT_CHANGE_KEY = "sl:next-scheduled-change"
SCHEDULE_BUMP_KEY = "sl:schedule-bump:{generation}"
# Apps whose models are shown to readers: a change to any of their rows may change a page.
# (comments: its moderation settings decide whether pages show the comment form.)
WATCHED_APPS = {"interviews", "blog", "taggit", "comments"}
# Stored as the "next change" when nothing is scheduled.
NOTHING_SCHEDULED = -1.0


def page_cache():
    return caches[getattr(settings, "PAGE_CACHE_ALIAS", "default")]


def _initial_generation():
    """A fresh generation when the cache holds none (first start, Redis flushed): the clock in
    microseconds, above any number an earlier run may have left on cached pages."""
    cache = page_cache()
    cache.add(GENERATION_KEY, time.time_ns() // 1000, timeout=None)
    return cache.get(GENERATION_KEY)


def current_generation():
    generation = page_cache().get(GENERATION_KEY)
    if generation is None:
        generation = _initial_generation()
    return generation


def bump_generation():
    """Make every cached page stale, on every server sharing the cache. Returns the new number."""
    cache = page_cache()
    try:
        return cache.incr(GENERATION_KEY)
    except ValueError:  # not there yet (or evicted): start from a fresh number
        _initial_generation()
        return cache.incr(GENERATION_KEY)


def _safe_bump():
    _local.forget_generation()
    try:
        bump_generation()
    except Exception:  # the cache is down: saving content must still work
        logger.exception("could not bump the content generation; cached pages may be stale")


def _committed():
    _safe_bump()
    _after_commit()


def _settled():
    if replica.replica_aliases():
        _safe_bump()  # past the replica lag: a page rendered from a lagging replica goes stale
    if settings.CDN_PURGE_URL:
        cdn.purge()  # after the bump: what the CDN fetches next is rendered afresh


def _after_commit():
    """A change readers can see was committed: once a burst of them settles, purge the CDN and,
    with read replicas, bump again (socialleaders/cdn.py)."""
    try:
        delays = []
        if getattr(settings, "CDN_PURGE_URL", ""):
            delays.append(settings.CDN_PURGE_DELAY)
        if replica.replica_aliases():
            delays.append(settings.DATABASE_REPLICA_LAG_SECONDS)
        if delays:
            cdn.after_commit.note(max(delays), _settled)
    except Exception:  # saving content must never fail because of this
        logger.exception("could not schedule the CDN purge")


def content_changed(using=DEFAULT_DB_ALIAS):
    """Record that readers' content changed: bump now, and again once the transaction commits."""
    _safe_bump()
    connection = connections[using]
    if connection.in_atomic_block:
        pending = getattr(connection, "run_on_commit", [])
        if not any(entry[1] is _committed for entry in pending):
            transaction.on_commit(_committed, using=using)
    else:  # autocommit: the change is already committed
        _after_commit()


def publishable_models():
    from socialleaders.publishing import Publishable

    return [
        model
        for model in apps.get_models()
        if issubclass(model, Publishable) and model._meta.app_label in WATCHED_APPS
    ]


def next_scheduled_change(now):
    """The earliest publish or unpublish instant after ``now``, as a POSIX timestamp, or None:
    one aggregate query per publishable model, on their (status, publish_at) indexes."""
    from socialleaders.publishing import Status

    instants = []
    for model in publishable_models():
        found = model.objects.filter(status=Status.PUBLISHED).aggregate(
            publish=Min("publish_at", filter=Q(publish_at__gt=now)),
            unpublish=Min("unpublish_at", filter=Q(unpublish_at__gt=now)),
        )
        instants.extend(value for value in found.values() if value is not None)
    return min(instants).timestamp() if instants else None


class _LocalTier:
    """Each process's short-lived copy of the generation and a small LRU of pages, so a hit on a
    hot page needs no round trip (``PAGE_CACHE_LOCAL_SECONDS``, ``PAGE_CACHE_LOCAL_BYTES``)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.reset(None)

    def reset(self, owner):
        self.owner = owner  # the cache settings this state belongs to
        self.generation = None
        self.next_change = None
        self.checked_at = 0.0
        self.pages = OrderedDict()
        self.size = 0

    def forget_generation(self):
        with self.lock:
            self.generation = None

    def fresh(self, owner, seconds):
        """The generation and next scheduled instant, if read recently enough from the cache
        that ``owner`` configures."""
        with self.lock:
            if self.owner is not owner:
                self.reset(owner)
            if self.generation is None or time.monotonic() - self.checked_at >= seconds:
                return None
            return self.generation, self.next_change

    def remember(self, owner, generation, next_change):
        with self.lock:
            if self.owner is not owner:
                self.reset(owner)
            if generation != self.generation:
                self.pages.clear()
                self.size = 0
            self.generation, self.next_change = generation, next_change
            self.checked_at = time.monotonic()

    def page(self, key, generation):
        with self.lock:
            entry = self.pages.get(key)
            if entry is None or entry.get("generation") != generation:
                return None
            self.pages.move_to_end(key)
            return entry

    def keep(self, key, entry, limit):
        size = len(entry["content"])
        with self.lock:
            if size > limit // 4 or entry.get("generation") != self.generation:
                return
            old = self.pages.pop(key, None)
            if old is not None:
                self.size -= len(old["content"])
            self.pages[key] = entry
            self.size += size
            while self.size > limit:
                _, evicted = self.pages.popitem(last=False)
                self.size -= len(evicted["content"])


_local = _LocalTier()


def generation_for_request(now=None):
    """The generation to read and write pages under, moving it on if a schedule has come due."""
    return lookup(None, now)[0]


def lookup(page_key=None, now=None):
    """The current generation and the page stored under ``page_key`` if it is still valid.

    From this process's memory when it can (see ``_LocalTier``), otherwise from the shared cache.
    """
    cache = page_cache()
    owner = _cache_config()
    now = now or timezone.now()
    seconds = getattr(settings, "PAGE_CACHE_LOCAL_SECONDS", 0)
    known = _local.fresh(owner, seconds) if seconds > 0 else None
    if known is not None:
        generation, next_change = known
        if next_change == NOTHING_SCHEDULED or now.timestamp() < next_change:
            if page_key is None:
                return generation, None
            entry = _local.page(page_key, generation)
            if entry is None:
                entry = cache.get(page_key)
                if entry is not None and entry.get("generation") != generation:
                    entry = None
                if entry is not None:
                    _local.keep(page_key, entry, settings.PAGE_CACHE_LOCAL_BYTES)
            return generation, entry
    generation, next_change, entry = _lookup_shared(cache, page_key, now)
    if seconds > 0:
        if next_change is None:  # a schedule just came due: ask the shared cache next time
            _local.forget_generation()
        else:
            _local.remember(owner, generation, next_change)
            if entry is not None:
                _local.keep(page_key, entry, settings.PAGE_CACHE_LOCAL_BYTES)
    return generation, entry


def _cache_config():
    """Identifies the cache in use (its settings), so that the local tier starts afresh when the
    settings change (tests do) but is shared by the threads of one process."""
    return settings.CACHES.get(getattr(settings, "PAGE_CACHE_ALIAS", "default"))


def store(page_key, entry):
    """Keep a freshly rendered page (``entry["generation"]`` set) for everyone, and locally."""
    page_cache().set(page_key, entry, timeout=settings.PAGE_CACHE_SECONDS)
    if getattr(settings, "PAGE_CACHE_LOCAL_SECONDS", 0) > 0:
        _local.keep(page_key, entry, settings.PAGE_CACHE_LOCAL_BYTES)


def _lookup_shared(cache, page_key, now):
    """The current generation, next scheduled instant and the still-valid page under ``page_key``,
    from the shared cache in one round trip. If a schedule has come due, the generation is moved
    on and the page is stale."""
    cache = page_cache()
    now = now or timezone.now()
    keys = [GENERATION_KEY, NEXT_CHANGE_KEY] + ([page_key] if page_key else [])
    found = cache.get_many(keys)
    generation = found.get(GENERATION_KEY)
    if generation is None:
        generation = _initial_generation()
    entry = found.get(page_key) if page_key else None
    if entry is not None and entry.get("generation") != generation:
        entry = None
    stored = found.get(NEXT_CHANGE_KEY)
    if stored is not None and stored[0] == generation:
        next_change = stored[1]
    else:
        found_instant = next_scheduled_change(now)
        next_change = NOTHING_SCHEDULED if found_instant is None else found_instant
        cache.set(NEXT_CHANGE_KEY, (generation, next_change), timeout=settings.PAGE_CACHE_SECONDS)
    if next_change != NOTHING_SCHEDULED and now.timestamp() >= next_change:
        # A scheduled item went live or came down. The first process to notice bumps the
        # generation once for everyone; the others just read the new number.
        if cache.add(SCHEDULE_BUMP_KEY.format(generation=generation), 1, timeout=60):
            bump_generation()
            _after_commit()
        generation = current_generation()
        entry = None
        next_change = None  # look it up again under the new generation
        stored = cache.get(NEXT_CHANGE_KEY)
        if stored is not None and stored[0] == generation:
            next_change = stored[1]
    return generation, next_change, entry


def _on_save_or_delete(sender, using=DEFAULT_DB_ALIAS, **kwargs):
    content_changed(using)


def _on_m2m_changed(sender, action, using=DEFAULT_DB_ALIAS, **kwargs):
    if action in {"post_add", "post_remove", "post_clear"}:
        content_changed(using)


def connect_signals():
    """Called from ``SocialLeadersConfig.ready``: listen to every model of the watched apps (and
    their many-to-many through models), per model so that other models keep fast bulk deletes."""
    for label in sorted(WATCHED_APPS):
        try:
            config = apps.get_app_config(label)
        except LookupError:  # not installed in this project
            continue
        for model in config.get_models(include_auto_created=True):
            uid = f"sl-page-cache-{model._meta.label_lower}"
            post_save.connect(_on_save_or_delete, sender=model, dispatch_uid=uid + "-save")
            post_delete.connect(_on_save_or_delete, sender=model, dispatch_uid=uid + "-delete")
            m2m_changed.connect(_on_m2m_changed, sender=model, dispatch_uid=uid + "-m2m")
