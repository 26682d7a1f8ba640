"""A newsletter copy goes over SMTP while its `sending` mark is written: everything but the dot
that ends DATA is sent first, and the dot only once the mark is written (socialleaders.mail.
sendmail_when). The server must deliver nothing before it, nothing at all when the mark says
the copy was taken back, and the session must refuse and recover as smtplib's sendmail does."""

import smtplib

import pytest

from socialleaders.mail import sendmail_when

MESSAGE = (
    b"From: editors@localhost\r\nTo: reader@example.org\r\nSubject: Next week's leader\r\n\r\n"
    b"A first line.\r\n.A line that starts with a dot.\r\n"
)


@pytest.fixture
def session(smtp_server):
    client = smtplib.SMTP("127.0.0.1", smtp_server.port)
    yield client
    client.close()


def send(session, ready):
    return sendmail_when(session, "editors@localhost", ["reader@example.org"], MESSAGE, ready)


def test_nothing_is_delivered_before_ready_says_yes_then_the_message_arrives_whole(
    session, smtp_server
):
    seen_while_waiting = []

    def ready():
        # The server has MAIL, RCPT, DATA and the body by now: give it time to deliver early.
        smtp_server.wait_for(1, timeout=0.3)
        seen_while_waiting.append(len(smtp_server.messages))
        return True

    assert send(session, ready) is True
    assert seen_while_waiting == [0]
    # What the server received is what smtplib's own sendmail delivers (the body's leading
    # dot doubled on the wire and undone by the server).
    session.sendmail("editors@localhost", ["reader@example.org"], MESSAGE)
    [(recipients, ours), (_, theirs)] = smtp_server.messages
    assert recipients == ["reader@example.org"]
    assert ours["Subject"] == "Next week's leader"
    assert ".A line that starts with a dot." in ours.get_content()
    assert ours.as_bytes() == theirs.as_bytes()


def test_a_copy_taken_back_meanwhile_is_never_delivered(smtp_server):
    client = smtplib.SMTP("127.0.0.1", smtp_server.port)
    assert send(client, lambda: False) is False
    # The next session (reopened after the drop) delivers normally.
    again = smtplib.SMTP("127.0.0.1", smtp_server.port)
    assert send(again, lambda: True) is True
    again.quit()
    assert len(smtp_server.wait_for(1)) == 1


def test_a_mark_that_fails_drops_the_message_and_says_why(smtp_server):
    client = smtplib.SMTP("127.0.0.1", smtp_server.port)

    def ready():
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError, match="went away"):
        send(client, ready)
    assert smtp_server.wait_for(1, timeout=0.3) == []


def test_a_temporary_refusal_at_the_end_of_data_raises_as_sendmail_does(session, smtp_server):
    smtp_server.refuse = 1
    with pytest.raises(smtplib.SMTPDataError) as refused:
        send(session, lambda: True)
    assert refused.value.smtp_code == 451
    # The session is still usable: the next message goes out on it.
    assert send(session, lambda: True) is True
    assert len(smtp_server.messages) == 1


def test_a_refused_recipient_raises_before_anything_waits(session, smtp_server):
    smtp_server.unknown = {"gone@example.org"}
    asked = []
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        sendmail_when(session, "editors@localhost", ["gone@example.org"], MESSAGE, asked.append)
    assert asked == [] and smtp_server.messages == []
