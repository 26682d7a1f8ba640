"""manage.py import_wordpress EXPORT.xml [--media DIR] [--dry-run]: import a WordPress export
(WXR) all or nothing, idempotently (docs/importing.md, "WordPress")."""

import os
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from importing.base import ImportParseError
from importing.wordpress.importer import KINDS, run


class Command(BaseCommand):
    help = (
        "Import a WordPress export (Tools → Export, WXR 1.0-1.2): posts, interviews, authors, "
        "tags, comments and images from --media (a copy of wp-content/uploads). Idempotent; "
        "--dry-run writes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("export", metavar="EXPORT.xml", help="the WordPress export file")
        parser.add_argument("--media", metavar="DIR", help="a local copy of wp-content/uploads")
        parser.add_argument(
            "--dry-run", action="store_true", help="show what would be imported, write nothing"
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="no progress bar, even on a terminal"
        )

    def handle(self, *args, export, media=None, dry_run=False, no_progress=False, **options):
        path = Path(export)
        if not path.is_file():
            raise CommandError(f"{export}: no such file")
        if media and not Path(media).is_dir():
            raise CommandError(f"--media {media}: no such folder")
        bar = self._bar(no_progress)
        try:
            result = run(path, media, dry_run=dry_run, progress=self._advance(bar))
        except ImportParseError as exc:
            raise CommandError(f"{exc}. Nothing was imported.") from exc
        except DatabaseError as exc:
            raise CommandError(
                f"the database refused the import ({exc}). Nothing was imported."
            ) from exc
        finally:
            if bar:
                bar.close()
        self._report(path, result, dry_run)

    def _bar(self, off):
        """A progress bar with counts and an ETA on a terminal; nothing in CI or when piped."""
        stream = getattr(self.stdout, "_out", sys.stdout)
        if off or os.environ.get("CI") or not getattr(stream, "isatty", lambda: False)():
            return None
        from tqdm import tqdm

        return tqdm(unit=" items", desc="Importing", file=sys.stderr, leave=False)

    def _advance(self, bar):
        if bar is None:
            return None

        def advance(n=1, total=None):
            if total is not None:
                bar.total = total
                bar.refresh()
            bar.update(n)

        return advance

    def _report(self, path, result, dry_run):
        out = self.stdout
        head = "Dry run: nothing was written. Would import" if dry_run else "Imported"
        version = f" (WXR {result.wxr_version})" if result.wxr_version else ""
        out.write(self.style.SUCCESS(f"{head} from {path.name}{version}"))
        for kind in KINDS:
            new, old, changed = result.created[kind], result.existing[kind], result.updated[kind]
            if new or old or changed:
                line = f"  {kind}: {new} {'to create' if dry_run else 'created'}"
                if changed:
                    line += f", {changed} {'to update' if dry_run else 'updated'}"
                if old:
                    line += f", {old} already present (left as they are)"
                out.write(line)
        if result.notes:
            out.write(
                f"Report: {len(result.notes)} item(s) left out, changed or guessed; "
                "check them in the admin:"
            )
            for note in result.notes:
                out.write(f"  {note}")
