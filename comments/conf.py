"""The comments app's technical settings, each overridable in settings.py.

Editorial choices (holding rules, word lists, closing, thread depth) live in the
``ModerationSettings`` row that editors change in the admin; these are the knobs an operator sets.
"""

from django.conf import settings

DEFAULTS = {
    # Longest comment body accepted, in characters.
    "COMMENTS_MAX_LENGTH": 5000,
    # A form sent sooner than this after it was served is a bot's.
    "COMMENTS_MIN_SUBMIT_SECONDS": 3,
    # A form sent later than this after it was served has expired (the text is kept).
    "COMMENTS_MAX_FORM_AGE_SECONDS": 2 * 24 * 3600,
    # A second comment from the same sender (IP address or email) within this many seconds is
    # refused with HTTP 429.
    "COMMENTS_FLOOD_SECONDS": 15,
    # The writer may edit or delete their comment, in the same browser, for this long.
    "COMMENTS_EDIT_WINDOW_MINUTES": 15,
    # IP addresses and user agents are erased from comments older than this (purge command).
    "COMMENTS_IP_RETENTION_DAYS": 30,
    # How long the signed approve/spam links in moderation emails work.
    "COMMENTS_MODERATION_LINK_DAYS": 7,
    # How long a writer's browser keeps seeing their comment awaiting moderation.
    "COMMENTS_PENDING_VISIBLE_DAYS": 14,
    # A request header (META name, e.g. "HTTP_X_FORWARDED_FOR") set by a trusted reverse proxy
    # that holds the client's address. Empty: REMOTE_ADDR is used and no header is trusted.
    "COMMENTS_TRUSTED_PROXY_HEADER": "",
    # The cookie that tells the page cache this browser has a comment awaiting moderation.
    "PAGE_CACHE_PENDING_COOKIE": "sl_pending",
}


def get(name):
    return getattr(settings, name, DEFAULTS[name])
