"""axe-core on the pages of newsletter issues, the digest and the archive (issue 11), and the
issue's preview as an editor sees it (a screenshot in test-artifacts/)."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from newsletter.models import Mailing
from newsletter.tasks import start_mailing
from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long editor passphrase"


@pytest.fixture
def sent(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    f.subscriber(email="reader@example.org", wants_digest=True)
    issue = f.issue(
        subject="Three things this month",
        body="Hello readers.\n\n## What we read\n\n- A **good** [essay](https://example.org/)\n"
        "- A talk worth your time\n\nSee you next month.",
        status="scheduled",
    )
    issue_mailing = Mailing.objects.create(issue=issue)
    start_mailing(issue_mailing, timezone.now())
    interview = f.interview(title="Being you online", publish_at=timezone.now() - timedelta(days=2))
    answer = f.answer(interview=interview, body="Just **start**: share what you see.")
    f.quote(interview=interview, answer=answer, text="Be you, dive in, share stuff.")
    digest = f.digest(ends_at=timezone.now() - timedelta(hours=1))
    digest_mailing = Mailing.objects.create(digest=digest)
    start_mailing(digest_mailing, timezone.now())
    draft = f.issue(subject="Next month's draft", body=issue.body)
    return issue_mailing, digest_mailing, draft


def test_newsletter_pages_have_no_serious_accessibility_violations(
    live_server, a11y_page, axe, sent, screenshot, django_user_model
):
    issue_mailing, digest_mailing, draft = sent
    django_user_model.objects.create_superuser("eddie", "eddie@example.org", PASSWORD)
    page, site = a11y_page, live_server.url
    problems = {}

    def check(path):
        response = page.goto(site + path)
        assert response.status == 200, path
        violations = axe(page)
        if violations:
            problems[path] = violations

    for path in [
        "/newsletter/",
        f"/newsletter/{issue_mailing.pk}/",
        f"/newsletter/{digest_mailing.pk}/",
        "/subscribe/",
    ]:
        check(path)
    page.goto(f"{site}/newsletter/{digest_mailing.pk}/")
    screenshot(page, "digest-web-version")
    page.goto(f"{site}/newsletter/")
    screenshot(page, "archive")
    page.goto(f"{site}/admin/login/?next=/admin/")
    page.fill("input[name=username]", "eddie")
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    for path in [
        "/admin/newsletter/issue/",
        "/admin/newsletter/issue/add/",
        f"/admin/newsletter/issue/{draft.pk}/change/",
        f"/admin/newsletter/issue/{issue_mailing.issue_id}/change/",
        "/admin/newsletter/mailing/",
        "/admin/newsletter/digestsettings/",
        f"/admin/newsletter/issue/{draft.pk}/preview/",
    ]:
        check(path)
    # The preview: the email in its frame, drawn as a subscriber's mail client would.
    frame = page.frame_locator("iframe")
    assert frame.locator("h1").inner_text() == "Next month's draft"
    assert frame.locator("strong").first.inner_text() == "good"
    screenshot(page, "issue-preview")
    # The test send button is there and answers.
    page.goto(f"{site}/admin/newsletter/issue/{draft.pk}/change/")
    page.click("text=Send a test to me")
    page.locator(".messagelist").wait_for()
    assert "on its way to eddie@example.org" in page.locator(".messagelist").inner_text()
    screenshot(page, "issue-change")
    assert problems == {}, json.dumps(problems, indent=1)
