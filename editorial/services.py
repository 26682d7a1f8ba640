"""Editorial writes that go beyond one row: sending an interview to its leader for approval."""

from datetime import timedelta

from django.core.mail import EmailMessage
from django.utils import timezone

from socialleaders.mail import send_later

from .models import ApprovalLink


def send_for_approval(interview, user, url_for, *, to="", message="", days=7):
    """Make an approval link for ``interview`` and, when ``to`` is given, email it there once the
    link is committed. ``url_for(token)`` makes the link's absolute address. Returns
    (link, url)."""
    link, token = ApprovalLink.create_for(
        interview,
        user,
        note=f"emailed to {to}" if to else "",
        expires_at=timezone.now() + timedelta(days=days),
    )
    url = url_for(token)
    if to:
        body = f"{message.strip()}\n\n{url}\n\nThe link works until {link.expires_at:%d %B %Y}."
        subject = f"Your interview “{interview.title}”: please approve it"
        reply_to = [user.email] if user.email else None
        # EmailMessage rather than send_mail: replies go to the editor who sent it. Queued once
        # the link is committed, retried by the queue if the mail server refuses for now.
        send_later(EmailMessage(subject, body, to=[to], reply_to=reply_to), log="editorial")
    return link, url
