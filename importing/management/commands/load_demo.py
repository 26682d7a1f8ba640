"""manage.py load_demo --seeds DIR: DIR's exports, or the demo set in importing/demo/, then an
editor login (for `make run`; docs/importing.md)."""

import secrets
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo"


class Command(BaseCommand):
    help = "Load the seed exports (or a small demo set) and print an editor login."

    def add_arguments(self, parser):
        parser.add_argument(
            "--seeds", default="", help="folder with the publication's exports (*.txt)"
        )
        parser.add_argument("--username", default="editor")
        parser.add_argument(
            "--url", default="http://127.0.0.1:8000/admin/", help="admin address to print"
        )

    def handle(self, *args, seeds="", username="editor", url="", **options):
        seed_files = sorted(Path(seeds).glob("*.txt")) if seeds and Path(seeds).is_dir() else []
        if seed_files:
            self.stdout.write(f"Importing {len(seed_files)} export(s) from {seeds}")
            files = seed_files
        else:
            where = f"no exports (*.txt) in {seeds}" if seeds else "no --seeds folder given"
            self.stdout.write(f"{where}: loading the demo content instead")
            files = sorted(DEMO_DIR.glob("*.txt"))
        call_command("import_content", *map(str, files), stdout=self.stdout)

        password = secrets.token_urlsafe(12)
        User = get_user_model()
        user, created = User.objects.get_or_create(
            username=username, defaults={"email": f"{username}@example.com"}
        )
        user.is_staff = user.is_superuser = user.is_active = True
        user.set_password(password)
        user.save()
        self.stdout.write(
            self.style.SUCCESS(
                f"\nEditor login {'created' if created else 'reset'}: {url}\n"
                f"  username: {username}\n  password: {password}\n"
            )
        )
