"""``/healthz``: can this app server serve pages? For load balancers and uptime checks.

Checks the database (the primary and each read replica) and the cache: 503 only when this
server cannot serve (a database it reads from is down); a cache outage is reported, not failed.
Answered by a middleware at the top of the stack, so it works over plain HTTP and for any Host
header (docs/production.md, "Health and logs").
"""

import logging
import time
import uuid
from functools import partial

from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.http import JsonResponse

logger = logging.getLogger(__name__)

HEALTH_PATH = "/healthz"


def _check_database(alias="default"):
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT 1")
        if cursor.fetchone()[0] != 1:
            raise RuntimeError("SELECT 1 did not return 1")


def _check_cache():
    key = "sl:healthz"
    value = uuid.uuid4().hex
    cache.set(key, value, timeout=30)
    if cache.get(key) != value:
        raise RuntimeError("value written to the cache could not be read back")


CHECKS = {"database": _check_database, "cache": _check_cache}
# What this server can serve without: pages render from the database when the shared cache is
# down, so a cache outage must not take every app server out of the load balancer.
OPTIONAL = {"cache"}


def _checks():
    replicas = {
        f"database:{alias}": partial(_check_database, alias)
        for alias in getattr(settings, "DATABASE_REPLICAS", [])
    }
    return {**CHECKS, **replicas}


def healthz(request):
    """200 "ok"; 200 "degraded" when only an optional dependency is down; 503 when this server
    cannot serve (its database or a read replica it reads from)."""
    results = {}
    healthy, degraded = True, False
    for name, check in _checks().items():
        started = time.perf_counter()
        try:
            check()
        except Exception as error:
            if name in OPTIONAL:
                degraded = True
            else:
                healthy = False
            # The details stay in the log: the endpoint is public.
            results[name] = {"ok": False, "error": type(error).__name__}
            logger.error("health check failed: %s: %s: %s", name, type(error).__name__, error)
        else:
            results[name] = {"ok": True}
        results[name]["ms"] = round((time.perf_counter() - started) * 1000, 1)
    status = "unavailable" if not healthy else "degraded" if degraded else "ok"
    response = JsonResponse({"status": status, "checks": results}, status=200 if healthy else 503)
    response["Cache-Control"] = "no-store"
    return response


class HealthCheckMiddleware:
    """Answers ``/healthz`` before host validation, the HTTPS redirect and everything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info in (HEALTH_PATH, HEALTH_PATH + "/") and request.method in {
            "GET",
            "HEAD",
        }:
            return healthz(request)
        return self.get_response(request)
