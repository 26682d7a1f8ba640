"""Slug changes followed: the models the content apps ``track`` record a redirect from their old
address whenever a save (the admin, an import, the shell) changes it.

Each loaded instance remembers the slug it was read with (``post_init``: no query);
``post_save`` compares. Receivers are connected per tracked model only.
"""

import copy
import logging

from django.db.models.signals import post_delete, post_init, post_save, pre_save

from . import registry, services
from .registry import url_function

logger = logging.getLogger(__name__)

_LOADED = "_redirects_loaded"
_MISSING = object()


def track(model, url=None):
    registry.register(model, url)
    uid = f"redirects-track-{model._meta.label_lower}"
    post_init.connect(_remember, sender=model, dispatch_uid=uid + "-init")
    pre_save.connect(_before_save, sender=model, dispatch_uid=uid + "-pre")
    post_save.connect(_saved, sender=model, dispatch_uid=uid + "-save")
    post_delete.connect(_deleted, sender=model, dispatch_uid=uid + "-delete")


def _remember(sender, instance, **kwargs):
    state = instance.__dict__
    state[_LOADED] = state.get("slug", _MISSING)


def _before_save(sender, instance, raw=False, **kwargs):
    """The slug was deferred when the row was loaded: read what it was."""
    slug = instance.__dict__.get(_LOADED, _MISSING)
    if raw or slug is not _MISSING or instance._state.adding or instance.pk is None:
        return
    old = sender._base_manager.filter(pk=instance.pk).values_list("slug", flat=True).first()
    instance.__dict__[_LOADED] = old if old is not None else _MISSING


def _is_live(instance):
    is_published = getattr(instance, "is_published", None)
    return is_published() if callable(is_published) else True


def _address(model, instance):
    try:
        return url_function(model)(instance)
    except Exception:  # no address for this state (an empty slug...): nothing to follow
        logger.debug("no address for %r", instance, exc_info=True)
        return None


def _saved(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    old_slug = instance.__dict__.get(_LOADED, _MISSING)
    new_url = _address(sender, instance)
    if new_url is None:
        return
    if not created and old_slug not in (_MISSING, None, "") and old_slug != instance.slug:
        before = copy.copy(instance)
        before.slug = old_slug
        old_url = _address(sender, before)
        if old_url and old_url != new_url:
            services.record_move(instance, old_url, new_url)
    if _is_live(instance):
        # Live at new_url: it wins over a redirect from there, and if it had been taken down,
        # its addresses come back (two indexed statements, whatever changed).
        if created:
            services.address_taken(instance, new_url)
        else:
            services.restore(instance, new_url)
    instance.__dict__[_LOADED] = instance.slug


def _deleted(sender, instance, **kwargs):
    url = _address(sender, instance)
    if url is not None:
        services.object_deleted(instance, url, _is_live(instance))
