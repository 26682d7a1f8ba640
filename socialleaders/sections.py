"""Which sections of the site have something in them, for the main menu: a section with nothing
readers can see is left out of it (docs/frontend.md, "The menu").

Apps register their sections in ``AppConfig.ready()``: a function returning a queryset
(non-empty when the section has content) and the models whose rows fill it. All sections are
asked in one query (one ``EXISTS`` each), only when a page shows the menu. With the page cache
on, the answer is kept in the shared cache and every page showing the menu carries the ``menu``
tag; after a committed change to those models the sections are asked again, and only when the
answer differs does ``menu`` (every page) go stale.
"""

import logging
from functools import partial

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models.signals import m2m_changed, post_delete, post_save

from . import cache as content_cache
from .cachetags import tag_page
from .transactions import on_commit_once

logger = logging.getLogger(__name__)

MENU = "menu"  # the cache tag of every page showing the menu
KEY = "sl:sections"
_SECTIONS = {}  # name -> queryset function


def register(name, contents, models):
    """``contents()`` returns a queryset of what readers see in section ``name``; a change to a
    row of ``models`` (or their many-to-many links) may fill or empty it."""
    _SECTIONS[name] = contents
    for model in models:
        uid = f"sl-sections-{model._meta.label_lower}"
        post_save.connect(_on_change, sender=model, dispatch_uid=uid + "-save")
        post_delete.connect(_on_change, sender=model, dispatch_uid=uid + "-delete")
        m2m_changed.connect(_on_change, sender=model, dispatch_uid=uid + "-m2m")


def _compute():
    """{section: has content}, in one query."""
    if not _SECTIONS:
        return {}
    names, parts, params = [], [], []
    using = None
    for name, contents in _SECTIONS.items():
        queryset = contents().order_by().values("pk")[:1]
        sql, qs_params = queryset.query.sql_with_params()
        names.append(name)
        parts.append(f"EXISTS({sql})")
        params.extend(qs_params)
        using = using or queryset.db
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        row = cursor.fetchone()
    return {name: bool(value) for name, value in zip(names, row, strict=True)}


def _cached():
    return getattr(settings, "PAGE_CACHE", False)


def sections_with_content():
    """{section: has content}: from the shared cache while the generation and the ``menu`` tag
    are unchanged, computed afresh when the cache is off or down."""
    tag_page(MENU)
    return content_cache.cached_under(KEY, MENU, _compute, shared=True)


def _on_change(sender, using=DEFAULT_DB_ALIAS, action="post_save", **kwargs):
    if not _cached() or action not in {"post_save", "post_add", "post_remove", "post_clear"}:
        return
    on_commit_once(_checks.setdefault(using, partial(_check, using)), using=using)


_checks = {}  # one commit callback per database alias


def _check(using):
    """After a committed change: the menu's pages go stale only when a section filled or
    emptied (or the stored answer is gone)."""
    try:
        stored = content_cache.page_cache().get(KEY)
        value = _compute()
        if stored is None or stored[1] != value:
            content_cache.invalidate({MENU})
    except Exception:  # saving content must never fail because of this
        logger.exception("could not check the menu's sections")
