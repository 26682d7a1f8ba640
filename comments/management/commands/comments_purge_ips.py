from django.core.management.base import BaseCommand, CommandError

from comments import conf, services


class Command(BaseCommand):
    help = (
        "Erase the IP addresses and user agents stored with comments older than N days "
        "(default COMMENTS_IP_RETENTION_DAYS). Run daily, e.g. from cron."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help=f"Keep this many days (default {conf.get('COMMENTS_IP_RETENTION_DAYS')}).",
        )

    def handle(self, *args, days=None, **options):
        if days is not None and days < 0:
            raise CommandError("--days must be 0 or more.")
        days = conf.get("COMMENTS_IP_RETENTION_DAYS") if days is None else days
        count = services.purge_ip_addresses(days)
        self.stdout.write(
            f"Erased the IP address and user agent of {count} comments older than {days} days."
        )
