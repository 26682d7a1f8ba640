"""A piece saved (published now, scheduled, edited) queues a check of whether its email is
due, and makes sure the weekly digest's check is queued, once the transaction has committed."""

from functools import partial

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models.signals import post_save
from django.utils import timezone

from socialleaders.transactions import bulk_write, on_commit_once


def _saved(sender, instance, created, raw=False, using=DEFAULT_DB_ALIAS, **kwargs):
    if raw:
        return
    from . import digest, tasks

    kind = sender._meta.model_name
    pk = instance.pk
    if bulk_write(using) is not None:
        _bulk_saved(using, kind, instance)
    else:
        transaction.on_commit(lambda: tasks.mail_piece.enqueue(kind, pk, created), using=using)
    # Content that may be in a coming digest: its check is queued for its hour (once a
    # transaction, however many pieces it saves).
    on_commit_once(digest.queue_next_check, using=using)


# A bulk write (an import: socialleaders.transactions.changing_a_lot) queues no job per piece:
# it keeps the pieces that may still be mailed as last saved (not live yet, a draft, live for
# less than NEWSLETTER_MAX_PIECE_AGE_HOURS) and queues their checks at commit, with one check
# of every mailing waiting for a piece now live (an updated piece that had one).
def _bulk_pieces(using):
    connection = connections[using]
    if not hasattr(connection, "_sl_bulk_pieces"):
        connection._sl_bulk_pieces = set()
    return connection._sl_bulk_pieces


def _bulk_saved(using, kind, instance):
    from . import tasks

    pieces = _bulk_pieces(using)
    if on_commit_once(_bulk_flushes.setdefault(using, partial(_bulk_committed, using)), using):
        pieces.clear()  # left from a transaction that rolled back
    if tasks.too_old_to_mail(instance, timezone.now()):
        pieces.discard((kind, instance.pk))
    else:
        pieces.add((kind, instance.pk))


_bulk_flushes = {}


def _bulk_committed(using):
    from . import tasks

    pieces = sorted(_bulk_pieces(using))
    _bulk_pieces(using).clear()
    for kind, pk in pieces:
        tasks.mail_piece.enqueue(kind, pk, False)
    tasks.mail_waiting_pieces.enqueue()


def connect():
    from blog.models import Post
    from interviews.models import Interview

    for model in (Interview, Post):
        post_save.connect(_saved, sender=model, dispatch_uid=f"newsletter-{model._meta.label}")
