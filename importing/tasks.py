"""The importer's job on the task queue (django-tasks, as ``newsletter.tasks``): in the web
process with the immediate backend (``make run``), in ``manage.py db_worker`` in production."""

from django_tasks import task

from . import runs


@task()
def import_wordpress_export(run_id):
    """Import the uploaded export of ``ImportRun`` ``run_id`` (once, however often delivered)."""
    return runs.perform(run_id)
