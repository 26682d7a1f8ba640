"""Writes around a library image: re-encode an upload before it is stored, make its renditions
once it is committed (one worker at a time), and tell the page cache. Why synchronous at save
for now, and what changes with a job queue: docs/decisions.md."""

import logging
import os
import uuid

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models.signals import post_save, pre_save

from socialleaders.cache import content_changed

from . import renditions
from .models import Image
from .validation import clean_image_bytes, read_bytes

logger = logging.getLogger(__name__)

LOCK_SECONDS = 300


def normalise_upload(sender, instance, **kwargs):
    """pre_save: a newly uploaded file is re-encoded (no metadata, upright, bounded size) before
    the storage writes it under its generated name; the uploaded name becomes the title."""
    file = instance.file
    if not file or getattr(file, "_committed", True):
        return
    name = os.path.basename(file.name or "")
    if not instance.title:
        instance.title = os.path.splitext(name)[0][:200]
    # Validation refused unreadable files before we get here; a failure is a real error.
    cleaned, _fmt, (instance.width, instance.height) = clean_image_bytes(read_bytes(file))
    instance.file = ContentFile(cleaned, name=name)


def renditions_after_commit(sender, instance, **kwargs):
    """post_save: (re)make the renditions once the row is committed, if they are not current."""
    content_changed()
    if (instance.renditions or {}).get("key") == renditions.key_for(instance):
        return
    pk = instance.pk
    transaction.on_commit(lambda: run_renditions(pk))


def run_renditions(pk):
    """Where renditions are made: in this process now (the admin request that saved the image);
    IMAGES_RENDITIONS="off" leaves them to `manage.py make_renditions`."""
    if getattr(settings, "IMAGES_RENDITIONS", "sync") == "off":
        return
    try:
        make_renditions(pk)
    except Exception:  # the save itself succeeded; pages fall back to the original
        logger.exception("could not make the renditions of image %s", pk)


def make_renditions(pk):
    """Make and record the renditions of one image unless they are current or another worker is
    making them (a cache lock). Returns True if this call made them."""
    lock = f"sl:images:renditions-lock:{pk}"
    token = uuid.uuid4().hex
    if not cache.add(lock, token, LOCK_SECONDS):
        return False
    try:
        image = Image.objects.filter(pk=pk).first()
        if image is None or not image.file:
            return False
        key = renditions.key_for(image)
        if (image.renditions or {}).get("key") == key:
            return False
        specs = renditions.generate(image)
        # Recorded only if the file and focal point are still the ones drawn.
        updated = Image.objects.filter(
            pk=pk, file=image.file.name, focus_x=image.focus_x, focus_y=image.focus_y
        ).update(renditions={"key": key, "specs": specs})
        if updated:
            content_changed()
        return bool(updated)
    finally:
        if cache.get(lock) == token:
            cache.delete(lock)


def connect_signals():
    pre_save.connect(normalise_upload, sender=Image, dispatch_uid="images-normalise")
    post_save.connect(renditions_after_commit, sender=Image, dispatch_uid="images-renditions")
