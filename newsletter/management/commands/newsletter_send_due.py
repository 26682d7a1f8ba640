from django.core.management.base import BaseCommand

from newsletter.due import mail_due


class Command(BaseCommand):
    help = (
        "Queue what has come due: the email of every piece gone live and not mailed yet, "
        "scheduled newsletter issues, the weekly digest (needed only with the immediate backend)."
    )

    def handle(self, *args, **options):
        mail_due.enqueue()
