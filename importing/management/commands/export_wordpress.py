"""manage.py export_wordpress OUT.xml [--site URL]: this site's content as a WordPress export
(WXR 1.2), as WordPress would write it (importing/wordpress/export.py)."""

from django.core.management.base import BaseCommand

from importing.wordpress.export import Writer


class Command(BaseCommand):
    help = "Write the site's posts, interviews and comments as a WordPress export (WXR 1.2)."

    def add_arguments(self, parser):
        parser.add_argument("out", metavar="OUT.xml")
        parser.add_argument("--site", default="https://example.org", help="the old site's address")

    def handle(self, *args, out, site, **options):
        Writer(site).write(out)
        self.stdout.write(self.style.SUCCESS(f"Wrote {out}"))
