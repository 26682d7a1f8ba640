"""The messages the newsletter sends: the confirmation, and the email of a piece, an issue or a
week's digest. Each is rendered once per batch; only each subscriber's own links are put in per
message."""

import css_inline
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import Prefetch, prefetch_related_objects
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import format_html, strip_tags

from images.templatetags.images import rendition_url
from interviews.models import Answer, Quote
from socialleaders.text import resolve_library_images, with_library_images

from . import links
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
