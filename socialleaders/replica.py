"""Which database a request reads from, when read replicas are set (``DATABASE_REPLICA_URLS``).

``ReplicaReadMiddleware`` decides per request, ``socialleaders.routers.ReplicaRouter`` applies it:
an anonymous GET/HEAD (not just after a POST) reads one replica until it writes; all else reads
the primary, where writes go. Who reads where, and why: docs/architecture.md, "Read replicas".
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
    """Decides, per request, whether reads may come from a replica. Right after
    ``PageCacheMiddleware``; only in ``MIDDLEWARE`` when ``DATABASE_REPLICA_URLS`` is set."""

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
