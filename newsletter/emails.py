"""The messages the newsletter sends: the confirmation, and the email of a piece, an issue or a
week's digest. Each is rendered once per batch; only each subscriber's own links are put in per
message."""

import re
import secrets
import time
from email.utils import formatdate

import css_inline
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.core.mail.message import sanitize_address
from django.core.mail.utils import DNS_NAME
from django.db.models import Prefetch, prefetch_related_objects
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import format_html, strip_tags

from images.templatetags.images import rendition_url
from interviews.models import Answer, Quote
from socialleaders.text import resolve_library_images, with_library_images

from . import links
from .models import Subscriber, new_key
from .selectors import week_pieces

# Stand-ins for the per-subscriber links in the rendered-once body.
UNSUBSCRIBE, MANAGE = "__NEWSLETTER_UNSUBSCRIBE__", "__NEWSLETTER_MANAGE__"


def confirmation_message(subscriber):
    context = {
        "site_name": settings.SITE_NAME,
        "confirm_url": links.confirm_url(subscriber),
        "days": settings.NEWSLETTER_LINK_MAX_AGE_DAYS,
    }
    return EmailMultiAlternatives(
        subject=f"Confirm your subscription to {settings.SITE_NAME}",
        body=render_to_string("newsletter/email/confirm.txt", context),
        to=[subscriber.email],
    )


def _email_image(image, alt, alone):
    # Mail clients know no <picture> or srcset: one JPEG as wide as the text, by its full address.
    src = rendition_url(image, "hero")
    if not src.startswith(("https://", "http://")):
        src = links.absolute(src)
    drawn = format_html(
        '<img src="{}" alt="{}" width="560" style="display:block;max-width:100%;height:auto">',
        src,
        alt,
    )
    return format_html("<p>{}</p>", drawn) if alone else drawn


def email_html(html, images=None):
    """Stored HTML for an email: library images drawn for mail clients (``images``: looked up
    already, by id)."""
    return with_library_images(html, images=images, render=_email_image)


def interviews_for_email(interviews):
    """Each interview's pull quote and first answer (with its question), as its email shows
    them, fetched for all at once (two queries whatever their number); returns the library
    images those answers show (one query more, none without images)."""
    prefetch_related_objects(
        interviews,
        Prefetch("quotes", Quote.objects.order_by("-featured", "order", "id")[:1], "email_quote"),
        Prefetch(
            "answers",
            Answer.objects.select_related("question").order_by("order", "id")[:1],
            "email_answer",
        ),
    )
    return resolve_library_images(*(a.body_html for i in interviews for a in i.email_answer))


def piece_context(piece, kind, images=None):
    """What a piece's email shows: for an interview its leader, pull quote and first answer;
    for a post its excerpt or opening. A digest passes interviews through
    ``interviews_for_email`` first, with the ``images`` it returned."""
    context = {
        **base_context(),
        "piece": piece,
        "kind": kind,
        "url": links.absolute(piece.get_absolute_url()),
    }
    if kind == "interview":
        if not hasattr(piece, "email_answer"):
            images = interviews_for_email([piece])
        quote = piece.email_quote[0] if piece.email_quote else None
        answer = piece.email_answer[0] if piece.email_answer else None
        context.update(leader=piece.leader, quote=quote, answer=answer)
        if answer is not None:
            context["answer_html"] = email_html(answer.body_html, images)
            context["answer_text"] = strip_tags(answer.body_html).strip()
    else:
        context["opening"] = piece.excerpt or strip_tags(piece.body_html).strip()[:600]
    return context


class Email:
    """An email rendered and inlined once (``subject``, ``text``, ``html``); ``message_for``
    fills in a subscriber's own links. Pieces, issues and digests are its kinds."""

    template = None

    def __init__(self, context, subject):
        self.subject = subject
        self.text = render_to_string(f"newsletter/email/{self.template}.txt", context)
        self.html = css_inline.inline(
            render_to_string(f"newsletter/email/{self.template}.html", context)
        )

    def message_for(self, subscriber, connection=None):
        # Only the subscriber's address and key may go in: Wire replaces just those.
        unsubscribe, manage = links.unsubscribe_url(subscriber), links.manage_url(subscriber)
        fill = lambda body: body.replace(UNSUBSCRIBE, unsubscribe).replace(MANAGE, manage)  # noqa: E731
        message = EmailMultiAlternatives(
            subject=self.subject,
            body=fill(self.text),
            to=[subscriber.email],
            connection=connection,
            headers={
                "List-Unsubscribe": f"<{unsubscribe}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
        )
        message.attach_alternative(fill(self.html), "text/html")
        return message

    def wire(self, connection):
        """The batch's message as bytes built once (``Wire``), or None where each message must
        go through Django's own path."""
        return Wire.build(self, connection)


# A subscriber's parts the wire bytes can take as they are: a key as new_key() makes them (URL-
# and quoted-printable-safe, fixed length) and a plain ASCII address (a dot-atom that Django's
# sanitize_address returns unchanged, short enough that its To line is never folded).
KEY_LENGTH = len(new_key())
PLAIN_KEY = re.compile(rf"[A-Za-z0-9_-]{{{KEY_LENGTH}}}")
ATOM = r"[A-Za-z0-9_%+-]+"
LABEL = r"[A-Za-z0-9-]{1,63}"
PLAIN_ADDRESS = re.compile(rf"{ATOM}(?:\.{ATOM})*@{LABEL}(?:\.{LABEL})+")
MAX_LINE = 78  # where the email package folds a header


class Wire:
    """One message as Django's SMTP backend would send it, built once per batch from
    ``message_for`` with stand-ins of the same length as each subscriber's parts (their key in
    both links and List-Unsubscribe, their address in To) and as Date and Message-ID: so the
    email package folds and encodes it exactly as it would each subscriber's own message, and
    ``bytes_for`` only joins the pieces around them (docs/newsletter.md)."""

    def __init__(self, pieces, from_email):
        self.pieces = pieces  # constant bytes, then (stand-in, bytes), and so on
        self.from_email = from_email
        self.second, self.date = None, None

    @classmethod
    def build(cls, email, connection):
        # Other backends (anymail's providers, locmem, console) get the message itself.
        if type(connection) is not SmtpBackend:
            return None
        key = secrets.token_hex(KEY_LENGTH)[:KEY_LENGTH]
        to = f"{secrets.token_hex(8)}@stand-in.invalid"
        date = secrets.token_hex(16)[: len(formatdate())]
        message_id = cls.message_id(secrets.token_hex(16))
        message = email.message_for(Subscriber(email=to, key=key))
        mime = message.message()
        mime.replace_header("Date", date)
        mime.replace_header("Message-ID", message_id)
        data = mime.as_bytes(linesep="\r\n")
        # Each stand-in must come out whole, as often as it went in, and the headers' alone on
        # one line each: else encoding (quoted-printable, base64) or folding touched them.
        parts = [message.body, *(content for content, _ in message.alternatives)]
        parts += [str(value) for value in message.extra_headers.values()]
        if data.count(key.encode()) != sum(part.count(key) for part in parts):
            return None
        for name, value in (("To", to), ("Date", date), ("Message-ID", message_id)):
            line = f"{name}: {value}"
            if data.count(value.encode()) != 1 or len(line) > MAX_LINE:
                return None
            if f"\r\n{line}\r\n".encode() not in data:
                return None
        stand_ins = {key: "key", to: "to", date: "date", message_id: "message_id"}
        split = re.split(b"(" + b"|".join(re.escape(s.encode()) for s in stand_ins) + b")", data)
        pieces = [
            (stand_ins[piece.decode()], piece) if n % 2 else piece for n, piece in enumerate(split)
        ]
        encoding = message.encoding or settings.DEFAULT_CHARSET
        return cls(pieces, sanitize_address(message.from_email, encoding))

    @staticmethod
    def message_id(token):
        # Unique as make_msgid's, and always as long: its line folds the same way every time.
        return f"<{token}@{DNS_NAME}>"

    def date_now(self):
        # formatdate() as Django calls it, once a second: it shows whole seconds.
        second = int(time.time())
        if second != self.second:
            self.second = second
            self.date = formatdate(second, localtime=settings.EMAIL_USE_LOCALTIME).encode()
        return self.date

    def bytes_for(self, subscriber):
        """The subscriber's message as sent, or None when their address or key is not one the
        stand-ins fit (a non-ASCII or unusual address, an older key): then send theirs whole."""
        address, key = subscriber.email, subscriber.key
        if not (PLAIN_KEY.fullmatch(key) and PLAIN_ADDRESS.fullmatch(address)):
            return None
        if len("To: ") + len(address) > MAX_LINE:
            return None
        values = {
            "key": key.encode(),
            "to": address.encode(),
            "date": self.date_now(),
            "message_id": self.message_id(secrets.token_hex(16)).encode(),
        }
        return b"".join(
            piece if isinstance(piece, bytes) else values[piece[0]] for piece in self.pieces
        )


def base_context(web=False):
    return {
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
        "unsubscribe_url": UNSUBSCRIBE,
        "manage_url": MANAGE,
        "web": web,
    }


class PieceEmail(Email):
    """A piece's email: its leader, pull quote and first answer, or a post's opening."""

    template = "piece"

    def __init__(self, piece, kind, web=False):
        context = piece_context(piece, kind)
        context["web"] = web
        super().__init__(
            context, f"{piece.title}" if kind == "post" else f"New interview: {piece.title}"
        )


class IssueEmail(Email):
    """A newsletter issue written in the admin: its Markdown as HTML, and as written for the
    text part."""

    template = "issue"

    def __init__(self, issue, web=False):
        context = {
            **base_context(web),
            "issue": issue,
            "body_html": email_html(issue.body_html),
            "body_text": issue.body.strip(),
        }
        super().__init__(context, issue.subject)


class DigestEmail(Email):
    """A week's digest: each piece as its own email shows it (the same partial)."""

    template = "digest"

    def __init__(self, digest, web=False):
        pieces = week_pieces(digest.starts_at, digest.ends_at)
        images = interviews_for_email([piece for kind, piece in pieces if kind == "interview"])
        items = [piece_context(piece, kind, images) for kind, piece in pieces]
        interviews = sum(kind == "interview" for kind, _ in pieces)
        posts = len(pieces) - interviews
        counts = [
            f"{n} new {word}{'s' if n != 1 else ''}"
            for n, word in ((interviews, "interview"), (posts, "post"))
            if n
        ]
        week = f"week to {timezone.localtime(digest.ends_at):%-d %B %Y}"
        context = {
            **base_context(web),
            "title": f"The {week}",
            "summary": f"This week on {settings.SITE_NAME}: {' and '.join(counts)}.",
            "items": items,
        }
        super().__init__(context, f"{settings.SITE_NAME}: the {week}")


def email_for(mailing, web=False):
    """The email of a mailing, whatever it is the email of."""
    if mailing.kind == "issue":
        return IssueEmail(mailing.issue, web=web)
    if mailing.kind == "digest":
        return DigestEmail(mailing.digest, web=web)
    return PieceEmail(mailing.piece, mailing.kind, web=web)
