"""The importer's job on the task queue (django-tasks, as ``newsletter.tasks``): in the web
process with the immediate backend (``make run``), in ``manage.py db_worker`` in production."""

from pathlib import Path

from django.db import transaction
from django_tasks import task

from . import runs
from .models import ImportFilePart, ImportRun


@task()
def import_wordpress_export(run_id):
    """Import the uploaded export of ``ImportRun`` ``run_id`` (once, however often delivered)."""
    return runs.perform(run_id)


# Starting a run


def start(user, upload, *, media_folder="", dry_run=False):
    """Keep the uploaded file (in 1 MB parts) and queue its import once this is committed."""
    runs.fail_stalled()
    with transaction.atomic():
        run = ImportRun.objects.create(
            user=user,
            file_name=Path(upload.name).name[:255],
            file_size=upload.size or 0,
            media_folder=media_folder,
            dry_run=dry_run,
        )
        buffer, number = b"", 0
        for chunk in upload.chunks(runs.PART_BYTES):
            buffer += chunk
            while len(buffer) >= runs.PART_BYTES:
                number += 1
                ImportFilePart.objects.create(
                    run=run, number=number, data=buffer[: runs.PART_BYTES]
                )
                buffer = buffer[runs.PART_BYTES :]
        if buffer or not number:
            ImportFilePart.objects.create(run=run, number=number + 1, data=buffer)
        transaction.on_commit(lambda: _enqueue(run.pk))
    return run


def _enqueue(pk):
    import_wordpress_export.enqueue(pk)
