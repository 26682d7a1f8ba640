"""WordPress imports started from the admin: the upload is kept in the database, the import runs
as a job of the task queue (``importing.tasks``), its progress goes to the cache while the import's
one transaction is open, and its outcome to the ``ImportRun`` (docs/importing.md, "From the
admin")."""

import logging
import tempfile
import threading
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from django.utils import timezone
from django.utils.text import get_valid_filename

from .base import ImportParseError
from .models import ImportRun

logger = logging.getLogger(__name__)

PART_BYTES = 1024 * 1024
PROGRESS_KEY = "sl:import-run:{pk}:progress"
PROGRESS_EVERY_SECONDS = 0.5
# While a job runs, its progress is written at least this often, moving or not: a run not heard
# from for IMPORT_RUN_STALLED_SECONDS has lost its worker (``stalled``).
HEARTBEAT_SECONDS = 30
MAX_REPORT_NOTES = 5000


# Media: a folder on the server, chosen from a list (never a path typed in the form).


def media_root():
    root = getattr(settings, "WORDPRESS_MEDIA_ROOT", "") or ""
    return Path(root) if root and Path(root).is_dir() else None


def media_folders():
    """The folders an editor may choose: those directly under WORDPRESS_MEDIA_ROOT."""
    root = media_root()
    if root is None:
        return []
    return sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))


def media_path(folder):
    if not folder:
        return None
    root = media_root()
    if root is None or folder not in media_folders():
        return None
    return root / folder


# Progress, while the import's transaction is open (its rows cannot be seen from outside)


class Tracker:
    """The importer's ``progress(n=1, total=None)``: counts kept here, written to the cache
    at most twice a second."""

    def __init__(self, pk):
        self.key = PROGRESS_KEY.format(pk=pk)
        self.done = self.total = 0
        self.counting_since = None  # when the total became known, and the count then
        self.written = 0.0

    def __call__(self, n=1, total=None):
        if total is not None:
            self.total = total
            self.counting_since = (time.time(), self.done)
        self.done += n
        now = time.monotonic()
        if now - self.written >= PROGRESS_EVERY_SECONDS or self.done >= self.total:
            self.written = now
            self.write()

    def write(self):
        since = self.counting_since or (time.time(), self.done)
        value = {"done": self.done, "total": self.total, "since": since, "at": time.time()}
        try:
            cache.set(self.key, value, timeout=24 * 3600)
        except Exception:
            logger.warning("could not record an import's progress", exc_info=True)


@contextmanager
def heartbeat(tracker, seconds=HEARTBEAT_SECONDS):
    """Within: the tracker's counts are written every ``seconds`` as well, so a long step with no
    item done (a big commit) is not taken for a dead worker."""
    stop = threading.Event()

    def beat():
        while not stop.wait(seconds):
            tracker.write()

    thread = threading.Thread(target=beat, name="import-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def _last_heard(run):
    """When the run's job last wrote its progress (a POSIX time), or None."""
    try:
        value = cache.get(PROGRESS_KEY.format(pk=run.pk))
    except Exception:
        return None
    return (value or {}).get("at")


def fail_stalled(now=None):
    """Runs whose worker died (killed, the server restarted) are marked failed: nothing was
    changed (the import's transaction never committed). A run is taken for dead when nothing
    was heard from it for IMPORT_RUN_STALLED_SECONDS. Checked whenever the runs are shown and
    when a run starts. Returns how many were marked."""
    now = now or timezone.now()
    limit = settings.IMPORT_RUN_STALLED_SECONDS
    marked = 0
    running = ImportRun.objects.filter(
        status=ImportRun.Status.RUNNING, started_at__lt=now - timedelta(seconds=limit)
    )
    for run in running:
        heard = _last_heard(run)
        if heard is not None and now.timestamp() - heard < limit:
            continue
        minutes = max(1, round(limit / 60))
        gone = ImportRun.objects.filter(pk=run.pk, status=ImportRun.Status.RUNNING).update(
            status=ImportRun.Status.FAILED,
            finished_at=now,
            error=f"interrupted: its worker stopped (nothing heard from it for {minutes} min). "
            "Nothing was changed; start the import again.",
        )
        if gone:
            run.parts.all().delete()
            marked += 1
    return marked


def progress(run):
    """``(done, total, seconds left or None)`` of a run: from the cache while it runs."""
    if run.finished:
        return run.items_done, run.items_total, 0
    try:
        value = cache.get(PROGRESS_KEY.format(pk=run.pk))
    except Exception:
        value = None
    if not value:
        return 0, 0, None
    done, total = value["done"], value["total"]
    started, done_then = value["since"]
    counted = done - done_then
    if not total or counted <= 0:
        return done, total, None
    elapsed = time.time() - started
    return done, total, max(0, round(elapsed / counted * max(total - done, 0)))


# Running it (the job)


def perform(pk):
    """Import a queued run's file: all or nothing. A run already claimed is left alone, so a
    job delivered twice imports once."""
    from .wordpress.importer import run as import_export

    claimed = ImportRun.objects.filter(pk=pk, status=ImportRun.Status.QUEUED).update(
        status=ImportRun.Status.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return None
    run = ImportRun.objects.get(pk=pk)
    tracker = Tracker(pk)
    tracker.write()
    media = media_path(run.media_folder)
    with tempfile.TemporaryDirectory(prefix="sl-import-") as folder:
        # Named as uploaded, so the report and errors name the editor's file.
        path = Path(folder) / (get_valid_filename(run.file_name) or "export.xml")
        with path.open("wb") as out:
            for part in run.parts.order_by("number").iterator(chunk_size=1):
                out.write(bytes(part.data))
        try:
            if run.media_folder and media is None:
                raise ImportParseError(
                    path, None, f"the media folder “{run.media_folder}” is not on this server"
                )
            with heartbeat(tracker):
                result = import_export(path, media, dry_run=run.dry_run, progress=tracker)
        except ImportParseError as exc:
            return _failed(run, tracker, str(exc), exc.line)
        except DatabaseError as exc:
            return _failed(run, tracker, f"the database refused the import ({exc})", None)
        except Exception as exc:
            logger.exception("WordPress import %s failed", pk)
            return _failed(run, tracker, f"an unexpected error ({type(exc).__name__}): "
                           "see the server's log", None)  # fmt: skip
    run.status = ImportRun.Status.DONE
    run.finished_at = timezone.now()
    run.items_done, run.items_total = tracker.done, tracker.total
    run.wxr_version = result.wxr_version
    run.counts = {
        kind: {
            "created": result.created[kind],
            "updated": result.updated[kind],
            "present": result.existing[kind],
        }
        for kind in sorted(set(result.created) | set(result.updated) | set(result.existing))
    }
    notes = [[n.line, n.message] for n in result.notes]
    if len(notes) > MAX_REPORT_NOTES:
        left = len(notes) - MAX_REPORT_NOTES
        notes = notes[:MAX_REPORT_NOTES] + [[None, f"… and {left} more lines of the report"]]
    run.report = notes
    run.save()
    run.parts.all().delete()
    return run.status


def _failed(run, tracker, message, line):
    run.status = ImportRun.Status.FAILED
    run.finished_at = timezone.now()
    run.items_done, run.items_total = tracker.done, tracker.total
    run.error = message
    run.error_line = line
    run.save()
    run.parts.all().delete()
    return run.status
