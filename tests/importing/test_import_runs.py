"""A WordPress import from the admin: the upload page, the job, the run's page with its progress
and report; a broken or hostile file changes nothing and says why; only editors given the
permission may start one. The job runs here with the immediate backend (both databases)."""

import re
import time
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from django.utils.html import escape

from blog.models import Author, Post
from comments.models import Comment
from importing import runs
from importing.models import ImportedItem, ImportFilePart, ImportRun
from redirects.models import Redirect
from tests import factories as f

from .wxr_support import author, comment, export, item

pytestmark = pytest.mark.django_db

ADD = "/admin/importing/importrun/add/"

GOOD = export(
    author("jane", "Jane Ødegaard", "jane@example.com", wp_id=7),
    item(
        10,
        "Hello wörld",
        "<p>Café text</p>",
        slug="hello-world",
        sticky=True,
        comments=[comment(101, "First!", "Bob")],
    ),  # fmt: skip
    item(11, "A draft", "<p>Not yet</p>", status="draft"),
)
# The second item's comment has a parent that is not a number: found after the first item.
BROKEN = export(
    author("jane", "Jane", wp_id=7),
    item(10, "Hello", "<p>Fine</p>", comments=[comment(101, "Fine")]),
    item(12, "Broken", "<p>x</p>", comments=[comment(102, "Bad", parent="abc")]),
)
LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<rss><channel><title>&lol3;</title></channel></rss>"""


@pytest.fixture(autouse=True)
def immediate_jobs(settings):
    """Jobs run in this process once the upload is committed (as in `make run`), whatever the
    database (with PostgreSQL and DEBUG off the settings pick the database queue)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def importer_client(username="ivy", perm=True):
    user = f.staff(username)
    if perm:
        user.user_permissions.add(
            Permission.objects.get(codename="import_wordpress", content_type__app_label="importing")
        )
    client = Client()
    client.force_login(user)
    return client, user


def upload(text, name="export.xml"):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/xml")


def start(client, text, mode="import", name="export.xml", capture=None, **extra):
    with capture(execute=True):
        response = client.post(ADD, {"export": upload(text, name), "mode": mode, **extra})
    return response


def nothing_changed():
    return not (
        Post.objects.exists()
        or Author.objects.exists()
        or Comment.objects.exists()
        or ImportedItem.objects.exists()
        or Redirect.objects.exists()
    )


def test_an_upload_is_imported_in_the_background_and_its_report_shown(
    django_capture_on_commit_callbacks,
):
    client, user = importer_client()
    page = client.get(ADD)
    assert page.status_code == 200
    assert b"WordPress export file" in page.content and b"Dry run" in page.content
    response = start(client, GOOD, capture=django_capture_on_commit_callbacks)
    run = ImportRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/admin/importing/importrun/{run.pk}/change/"
    assert (run.status, run.user, run.file_name, run.dry_run) == ("done", user, "export.xml", False)
    assert (run.items_done, run.items_total) == (2, 2)
    assert run.counts["posts"] == {"created": 2, "updated": 0, "present": 0}
    assert any("was sticky" in message for _line, message in run.report)
    assert not ImportFilePart.objects.exists()  # the upload is dropped once read
    assert Post.objects.get(slug="hello-world").comments.count() == 1
    shown = client.get(response["Location"]).content.decode()
    assert "Finished" in shown and "Imported 2 items" in shown
    assert "was sticky: the site has no sticky posts" in shown
    assert "import-run.js" not in shown  # a finished run's page stays still
    # The list names the run and its state.
    listing = client.get("/admin/importing/importrun/").content.decode()
    assert "export.xml" in listing and "Finished" in listing


def test_a_dry_run_reports_and_changes_nothing(django_capture_on_commit_callbacks):
    client, _user = importer_client()
    start(client, GOOD, mode="dry", capture=django_capture_on_commit_callbacks)
    run = ImportRun.objects.get()
    assert run.status == "done" and run.dry_run
    assert run.counts["posts"]["created"] == 2
    assert nothing_changed()
    shown = client.get(f"/admin/importing/importrun/{run.pk}/change/").content.decode()
    assert "Dry run finished: nothing was written" in shown and "To create" in shown


@pytest.mark.parametrize(
    "text, said",
    [
        (BROKEN, "wp:comment_parent is “abc”, not a number"),
        (LAUGHS, "declares a DTD"),
        (GOOD[: GOOD.index("</item>") + 7], "cut short or malformed"),  # a truncated upload
        ('<?xml version="1.0"?>\n<feed><entry/></feed>', "not <rss>"),
    ],
)
def test_a_broken_or_hostile_file_fails_clearly_and_changes_nothing(
    django_capture_on_commit_callbacks, text, said
):
    client, _user = importer_client()
    start(client, text, name="old blog.xml", capture=django_capture_on_commit_callbacks)
    run = ImportRun.objects.get()
    assert run.status == "failed"
    assert said in run.error and run.error.startswith("old_blog.xml")
    assert run.error_line and f"line {run.error_line}" in run.error
    assert nothing_changed()
    shown = client.get(f"/admin/importing/importrun/{run.pk}/change/").content.decode()
    assert escape(run.error) in shown
    assert "Nothing was changed" in shown


def test_a_failure_names_the_item_s_line_in_the_file(django_capture_on_commit_callbacks):
    client, _user = importer_client()
    start(client, BROKEN, capture=django_capture_on_commit_callbacks)
    run = ImportRun.objects.get()
    lines = BROKEN.splitlines()
    item_line = next(n for n, text in enumerate(lines, 1) if "<title>Broken" in text)
    bad_line = next(n for n, text in enumerate(lines, 1) if ">abc<" in text)
    assert item_line <= run.error_line <= bad_line  # in the broken item, not the good one
    assert not Post.objects.exists()  # the good item before it was rolled back


def test_a_file_that_is_not_xml_gets_a_form_error_keeping_the_choices(
    django_capture_on_commit_callbacks,
):
    client, _user = importer_client()
    response = start(client, "just some text", mode="import", name="notes.txt",
                     capture=django_capture_on_commit_callbacks)  # fmt: skip
    assert response.status_code == 200
    page = response.content.decode()
    assert "This is not an XML file" in page
    assert re.search(r'<input[^>]*value="import"[^>]*checked', page)  # the choice kept
    assert not ImportRun.objects.exists()


def test_without_the_permission_an_editor_cannot_import_or_see_runs(
    django_capture_on_commit_callbacks,
):
    client, _user = importer_client("noperm", perm=False)
    assert client.get(ADD).status_code == 403
    assert start(client, GOOD, capture=django_capture_on_commit_callbacks).status_code == 403
    assert not ImportRun.objects.exists() and nothing_changed()
    run = f.import_run()
    assert client.get(f"/admin/importing/importrun/{run.pk}/change/").status_code == 403
    assert client.get("/admin/importing/importrun/").status_code == 403


def test_the_media_folder_is_chosen_from_the_server_s_list(
    django_capture_on_commit_callbacks, settings, tmp_path
):
    from PIL import Image

    root = tmp_path / "wordpress-media"
    (root / "oldblog" / "2014" / "05").mkdir(parents=True)
    Image.new("RGB", (40, 30), "teal").save(root / "oldblog" / "2014" / "05" / "photo.jpg")
    settings.WORDPRESS_MEDIA_ROOT = str(root)
    client, _user = importer_client()
    assert b'<option value="oldblog">oldblog</option>' in client.get(ADD).content
    # A folder not in the list (a path typed by hand) is refused by the form.
    refused = start(client, GOOD, media_folder="../../etc",
                    capture=django_capture_on_commit_callbacks)  # fmt: skip
    assert refused.status_code == 200 and b"Select a valid choice" in refused.content
    with_photo = export(
        item(9, "photo", type="attachment", status="inherit",
             attachment_url="https://oldblog.example.com/wp-content/uploads/2014/05/photo.jpg"),
        item(10, "Hello", "<p>Text</p>", meta={"_thumbnail_id": "9"}),
    )  # fmt: skip
    start(client, with_photo, media_folder="oldblog", capture=django_capture_on_commit_callbacks)
    run = ImportRun.objects.get()
    assert run.status == "done", run.error
    assert run.counts["attachments"]["created"] == 1
    assert Post.objects.get().image is not None


def test_progress_and_time_left_are_read_from_the_job_s_counts(settings, fresh_cache):
    run = f.import_run(status="running")
    tracker = runs.Tracker(run.pk)
    tracker(0, total=400)
    tracker.counting_since = (tracker.counting_since[0] - 10, 0)  # ten seconds ago
    tracker(100)
    tracker.write()
    done, total, left = runs.progress(run)
    assert (done, total) == (100, 400)
    assert 25 <= left <= 35  # 100 items took 10 s: 300 more take about 30
    client, _user = importer_client()
    shown = client.get(f"/admin/importing/importrun/{run.pk}/change/").content.decode()
    assert "100 of 400 items done" in shown and 'max="400"' in shown and "left" in shown
    assert "import-run.js" in shown  # and it updates itself


def test_a_run_whose_worker_died_shows_as_failed_once_nothing_is_heard_from_it(
    settings, fresh_cache
):
    settings.IMPORT_RUN_STALLED_SECONDS = 600
    now = timezone.now()
    dead = f.import_run(status="running", started_at=now - timedelta(hours=2))
    f.import_file_part(run=dead)
    alive = f.import_run(status="running", started_at=now - timedelta(hours=2))
    runs.Tracker(alive.pk).write()  # its job wrote its counts just now
    fresh = f.import_run(status="running", started_at=now - timedelta(minutes=2))  # no news yet
    client, _user = importer_client()
    shown = client.get(f"/admin/importing/importrun/{dead.pk}/change/").content.decode()
    dead.refresh_from_db()
    assert dead.status == "failed" and dead.finished_at is not None
    assert "interrupted: its worker stopped" in shown and "Nothing was changed" in shown
    assert not ImportFilePart.objects.filter(run=dead).exists()
    alive.refresh_from_db()
    fresh.refresh_from_db()
    assert (alive.status, fresh.status) == ("running", "running")
    # Later, both go quiet: the next run started marks them.
    with time_machine.travel(now + timedelta(minutes=11)):
        assert start_import_elsewhere() == 2
    assert ImportRun.objects.filter(pk__in=[alive.pk, fresh.pk], status="failed").count() == 2


def start_import_elsewhere():
    from importing import tasks

    before = ImportRun.objects.filter(status="failed").count()
    tasks.start(None, upload(GOOD), dry_run=True)
    return ImportRun.objects.filter(status="failed").count() - before


def test_a_long_step_with_no_item_done_still_tells_it_is_alive(fresh_cache):
    run = f.import_run(status="running")
    tracker = runs.Tracker(run.pk)
    with runs.heartbeat(tracker, seconds=0.05):
        time_before = time.time()
        time.sleep(0.3)  # a big commit, say: no progress call
        assert runs._last_heard(run) >= time_before
