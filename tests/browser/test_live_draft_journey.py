"""Issue 15's second journey in Chromium: an editor edits a published interview, saves the draft,
readers still see the old text (the page cache entry stays as it was), the editor previews the
draft, schedules it and cancels the schedule from the desk (the draft stays), publishes the
changes, and readers see the new text; History compares the two revisions in the form's words.
axe checks the change form of a live piece with a draft."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from comments.models import ModerationSettings
from editorial.models import PendingChanges
from editorial.roles import EDITOR, sync_roles
from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long editor passphrase"
OLD = "We answer every resident within a day."
NEW = "We answer every resident within an hour, on weekdays."


@pytest.fixture
def published(django_user_model):
    sync_roles(Group, Permission)
    ModerationSettings.load()
    editor = django_user_model.objects.create_user(
        username="eddie", email="eddie@example.org", password=PASSWORD, is_staff=True
    )
    editor.groups.add(Group.objects.get(name=EDITOR))
    interview = f.interview(title="Ada on answering residents", published=True)
    f.answer(interview=interview, question=f.question(text="How fast do you reply?"), body=OLD)
    return editor, interview


def test_editor_works_on_a_draft_of_a_live_interview_then_publishes_it(
    live_server, page, a11y_page, new_context, axe, screenshot, page_cache, published
):
    editor, interview = published
    site = live_server.url
    public_url = site + interview.get_absolute_url()
    anonymous = Client()  # the server's page cache, without the browser's own HTTP cache
    reader = new_context().new_page()
    assert reader.goto(public_url).status == 200
    expect(reader.locator("main")).to_contain_text(OLD)
    anonymous.get(interview.get_absolute_url())
    assert anonymous.get(interview.get_absolute_url())["X-Cache"] == "hit"

    page.goto(f"{site}/admin/login/?next=/admin/")
    page.fill("input[name=username]", editor.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    page.goto(f"{site}/admin/interviews/interview/{interview.pk}/change/")
    expect(page.locator("#live-draft-notice")).to_contain_text("This interview is live")
    page.fill("#id_answers-0-body", NEW)
    page.locator(".submit-row input[value='Save draft']").last.click()
    expect(page.locator(".messagelist")).to_contain_text("Draft saved")
    expect(page.locator("#live-draft-notice")).to_contain_text("You are editing a draft")
    expect(page.locator("#id_answers-0-body")).to_have_value(NEW)
    assert PendingChanges.objects.count() == 1
    screenshot(page, "draft-saved")

    # Readers: still the published text, straight from the page cache.
    assert anonymous.get(interview.get_absolute_url())["X-Cache"] == "hit"
    reader = new_context().new_page()
    reader.goto(public_url)
    expect(reader.locator("main")).to_contain_text(OLD)
    expect(reader.locator("main")).not_to_contain_text(NEW)

    # The preview of the draft, in a new tab.
    with page.context.expect_page() as opened:
        page.locator("#live-draft-notice a", has_text="Preview the draft").click()
    preview = opened.value
    preview.wait_for_load_state()
    expect(preview.locator("#preview-banner")).to_contain_text("draft of changes")
    expect(preview.locator("main")).to_contain_text(NEW)
    screenshot(preview, "draft-preview")
    preview.close()

    # Scheduled for tomorrow, then called off from the desk: the changes stay a draft, and the
    # readers' copy of the page stays as it is (the preview above re-rendered it).
    anonymous.get(interview.get_absolute_url())
    assert anonymous.get(interview.get_absolute_url())["X-Cache"] == "hit"
    tomorrow = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT07:00")
    page.fill("#changes-at-top", tomorrow)
    page.locator(".schedule-changes-row input[value='Schedule changes']").first.click()
    expect(page.locator(".messagelist")).to_contain_text("Changes scheduled for")
    page.goto(f"{site}/admin/")
    row = page.locator("#desk-scheduled tr", has_text=interview.title)
    expect(row).to_contain_text("Changes scheduled for")
    screenshot(page, "desk-changes-scheduled")
    row.get_by_role("button", name=f"Cancel the scheduled changes to {interview.title}").click()
    expect(page).to_have_url(f"{site}/admin/")
    expect(page.locator(".messagelist")).to_contain_text(
        f"Schedule cancelled: the changes to “{interview.title}” stay a draft"
    )
    expect(page.locator("#desk-scheduled")).not_to_contain_text(interview.title)
    expect(page.locator("#desk-drafts tr", has_text=interview.title)).to_contain_text(
        "not published yet"
    )
    screenshot(page, "desk-schedule-cancelled")
    pending = PendingChanges.objects.get()
    assert pending.go_live_at is None
    assert anonymous.get(interview.get_absolute_url())["X-Cache"] == "hit"
    page.goto(f"{site}/admin/interviews/interview/{interview.pk}/change/")
    expect(page.locator("#id_answers-0-body")).to_have_value(NEW)  # the draft, kept

    # axe on the change form of a live piece with a draft.
    a11y_page.goto(f"{site}/admin/login/?next=/admin/")
    a11y_page.fill("input[name=username]", editor.username)
    a11y_page.fill("input[name=password]", PASSWORD)
    a11y_page.click("input[type=submit]")
    a11y_page.goto(f"{site}/admin/interviews/interview/{interview.pk}/change/")
    assert axe(a11y_page) == []

    # Publish the changes: readers see the new text.
    page.locator(".submit-row input[value='Publish changes']").last.click()
    expect(page.locator(".messagelist")).to_contain_text("The changes are published")
    assert PendingChanges.objects.count() == 0
    assert anonymous.get(interview.get_absolute_url())["X-Cache"] != "hit"
    reader = new_context().new_page()
    reader.goto(public_url)
    expect(reader.locator("main")).to_contain_text(NEW)
    expect(reader.locator("main")).not_to_contain_text(OLD)

    # A revision with a readable diff. The first revision is the one just published; make a
    # second (a live edit published directly) so History has two to compare.
    page.goto(f"{site}/admin/interviews/interview/{interview.pk}/change/")
    page.fill("#id_standfirst", "How a chief executive answers residents herself.")
    page.locator(".submit-row input[value='Publish changes']").last.click()
    page.goto(f"{site}/admin/interviews/interview/{interview.pk}/history/")
    page.get_by_role("button", name="Compare").click()
    table = page.locator("#revision-diff")
    expect(table).to_contain_text("Standfirst")
    expect(table.locator("ins")).to_contain_text("How a chief executive answers residents herself.")
    screenshot(page, "revision-diff")
