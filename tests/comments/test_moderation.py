"""The editors' rules, moderation emails and links, notifications that never lose a comment."""

import logging
import re

import pytest
from django.core import mail, signing
from django.test import Client

from comments import services
from comments.models import Comment, ModerationSettings, Subscription
from tests import factories
from tests.comments.support import send
from tests.factories import moderation_settings as policy

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]


@pytest.fixture
def post(django_user_model):
    user = django_user_model.objects.create_user("author", "author@example.org", "pw")
    return factories.post(title="On LinkedIn", author=factories.author(user=user))


def decide(**kw):
    values = {"name": "Ada", "email": "ada@example.org", "website": "", "body": "Nice post."}
    values.update(kw)
    return services.decide(**values)


# Rules -------------------------------------------------------------------------------------


def test_first_time_commenters_are_held_then_trusted():
    assert decide().status == "pending"
    factories.comment(email="ADA@example.org", status="approved")
    assert decide().status == "approved"


def test_first_time_rule_can_be_switched_off():
    policy(hold_first_time=False)
    assert decide().status == "approved"


def test_a_pending_or_spam_comment_does_not_make_a_commenter_trusted():
    factories.comment(email="ada@example.org", status="pending")
    factories.comment(email="ada@example.org", status="spam")
    assert decide().status == "pending"


def test_hold_every_comment():
    factories.comment(email="ada@example.org", status="approved")
    policy(hold_all=True)
    decision = decide()
    assert decision.status == "pending" and decision.note == "every comment is held"


def test_more_than_two_links_are_held_two_are_not():
    policy(hold_first_time=False)
    assert decide(body="http://a.org and www.b.org").status == "approved"
    decision = decide(body="http://a.org www.b.org https://c.org/x")
    assert decision.status == "pending"
    assert decision.note == "3 links (more than 2)"
    policy(max_links=0)
    assert decide(body="see https://a.org").status == "pending"


def test_moderation_words_match_whole_words_and_domains_anywhere():
    policy(hold_first_time=False, moderation_terms="casino\nshady.example\n")
    assert decide(body="Visit my CASINO tonight").status == "pending"
    assert decide(body="Occasional readers welcome").status == "approved"  # not "casino"
    assert decide(website="https://www.shady.example/").status == "pending"
    assert decide(body="all fine").status == "approved"


def test_blocked_words_emails_domains_and_ips_go_to_spam():
    policy(blocked_terms="viagra\nspammer@example.com\n@junk.example\n203.0.113.9")
    factories.comment(email="ada@example.org", status="approved")  # even trusted
    assert decide(body="Cheap Viagra").status == "spam"
    assert decide(email="spammer@example.com").status == "spam"
    assert decide(email="bot@junk.example").status == "spam"
    assert decide(ip="203.0.113.9").status == "spam"
    assert decide(ip="203.0.113.10").status == "approved"
    assert decide(body="Nothing wrong").status == "approved"


def test_blocked_comments_are_kept_as_spam_and_the_sender_is_told_they_wait(client, post):
    policy(blocked_terms="viagra")
    response = send(client, post, body="viagra deals")
    assert response.status_code == 303
    comment = Comment.objects.get()
    assert comment.status == "spam" and comment.moderation_note == "blocked term: viagra"
    assert "awaiting moderation" in client.get(post.get_absolute_url()).content.decode()
    assert "viagra deals" not in Client().get(post.get_absolute_url()).content.decode()


def test_editors_skip_moderation_and_flood_limits(client, editor, post):
    client.force_login(editor)
    assert send(client, post, body="one").status_code == 303
    assert send(client, post, body="two").status_code == 303
    assert set(Comment.objects.values_list("status", flat=True)) == {"approved"}
    assert not Comment.objects.filter(by_post_author=True).exists()  # not this post's author


def test_policy_settings_are_editable_in_the_admin(editor_client):
    response = editor_client.get("/admin/comments/moderationsettings/")
    assert response.status_code == 302
    change = editor_client.get(response["Location"])
    assert change.status_code == 200
    assert "Hold first-time commenters" in change.content.decode()
    data = {
        "comments_enabled": "on",
        "interviews_open": "on",
        "close_after_days": "14",
        "hold_first_time": "on",
        "max_links": "1",
        "moderation_terms": "casino",
        "blocked_terms": "",
        "max_depth": "3",
        "notify_editors": "on",
        "notify_emails": "desk@example.org",
    }
    saved = editor_client.post(response["Location"], data)
    assert saved.status_code == 302
    loaded = ModerationSettings.load()
    assert (loaded.max_links, loaded.max_depth, loaded.close_after_days) == (1, 3, 14)
    assert loaded.notify_list == ["desk@example.org"]


def test_followers_admin_lists_and_erases(editor_client, post):
    sub = services.follow_target(post, "fan@example.org", confirmed=True)
    factories.comment(post=post, email="fan@example.org", name="Fan")
    assert editor_client.get("/admin/comments/subscription/").status_code == 200
    response = editor_client.post(
        "/admin/comments/subscription/",
        {"action": "erase_personal_data", "_selected_action": [sub.pk]},
    )
    assert response.status_code == 302
    assert not Subscription.objects.exists()
    assert Comment.objects.get().name == "Anonymous"


# Emails to moderators ----------------------------------------------------------------------


def test_pending_comment_emails_the_author_and_editors_with_links(
    client, post, editor, django_capture_on_commit_callbacks
):
    policy(notify_emails="desk@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        send(client, post, body="Please moderate me")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(message.to) == ["author@example.org", "desk@example.org", "editor@example.com"]
    assert "On LinkedIn" in message.subject
    assert "Please moderate me" in message.body
    assert "first comment from this email address" in message.body
    approve = re.search(r"Approve it: (\S+)", message.body).group(1)
    spam = re.search(r"Mark it as spam: (\S+)", message.body).group(1)
    assert approve.startswith("http") and spam.startswith("http")

    # The link asks first (a mail scanner following links changes nothing)...
    path = approve.split("127.0.0.1:8000", 1)[-1]
    anonymous = Client()
    page = anonymous.get(path)
    assert page.status_code == 200 and "Approve this comment?" in page.content.decode()
    assert Comment.objects.get().status == "pending"
    # ... and the button does it, without logging in.
    with django_capture_on_commit_callbacks(execute=True):
        done = anonymous.post(path)
    assert "Comment approved" in done.content.decode()
    assert Comment.objects.get().status == "approved"


def test_spam_link_and_bad_links(client, post, django_capture_on_commit_callbacks):
    comment = factories.comment(post=post, status="pending")
    token = services.moderation_token(comment, "spam")
    Client().post(f"/comments/moderate/{token}/")
    comment.refresh_from_db()
    assert comment.status == "spam"

    forged = Client().get("/comments/moderate/not-a-token/")
    assert forged.status_code == 400
    assert "expired or is not valid" in forged.content.decode()
    other_action = signing.dumps({"c": comment.pk, "a": "delete"}, salt=services.MODERATION_SALT)
    assert Client().post(f"/comments/moderate/{other_action}/").status_code == 400


def test_moderation_links_expire(settings, post):
    comment = factories.comment(post=post, status="pending")
    token = services.moderation_token(comment, "approve")
    settings.COMMENTS_MODERATION_LINK_DAYS = -1
    assert Client().post(f"/comments/moderate/{token}/").status_code == 400
    comment.refresh_from_db()
    assert comment.status == "pending"


def test_a_failing_mail_server_never_loses_the_comment(
    client, post, editor, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    def broken(self, *args, **kwargs):
        raise ConnectionRefusedError("SMTP server down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", broken)
    with (
        caplog.at_level(logging.ERROR, logger="comments"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = send(client, post, body="Survives the outage")
    assert response.status_code == 303
    assert Comment.objects.get().body == "Survives the outage"
    assert any("could not send" in r.getMessage() for r in caplog.records)


def test_notifications_wait_for_the_commit(
    client, post, editor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        send(client, post, body="Not yet told")
    assert mail.outbox == []
    assert len(callbacks) == 1


# Approving tells followers, once -----------------------------------------------------------


def test_approving_tells_followers_once(post, django_capture_on_commit_callbacks):
    services.follow_target(post, "fan@example.org", confirmed=True)
    services.follow_target(post, "unconfirmed@example.org")
    services.follow_target(post, "writer@example.org", confirmed=True)
    mail.outbox.clear()
    comment = factories.comment(post=post, status="pending", email="writer@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        services.approve(Comment.objects.filter(pk=comment.pk))
    assert [m.to for m in mail.outbox] == [["fan@example.org"]]
    with django_capture_on_commit_callbacks(execute=True):
        services.mark_spam([comment])
        services.approve(Comment.objects.filter(pk=comment.pk))
    assert len(mail.outbox) == 1
