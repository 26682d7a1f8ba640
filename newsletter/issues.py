"""Newsletter issues written in the admin: their email, the test send to the editor, and the
sending at their time through the same Mailing and Deliveries as a piece (docs/newsletter.md,
"Issues")."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django_tasks import default_task_backend, task

from .emails import IssueEmail
from .models import Issue, Mailing, Subscriber
from .selectors import archive_changed
from .tasks import start_mailing


def stand_in(email):
    """A subscriber who is not one, for the preview and the test send: their links lead to
    the "this link does not work" page."""
    return Subscriber(email=email, key="test-send")


def schedule(issue):
    """Called after an editor saved a scheduled issue: queue its send for its time."""
    pk = issue.pk
    transaction.on_commit(lambda: mail_issue.enqueue(pk))


@task()
def mail_issue(pk):
    """Start an issue's send once it is scheduled and its time has come; before then, come
    back at its time. Safe to run any number of times: one Mailing per issue."""
    now = timezone.now()
    with transaction.atomic():
        issue = Issue.objects.select_for_update().filter(pk=pk).first()
        if issue is None or issue.status != Issue.Status.SCHEDULED:
            return
        if Mailing.objects.filter(issue=issue).exists():
            return
        if issue.send_at is None or issue.send_at <= now:
            start_mailing(Mailing.objects.create(issue=issue), now)
            archive_changed()
            return
        due = issue.send_at
    if default_task_backend.supports_defer:
        mail_issue.using(run_after=due + timedelta(seconds=1)).enqueue(pk)


def mail_due_issues():
    """For backends that cannot defer (`manage.py newsletter_send_due`): start the scheduled
    issues whose time has come."""
    due = Issue.objects.filter(
        status=Issue.Status.SCHEDULED, mailing__isnull=True, send_at__lte=timezone.now()
    ) | Issue.objects.filter(status=Issue.Status.SCHEDULED, mailing__isnull=True, send_at=None)
    for pk in due.values_list("pk", flat=True):
        mail_issue.enqueue(pk)


@task()
def send_test(pk, email):
    """The issue as subscribers will get it, to one editor: no Delivery, not counted."""
    issue = Issue.objects.filter(pk=pk).first()
    if issue is None:
        return
    message = IssueEmail(issue).message_for(stand_in(email))
    message.subject = f"[Test] {message.subject}"
    message.send()
