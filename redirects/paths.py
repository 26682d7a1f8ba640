"""Old addresses as keys: one spelling for every way a link to the same page can be written.

A key is the path, percent-decoded, lower-cased, with repeated slashes collapsed and no trailing
slash (``/`` stays ``/``), followed by the query parameters that address content on WordPress
(``?p=123``, ``?page_id=``, ``?cat=``...: ``REDIRECTS_QUERY_KEYS``), sorted; every other
parameter (``utm_source``, ``replytocom``...) is dropped. Scheme and host are dropped too, so a
full link from an export gives the same key as the request for it. Rules: docs/redirects.md.
"""

import re
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

from django.conf import settings

MAX_LENGTH = 1000
# What WordPress answers at "/?name=value" (its "plain" permalinks and feed links).
DEFAULT_QUERY_KEYS = (
    "p",
    "page_id",
    "attachment_id",
    "cat",
    "tag",
    "author",
    "author_name",
    "feed",
    "m",
)
_SLASHES = re.compile(r"/{2,}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class BadPath(ValueError):
    """An address that cannot be a key: empty, too long, or with control characters."""


def query_keys():
    return tuple(getattr(settings, "REDIRECTS_QUERY_KEYS", DEFAULT_QUERY_KEYS))


def normalise(value):
    """The key for an old address (a path, a path with a query, or a full URL); BadPath if it
    cannot be one."""
    text = (value or "").strip()
    if not text:
        raise BadPath("The old address is empty.")
    if text.startswith("//") or re.match(r"^[a-z][a-z0-9+.-]*://", text, re.IGNORECASE):
        parts = urlsplit(text if "://" in text else "http:" + text)
        path, query = parts.path, parts.query
    else:
        path, _, rest = text.partition("?")
        query = rest.partition("#")[0]
        path = path.partition("#")[0]
    path = unquote(path, errors="replace")
    if _CONTROL.search(path):
        raise BadPath("The old address contains control characters.")
    path = _SLASHES.sub("/", "/" + path.lower())
    if len(path) > 1:
        path = path.rstrip("/") or "/"
    kept = sorted(
        (name.lower(), item.lower())
        for name, item in parse_qsl(query, keep_blank_values=True)
        if name.lower() in query_keys()
    )
    key = path + ("?" + urlencode(kept) if kept else "")
    if len(key) > MAX_LENGTH:
        raise BadPath(f"The old address is longer than {MAX_LENGTH} characters.")
    return key


def key_or_none(value):
    """``normalise(value)``, or None for an address that cannot have a redirect."""
    try:
        return normalise(value)
    except BadPath:
        return None


def request_key(request):
    """The key for the address a request asked for (its percent-encoded form, as sent)."""
    if len(request.META.get("QUERY_STRING", "")) > MAX_LENGTH:
        return key_or_none(request.get_full_path().partition("?")[0])
    return key_or_none(request.get_full_path())


def has_content_query(request):
    """Whether the request's query string names content the WordPress way (``?p=123``): such an
    address means another page than its path alone, so it is looked up before the view."""
    if not request.META.get("QUERY_STRING"):
        return False
    keys = query_keys()
    return any(name.lower() in keys for name in request.GET)


def is_local(target):
    return target.startswith("/") and not target.startswith("//")


def clean_target(value):
    """A redirect target as it will be sent in ``Location``: a site path or an http(s) URL."""
    target = (value or "").strip()
    if not target:
        raise BadPath("The new address is empty.")
    if _CONTROL.search(target) or " " in target.strip():
        target = quote(target, safe="/:?#[]@!$&'()*+,;=%~")
    if _CONTROL.search(unquote(target)):
        raise BadPath("The new address contains control characters.")
    if not (is_local(target) or re.match(r"^https?://[^/\s]+", target, re.IGNORECASE)):
        raise BadPath("The new address must be a path starting with / or an http(s):// URL.")
    if len(target) > MAX_LENGTH:
        raise BadPath(f"The new address is longer than {MAX_LENGTH} characters.")
    return target
