"""Roles: what an Editor, an Author and a Moderator may and may not do in the admin."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from blog.models import Post
from editorial.models import PublicationRecord
from interviews.models import Interview
from socialleaders.publishing import Status
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def author_user():
    return factories.staff("ann", "Author")


@pytest.fixture
def other_author():
    return factories.staff("bob", "Author")


@pytest.fixture
def editor_user():
    return factories.staff("eve", "Editor")


@pytest.fixture
def moderator_user():
    return factories.staff("mo", "Moderator")


def as_user(client, user):
    client.force_login(user)
    return client


def test_the_migration_creates_the_three_groups_with_matching_permissions():
    perms = {
        name: set(Group.objects.get(name=name).permissions.values_list("codename", flat=True))
        for name in ("Editor", "Author", "Moderator")
    }
    assert {"publish_interview", "publish_post", "delete_interview", "change_comment"} <= perms[
        "Editor"
    ]
    assert {"change_user", "add_approvallink"} <= perms["Editor"]
    assert {"add_interview", "change_interview", "add_post", "change_post"} <= perms["Author"]
    assert (
        not {"publish_interview", "publish_post", "delete_interview", "delete_post"}
        & perms["Author"]
    )
    assert not any("comment" in p for p in perms["Author"])
    assert perms["Moderator"] >= {"change_comment", "view_comment"}
    assert not any(p.endswith(("interview", "post", "leader")) for p in perms["Moderator"])


def test_author_sees_only_their_own_interviews(client, author_user, other_author):
    mine = factories.interview(published=False, title="Mine", owner=author_user)
    theirs = factories.interview(published=False, title="Theirs", owner=other_author)
    response = as_user(client, author_user).get(reverse("admin:interviews_interview_changelist"))
    assert response.status_code == 200
    listed = list(response.context["cl"].result_list)
    assert mine in listed and theirs not in listed
    assert (
        client.get(reverse("admin:interviews_interview_change", args=[mine.pk])).status_code == 200
    )
    # Others' work: neither visible nor changeable (the admin redirects to the index with a
    # "doesn't exist" message rather than revealing it).
    response = client.get(reverse("admin:interviews_interview_change", args=[theirs.pk]))
    assert response.status_code == 302
    response = client.post(
        reverse("admin:interviews_interview_change", args=[theirs.pk]), {"title": "Hijacked"}
    )
    theirs.refresh_from_db()
    assert theirs.title == "Theirs"


def test_author_cannot_publish_from_the_form_or_in_bulk(client, author_user):
    mine = factories.interview(published=False, owner=author_user)
    as_user(client, author_user)
    response = client.get(reverse("admin:interviews_interview_change", args=[mine.pk]))
    form = response.context["adminform"].form
    assert "status" not in form.fields and "publish_at" not in form.fields
    changelist = client.get(reverse("admin:interviews_interview_changelist"))
    action_form = changelist.context["action_form"]  # None when no action is allowed
    action_names = [v for v, _label in action_form.fields["action"].choices] if action_form else []
    assert "publish" not in action_names and "make_draft" not in action_names
    response = client.post(
        reverse("admin:interviews_interview_changelist"),
        {"action": "publish", "_selected_action": [mine.pk]},
    )
    mine.refresh_from_db()
    assert mine.status == Status.DRAFT


def test_author_adds_an_interview_that_is_theirs_and_a_draft(client, author_user):
    leader = factories.leader()
    as_user(client, author_user)
    response = client.post(
        reverse("admin:interviews_interview_add"),
        {
            "title": "A new one",
            "slug": "a-new-one",
            "leader": leader.pk,
            "standfirst": "",
            "introduction": "Hello",
            "closing": "",
            "themes": "",
            "video_url": "",
            "image_alt": "",
            "answers-TOTAL_FORMS": "0",
            "answers-INITIAL_FORMS": "0",
            "platform_uses-TOTAL_FORMS": "0",
            "platform_uses-INITIAL_FORMS": "0",
            "quotes-TOTAL_FORMS": "0",
            "quotes-INITIAL_FORMS": "0",
            "status": "published",  # ignored: read-only for authors
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    created = Interview.objects.get(slug="a-new-one")
    assert created.owner == author_user
    assert created.status == Status.DRAFT


def test_author_edits_only_posts_under_their_author_profile(client, author_user, other_author):
    me = factories.author(user=author_user)
    them = factories.author(user=other_author)
    mine = factories.post(author=me, published=False)
    theirs = factories.post(author=them, published=False)
    as_user(client, author_user)
    listed = list(client.get(reverse("admin:blog_post_changelist")).context["cl"].result_list)
    assert listed == [mine]
    assert client.get(reverse("admin:blog_post_change", args=[mine.pk])).status_code == 200
    assert client.get(reverse("admin:blog_post_change", args=[theirs.pk])).status_code == 302
    assert client.post(reverse("admin:blog_post_delete", args=[mine.pk])).status_code == 403
    assert Post.objects.filter(pk=mine.pk).exists()


def test_author_cannot_moderate_comments(client, author_user):
    as_user(client, author_user)
    assert client.get(reverse("admin:comments_comment_changelist")).status_code == 403


def test_moderator_handles_comments_and_nothing_else(client, moderator_user):
    comment = factories.comment()
    as_user(client, moderator_user)
    assert client.get(reverse("admin:comments_comment_changelist")).status_code == 200
    assert (
        client.get(reverse("admin:comments_comment_change", args=[comment.pk])).status_code == 200
    )
    assert client.get(reverse("admin:interviews_interview_changelist")).status_code == 403
    assert client.get(reverse("admin:blog_post_changelist")).status_code == 403
    assert client.get(reverse("admin:interviews_leader_add")).status_code == 403


def test_editor_sees_everyone_s_work_and_publishes_it_recording_who(
    client, editor_user, other_author
):
    draft = factories.interview(published=False, owner=other_author)
    as_user(client, editor_user)
    listed = client.get(reverse("admin:interviews_interview_changelist")).context["cl"]
    assert draft in listed.result_list
    response = client.post(
        reverse("admin:interviews_interview_changelist"),
        {"action": "publish", "_selected_action": [draft.pk]},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Status.PUBLISHED
    record = PublicationRecord.objects.get(object_id=draft.pk)
    assert record.user == editor_user and record.action == "published"


def test_editor_manages_group_membership(client, editor_user, author_user):
    as_user(client, editor_user)
    assert client.get(reverse("admin:auth_user_change", args=[author_user.pk])).status_code == 200
    assert client.get(reverse("admin:auth_group_changelist")).status_code == 200
