"""Sign-up, confirmation, the piece's email and leaving, against a real SMTP server (the
immediate task backend: jobs run in this process, as with `make run`)."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from interviews.models import Interview
from newsletter.models import Delivery, Mailing, Subscriber
from newsletter.tasks import mail_due_pieces, mail_piece
from tests import factories

from .support import form_data, link_in, path_of

pytestmark = pytest.mark.django_db(transaction=True)


def sign_up(client, email, page="/subscribe/", **wants):
    served = client.get(page)
    assert served.status_code == 200
    return client.post("/subscribe/", form_data(served, email, **wants))


def confirmed(client, smtp, email):
    response = sign_up(client, email)
    assert response.status_code == 302
    (confirmation,) = smtp.to(email)
    link = link_in(confirmation, r"http://testserver/subscribe/confirm/\S+")
    assert client.get(path_of(link)).status_code == 200
    return Subscriber.objects.get(email=email)


def interview_with_content():
    interview = factories.interview(published=False, title="Being you online")
    answer = factories.answer(interview=interview, body="Just **start**: share what you see.")
    factories.quote(interview=interview, answer=answer, text="Be you, dive in, share stuff.")
    return interview


def publish(piece):
    piece.status = "published"
    piece.publish_at = timezone.now()
    piece.save()


def test_sign_up_confirm_receive_one_email_and_leave_with_one_click(client, smtp):
    response = sign_up(client, "Reader@Example.org", page="/")
    assert response.status_code == 302
    assert response["Location"] == "/subscribe/check-your-inbox/"
    subscriber = Subscriber.objects.get()
    assert subscriber.status == "pending"
    assert subscriber.email == "Reader@example.org"
    assert subscriber.consent_path == "/"
    assert "one-click unsubscribe" in subscriber.consent_text
    assert subscriber.consent_at is not None

    # Nothing but the confirmation is sent before the click.
    interview = interview_with_content()
    publish(interview)
    assert len(smtp.messages) == 1
    (confirmation,) = smtp.to("Reader@example.org")
    assert "Confirm your subscription" in confirmation["Subject"]
    link = link_in(confirmation, r"http://testserver/subscribe/confirm/\S+")
    page = client.get(path_of(link))
    assert page.status_code == 200
    assert b"You are subscribed" in page.content
    subscriber.refresh_from_db()
    assert subscriber.status == "confirmed"

    second = factories.interview(published=False, title="Listening first")
    factories.answer(interview=second, body="I listen before I post.")
    publish(second)
    mails = smtp.to("Reader@example.org")
    assert len(mails) == 2
    mail = mails[1]
    assert mail["Subject"] == "New interview: Listening first"
    unsubscribe = str(mail["List-Unsubscribe"]).strip().strip("<>")
    assert unsubscribe.startswith("http://testserver/subscribe/unsubscribe/")
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html = mail.get_body(preferencelist=("html",)).get_content()
    text = mail.get_body(preferencelist=("plain",)).get_content()
    assert "I listen before I post." in text and "Read it on the site" in text
    assert "http://testserver/interviews/" in text or second.get_absolute_url() in text
    assert 'style="' in html and "<style>" not in html  # CSS inlined
    assert unsubscribe in html and unsubscribe in text
    assert Delivery.objects.get().state == "sent"

    # Saving the piece again sends nothing more.
    second.title = "Listening first, always"
    second.save()
    assert len(smtp.to("Reader@example.org")) == 2

    # RFC 8058: the mail client POSTs the body below to the URL; no page, no token.
    response = client.post(path_of(unsubscribe), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == "unsubscribed"
    publish(factories.interview(published=False))
    assert len(smtp.to("Reader@example.org")) == 2


def test_the_email_has_the_leader_pull_quote_and_first_answer(client, smtp):
    confirmed(client, smtp, "reader@example.org")
    interview = interview_with_content()
    publish(interview)
    mail = smtp.to("reader@example.org")[-1]
    html = mail.get_body(preferencelist=("html",)).get_content()
    assert interview.leader.name in html
    assert "Be you, dive in, share stuff." in html
    assert "<strong>start</strong>" in html
    mailing = Mailing.objects.get(interview=interview)
    web = client.get(f"/newsletter/{mailing.pk}/")
    assert web.status_code == 200
    assert b"Be you, dive in, share stuff." in web.content
    assert b"/subscribe/unsubscribe/" not in web.content


def test_temporary_refusal_is_retried_and_the_email_sent_once(client, smtp):
    confirmed(client, smtp, "reader@example.org")
    smtp.refuse = 1
    publish(interview_with_content())
    assert smtp.refused == 1
    assert len(smtp.to("reader@example.org")) == 2  # the confirmation, then one copy
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts) == ("sent", 2)


def test_a_batch_goes_out_over_one_smtp_connection(client, smtp, settings):
    # Providers limit connections: a batch is one session, not one connection per message.
    settings.NEWSLETTER_BATCH_SIZE = 50
    now = timezone.now()
    Subscriber.objects.bulk_create(
        Subscriber(email=f"reader{n}@example.org", status="confirmed", confirmed_at=now)
        for n in range(6)
    )
    smtp.refuse = 1  # the first message is refused: that session is closed, a new one opened
    publish(interview_with_content())
    assert len(smtp.messages) == 6 and smtp.refused == 1
    # The other five in the first batch's second session, the refused one retried in a later
    # batch, in a session of its own.
    assert len(set(smtp.sessions)) == 2
    assert Delivery.objects.filter(state="sent").count() == 6


def test_a_reader_who_leaves_once_the_send_has_started_gets_nothing(smtp, settings):
    from django.db import transaction

    from newsletter import services
    from newsletter.tasks import start_mailing

    settings.NEWSLETTER_BATCH_SIZE = 2
    now = timezone.now()
    readers = Subscriber.objects.bulk_create(
        Subscriber(email=f"reader{n}@example.org", status="confirmed", confirmed_at=now)
        for n in range(5)
    )
    interview = interview_with_content()
    mailing = Mailing.objects.get(interview=interview, state="pending")
    with transaction.atomic():  # the batches start when this commits
        start_mailing(mailing, now)
        services.unsubscribe(readers[3])
    assert {rcpt for rcpts, _ in smtp.messages for rcpt in rcpts} == {
        f"reader{n}@example.org" for n in (0, 1, 2, 4)
    }
    left = Delivery.objects.get(subscriber=readers[3])
    assert (left.state, left.error) == ("failed", "left before it was sent")
    assert Mailing.objects.get(pk=mailing.pk).state == "done"


def test_readers_get_only_what_they_asked_for(client, smtp):
    confirmed(client, smtp, "interviews@example.org")
    response = sign_up(client, "blog@example.org", boxes=["blog"])
    assert response.status_code == 302
    link = link_in(smtp.to("blog@example.org")[0], r"http://testserver/subscribe/confirm/\S+")
    client.get(path_of(link))
    publish(factories.post(published=False, title="A note from the editor"))
    assert [m["Subject"] for m in smtp.to("blog@example.org")][-1] == "A note from the editor"
    assert len(smtp.to("interviews@example.org")) == 1


def test_the_same_neutral_page_whatever_the_address_and_one_confirmation_an_hour(client, smtp):
    confirmed(client, smtp, "confirmed@example.org")
    Subscriber.objects.create(email="gone@example.org", status="unsubscribed")
    Subscriber.objects.create(email="bounced@example.org", status="bounced")
    pages = []
    for email in [
        "new@example.org",
        "new@example.org",  # pending now
        "CONFIRMED@example.org",
        "bounced@example.org",
    ]:
        response = sign_up(client, email)
        assert response.status_code == 302
        assert response["Location"] == "/subscribe/check-your-inbox/"
        pages.append(client.get(response["Location"]).content)
    assert len(set(pages)) == 1
    assert len(smtp.to("new@example.org")) == 1
    assert len(smtp.to("CONFIRMED@example.org")) == 0
    assert len(smtp.to("confirmed@example.org")) == 1  # its own confirmation only
    assert len(smtp.to("bounced@example.org")) == 0
    assert Subscriber.objects.get(email="confirmed@example.org").status == "confirmed"
    # An hour later a new confirmation may go.
    with time_machine.travel(timezone.now() + timedelta(hours=1, minutes=1)):
        sign_up(client, "new@example.org")
    assert len(smtp.to("new@example.org")) == 2


def test_bad_addresses_and_bots_get_a_form_error_and_nothing_is_stored(client, smtp):
    served = client.get("/subscribe/")
    data = form_data(served, "not an address")
    response = client.post("/subscribe/", data)
    assert response.status_code == 400
    assert b"Enter a valid email address" in response.content
    assert b'value="not an address"' in response.content
    data = form_data(served, "bot@example.org")
    data["hp_subject"] = "buy now"
    assert client.post("/subscribe/", data).status_code == 400
    data = form_data(served, "tamper@example.org")
    data["timestamp"] = "altered"
    assert client.post("/subscribe/", data).status_code == 400
    nothing = form_data(served, "none@example.org", boxes=[])
    assert b"Tick at least one" in client.post("/subscribe/", nothing).content
    assert not Subscriber.objects.exists()
    assert smtp.messages == []


def test_tampered_expired_and_reused_links_change_nothing(client, smtp):
    sign_up(client, "reader@example.org")
    link = path_of(
        link_in(smtp.to("reader@example.org")[0], r"http://testserver/subscribe/confirm/\S+")
    )
    tampered = link[:-3] + ("x" if link[-2] != "x" else "y") + "/"
    response = client.get(tampered)
    assert response.status_code == 400
    assert b"This link does not work" in response.content
    assert b"Nothing has been changed" in response.content
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        expired = client.get(link)
    assert expired.status_code == 400 and b"expired" in expired.content
    assert Subscriber.objects.get().status == "pending"
    assert client.get(link).status_code == 200
    reused = client.get(link)
    assert reused.status_code == 400 and b"already used" in reused.content
    bad_key = client.post("/subscribe/unsubscribe/not-a-key/", {"List-Unsubscribe": "One-Click"})
    assert bad_key.status_code == 400
    assert Subscriber.objects.get().status == "confirmed"


def test_preferences_page_and_the_unsubscribe_page(client, smtp):
    subscriber = confirmed(client, smtp, "reader@example.org")
    manage = f"/subscribe/manage/{subscriber.key}/"
    assert b"Every new interview" in client.get(manage).content
    assert client.post(manage, {"blog": "on"}).status_code == 200
    subscriber.refresh_from_db()
    assert (subscriber.wants_interviews, subscriber.wants_blog) == (False, True)
    assert client.post(manage, {}).status_code == 400  # nothing ticked: an error, no change
    subscriber.refresh_from_db()
    assert subscriber.wants_blog
    unsubscribe = f"/subscribe/unsubscribe/{subscriber.key}/"
    asked = client.get(unsubscribe)  # a link scanner's GET unsubscribes nobody
    assert b"<form" in asked.content
    subscriber.refresh_from_db()
    assert subscriber.status == "confirmed"
    left = client.post(unsubscribe)
    assert b"You are unsubscribed" in left.content
    subscriber.refresh_from_db()
    assert subscriber.status == "unsubscribed"


def test_a_scheduled_piece_is_mailed_once_live_unless_the_editor_turned_it_off(client, smtp):
    confirmed(client, smtp, "reader@example.org")
    soon = timezone.now() + timedelta(hours=2)
    on = factories.interview(published=True, publish_at=soon, title="Scheduled")
    off = factories.interview(published=True, publish_at=soon, title="Quiet")
    Mailing.objects.filter(interview=off).update(send=False)
    mail_due_pieces.enqueue()
    assert len(smtp.to("reader@example.org")) == 1
    with time_machine.travel(soon + timedelta(minutes=1)):
        mail_due_pieces.enqueue()
        mail_due_pieces.enqueue()
    subjects = [m["Subject"] for m in smtp.to("reader@example.org")]
    assert subjects[1:] == ["New interview: Scheduled"]
    assert Mailing.objects.get(interview=on).state == "done"


def test_pieces_live_before_the_newsletter_are_not_mailed_when_edited(client, smtp):
    old = factories.interview(published=True, publish_at=timezone.now() - timedelta(days=400))
    Mailing.objects.all().delete()  # as before the newsletter existed
    confirmed(client, smtp, "reader@example.org")
    old.title = "Typo fixed"
    old.save()
    assert len(smtp.to("reader@example.org")) == 1
    assert Mailing.objects.get(interview=old).state == "skipped"


def test_pages_with_the_form_are_the_same_bytes_for_two_readers(client, smtp, django_user_model):
    from django.test import Client

    interview = factories.interview(published=True)
    post = factories.post(published=True)
    for path in ["/", interview.get_absolute_url(), post.get_absolute_url(), "/subscribe/"]:
        with time_machine.travel(timezone.now(), tick=False):
            first, second = Client().get(path), Client().get(path)
        assert first.status_code == 200, path
        assert b'action="/subscribe/"' in first.content, path
        assert first.content == second.content, path
        assert b"csrfmiddlewaretoken" not in first.content
        assert "csrftoken" not in first.cookies


def test_a_copy_taken_back_is_not_sent_and_the_one_before_is_recorded_sent(smtp):
    from newsletter.tasks import start_sending

    now = timezone.now()
    readers = Subscriber.objects.bulk_create(
        Subscriber(email=f"reader{n}@example.org", status="confirmed", confirmed_at=now)
        for n in range(3)
    )
    mailing = Mailing.objects.get(interview=interview_with_content())
    first, second, third = Delivery.objects.bulk_create(
        Delivery(mailing=mailing, subscriber=r, email=r.email, state=s)
        for r, s in zip(readers, ["sending", "claimed", "queued"], strict=True)
    )
    # The second is still this worker's: it starts, and the first is recorded as sent.
    assert start_sending(second.pk, (first.pk, now)) is True
    # The third was taken back (claim timeout): it does not start; the second is recorded.
    assert start_sending(third.pk, (second.pk, now)) is False
    rows = {d.pk: d for d in Delivery.objects.all()}
    assert [(rows[d.pk].state, rows[d.pk].attempts) for d in (first, second, third)] == [
        ("sent", 0),
        ("sent", 1),
        ("queued", 0),
    ]
    assert rows[first.pk].sent_at == now and rows[third.pk].sent_at is None


def test_a_library_image_in_the_first_answer_reaches_the_email_by_its_full_address(
    client, smtp, django_capture_on_commit_callbacks
):
    confirmed(client, smtp, "reader@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        photo = factories.image(size=(1600, 1000))
    interview = factories.interview(published=False)
    factories.answer(
        interview=interview, body=f"Intro.\n\n![Ada at her desk](image:{photo.pk})\n\nMore."
    )
    publish(interview)
    mail = smtp.to("reader@example.org")[-1]
    html = mail.get_body(preferencelist=("html",)).get_content()
    img = re.search(r'<img src="([^"]+)" alt="Ada at her desk"', html)
    assert img, html
    assert img.group(1).startswith("http") and "/media/" in img.group(1)
    assert "image:" not in html


def test_an_interview_is_mailed_whichever_of_its_saves_jobs_runs_first(client, smtp):
    """Two workers take the draft's job and the publishing's in either order: the publishing's
    first must not record the piece as one never to mail (it did: no email at all)."""
    confirmed(client, smtp, "reader@example.org")
    interview = factories.interview(published=False)
    Mailing.objects.filter(interview=interview).delete()  # as if the draft's job had not run
    Interview.objects.filter(pk=interview.pk).update(status="published", publish_at=timezone.now())
    mail_piece.call("interview", interview.pk, False)  # the publishing's job first
    mail_piece.call("interview", interview.pk, True)  # then the draft's
    mailing = Mailing.objects.get(interview=interview)
    assert mailing.state != Mailing.State.SKIPPED
    assert interview.title in smtp.to("reader@example.org")[-1]["Subject"]
