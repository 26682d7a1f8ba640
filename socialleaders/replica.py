"""Which database a request reads from, when read replicas are set (``DATABASE_REPLICA_URLS``).

Replicas lag the primary by a little (usually well under a second), so reading from them is
only safe where nobody expects to see a write they just made. The rule, decided per request by
``ReplicaReadMiddleware`` and applied by ``socialleaders.routers.ReplicaRouter``:

* **Reads come from a replica only inside a request that qualifies**: a GET or HEAD with no
  session cookie (so not an editor, and not someone who just logged in), no ``Authorization``
  header, not under ``DATABASE_PRIMARY_PATHS`` (the admin), and without the pin cookie. Such a
  request picks one replica at random and keeps it for all its queries (one consistent snapshot
  rather than a mix of replicas with different lag).
* **Everything else reads from the primary**: POST/PUT/DELETE requests; editors (the session
  cookie is enough: the user is not even loaded yet when the choice is made, and loading them
  reads the session and user rows that a login just wrote); management commands, the shell,
  migrations and background threads (no request at all).
* **A request that writes reads its own writes**: the first statement that writes pins the rest of
  the request to the primary, and a read inside a transaction on the primary stays on the
  primary. (An execute wrapper on the primary's connection sees the statement. Pinning on every
  ``db_for_write`` call instead, as django-multidb-router does, would also pin for a
  ``get_or_create`` that only finds its row, such as the comment policy loaded by most pages.)
* **A visitor who just sent something** (a comment) reads from the primary for
  ``DATABASE_PIN_SECONDS`` (10 s): every response to an unsafe request sets the ``sl_primary``
  cookie for that long. This is the pinning cookie of django-multidb-router, the usual design.

Writes always go to the primary.
"""

import contextvars
import random
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

SAFE_METHODS = frozenset({"GET", "HEAD"})


@dataclass
class ReadState:
    """One request's choice. Mutable, so a write anywhere in the request pins all of it."""

    replica: str
    pinned: bool = False


# None outside requests (commands, the shell, threads): reads then go to the primary.
_request_state = contextvars.ContextVar("sl_replica_read_state", default=None)


def replica_aliases():
    return list(getattr(settings, "DATABASE_REPLICAS", ()))


def read_alias():
    """The alias this read should use (called by the router for every read)."""
    state = _request_state.get()
    if state is None or state.pinned:
        return DEFAULT_DB_ALIAS
    if connections[DEFAULT_DB_ALIAS].in_atomic_block:
        # In a transaction on the primary: what it has written is only visible there.
        return DEFAULT_DB_ALIAS
    return state.replica


# Statements that change no data. Any other statement (INSERT, UPDATE, DELETE, DDL, a CTE...)
# on the primary pins the rest of the request to it.
_NOT_WRITING = frozenset({"SELECT", "BEGIN", "SAVEPOINT", "RELEASE", "ROLLBACK", "SET", "SHOW"})


def _pin_on_write(state):
    """An execute wrapper for the primary's connection, pinning the request on its first write."""

    def wrapper(execute, sql, params, many, context):
        if not state.pinned:
            words = sql.split(None, 1) if isinstance(sql, str) else None
            if not words or words[0].upper() not in _NOT_WRITING:
                state.pinned = True
        return execute(sql, params, many, context)

    return wrapper


def must_use_primary(request):
    """Whether this request reads from the primary from its first query on."""
    if request.method not in SAFE_METHODS:
        return True
    cookies = request.COOKIES
    if settings.SESSION_COOKIE_NAME in cookies or settings.DATABASE_PIN_COOKIE in cookies:
        return True
    if "HTTP_AUTHORIZATION" in request.META:
        return True
    return request.path_info.startswith(tuple(settings.DATABASE_PRIMARY_PATHS))


class ReplicaReadMiddleware:
    """Decides, per request, whether reads may come from a replica (see the module docstring).

    Placed after ``PageCacheMiddleware`` (a page-cache hit needs no database at all, and the page
    cache's own bookkeeping queries read the primary) and before anything that queries. Only in
    ``MIDDLEWARE`` when ``DATABASE_REPLICA_URLS`` is set.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        replicas = replica_aliases()
        if not replicas:
            return self.get_response(request)
        state = ReadState(replica=random.choice(replicas), pinned=must_use_primary(request))
        token = _request_state.set(state)
        try:
            if state.pinned:
                response = self.get_response(request)
            else:
                with connections[DEFAULT_DB_ALIAS].execute_wrapper(_pin_on_write(state)):
                    response = self.get_response(request)
        finally:
            _request_state.reset(token)
        if request.method not in SAFE_METHODS:
            # Read-your-writes for the next few requests, while the replicas catch up.
            response.set_cookie(
                settings.DATABASE_PIN_COOKIE,
                "1",
                max_age=settings.DATABASE_PIN_SECONDS,
                secure=request.is_secure(),
                httponly=True,
                samesite="Lax",
            )
        return response
