"""A piece saved (published now, scheduled, edited) queues a check of whether its email is
due, and makes sure the weekly digest's check is queued, once the transaction has committed."""

from django.db import transaction
from django.db.models.signals import post_save

from socialleaders.transactions import on_commit_once


def _saved(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    from . import digest, tasks

    kind = sender._meta.model_name
    pk = instance.pk
    transaction.on_commit(lambda: tasks.mail_piece.enqueue(kind, pk, created))
    # Content that may be in a coming digest: its check is queued for its hour (once a
    # transaction, however many pieces it saves).
    on_commit_once(digest.queue_next_check)


def connect():
    from blog.models import Post
    from interviews.models import Interview

    for model in (Interview, Post):
        post_save.connect(_saved, sender=model, dispatch_uid=f"newsletter-{model._meta.label}")
