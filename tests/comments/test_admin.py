"""The comments work's additions to the moderation queue: approve everything from a commenter,
and a link to a commenter's other comments."""

import pytest
from django.core import mail

from comments import services
from comments.models import Comment
from tests import factories

pytestmark = pytest.mark.django_db


def test_approve_all_from_this_commenter(editor_client, django_capture_on_commit_callbacks):
    post = factories.post()
    services.follow_target(post, "fan@example.org", confirmed=True)
    mail.outbox.clear()
    first = factories.comment(post=post, email="ada@example.org", status="pending")
    factories.comment(post=post, email="ADA@example.org", status="pending", body="second")
    factories.comment(post=factories.post(), email="ada@example.org", status="pending")
    spam = factories.comment(post=post, email="ada@example.org", status="spam", body="spam")
    other = factories.comment(post=post, email="bob@example.org", status="pending")
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            "/admin/comments/comment/",
            {"action": "approve_all_from_commenter", "_selected_action": [first.pk]},
        )
    assert response.status_code == 302
    statuses = dict(Comment.objects.values_list("pk", "status"))
    assert [s for pk, s in statuses.items() if pk not in (spam.pk, other.pk)] == ["approved"] * 3
    assert statuses[spam.pk] == "spam" and statuses[other.pk] == "pending"
    # The followers of the post heard about the two comments there.
    assert len(mail.outbox) == 2


def test_link_to_a_commenters_other_comments(editor_client):
    factories.comment(email="ada@example.org", body="first from ada")
    factories.comment(email="Ada@Example.org", body="second from ada")
    factories.comment(email="bob@example.org", body="from bob")
    changelist = editor_client.get("/admin/comments/comment/").content.decode()
    assert "?email__iexact=ada%40example.org" in changelist
    filtered = editor_client.get("/admin/comments/comment/?email__iexact=ada%40example.org")
    html = filtered.content.decode()
    assert filtered.status_code == 200
    assert "first from ada" in html and "second from ada" in html
    assert "from bob" not in html


def test_a_comments_page_has_approve_spam_and_reply_and_no_internal_ids(editor_client):
    from django.urls import reverse

    from comments.models import Comment as C
    from tests import factories as fx

    post = fx.post(title="On councils")
    parent = fx.comment(post=post, name="First Reader")
    waiting = fx.comment(post=post, parent=parent, name="Second", status=C.Status.PENDING)
    page = editor_client.get(reverse("admin:comments_comment_change", args=[waiting.pk]))
    html = page.content.decode()
    approve = reverse("admin:comments_comment_moderate", args=[waiting.pk, "approve"])
    spam = reverse("admin:comments_comment_moderate", args=[waiting.pk, "spam"])
    assert f'action="{approve}"' in html and f'action="{spam}"' in html
    form = page.context["adminform"].form
    assert not {"post", "interview", "parent"} & set(form.fields)  # shown as links instead
    assert "On councils" in html and "First Reader" in html
    editor_client.post(approve)
    approved = editor_client.get(reverse("admin:comments_comment_change", args=[waiting.pk]))
    assert f"{post.get_absolute_url()}?reply_to={waiting.pk}#comment-form" in approved.text
