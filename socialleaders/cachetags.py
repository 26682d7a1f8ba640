"""Cache tags: what a page shows, recorded while it renders, and what a change makes stale.

A page's tags are the rows it showed (``"interviews.interview:5"``, added for every instance of
a watched model loaded while it rendered) and the lists it showed (``"interviews.interview"``,
declared by the view). A change readers can see makes stale the tags of the row (and, when it
joins, leaves or moves in a list, the list and the rows it hangs from). Rules and the story:
docs/architecture.md, "The page cache".
"""

import contextvars
from contextlib import contextmanager

from django.db import models

SITE = "site"  # on every page: purging it purges everything
CATALOGUE = "catalogue"  # the platform, theme and question counts (interviews.selectors)
SEARCH = "search"  # search results: any change readers can see may move them

_collected = contextvars.ContextVar("sl_cache_tags", default=None)


def object_tag(obj):
    return f"{obj._meta.label_lower}:{obj.pk}"


def list_tag(model):
    return model._meta.label_lower


def children_tag(obj):
    """Pages that list the rows hanging from ``obj`` (a leader's interviews, a post's comments)
    carry this: a row joining or leaving them makes those pages stale, not every page showing
    ``obj`` itself."""
    return f"{object_tag(obj)}:children"


@contextmanager
def collecting():
    """Collect the tags of what is rendered inside the block into the yielded set."""
    tags = {SITE}
    token = _collected.set(tags)
    try:
        yield tags
    finally:
        _collected.reset(token)


def tag_page(*tags):
    """Add tags to the page being rendered (a view's lists: ``tag_page(list_tag(Interview))``)."""
    collected = _collected.get()
    if collected is not None:
        collected.update(tags)


def record_instance(sender, instance, **kwargs):
    """post_init receiver for watched models: the page shows this row."""
    collected = _collected.get()
    if collected is not None and instance.pk is not None:
        collected.add(object_tag(instance))


# --- What a page's headers name --------------------------------------------------------------


def _grouped(tag):
    """``"comments.comment:7"`` -> ``"comments.comment:*"``, ``"blog.post:3:children"`` ->
    ``"blog.post:*:children"``: the tag naming every such row at once; None for the others."""
    parts = tag.split(":")
    if len(parts) in (2, 3) and parts[1] not in ("", "*"):
        parts[1] = "*"
        return ":".join(parts)
    return None


def header_tags(tags, budget):
    """``tags`` for the response headers a front cache reads, space-joined in at most ``budget``
    bytes (Varnish refuses a header line over 8 KB, Fastly and Cloudflare cap theirs at 16 KB):
    while they do not fit, the largest group of row tags on the page (a post's hundreds of
    comments) gives way to the one tag naming them all, which a change of any of them purges
    too (``front_purge_tags``)."""
    tags = set(tags)
    groups = {}
    for tag in tags:
        group = _grouped(tag)
        if group is not None:
            groups.setdefault(group, set()).add(tag)
    while len(" ".join(tags)) > budget and groups:
        group = max(groups, key=lambda name: len(groups[name]))
        tags -= groups.pop(group)
        tags.add(group)
    return sorted(tags)


def front_purge_tags(tags):
    """The tags to purge in a front cache when ``tags`` go stale: with each row's tag, the one
    naming every row of its kind (``header_tags``)."""
    return set(tags) | {group for group in map(_grouped, tags) if group is not None}


# --- What a change makes stale ---------------------------------------------------------------


def readers_see(obj):
    """Whether readers can see ``obj``: a model says so with ``readers_see()`` (a draft, a held
    comment, an answer of a draft interview cannot be seen); otherwise it can."""
    method = getattr(obj, "readers_see", None)
    return True if method is None else bool(method())


def _related_tags(obj):
    """The rows ``obj`` hangs from (its foreign keys), whose pages list it."""
    tags = set()
    for field in obj._meta.concrete_fields:
        if isinstance(field, models.ForeignKey):
            value = getattr(obj, field.attname)
            if value is not None:
                tags.add(f"{field.related_model._meta.label_lower}:{value}:children")
    generic = getattr(obj, "content_object_tag", None)
    if generic is not None:
        tags.add(generic())
    return tags


def _membership(obj):
    """The values that place ``obj`` in lists: its foreign keys and its ``membership_fields``."""
    names = [f.attname for f in obj._meta.concrete_fields if isinstance(f, models.ForeignKey)]
    names += list(getattr(obj, "membership_fields", ()))
    return tuple(getattr(obj, name) for name in names)


def change_tags(obj, before=None, deleted=False, created=False, seen_before=None):
    """The tags made stale by saving (or deleting) ``obj``; ``before`` is the stored row as it
    was (None when new). Empty when readers could see it neither before nor after."""
    scope = getattr(obj, "cache_scope", None)
    if scope == SITE:
        return {SITE}
    if seen_before is None:
        seen_before = before is not None and readers_see(before)
    seen_after = not deleted and readers_see(obj)
    if not (seen_before or seen_after):
        return set()
    tags = {object_tag(obj), SEARCH}
    if getattr(obj, "names_in_catalogue", False):
        tags.add(CATALOGUE)
    moved = (
        created
        or deleted
        or before is None
        or seen_before != seen_after
        or _membership(before) != _membership(obj)
    )
    if moved:
        tags.add(list_tag(type(obj)))
        if getattr(obj, "in_catalogue", False):
            tags.add(CATALOGUE)
        tags |= _related_tags(obj)
        if before is not None:
            tags |= _related_tags(before)
    return tags


def rows_tags(rows):
    """The tags made stale by changing ``rows`` with ``update()`` (which sends no signals), as if
    each joined or left its lists."""
    tags = set()
    for obj in rows:
        tags |= {object_tag(obj), list_tag(type(obj)), SEARCH} | _related_tags(obj)
        if getattr(obj, "in_catalogue", False):
            tags.add(CATALOGUE)
    return tags


def m2m_tags(instance, model, pk_set):
    """The tags made stale by adding or removing the rows ``pk_set`` of ``model`` (themes, tags)
    to or from ``instance``."""
    if not readers_see(instance):
        return set()
    tags = {object_tag(instance), list_tag(type(instance)), SEARCH}
    if getattr(instance, "in_catalogue", False):
        tags.add(CATALOGUE)
    tags |= {f"{model._meta.label_lower}:{pk}:children" for pk in pk_set or ()}
    tags.add(children_tag(instance))
    return tags
