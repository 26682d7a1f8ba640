"""A batch's message is built once and each subscriber's copy made from its bytes: every copy
must be exactly what Django's SMTP backend would have sent that subscriber, and where it could
not be (another backend, an address or key the stand-ins do not fit, a stand-in cut by the
encoding), the message is built whole as before."""

import re
from email import message_from_bytes, policy

import pytest
from django.core.mail import get_connection
from django.core.mail.message import sanitize_address
from django.utils import timezone

from newsletter.emails import MANAGE, UNSUBSCRIBE, Email, PieceEmail
from newsletter.models import Delivery, Mailing, Subscriber
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


def comparable(data):
    """The bytes less what differs between any two builds of one message: Date, Message-ID
    and the multipart boundary."""
    data = re.sub(rb"\r\nDate: [^\r]*", b"\r\nDate: -", data)
    data = re.sub(rb"\r\nMessage-ID: [^\r]*", b"\r\nMessage-ID: -", data)
    boundary = re.search(rb'boundary="([^"]+)"', data).group(1)
    return data.replace(boundary, b"-boundary-")


def as_django_sends_it(email, subscriber):
    return email.message_for(subscriber).message().as_bytes(linesep="\r\n")


def zoe_interview(published=False):
    leader = factories.leader(name="Zoë Ångström", organisation="Société Générale")
    interview = factories.interview(
        published=published, leader=leader, title="Zoë Ångström: écouter d’abord"
    )
    answer = factories.answer(interview=interview, body="Café, naïveté, façade: *all* of it.")
    factories.quote(interview=interview, answer=answer, text="Listen first 🎧, then talk 💬.")
    return interview


def reader(email, **kw):
    return Subscriber.objects.create(
        email=email, status="confirmed", confirmed_at=timezone.now(), **kw
    )


def test_each_copy_is_byte_for_byte_what_django_would_send_that_subscriber(smtp):
    email = PieceEmail(zoe_interview(published=True), "interview")
    wire = email.wire(get_connection())
    assert wire is not None
    one, two = reader("one@example.org"), reader("Two.Readers+news@Example.co.uk")
    copies = {}
    for subscriber in (one, two):
        data = wire.bytes_for(subscriber)
        assert data is not None
        assert comparable(data) == comparable(as_django_sends_it(email, subscriber))
        copies[subscriber.key] = message_from_bytes(data, policy=policy.default)
    first, second = copies[one.key], copies[two.key]
    # (Django folds an encoded subject after "Subject:"; Python's parser keeps that space.)
    assert first["Subject"].strip() == "New interview: Zoë Ångström: écouter d’abord"
    assert first["To"] == "one@example.org" and second["To"] == "Two.Readers+news@Example.co.uk"
    html = first.get_body(preferencelist=("html",)).get_content()
    text = first.get_body(preferencelist=("plain",)).get_content()
    assert "Zoë Ångström" in html and "Listen first 🎧, then talk 💬." in text
    for mine, theirs in ((one, two), (two, one)):
        message = copies[mine.key]
        assert message["List-Unsubscribe"].strip() == (
            f"<http://testserver/subscribe/unsubscribe/{mine.key}/>"
        )
        for part in ("plain", "html"):
            body = message.get_body(preferencelist=(part,)).get_content()
            assert f"/subscribe/unsubscribe/{mine.key}/" in body
            assert f"/subscribe/manage/{mine.key}/" in body
            assert theirs.key not in body
    assert first["Message-ID"] != second["Message-ID"]


def test_two_readers_in_one_batch_each_receive_their_own_links(smtp, settings):
    settings.NEWSLETTER_BATCH_SIZE = 50
    readers = [reader("one@example.org"), reader("two@example.org")]
    interview = zoe_interview()
    interview.status, interview.publish_at = "published", timezone.now()
    interview.save()
    assert len(smtp.messages) == 2
    assert len({message["Message-ID"] for _, message in smtp.messages}) == 2
    for subscriber in readers:
        other = next(r for r in readers if r != subscriber)
        (message,) = smtp.to(subscriber.email)
        assert message["To"] == subscriber.email
        assert message["Subject"].strip() == "New interview: Zoë Ångström: écouter d’abord"
        text = message.get_body(preferencelist=("plain",)).get_content()
        html = message.get_body(preferencelist=("html",)).get_content()
        assert "Listen first 🎧, then talk 💬." in text and "Zoë Ångström" in html
        for body in (text, html, message["List-Unsubscribe"]):
            assert f"/subscribe/unsubscribe/{subscriber.key}/" in body
            assert other.key not in body
        assert f"/subscribe/manage/{subscriber.key}/" in text
    assert set(Delivery.objects.values_list("state", flat=True)) == {"sent"}


ODD = [
    "zoë@example.org",  # not ASCII: Django encodes it
    "reader@exämple.org",  # an IDN: Django writes the domain in punycode
    '"two words"@example.org',  # quoted
    f"{'long' * 18}@example.org",  # its To line would be folded
]


@pytest.mark.parametrize("address", ODD)
def test_an_address_the_stand_in_does_not_fit_is_built_whole_and_still_sent(
    smtp, settings, address
):
    settings.NEWSLETTER_BATCH_SIZE = 50
    interview = zoe_interview()
    odd, plain = reader(address), reader("plain@example.org")
    assert PieceEmail(interview, "interview").wire(get_connection()).bytes_for(odd) is None
    interview.status, interview.publish_at = "published", timezone.now()
    interview.save()
    assert len(smtp.messages) == 2 and len(smtp.to("plain@example.org")) == 1
    received = [message for _, message in sorted(smtp.messages, key=plain_last)]
    for subscriber, message in zip((odd, plain), received, strict=True):
        text = message.get_body(preferencelist=("plain",)).get_content()
        assert f"/subscribe/unsubscribe/{subscriber.key}/" in text
    assert set(Delivery.objects.values_list("state", flat=True)) == {"sent"}


def plain_last(received):
    return received[0] == ["plain@example.org"]


def test_an_older_key_of_another_length_is_built_whole(smtp):
    email = PieceEmail(zoe_interview(published=True), "interview")
    wire = email.wire(get_connection())
    assert wire.bytes_for(reader("old@example.org", key="k" * 40)) is None
    assert wire.bytes_for(reader("new@example.org")) is not None


@pytest.mark.parametrize(
    "address",
    [
        "a@example.org",
        "first.last@sub.example.org",
        "x_y%z+tag@EXAMPLE.COM",
        "a-b@b-c.io",
        f"{'a' * 62}@example.org",  # the longest whose To line is not folded: 78 characters
    ],
)
def test_a_plain_address_goes_in_as_django_would_write_it(smtp, address):
    email = PieceEmail(zoe_interview(published=True), "interview")
    subscriber = reader(address)
    data = email.wire(get_connection()).bytes_for(subscriber)
    assert sanitize_address(address, "utf-8") == address  # the envelope: as Django's
    assert comparable(data) == comparable(as_django_sends_it(email, subscriber))


def test_other_backends_get_the_message_itself(smtp):
    email = PieceEmail(zoe_interview(published=True), "interview")
    for backend in (
        "django.core.mail.backends.locmem.EmailBackend",
        "django.core.mail.backends.console.EmailBackend",
        "anymail.backends.test.EmailBackend",
    ):
        assert email.wire(get_connection(backend)) is None


class Written(Email):
    """An email of given text and HTML (the stand-ins for the links in them, as rendered)."""

    def __init__(self, text, html="<p>Hello</p>"):
        self.subject, self.text, self.html = "A test", text, html


def test_a_long_line_sent_quoted_printable_keeps_the_stand_ins_whole_or_is_built_whole(smtp):
    # A line over 998 bytes makes Django encode the part quoted-printable, which cuts lines at
    # 76 characters: a link cut there cannot be found in the bytes, and the batch is built
    # message by message; one left whole comes out exactly as Django would send it.
    subscriber = reader("reader@example.org")
    built_whole = 0
    for offset in range(80):
        text = f"{'é' * offset}{UNSUBSCRIBE} {'long line ' * 110}\n\n{MANAGE}\n"
        email = Written(text)
        assert b"quoted-printable" in as_django_sends_it(email, subscriber)
        wire = email.wire(get_connection())
        if wire is None:
            built_whole += 1
            continue
        expected = as_django_sends_it(email, subscriber)
        assert comparable(wire.bytes_for(subscriber)) == comparable(expected)
    assert 0 < built_whole < 80


def test_an_issue_with_a_long_paragraph_goes_out_with_each_readers_links(smtp, settings):
    from newsletter.issues import mail_issue

    settings.NEWSLETTER_BATCH_SIZE = 50
    readers = [reader("one@example.org"), reader("two@example.org")]
    issue = factories.issue(status="scheduled", body="Ça va: " + "a paragraph that goes on, " * 60)
    mail_issue.call(issue.pk)
    assert Mailing.objects.get(issue=issue).state == "done"
    for subscriber in readers:
        (message,) = smtp.to(subscriber.email)
        text = message.get_body(preferencelist=("plain",)).get_content()
        assert "Ça va: " + "a paragraph that goes on, " * 59 in text
        assert f"/subscribe/unsubscribe/{subscriber.key}/" in text
