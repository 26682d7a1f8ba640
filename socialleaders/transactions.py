"""Commit callbacks registered once per transaction, found in constant time.

Django keeps a transaction's callbacks in a list that it replaces at every commit and rollback
(a savepoint's rollback too). Scanning that list to see whether a callback is in it costs as
many steps as callbacks were registered before, and an import registers tens of thousands (one
per saved row): the scan made imports quadratic (docs/benchmarks.md, "WordPress import")."""

from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, transaction


def on_commit_once(func, using=DEFAULT_DB_ALIAS):
    """Run ``func`` when the current transaction commits (at once outside one), once however
    often this is called in that transaction. True when this call registered it."""
    connection = transaction.get_connection(using)
    if not connection.in_atomic_block:
        transaction.on_commit(func, using=using)
        return True
    callbacks = connection.run_on_commit
    known = getattr(connection, "_sl_once", None)
    if known is None or known[0] is not callbacks:
        # A new list (a new transaction, or a savepoint rolled back): what is still in it.
        known = (callbacks, {id(entry[1]) for entry in callbacks})
        connection._sl_once = known
    if id(func) in known[1]:
        return False
    transaction.on_commit(func, using=using)
    known[1].add(id(func))
    return True


@contextmanager
def changing_a_lot(using=DEFAULT_DB_ALIAS):
    """Within: the current transaction changes a lot (an import). Whoever reacts to each saved
    row (the page cache, the newsletter) does one thing for the whole transaction instead: it
    asks ``bulk_write()``. Why: docs/importing.md, "Memory"."""
    connection = transaction.get_connection(using)
    outer = getattr(connection, "_sl_bulk", None)
    if outer is None:
        connection._sl_bulk = {}
    try:
        yield
    finally:
        if outer is None:
            connection._sl_bulk = None


def bulk_write(using=DEFAULT_DB_ALIAS):
    """Inside ``changing_a_lot()`` and a transaction: a dict for that bulk write's own notes
    (what was done once already); otherwise None."""
    connection = transaction.get_connection(using)
    return getattr(connection, "_sl_bulk", None) if connection.in_atomic_block else None
