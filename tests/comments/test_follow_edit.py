"""Following by email (confirm, notify, one-click unsubscribe), and the writer's edit window."""

import io
import json
import re
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from comments import services
from comments.forms import make_timestamp
from comments.models import Comment, Subscription
from tests import factories
from tests.comments.support import send

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]


@pytest.fixture
def post():
    return factories.post(title="Finding the time")


def link(message, label):
    url = re.search(rf"{label}: (\S+)", message.body).group(1)
    return url.split("127.0.0.1:8000", 1)[-1]


def follow_data(post, **kw):
    data = {
        "email": "fan@example.org",
        "hp_subject": "",
        "timestamp": make_timestamp(post, now=time.time() - 30),
    }
    data.update(kw)
    return data


# Following ---------------------------------------------------------------------------------


def test_follow_without_commenting_confirm_notify_unsubscribe(
    client, post, django_capture_on_commit_callbacks
):
    url = f"/comments/post/{post.pk}/follow/"
    assert "Follow the comments" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, follow_data(post))
    assert response.status_code == 303
    sub = Subscription.objects.get()
    assert not sub.is_confirmed
    assert len(mail.outbox) == 1
    confirm = link(mail.outbox[0], "Confirm")
    assert "You are following" in Client().get(confirm).content.decode()
    sub.refresh_from_db()
    assert sub.is_confirmed

    # A published comment reaches the follower, with a one-click unsubscribe.
    mail.outbox.clear()
    factories.comment(post=post, email="old@example.org")  # makes the next commenter trusted
    with django_capture_on_commit_callbacks(execute=True):
        send(Client(), post, email="old@example.org", body="News for followers")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["fan@example.org"]
    assert "News for followers" in message.body
    unsubscribe = link(message, r"Stop these emails \(one click\)")
    assert message.extra_headers["List-Unsubscribe"] == (f"<http://127.0.0.1:8000{unsubscribe}>")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    page = Client().get(unsubscribe)
    assert page.status_code == 200
    assert "You are unsubscribed" in page.content.decode()
    assert not Subscription.objects.exists()
    # A second click is harmless.
    assert Client().get(unsubscribe).status_code == 200


def test_one_click_unsubscribe_by_post_needs_no_csrf_token(post):
    sub = services.follow_target(post, "fan@example.org", confirmed=True)
    client = Client(enforce_csrf_checks=True)
    response = client.post(sub.unsubscribe_url(), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert not Subscription.objects.exists()


def test_forged_tokens_are_refused(post):
    sub = services.follow_target(post, "fan@example.org", confirmed=True)
    forged = sub.token()[:-3] + "abc"
    assert Client().get(f"/comments/unsubscribe/{forged}/").status_code == 400
    assert Client().get(f"/comments/follow/confirm/{forged}/").status_code == 404
    assert Subscription.objects.count() == 1


def test_follow_form_refusals_keep_the_email(client, post):
    url = f"/comments/post/{post.pk}/follow/"
    bad = client.post(url, follow_data(post, email="not-an-email"))
    assert bad.status_code == 400
    assert 'value="not-an-email"' in bad.content.decode()
    bot = client.post(url, follow_data(post, hp_subject="x"))
    assert bot.status_code == 400
    assert client.post(url, follow_data(post)).status_code == 303
    again = client.post(url, follow_data(post, email="fan2@example.org"))
    assert again.status_code == 429
    assert Subscription.objects.count() == 1


def test_notify_me_box_on_the_comment_form(client, post, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send(client, post, follow="on", email="Ada@Example.org")
    sub = Subscription.objects.get()
    assert sub.email == "ada@example.org" and not sub.is_confirmed
    subjects = [m.subject for m in mail.outbox]
    assert any("Confirm you want comment emails" in s for s in subjects)
    assert "emailed you a link to confirm" in client.get(post.get_absolute_url()).content.decode()


def test_following_twice_is_one_subscription(post):
    services.follow_target(post, "fan@example.org")
    services.follow_target(post, "FAN@example.org")
    assert Subscription.objects.count() == 1


# Edit and delete ---------------------------------------------------------------------------


def test_writer_can_edit_within_the_window_in_the_same_browser(client, post):
    factories.comment(post=post, email="ada@example.org")
    send(client, post, body="Frist!")
    comment = Comment.objects.get(body="Frist!")
    assert comment.status == "approved"
    page = client.get(post.get_absolute_url()).content.decode()
    assert f"/comments/{comment.pk}/edit/" in page

    assert client.get(f"/comments/{comment.pk}/edit/").status_code == 200
    response = client.post(f"/comments/{comment.pk}/edit/", {"body": "First!"})
    assert response.status_code == 303
    comment.refresh_from_db()
    assert comment.body == "First!" and comment.edited_at is not None
    assert comment.status == "approved"

    # Another browser cannot.
    other = Client()
    assert other.get(f"/comments/{comment.pk}/edit/").status_code == 403
    assert other.post(f"/comments/{comment.pk}/delete/").status_code == 403
    assert Comment.objects.filter(pk=comment.pk).exists()


def test_an_edit_that_adds_links_goes_back_to_moderation(client, post):
    factories.comment(post=post, email="ada@example.org")
    send(client, post, body="Fine")
    comment = Comment.objects.get(body="Fine")
    client.post(
        f"/comments/{comment.pk}/edit/",
        {"body": "http://a.example http://b.example http://c.example"},
    )
    comment.refresh_from_db()
    assert comment.status == "pending"


def test_the_window_closes_after_15_minutes(client, post):
    send(client, post, body="Old words")
    comment = Comment.objects.get()
    Comment.objects.filter(pk=comment.pk).update(created_at=timezone.now() - timedelta(minutes=16))
    response = client.post(f"/comments/{comment.pk}/edit/", {"body": "New words"})
    assert response.status_code == 403
    assert "for 15 minutes after posting" in response.content.decode()
    comment.refresh_from_db()
    assert comment.body == "Old words"


def test_edit_refusals_keep_the_text(client, post):
    send(client, post, body="Short")
    comment = Comment.objects.get()
    response = client.post(f"/comments/{comment.pk}/edit/", {"body": "y" * 6000})
    assert response.status_code == 400
    assert "y" * 6000 in response.content.decode()


def test_delete_without_replies_removes_the_comment(client, post):
    send(client, post, body="Regret")
    comment = Comment.objects.get()
    assert "Delete your comment?" in client.get(f"/comments/{comment.pk}/delete/").content.decode()
    assert client.post(f"/comments/{comment.pk}/delete/").status_code == 303
    assert not Comment.objects.exists()


def test_delete_with_replies_keeps_the_thread_and_wipes_personal_data(client, post):
    factories.comment(post=post, email="ada@example.org")
    send(client, post, body="Parent", website="https://ada.example")
    comment = Comment.objects.get(body="Parent")
    factories.comment(post=post, parent=comment, body="A reply")
    client.post(f"/comments/{comment.pk}/delete/")
    comment.refresh_from_db()
    assert comment.status == "removed"
    assert (comment.body, comment.email, comment.website, comment.ip_address) == ("", "", "", None)
    assert Comment.objects.filter(body="A reply").exists()


# Personal data -----------------------------------------------------------------------------


def test_purge_ip_addresses_older_than_n_days():
    old = factories.comment(ip_address="192.0.2.1", user_agent="Firefox")
    Comment.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=31))
    new = factories.comment(ip_address="192.0.2.2", user_agent="Chrome")
    out = io.StringIO()
    call_command("comments_purge_ips", stdout=out)
    assert "1 comments older than 30 days" in out.getvalue()
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.ip_address, old.user_agent) == (None, "")
    assert (new.ip_address, new.user_agent) == ("192.0.2.2", "Chrome")
    call_command("comments_purge_ips", "--days", "0", stdout=out)
    new.refresh_from_db()
    assert new.ip_address is None


def test_export_and_erase_a_commenters_data(post):
    factories.comment(post=post, email="ada@example.org", name="Ada", ip_address="192.0.2.1")
    factories.comment(post=post, email="bob@example.org", name="Bob")
    services.follow_target(post, "ada@example.org", confirmed=True)
    out = io.StringIO()
    call_command("comments_personal_data", "export", "ADA@example.org", stdout=out)
    data = json.loads(out.getvalue())
    assert [c["name"] for c in data["comments"]] == ["Ada"]
    assert data["comments"][0]["ip_address"] == "192.0.2.1"
    assert len(data["following"]) == 1

    call_command("comments_personal_data", "erase", "ada@example.org", "--yes", stdout=out)
    ada = Comment.objects.get(name="Anonymous")
    assert (ada.email, ada.ip_address) == ("", None)
    assert Comment.objects.filter(name="Bob").exists()
    assert not Subscription.objects.exists()


def test_erased_names_leave_cached_pages_at_once(client, post, settings):
    settings.PAGE_CACHE = True
    settings.PAGE_CACHE_LOCAL_SECONDS = 0
    factories.comment(post=post, email="ada@example.org", name="Ada Lovelace")
    client.get(post.get_absolute_url())  # the first render also creates the moderation settings
    assert "Ada Lovelace" in client.get(post.get_absolute_url()).content.decode()
    assert client.get(post.get_absolute_url())["X-Cache"] == "hit"

    services.erase_commenter("ada@example.org")

    page = client.get(post.get_absolute_url())
    assert "Ada Lovelace" not in page.content.decode()
    assert "Anonymous" in page.content.decode()


def test_erase_with_delete_removes_the_comments(post):
    factories.comment(post=post, email="ada@example.org")
    call_command(
        "comments_personal_data",
        "erase",
        "ada@example.org",
        "--delete",
        "--yes",
        stdout=io.StringIO(),
    )
    assert not Comment.objects.exists()


def test_personal_data_command_refuses_a_non_email():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="is not an email address"):
        call_command("comments_personal_data", "export", "nobody")


def test_ip_comes_from_the_trusted_header_only_when_configured(settings, post):
    client = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7")
    send(client, post, email="one@example.org", body="one")
    assert Comment.objects.get(body="one").ip_address == "10.0.0.1"
    settings.COMMENTS_TRUSTED_PROXY_HEADER = "HTTP_X_FORWARDED_FOR"
    send(client, post, email="two@example.org", body="two")
    assert Comment.objects.get(body="two").ip_address == "198.51.100.7"
    cache.clear()  # the flood rule would refuse the same address within 15 seconds
    spoofed = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="not-an-ip")
    send(spoofed, post, email="three@example.org", body="three")
    assert Comment.objects.get(body="three").ip_address == "10.0.0.1"
