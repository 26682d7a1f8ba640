from django.core.management.base import BaseCommand

from newsletter.tasks import mail_due_pieces


class Command(BaseCommand):
    help = "Queue the email of every piece that has gone live and was not mailed yet."

    def handle(self, *args, **options):
        mail_due_pieces.enqueue()
