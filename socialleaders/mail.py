"""Email every app sends one message at a time (comment notifications, moderation notices,
approval links): queued after the commit and sent by the job queue (django-tasks), retried with
backoff when the mail server refuses for now. docs/decisions.md ("The job queue")."""

import logging
import smtplib
import socket
import time
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone
from django_tasks import default_task_backend, task

logger = logging.getLogger(__name__)

# Failures worth trying again: the server hung up, could not be reached, or answered 4xx.
TEMPORARY = (
    smtplib.SMTPServerDisconnected,
    smtplib.SMTPConnectError,
    ConnectionError,
    TimeoutError,
)


def is_temporary(error):
    if isinstance(error, TEMPORARY):
        return True
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return bool(codes) and all(400 <= code < 500 for code in codes)
    code = getattr(error, "smtp_code", None)
    return isinstance(code, int) and 400 <= code < 500


def later(a_task, seconds, *args):
    """Run ``a_task`` in ``seconds``: queued with run_after where the backend can defer, else
    (immediate backend) after a sleep in this process."""
    if default_task_backend.supports_defer:
        when = timezone.now() + timedelta(seconds=seconds)
        a_task.using(run_after=when).enqueue(*args)
    else:
        time.sleep(max(seconds, 0))
        a_task.enqueue(*args)


def serialise(message):
    """A message as JSON-able data for the queue (no attachments: nothing here sends any)."""
    if message.attachments:
        raise ValueError("queued emails carry no attachments")
    return {
        "subject": str(message.subject),
        "body": str(message.body),
        "from_email": message.from_email,
        "to": list(message.to),
        "cc": list(message.cc),
        "bcc": list(message.bcc),
        "reply_to": list(message.reply_to),
        "headers": dict(message.extra_headers),
        "alternatives": [
            [str(content), mimetype] for content, mimetype in getattr(message, "alternatives", [])
        ],
    }


def deserialise(data):
    message = EmailMultiAlternatives(
        subject=data["subject"],
        body=data["body"],
        from_email=data["from_email"],
        to=data["to"],
        cc=data["cc"],
        bcc=data["bcc"],
        reply_to=data["reply_to"],
        headers=data["headers"],
    )
    for content, mimetype in data["alternatives"]:
        message.attach_alternative(content, mimetype)
    return message


def send_later(message, log="socialleaders.mail"):
    """Queue ``message`` once the current transaction commits (at once outside one). Failures
    are logged on the logger named ``log`` (the sending app's)."""
    data = serialise(message)
    transaction.on_commit(lambda: send_message.enqueue(data, log, 1))


@task()
def send_message(data, log="socialleaders.mail", attempt=1):
    """Send one queued message; a temporary refusal queues it again after a backoff
    (MAIL_RETRY_SECONDS doubling), up to MAIL_MAX_ATTEMPTS; anything else is logged."""
    message = deserialise(data)
    try:
        message.send()
    except Exception as error:  # noqa: BLE001 - every failure is logged, none is raised
        retry = is_temporary(error) and attempt < settings.MAIL_MAX_ATTEMPTS
        if not retry:
            logging.getLogger(log).error(
                "could not send %r to %s (attempt %s, gave up): %r",
                message.subject,
                message.to,
                attempt,
                error,
            )
            return False
        logging.getLogger(log).warning(
            "sending %r to %s failed (attempt %s, will retry): %r",
            message.subject,
            message.to,
            attempt,
            error,
        )
        later(
            send_message, settings.MAIL_RETRY_SECONDS * 2 ** (attempt - 1), data, log, attempt + 1
        )
        return False
    return True


def sendmail_when(smtp, from_addr, to_addrs, msg, ready):
    """smtplib's ``sendmail`` for an ASCII message already in wire form (CRLF), holding back
    the line that ends DATA until ``ready()`` says yes: a server delivers nothing before that
    dot (RFC 5321, 4.1.1.4), so whatever ``ready`` waits for (a durable mark written on another
    connection meanwhile) happens before the message can leave. If ``ready()`` says no or
    raises, the session is dropped mid-DATA, which the server discards; returns ``ready``'s
    answer. Refusals raise smtplib's own exceptions, as ``sendmail`` would."""
    smtp.ehlo_or_helo_if_needed()
    # The body and the dot are two writes before one read: with Nagle's algorithm the dot
    # waits for the server's delayed ACK of the body (~40 ms a message on Linux).
    smtp.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    options = [f"size={len(msg)}"] if smtp.does_esmtp and smtp.has_extn("size") else []
    code, reply = smtp.mail(from_addr, options)
    if code != 250:
        _give_up(smtp, code)
        raise smtplib.SMTPSenderRefused(code, reply, from_addr)
    refused = {}
    for address in to_addrs:
        code, reply = smtp.rcpt(address)
        if code not in (250, 251):
            refused[address] = (code, reply)
    if len(refused) == len(to_addrs):
        smtp.rset()
        raise smtplib.SMTPRecipientsRefused(refused)
    smtp.putcmd("data")
    code, reply = smtp.getreply()
    if code != 354:
        _give_up(smtp, code)
        raise smtplib.SMTPDataError(code, reply)
    body = smtplib._quote_periods(msg)  # what SMTP.data() sends, but the final dot
    smtp.send(body if body.endswith(b"\r\n") else body + b"\r\n")
    try:
        go = ready()
    except BaseException:
        smtp.close()
        raise
    if not go:
        smtp.close()  # the socket only: QUIT now would be read as a line of the message
        return False
    smtp.send(b".\r\n")
    code, reply = smtp.getreply()
    if code != 250:
        raise smtplib.SMTPDataError(code, reply)
    return True


def _give_up(smtp, code):
    # As sendmail does: 421 means the server is closing the session.
    if code == 421:
        smtp.close()
    else:
        smtp.rset()
