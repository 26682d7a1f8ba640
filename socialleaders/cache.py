"""What makes a cached page stale: the content generation and the versions of its tags.

A cached page carries the generation and the tag versions it was rendered under and counts only
while they are current. A change readers can see moves on the versions of the tags it touches
(``socialleaders.cachetags``); a change to every page, or a schedule coming due, moves on the
generation. How and why: docs/architecture.md, "The page cache".
"""

import logging
import threading
import time
from collections import OrderedDict
from functools import partial
from typing import NamedTuple

from django.apps import apps
from django.conf import settings
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.models import Min, Q
from django.db.models.signals import (
    m2m_changed,
    post_delete,
    post_init,
    post_save,
    pre_delete,
    pre_save,
)
from django.utils import timezone

from socialleaders import cachetags, cdn, replica
from socialleaders.transactions import bulk_write, on_commit_once

logger = logging.getLogger(__name__)

GENERATION_KEY = "sl:content-generation"
NEXT_CHANGE_KEY = "sl:next-scheduled-change"
SCHEDULE_BUMP_KEY = "sl:schedule-bump:{generation}"
# Tag versions are readings of one shared clock, moved on by every invalidation: a page whose
# tags moved past the clock read before it rendered was rendered while they changed.
TAG_CLOCK_KEY = "sl:tag-clock"
TAG_KEY = "sl:tag:{tag}"
RENDER_LOCK_KEY = "sl:render:{key}"
# Other schedules registered by apps (``register_schedule``): their next instant, and the lock
# that lets one process carry out what came due.
OTHER_SCHEDULES_KEY = "sl:next-registered-schedule"
OTHER_SCHEDULES_LOCK_KEY = "sl:registered-schedule-due:{instant}"
# Apps whose models are shown to readers: a change to any of their rows may change a page.
# (comments: its moderation settings decide whether pages show the comment form.)
WATCHED_APPS = {"interviews", "blog", "taggit", "comments", "images"}
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


def invalidate(tags):
    """Make stale every cached page that carries one of ``tags`` (``site``: every page)."""
    if cachetags.SITE in tags:
        _safe_bump()
        return
    if not tags:
        return
    cache = page_cache()
    try:
        try:
            version = cache.incr(TAG_CLOCK_KEY)
        except ValueError:  # not there yet (or evicted): start from the clock, above any old one
            cache.add(TAG_CLOCK_KEY, time.time_ns() // 1000, timeout=None)
            version = cache.incr(TAG_CLOCK_KEY)
        cache.set_many({TAG_KEY.format(tag=tag): version for tag in tags}, timeout=None)
        _local.tags_changed(tags, version)
    except Exception:
        logger.exception("could not invalidate cache tags; cached pages may be stale")


def tag_versions(tags, shared=False):
    """The current version of each tag (0: never changed), from this process's recent readings
    unless ``shared``."""
    tags = list(tags)
    seconds = getattr(settings, "PAGE_CACHE_LOCAL_SECONDS", 0)
    known = {} if shared or seconds <= 0 else _local.known_tags(_cache_config(), tags, seconds)
    missing = [tag for tag in tags if tag not in known]
    if missing:
        found = page_cache().get_many([TAG_KEY.format(tag=tag) for tag in missing])
        read = {tag: found.get(TAG_KEY.format(tag=tag), 0) for tag in missing}
        if seconds > 0:
            _local.remember_tags(_cache_config(), read)
        known.update(read)
    return known


def _pending_tags(using):
    connection = connections[using]
    if not hasattr(connection, "_sl_pending_tags"):
        connection._sl_pending_tags = set()
    return connection._sl_pending_tags


def content_changed(tags=None, using=DEFAULT_DB_ALIAS):
    """Readers' content changed: the pages carrying ``tags`` (None: every page) go stale now,
    and again once the transaction commits (a page rendered meanwhile read the old rows)."""
    tags = {cachetags.SITE} if tags is None else set(tags)
    if not tags:
        return
    connection = connections[using]
    if connection.in_atomic_block:
        pending = _pending_tags(using)
        if on_commit_once(_flushes[using], using=using):
            pending.clear()  # left from a transaction that rolled back
        bulk = bulk_write(using)
        if bulk is not None:
            # A bulk write (an import): every page goes stale once now and once at commit,
            # whatever it saves; nothing is kept per row.
            if not bulk.get("page cache"):
                bulk["page cache"] = True
                invalidate({cachetags.SITE})
                pending.clear()
            pending.add(cachetags.SITE)
            return
        invalidate(tags)
        pending |= tags
    else:  # autocommit: the change is already committed
        invalidate(tags)
        _after_commit(tags)


class _Flushes(dict):
    """One commit callback per database alias, so a transaction registers it once."""

    def __missing__(self, using):
        self[using] = partial(_committed, using)
        return self[using]


_flushes = _Flushes()


def _committed(using):
    pending = _pending_tags(using)
    tags = set(pending)
    pending.clear()
    invalidate(tags)
    _after_commit(tags)


LOCAL_TRUST_MARGIN = 0.25  # seconds past PAGE_CACHE_LOCAL_SECONDS before the CDN is purged

_settling = set()
_settling_lock = threading.Lock()


def _settled():
    with _settling_lock:
        tags = set(_settling)
        _settling.clear()
    if replica.replica_aliases():
        invalidate(tags)  # past the replica lag: a page rendered from a lagging replica goes stale
    if settings.CDN_PURGE_URL:
        # After that: what the CDN fetches next is rendered afresh.
        cdn.purge(cachetags.front_purge_tags(tags))


def _after_commit(tags):
    """Once a burst of committed changes settles: purge the CDN by their tags and, with read
    replicas, invalidate them again (socialleaders/cdn.py)."""
    try:
        delays = []
        if getattr(settings, "CDN_PURGE_URL", ""):
            # Not before every app process has stopped trusting the tag versions it read
            # (PAGE_CACHE_LOCAL_SECONDS): a CDN fetching sooner could get the old copy from a
            # process's memory, and keep it for s-maxage.
            local = getattr(settings, "PAGE_CACHE_LOCAL_SECONDS", 0)
            delays.append(max(settings.CDN_PURGE_DELAY, local + LOCAL_TRUST_MARGIN if local else 0))
        if replica.replica_aliases():
            delays.append(settings.DATABASE_REPLICA_LAG_SECONDS)
        if delays:
            with _settling_lock:
                _settling.update(tags)
            cdn.after_commit.note(max(delays), _settled)
    except Exception:  # saving content must never fail because of this
        logger.exception("could not schedule the CDN purge")


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


# Schedules of other apps (editorial's scheduled changes of live pieces): (next instant, apply).
_registered_schedules = []


def register_schedule(next_instant, apply_due):
    """Run ``apply_due(now)`` on the first request after ``next_instant(now)`` (a datetime or
    None) has passed, without cron, as scheduled publishing does. ``apply_due`` saves rows, whose
    signals make exactly their pages stale (the generation does not move). An app registering
    calls ``schedules_changed()`` whenever what ``next_instant`` returns may have changed."""
    if (next_instant, apply_due) not in _registered_schedules:
        _registered_schedules.append((next_instant, apply_due))


# With the page cache off: this process's reading of the registered schedules' next instant
# (instant, monotonic time read); a schedule set by another process is seen within a minute.
_UNSHARED_SECONDS = 60
_unshared_next = [None, 0.0]


def schedules_changed():
    """A registered schedule was set, moved or cancelled: look its next instant up again."""
    _local.forget_generation()
    _unshared_next[0] = None
    try:
        page_cache().delete(OTHER_SCHEDULES_KEY)
    except Exception:
        logger.exception("could not reset the registered schedules' next instant")


def _next_registered(now):
    instants = [found for next_instant, _ in _registered_schedules if (found := next_instant(now))]
    return min(instants).timestamp() if instants else NOTHING_SCHEDULED


def _registered_due(cache, stored, now):
    """``stored``: the registered schedules' next instant as read from the cache (None: not
    there). Carries out what came due (one process, under a lock); returns the next instant, or
    None when something was due (look it up again)."""
    if stored is None:
        stored = _next_registered(now)
        cache.set(OTHER_SCHEDULES_KEY, stored, timeout=None)  # reset by schedules_changed()
    if stored == NOTHING_SCHEDULED or now.timestamp() < stored:
        return stored
    if cache.add(OTHER_SCHEDULES_LOCK_KEY.format(instant=stored), 1, timeout=60):
        try:
            for _, apply_due in _registered_schedules:
                apply_due(now)
        except DatabaseError:
            raise
        except Exception:  # a reader's page must not fail because of it
            logger.exception("could not carry out a registered schedule")
        finally:
            cache.delete(OTHER_SCHEDULES_KEY)
    return None


def run_due_schedules(now=None):
    """For requests the page cache does not look up (signed in, or the page cache off): carry
    out registered schedules that came due, so editors see the same as readers."""
    if not _registered_schedules:
        return
    now = now or timezone.now()
    if getattr(settings, "PAGE_CACHE", False):
        lookup(None, now)
        return
    instant, read_at = _unshared_next
    if instant is None or time.monotonic() - read_at >= _UNSHARED_SECONDS:
        instant = _next_registered(now)
        _unshared_next[:] = [instant, time.monotonic()]
    if instant != NOTHING_SCHEDULED and now.timestamp() >= instant:
        _unshared_next[0] = None
        for _, apply_due in _registered_schedules:
            apply_due(now)


def nothing_scheduled_here():
    """For tests: this process knows no registered schedule is set (each test's database
    starts with none)."""
    _unshared_next[:] = [NOTHING_SCHEDULED, time.monotonic()]


class _LocalTier:
    """Each process's short-lived copy of the generation, the tag clock, recent tag versions and
    a small LRU of pages, so a hit on a hot page needs no round trip
    (``PAGE_CACHE_LOCAL_SECONDS``, ``PAGE_CACHE_LOCAL_BYTES``)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.reset(None)

    def reset(self, owner):
        self.owner = owner  # the cache settings this state belongs to
        self.generation = None
        self.next_change = None
        self.clock = 0
        self.checked_at = 0.0
        self.tags = {}  # tag -> (version, when read)
        self.pages = OrderedDict()
        self.size = 0

    def _own(self, owner):
        if self.owner is not owner:
            self.reset(owner)

    def forget_generation(self):
        with self.lock:
            self.generation = None

    def fresh(self, owner, seconds):
        """The generation, next scheduled instant and tag clock, if read recently enough from
        the cache that ``owner`` configures."""
        with self.lock:
            self._own(owner)
            if self.generation is None or time.monotonic() - self.checked_at >= seconds:
                return None
            return self.generation, self.next_change, self.clock

    def remember(self, owner, generation, next_change, clock):
        with self.lock:
            self._own(owner)
            if generation != self.generation:
                self.pages.clear()
                self.size = 0
            self.generation, self.next_change, self.clock = generation, next_change, clock
            self.checked_at = time.monotonic()

    def known_tags(self, owner, tags, seconds):
        now = time.monotonic()
        with self.lock:
            self._own(owner)
            known = {}
            for tag in tags:
                found = self.tags.get(tag)
                if found is not None and now - found[1] < seconds:
                    known[tag] = found[0]
            return known

    def remember_tags(self, owner, versions):
        now = time.monotonic()
        with self.lock:
            self._own(owner)
            if len(self.tags) > 50_000:
                self.tags.clear()
            for tag, version in versions.items():
                self.tags[tag] = (version, now)

    def tags_changed(self, tags, version):
        now = time.monotonic()
        with self.lock:
            for tag in tags:
                self.tags[tag] = (version, now)
            self.clock = max(self.clock, version)

    def page(self, key):
        with self.lock:
            entry = self.pages.get(key)
            if entry is not None:
                self.pages.move_to_end(key)
            return entry

    def forget(self, key):
        with self.lock:
            old = self.pages.pop(key, None)
            if old is not None:
                self.size -= len(old["content"])

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


class Found(NamedTuple):
    """What ``lookup`` found: the generation and tag clock to render under, and the stored page
    (``fresh`` or stale, or None)."""

    generation: int
    clock: int
    entry: dict | None
    fresh: bool


def generation_for_request(now=None):
    """The generation to read and write pages under, moving it on if a schedule has come due."""
    return lookup(None, now).generation


def is_fresh(entry, generation):
    """Whether a stored page still shows what readers would see: same generation, and none of
    its tags changed since it was rendered."""
    if entry.get("generation") != generation:
        return False
    tags = entry.get("tags") or {}
    current = tag_versions(tags) if tags else {}
    return all(current.get(tag, 0) == version for tag, version in tags.items())


def lookup(page_key=None, now=None):
    """The current generation and tag clock, and the page stored under ``page_key``: from this
    process's memory when it can (see ``_LocalTier``), otherwise from the shared cache."""
    cache = page_cache()
    owner = _cache_config()
    now = now or timezone.now()
    seconds = getattr(settings, "PAGE_CACHE_LOCAL_SECONDS", 0)
    known = _local.fresh(owner, seconds) if seconds > 0 else None
    if known is not None and (known[1] == NOTHING_SCHEDULED or now.timestamp() < known[1]):
        generation, _, clock = known
        if page_key is None:
            return Found(generation, clock, None, False)
        entry = _local.page(page_key)
        if entry is not None and is_fresh(entry, generation):
            return Found(generation, clock, entry, True)
        entry = cache.get(page_key) or entry
    else:
        generation, next_change, clock, entry = _lookup_shared(cache, page_key, now)
        if seconds > 0:
            if next_change is None:  # a schedule just came due: ask the shared cache next time
                _local.forget_generation()
            else:
                _local.remember(owner, generation, next_change, clock)
    fresh = entry is not None and is_fresh(entry, generation)
    if fresh and seconds > 0:
        _local.keep(page_key, entry, settings.PAGE_CACHE_LOCAL_BYTES)
    return Found(generation, clock, entry, fresh)


def _cache_config():
    """Identifies the cache in use (its settings), so that the local tier starts afresh when the
    settings change (tests do) but is shared by the threads of one process."""
    return settings.CACHES.get(getattr(settings, "PAGE_CACHE_ALIAS", "default"))


def entry_tags(tags, clock):
    """The versions to store a page under, or None when one of ``tags`` changed after ``clock``
    was read (the page may show rows from before the change)."""
    versions = tag_versions(tags, shared=True)
    if any(version > clock for version in versions.values()):
        return None
    return versions


def store(page_key, entry):
    """Keep a freshly rendered page (``generation`` and ``tags`` set) for everyone, and
    locally."""
    page_cache().set(page_key, entry, timeout=settings.PAGE_CACHE_SECONDS)
    if getattr(settings, "PAGE_CACHE_LOCAL_SECONDS", 0) > 0:
        _local.keep(page_key, entry, settings.PAGE_CACHE_LOCAL_BYTES)


def forget(page_key):
    """No copy of the page any more, stale or not (it is gone, moved or personal now)."""
    page_cache().delete(page_key)
    _local.forget(page_key)


def render_lock(page_key):
    """Whether this request may render the page (no other request is rendering it)."""
    return page_cache().add(
        RENDER_LOCK_KEY.format(key=page_key), 1, timeout=settings.PAGE_CACHE_RENDER_SECONDS
    )


def release_render_lock(page_key):
    page_cache().delete(RENDER_LOCK_KEY.format(key=page_key))


def _lookup_shared(cache, page_key, now):
    """The current generation, next scheduled instant, tag clock and the page under
    ``page_key``, from the shared cache in one round trip. If a schedule has come due, the
    generation is moved on."""
    cache = page_cache()
    now = now or timezone.now()
    keys = [GENERATION_KEY, NEXT_CHANGE_KEY, TAG_CLOCK_KEY, OTHER_SCHEDULES_KEY]
    keys += [page_key] if page_key else []
    found = cache.get_many(keys)
    generation = found.get(GENERATION_KEY)
    if generation is None:
        generation = _initial_generation()
    clock = found.get(TAG_CLOCK_KEY, 0)
    entry = found.get(page_key) if page_key else None
    try:
        other = _registered_due(cache, found.get(OTHER_SCHEDULES_KEY), now)
    except DatabaseError:  # the database is down (or refused it): serve, try again later
        logger.exception("could not look up or carry out the registered schedules")
        return generation, None, clock, entry
    if other is None:  # rows were saved: their tags moved on the clock, read it again
        clock = cache.get(TAG_CLOCK_KEY, 0)
    stored = found.get(NEXT_CHANGE_KEY)
    if stored is not None and stored[0] == generation:
        next_change = stored[1]
    else:
        try:
            found_instant = next_scheduled_change(now)
        except DatabaseError:  # the database is down: serve what is cached, ask again later
            logger.warning("could not look up the next scheduled change")
            return generation, None, clock, entry
        next_change = NOTHING_SCHEDULED if found_instant is None else found_instant
        cache.set(NEXT_CHANGE_KEY, (generation, next_change), timeout=settings.PAGE_CACHE_SECONDS)
    if next_change != NOTHING_SCHEDULED and now.timestamp() >= next_change:
        # A scheduled item went live or came down. The first process to notice bumps the
        # generation once for everyone; the others just read the new number.
        if cache.add(SCHEDULE_BUMP_KEY.format(generation=generation), 1, timeout=60):
            bump_generation()
            _after_commit({cachetags.SITE})
        generation = current_generation()
        next_change = None  # look it up again under the new generation
        stored = cache.get(NEXT_CHANGE_KEY)
        if stored is not None and stored[0] == generation:
            next_change = stored[1]
    return generation, _sooner(next_change, other), clock, entry


def _sooner(first, second):
    """The sooner of two next instants (None: look it up again; NOTHING_SCHEDULED: none)."""
    if first is None or second is None:
        return None
    instants = [value for value in (first, second) if value != NOTHING_SCHEDULED]
    return min(instants) if instants else NOTHING_SCHEDULED


def _stored_row(instance):
    """The row as it is in the database before a save (None when new)."""
    if instance._state.adding or instance.pk is None:
        return None
    return type(instance)._base_manager.using(instance._state.db).filter(pk=instance.pk).first()


def _on_pre_save(sender, instance, raw=False, **kwargs):
    if not raw:
        instance._sl_before = _stored_row(instance)


def _on_post_save(sender, instance, created, raw=False, using=DEFAULT_DB_ALIAS, **kwargs):
    if raw:
        return
    before = instance.__dict__.pop("_sl_before", None)
    content_changed(cachetags.change_tags(instance, before, created=created), using)


def _on_pre_delete(sender, instance, **kwargs):
    instance._sl_seen = cachetags.readers_see(instance)


def _on_post_delete(sender, instance, using=DEFAULT_DB_ALIAS, **kwargs):
    seen = instance.__dict__.pop("_sl_seen", True)
    tags = cachetags.change_tags(instance, instance, deleted=True, seen_before=seen)
    content_changed(tags, using)


def _on_m2m_changed(sender, instance, action, model, pk_set, using=DEFAULT_DB_ALIAS, **kwargs):
    if action in {"post_add", "post_remove", "post_clear"}:
        content_changed(cachetags.m2m_tags(instance, model, pk_set), using)


def connect_signals():
    """Called from ``SocialLeadersConfig.ready``: for every model of the watched apps (and their
    many-to-many through models), record the pages that show its rows and what a change to them
    makes stale; per model, so that other models keep fast bulk deletes."""
    for label in sorted(WATCHED_APPS):
        try:
            config = apps.get_app_config(label)
        except LookupError:  # not installed in this project
            continue
        for model in config.get_models(include_auto_created=True):
            uid = f"sl-page-cache-{model._meta.label_lower}"
            post_init.connect(cachetags.record_instance, sender=model, dispatch_uid=uid + "-init")
            pre_save.connect(_on_pre_save, sender=model, dispatch_uid=uid + "-pre-save")
            post_save.connect(_on_post_save, sender=model, dispatch_uid=uid + "-save")
            pre_delete.connect(_on_pre_delete, sender=model, dispatch_uid=uid + "-pre-delete")
            post_delete.connect(_on_post_delete, sender=model, dispatch_uid=uid + "-delete")
            m2m_changed.connect(_on_m2m_changed, sender=model, dispatch_uid=uid + "-m2m")


def cached_under(key, tag, compute, shared=False):
    """``compute()``, kept in the shared cache while the generation and ``tag``'s version it was
    computed under are current; computed afresh when the page cache is off or down."""
    if not getattr(settings, "PAGE_CACHE", False):
        return compute()
    try:
        version = (generation_for_request(), tag_versions([tag], shared=shared)[tag])
        cache = page_cache()
        stored = cache.get(key)
    except Exception:  # the cache is down: the page must still work
        logger.exception("could not read %s from the cache", key)
        return compute()
    if stored is not None and stored[0] == version:
        return stored[1]
    value = compute()
    try:
        cache.set(key, (version, value), timeout=settings.PAGE_CACHE_SECONDS)
    except Exception:
        logger.exception("could not cache %s", key)
    return value
