"""The links in the newsletter's emails: a signed, expiring, single-use confirmation link, and
the per-subscriber manage and unsubscribe links (their random ``key`` is the secret)."""

from django.conf import settings
from django.core import signing
from django.urls import reverse

CONFIRM_SALT = "newsletter.confirm"


class BadLink(Exception):
    """A link that was altered, has expired or was already used: shown as a clear page."""


def absolute(path):
    return f"{settings.SITE_URL}{path}"


def confirm_url(subscriber):
    token = signing.dumps([subscriber.pk, subscriber.confirm_nonce], salt=CONFIRM_SALT)
    return absolute(reverse("newsletter:confirm", args=[token]))


def read_confirm_token(token):
    """(subscriber id, nonce) from a confirmation link, or BadLink saying why not."""
    max_age = settings.NEWSLETTER_LINK_MAX_AGE_DAYS * 86400
    try:
        pk, nonce = signing.loads(token, salt=CONFIRM_SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise BadLink("This confirmation link has expired.") from None
    except (signing.BadSignature, ValueError, TypeError):
        raise BadLink("This link is not valid: it may have been cut or altered.") from None
    return pk, nonce


def manage_url(subscriber):
    return absolute(reverse("newsletter:manage", args=[subscriber.key]))


def unsubscribe_url(subscriber):
    return absolute(reverse("newsletter:unsubscribe", args=[subscriber.key]))
