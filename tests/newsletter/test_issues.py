"""Newsletter issues written in the admin: preview, a test send to the editor alone, and the
send at its scheduled time to confirmed subscribers, through the Mailing and its Deliveries
(the immediate task backend and a real SMTP server; the worker path is in test_worker.py)."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from newsletter.due import mail_due
from newsletter.models import Delivery, Issue, Mailing
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def editor(client, django_user_model):
    user = django_user_model.objects.create_superuser(
        "eddie", "eddie@example.org", "a long editor passphrase"
    )
    client.force_login(user)
    return user


def readers():
    """Two confirmed readers (whatever they ticked), and three who must get nothing."""
    everything = factories.subscriber(email="all@example.org", wants_digest=True)
    blog_only = factories.subscriber(
        email="blog@example.org", wants_interviews=False, wants_blog=True
    )
    factories.subscriber(email="pending@example.org", status="pending")
    factories.subscriber(email="left@example.org", status="unsubscribed")
    factories.subscriber(email="bounced@example.org", status="bounced")
    return everything, blog_only


def issue_form(when=None, status="scheduled", **changes):
    local = timezone.localtime(when) if when else None
    return {
        "subject": "Three things this month",
        "body": "Hello readers.\n\nThis month: **three** [good things](https://example.org/).",
        "status": status,
        "send_at_0": local.strftime("%Y-%m-%d") if local else "",
        "send_at_1": local.strftime("%H:%M:%S") if local else "",
        **changes,
    }


def test_an_issue_scheduled_in_the_admin_is_mailed_at_its_time_once(client, smtp, editor):
    readers()
    when = (timezone.now() + timedelta(hours=3)).replace(microsecond=0)
    response = client.post("/admin/newsletter/issue/add/", issue_form(when))
    assert response.status_code == 302, response.content
    issue = Issue.objects.get()
    assert issue.send_at == when and issue.author == editor
    mail_due.enqueue()  # `manage.py newsletter_send_due`, before its time
    assert smtp.messages == [] and not Mailing.objects.exists()
    with time_machine.travel(when + timedelta(minutes=1)):
        mail_due.enqueue()
        mail_due.enqueue()  # a re-run sends nothing more
    assert sorted(rcpt for rcpts, _ in smtp.messages for rcpt in rcpts) == [
        "all@example.org",
        "blog@example.org",
    ]
    message = smtp.to("all@example.org")[0]
    assert message["Subject"] == "Three things this month"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "<strong" in html and 'href="https://example.org/"' in html  # links as written
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "This month: **three**" in text and "/subscribe/unsubscribe/" in text
    mailing = Mailing.objects.get(issue=issue)
    assert mailing.state == "done"
    assert Delivery.objects.filter(mailing=mailing, state="sent").count() == 2
    # Once sent it is what subscribers got: the form shows it, nothing more to change.
    page = client.get(f"/admin/newsletter/issue/{issue.pk}/change/")
    assert b'name="subject"' not in page.content and b"Three things this month" in page.content


def test_with_a_worker_queue_the_send_waits_in_the_queue_for_its_time(client, settings, editor):
    """No cron: saving a scheduled issue queues its job to run at its time (run_after)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    when = (timezone.now() + timedelta(days=2)).replace(microsecond=0)
    assert client.post("/admin/newsletter/issue/add/", issue_form(when)).status_code == 302
    issue = Issue.objects.get()
    DBTaskResult.objects.filter(task_path="newsletter.issues.mail_issue").get().task.call(issue.pk)
    # Run now, it did nothing but queue itself again for the issue's time.
    job = DBTaskResult.objects.filter(task_path="newsletter.issues.mail_issue").latest(
        "enqueued_at"
    )
    assert job.run_after == when + timedelta(seconds=1)
    assert not Mailing.objects.exists()


def test_a_draft_is_never_sent_and_unscheduling_in_time_stops_the_send(client, smtp, editor):
    readers()
    when = timezone.now() + timedelta(hours=1)
    client.post("/admin/newsletter/issue/add/", issue_form(status="draft"))
    client.post("/admin/newsletter/issue/add/", issue_form(when, subject="Changed my mind"))
    second = Issue.objects.get(subject="Changed my mind")
    client.post(
        f"/admin/newsletter/issue/{second.pk}/change/",
        issue_form(when, status="draft", subject="Changed my mind"),
    )
    with time_machine.travel(when + timedelta(minutes=5)):
        mail_due.enqueue()
    assert smtp.messages == [] and not Mailing.objects.exists()


def test_a_time_already_past_is_refused_and_what_was_typed_kept(client, smtp, editor):
    readers()
    past = timezone.now() - timedelta(days=365)
    response = client.post("/admin/newsletter/issue/add/", issue_form(past))
    assert response.status_code == 200
    assert b"This time has already passed" in response.content
    assert b"Three things this month" in response.content
    assert b"This month: **three**" in response.content
    assert not Issue.objects.exists() and smtp.messages == []


def test_an_issue_scheduled_with_no_time_goes_at_once(client, smtp, editor):
    readers()
    assert client.post("/admin/newsletter/issue/add/", issue_form()).status_code == 302
    assert len(smtp.messages) == 2


def test_a_test_send_reaches_only_the_editor_and_is_not_counted(client, smtp, editor):
    readers()
    issue = factories.issue(subject="Draft to check", body="Does this *read* well?")
    response = client.post(f"/admin/newsletter/issue/{issue.pk}/test/", follow=True)
    assert b"on its way to eddie@example.org" in response.content
    assert [rcpts for rcpts, _ in smtp.messages] == [["eddie@example.org"]]
    message = smtp.messages[0][1]
    assert message["Subject"] == "[Test] Draft to check"
    assert "<em>read</em>" in message.get_body(preferencelist=("html",)).get_content()
    assert not Mailing.objects.exists() and not Delivery.objects.exists()
    issue.refresh_from_db()
    assert issue.status == "draft"
    # A GET does not send; an editor with no address is told why nothing was sent.
    assert client.get(f"/admin/newsletter/issue/{issue.pk}/test/").status_code == 405
    editor.email = ""
    editor.save()
    response = client.post(f"/admin/newsletter/issue/{issue.pk}/test/", follow=True)
    assert b"has no email address" in response.content
    assert len(smtp.messages) == 1


def test_the_preview_shows_the_email_as_html_and_text(client, smtp, editor):
    issue = factories.issue(subject="Preview me", body="A [link](https://example.org/a) here.")
    page = client.get(f"/admin/newsletter/issue/{issue.pk}/preview/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Preview me" in html and "<iframe" in html
    assert "href=&quot;https://example.org/a&quot;" in html  # the HTML part, in srcdoc
    assert "A [link](https://example.org/a) here." in html  # the text part
    change = client.get(f"/admin/newsletter/issue/{issue.pk}/change/").content.decode()
    assert f"/admin/newsletter/issue/{issue.pk}/preview/" in change
    assert 'class="markdown-editor' in change  # the posts' writing surface
    assert client.get("/admin/newsletter/issue/999/preview/").status_code == 404


def test_readers_cannot_preview_or_test_send(client, smtp):
    issue = factories.issue()
    assert client.get(f"/admin/newsletter/issue/{issue.pk}/preview/").status_code == 302
    assert client.post(f"/admin/newsletter/issue/{issue.pk}/test/").status_code == 302
    assert smtp.messages == []


def test_an_editor_writes_previews_and_schedules_issues(client, smtp, django_user_model):
    from django.contrib.auth.models import Group, Permission

    from editorial.roles import EDITOR, sync_roles

    sync_roles(Group, Permission)  # as the migrations do (a flushed test database has none)

    user = django_user_model.objects.create_user(
        "ed", "ed@example.org", "a long editor passphrase", is_staff=True
    )
    user.groups.add(Group.objects.get(name=EDITOR))
    client.force_login(user)
    assert (
        client.post("/admin/newsletter/issue/add/", issue_form(status="draft")).status_code == 302
    )
    issue = Issue.objects.get()
    assert client.get(f"/admin/newsletter/issue/{issue.pk}/preview/").status_code == 200
    assert client.get("/admin/newsletter/mailing/").status_code == 200
    assert client.get("/admin/newsletter/digestsettings/", follow=True).status_code == 200
