"""axe-core on the admin pages issue 15 adds or changes (the desk, the interview form and list,
the approval link page, a comment's page), as an editor with the Editor role: no serious or
critical violations."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from comments.models import Comment
from editorial.models import ApprovalEvent
from editorial.roles import EDITOR, sync_roles
from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long editor passphrase"


@pytest.fixture
def desk_content(django_user_model):
    sync_roles(Group, Permission)
    editor = django_user_model.objects.create_user(
        username="eddie", email="eddie@example.org", password=PASSWORD, is_staff=True
    )
    editor.groups.add(Group.objects.get(name=EDITOR))
    series = f.series(title="#SocialLeaders")
    for i in range(1, 7):
        f.question(order=i)
    scheduled = f.interview(
        title="Next Monday",
        series=series,
        series_order=1,
        publish_at=timezone.now() + timedelta(days=5),
    )
    f.answer(interview=scheduled, body="An answer.\n\nWith two paragraphs.")
    f.interview(title="A draft", published=False)
    link, _token = f.approval_link(scheduled, editor, note="emailed to ada@example.org")
    ApprovalEvent.objects.create(link=link, kind=ApprovalEvent.Kind.OPENED)
    comment = f.comment(name="Waiting Reader", status=Comment.Status.PENDING)
    return editor, scheduled, comment


def test_admin_pages_of_the_desk_have_no_serious_accessibility_violations(
    live_server, a11y_page, axe, desk_content, screenshot
):
    editor, interview, comment = desk_content
    page = a11y_page
    site = live_server.url
    page.goto(f"{site}/admin/login/?next=/admin/")
    page.fill("input[name=username]", editor.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    paths = [
        "/admin/",
        "/admin/interviews/interview/",
        "/admin/interviews/interview/add/",
        f"/admin/interviews/interview/{interview.pk}/change/",
        f"/admin/interviews/interview/{interview.pk}/approval-link/",
        f"/admin/comments/comment/{comment.pk}/change/",
        "/admin/interviews/leader/add/",
        "/admin/interviews/series/",
    ]
    problems = {}
    for path in paths:
        response = page.goto(site + path)
        assert response.status == 200, path
        violations = axe(page)
        if violations:
            problems[path] = violations
    # The approval page once the link is made (the copy button is there).
    page.goto(f"{site}/admin/interviews/interview/{interview.pk}/approval-link/")
    page.click("input[type=submit][value='Send the link']")
    page.locator(".copy-button").wait_for()
    violations = axe(page)
    if violations:
        problems["approval link sent"] = violations
    assert problems == {}
