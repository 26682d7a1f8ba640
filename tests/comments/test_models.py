"""The Comment model: on one piece, never its own parent; statuses and kinds."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from comments.models import Comment
from tests import factories as f

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(microsecond=0)
SECOND = timedelta(seconds=1)


def assert_refused(create):
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


def test_comment_is_on_a_post_or_an_interview_never_both_or_neither():
    post, interview = f.post(), f.interview()
    assert_refused(lambda: f.comment(post=post, interview=interview))
    assert_refused(lambda: f.comment(post=None, interview=None))
    on_post = f.comment(post=post)
    on_interview = f.comment(interview=interview)
    assert on_post.target == post and on_interview.target == interview


def test_comment_cannot_reply_to_itself():
    comment = f.comment()
    comment.parent_id = comment.pk
    assert_refused(comment.save)


def test_comment_statuses_and_kinds():
    post = f.post()
    pending = f.comment(post=post, status=Comment.Status.PENDING)
    approved = f.comment(post=post)
    f.comment(post=post, status=Comment.Status.SPAM)
    assert list(Comment.objects.pending()) == [pending]
    assert list(Comment.objects.approved()) == [approved]
    assert Comment.objects.create(post=post, name="N", body="B").status == Comment.Status.PENDING
    assert Comment._meta.get_field("kind").default == Comment.Kind.COMMENT


@pytest.mark.django_db
def test_a_thread_shown_again_shows_what_changed_in_each_comment(client):
    """Comment markup is kept per process between renders; a changed name, website or body
    (an editor's correction, an erased commenter) is never shown as it was."""
    post = f.post(slug="kept")
    comment = f.comment(post=post, name="Ada", body="First words here.")
    f.comment(post=post, name="Bo", body="Unchanged reply.")
    page = client.get("/blog/kept/").content.decode()
    assert "First words here." in page and "Ada" in page

    comment.name, comment.website, comment.body = "Ada L.", "https://ada.example/", "Second."
    comment.save()
    page = client.get("/blog/kept/").content.decode()
    assert "First words here." not in page
    assert "Second." in page
    assert '<a href="https://ada.example/" rel="nofollow ugc noopener">Ada L.</a>' in page
    assert "Unchanged reply." in page
