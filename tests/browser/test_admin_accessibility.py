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

from .conftest import ARTIFACTS

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


@pytest.fixture
def live_pieces(desk_content, django_capture_on_commit_callbacks):
    """A live interview and a live post, with library images in their bodies."""
    editor = desk_content[0]
    with django_capture_on_commit_callbacks(execute=True):
        portrait = f.image(size=(1200, 900), title="Ada on stage", alt="Ada speaking on a stage")
        f.image(size=(900, 900), title="Council chamber", alt="The council chamber")
    live = f.interview(title="Live interview", publish_at=timezone.now() - timedelta(days=2))
    f.answer(interview=live, body=f"The answer.\n\n![Ada on stage](image:{portrait.pk})")
    post = f.post(title="A live post", body=f"Text.\n\n![Ada on stage](image:{portrait.pk})")
    return editor, live, post


def login_as(page, site, editor):
    page.goto(f"{site}/admin/login/?next=/admin/")
    page.fill("input[name=username]", editor.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")


def test_scheduled_changes_and_body_images_have_no_serious_accessibility_violations(
    live_server, a11y_page, axe, live_pieces, screenshot
):
    editor, live, post = live_pieces
    page = a11y_page
    site = live_server.url
    login_as(page, site, editor)
    problems = {}

    def check(name):
        violations = axe(page)
        if violations:
            problems[name] = violations

    # Scheduling the changes of the live interview: first a time that has passed (refused,
    # what was typed kept), then next Monday 07:00.
    page.goto(f"{site}/admin/interviews/interview/{live.pk}/change/")
    check("live interview")
    page.fill("#id_title", "Live interview, corrected")
    page.fill("#changes-at-top", "2020-01-01T07:00")
    page.locator("input[name=_schedule_changes]").first.click()
    page.locator(".errornote").wait_for()
    assert page.locator("#id_title").input_value() == "Live interview, corrected"
    check("live interview, schedule refused")
    monday = timezone.localtime() + timedelta(days=7 - timezone.localtime().weekday())
    page.fill("#changes-at-top", f"{monday:%Y-%m-%d}T07:00")
    page.locator("input[name=_schedule_changes]").first.click()
    page.locator("#scheduled-changes").wait_for()
    check("live interview, changes scheduled")
    screenshot(page, "scheduled-changes-form")

    page.goto(site + "/admin/")
    page.locator("#desk-scheduled").get_by_text("Changes scheduled for").wait_for()
    check("desk with scheduled changes")
    screenshot(page, "desk-scheduled-changes")

    page.goto(f"{site}/admin/blog/post/{post.pk}/change/")
    page.locator("#id_body-preview picture").wait_for()
    check("post with a body image, preview")
    page.locator(".md-image").first.click()
    page.locator(".md-chooser__image").first.wait_for()
    page.locator(".md-chooser__image", has_text="Council chamber").click()
    check("image chooser open")
    page.screenshot(path=str(ARTIFACTS / "admin-image-chooser.png"))  # the dialog, as seen
    page.fill("#image-chooser-alt", "")
    page.click("#image-chooser button[value=insert]")
    assert "alt text" in page.locator("#image-chooser-error").inner_text()
    page.fill("#image-chooser-alt", "The council chamber, empty")
    page.click("#image-chooser button[value=insert]")
    assert "![The council chamber, empty](image:" in page.locator("#id_body").input_value()
    page.locator("#id_body-preview picture img[alt='The council chamber, empty']").wait_for()
    page.locator("#id_body").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "admin-body-image-preview.png"))
    assert problems == {}
