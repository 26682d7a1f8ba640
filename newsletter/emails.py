"""The messages the newsletter sends. A piece's email is rendered once per mailing; only each
subscriber's own links are put in per message."""

import css_inline
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils.html import strip_tags

from . import links

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


def piece_context(piece, kind):
    """What a piece's email shows: for an interview its leader, pull quote and first answer;
    for a post its excerpt or opening."""
    context = {
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
        "piece": piece,
        "kind": kind,
        "url": links.absolute(piece.get_absolute_url()),
        "unsubscribe_url": UNSUBSCRIBE,
        "manage_url": MANAGE,
    }
    if kind == "interview":
        quote = piece.quotes.order_by("-featured", "order", "id").first()
        answer = piece.answers.select_related("question").order_by("order", "id").first()
        context.update(leader=piece.leader, quote=quote, answer=answer)
        if answer is not None:
            context["answer_text"] = strip_tags(answer.body_html).strip()
    else:
        context["opening"] = piece.excerpt or strip_tags(piece.body_html).strip()[:600]
    return context


class PieceEmail:
    """A piece's email, rendered and inlined once; ``message_for`` fills in a subscriber."""

    def __init__(self, piece, kind, web=False):
        context = piece_context(piece, kind)
        context["web"] = web
        self.subject = f"{piece.title}" if kind == "post" else f"New interview: {piece.title}"
        self.text = render_to_string("newsletter/email/piece.txt", context)
        self.html = css_inline.inline(render_to_string("newsletter/email/piece.html", context))

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
