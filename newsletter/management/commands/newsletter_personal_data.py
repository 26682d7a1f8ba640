import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from newsletter import personal


class Command(BaseCommand):
    help = (
        "Export or erase everything held about a newsletter subscriber, found by email address "
        "(as comments_personal_data does for commenters). export prints JSON; erase deletes the "
        "subscriber and takes the address off their deliveries (the mailings' counts stay)."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["export", "erase"])
        parser.add_argument("email")
        parser.add_argument("--yes", action="store_true", help="erase: do not ask to confirm.")

    def handle(self, *args, action, email, yes=False, **options):
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(f"{email!r} is not an email address.") from None
        data = personal.export_subscriber(email)
        if data is None:
            self.stdout.write(f"Nothing is held about {email}.")
            return
        if action == "export":
            self.stdout.write(json.dumps(data, indent=2, ensure_ascii=False))
            return
        if not yes and options.get("interactive", True):
            answer = input(f"Erase the subscriber {email} ({len(data['emails'])} emails)? [y/N] ")
            if answer.strip().lower() not in {"y", "yes"}:
                raise CommandError("Nothing changed.")
        _, deliveries = personal.erase_subscriber(email)
        self.stdout.write(f"Erased {email}; {deliveries} deliveries kept without the address.")
