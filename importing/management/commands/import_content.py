"""manage.py import_content PATH [PATH ...] [--dry-run]: import the plain-text exports, all or
nothing (docs/importing.md)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, transaction

from importing.parsing import ImportParseError, parse_file
from importing.writer import KINDS, write


class DryRunRollback(Exception):
    pass


class Command(BaseCommand):
    help = (
        "Import the publication's plain-text exports: the interview series file, blog post files "
        "and a post with its responses. Idempotent; --dry-run writes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="export files (.txt)")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="show what would be imported (counts and titles) without writing anything",
        )

    def handle(self, *args, paths=(), dry_run=False, **options):
        parsed = []
        for raw in paths:
            path = Path(raw)
            if not path.is_file():
                raise CommandError(f"{raw}: no such file")
            try:
                parsed.append(parse_file(path))
            except ImportParseError as exc:
                raise CommandError(f"{exc}. Nothing was imported.") from exc
        result = None
        try:
            with transaction.atomic():
                result = write(parsed)
                if dry_run:
                    raise DryRunRollback
        except DryRunRollback:
            pass
        except DatabaseError as exc:
            raise CommandError(
                f"the database refused the import ({exc}). Nothing was imported."
            ) from exc
        self._report(parsed, result, dry_run)
        return None

    def _report(self, parsed, result, dry_run):
        out = self.stdout
        head = "Dry run: nothing was written. Would import" if dry_run else "Imported"
        files = ", ".join(f"{p.path.name} ({p.kind})" for p in parsed)
        out.write(self.style.SUCCESS(f"{head} from {len(parsed)} file(s): {files}"))
        for kind in KINDS:
            new, old = result.created[kind], result.existing[kind]
            if new or old:
                verb = "to create" if dry_run else "created"
                line = f"  {kind}: {new} {verb}"
                if old:
                    line += f", {old} already present (left as they are)"
                out.write(line)
        for kind, titles in result.titles.items():
            if titles:
                out.write(f"{kind.capitalize()} {'to import' if dry_run else 'imported'}:")
                for title in titles:
                    out.write(f"  - {title}")
        if result.notes:
            out.write(
                f"Report: {len(result.notes)} item(s) left out, moved or guessed; "
                "check them in the admin:"
            )
            for note in result.notes:
                out.write(f"  {note}")
