"""What readers get when something fails: a plain 503 with Retry-After while the database is
down (never a 500), Django's friendly 500 page otherwise."""

import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.views import defaults

# Connection failures and the like: the database cannot answer now (not a bug in a query).
DATABASE_DOWN = (OperationalError, InterfaceError)


def unavailable():
    response = HttpResponse(
        '<!doctype html><html lang="en-GB"><meta charset="utf-8"><title>Back in a moment'
        "</title><h1>Back in a moment</h1><p>The site is briefly unavailable. Please try again "
        "in a minute.</p></html>",
        status=503,
    )
    response["Retry-After"] = str(settings.PAGE_CACHE_RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response


def server_error(request):
    """handler500: an error raised outside a view (a middleware reading the session, say)."""
    if isinstance(sys.exc_info()[1], DATABASE_DOWN):
        return unavailable()
    return defaults.server_error(request)
