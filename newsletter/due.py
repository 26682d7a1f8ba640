"""Everything that has come due, for backends that cannot defer a job to its time (the
immediate one): `manage.py newsletter_send_due`. With the database backend nothing needs it:
each piece, issue and digest check is queued for its own time."""

from django_tasks import task

from .digest import mail_digest
from .issues import mail_due_issues
from .tasks import mail_due_pieces


@task()
def mail_due():
    """Pieces gone live and unfinished sends, scheduled issues whose time has come, and the
    week's digest once its hour has come."""
    mail_due_pieces.enqueue()
    mail_due_issues()
    mail_digest.enqueue()
