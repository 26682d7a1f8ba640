"""Moving Comment from the blog app to comments (blog/0005, comments/0002, editorial/0003)
keeps every row, its table, and the permissions that point at comments."""

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from comments.models import Comment

BEFORE = [
    ("blog", "0004_post_live_covering_index"),
    ("comments", "0001_initial"),
    ("editorial", "0002_roles"),
]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_comments_written_before_the_move_are_there_after_it():
    old = migrate(BEFORE)
    author = old.get_model("blog", "Author").objects.create(name="Ann", slug="ann")
    post = old.get_model("blog", "Post").objects.create(
        title="Before", slug="before", author=author, body="Hi", status="published"
    )
    OldComment = old.get_model("blog", "Comment")
    first = OldComment.objects.create(
        post=post, name="Reader", body="First!", status="approved", created_at=timezone.now()
    )
    reply = OldComment.objects.create(
        post=post, parent=first, name="Other", body="Reply", status="pending"
    )
    old_type = ContentType.objects.get(app_label="blog", model="comment")

    executor = MigrationExecutor(connection)
    migrate(executor.loader.graph.leaf_nodes())

    ContentType.objects.clear_cache()
    assert Comment._meta.db_table == "blog_comment"
    moved = Comment.objects.get(pk=reply.pk)
    assert (moved.body, moved.status, moved.parent_id, moved.post_id) == (
        "Reply",
        "pending",
        first.pk,
        post.pk,
    )
    assert Comment.objects.approved().get().body == "First!"
    # The content type moved, so permissions, admin history and revisions follow the rows.
    assert ContentType.objects.get_for_model(Comment).pk == old_type.pk
    assert not ContentType.objects.filter(app_label="blog", model="comment").exists()
    moderator = Group.objects.get(name="Moderator")
    assert moderator.permissions.filter(content_type=old_type, codename="change_comment").exists()
