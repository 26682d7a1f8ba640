import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from comments import services


class Command(BaseCommand):
    help = (
        "Export or erase everything held about a commenter, found by email address. "
        "export prints JSON; erase anonymises their comments (or deletes them with --delete) "
        "and deletes their follows."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["export", "erase"])
        parser.add_argument("email")
        parser.add_argument(
            "--delete",
            action="store_true",
            help="erase: delete the comments (and replies to them) instead of anonymising.",
        )
        parser.add_argument("--yes", action="store_true", help="erase: do not ask to confirm.")

    def handle(self, *args, action, email, delete=False, yes=False, **options):
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(f"{email!r} is not an email address.") from None
        data = services.export_commenter(email)
        if action == "export":
            self.stdout.write(json.dumps(data, indent=2, ensure_ascii=False))
            return
        if not data["comments"] and not data["following"]:
            self.stdout.write(f"Nothing is held about {email}.")
            return
        what = "delete" if delete else "anonymise"
        if not yes and options.get("interactive", True):
            answer = input(
                f"{what.capitalize()} {len(data['comments'])} comments and delete "
                f"{len(data['following'])} follows of {email}? [y/N] "
            )
            if answer.strip().lower() not in {"y", "yes"}:
                raise CommandError("Nothing changed.")
        comments, follows = services.erase_commenter(email, delete=delete)
        self.stdout.write(
            f"{'Deleted' if delete else 'Anonymised'} {comments} comments and deleted "
            f"{follows} follows of {email}."
        )
