"""The import pages in a real Chromium: an editor with the permission uploads an export, the job
runs (immediate backend) and the run's page shows the report; axe-core finds no serious or
critical violation on the upload form, a running, a finished and a failed run's page."""

import pytest
from django.contrib.auth.models import Permission

from importing import runs
from importing.models import ImportRun
from tests import factories as f
from tests.importing.wxr_support import comment, export, item

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long importer passphrase"


@pytest.fixture(autouse=True)
def immediate_jobs(settings):
    """Jobs run in this process once the upload is committed (as in `make run`), whatever the
    database (with PostgreSQL and DEBUG off the settings pick the database queue)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def importer(django_user_model, fresh_cache):
    user = django_user_model.objects.create_user(
        username="ivy", email="ivy@example.org", password=PASSWORD, is_staff=True
    )
    user.user_permissions.add(
        Permission.objects.get(codename="import_wordpress"),
        Permission.objects.get(codename="view_importrun"),
    )
    return user


def test_an_import_from_the_admin_pages_with_no_serious_accessibility_violations(
    live_server,
    a11y_page,
    axe,
    importer,
    screenshot,
    tmp_path,
):
    page, site = a11y_page, live_server.url
    page.goto(f"{site}/admin/login/?next=/admin/")
    page.fill("input[name=username]", importer.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    problems = {}

    page.goto(f"{site}/admin/importing/importrun/add/")
    problems["upload form"] = axe(page)
    screenshot(page, "upload")
    xml = export(
        item(10, "Hello wörld", "<p>Text</p>", slug="hello-world", sticky=True,
             comments=[comment(101, "First!", "Bob")]),
        item(11, "A draft", "<p>Not yet</p>", status="draft"),
        item(12, "A page", "<p>About us</p>", type="page"),
    )  # fmt: skip
    path = tmp_path / "oldblog.xml"
    path.write_text(xml, encoding="utf-8")
    page.set_input_files("input[name=export]", str(path))
    page.check("input[name=mode][value=import]")
    page.click("input[type=submit][value=Start]")
    page.get_by_role("heading", name="Finished").wait_for()
    assert "was sticky" in page.content()
    problems["finished run"] = axe(page)
    shot = screenshot(page, "finished")

    running = f.import_run(status="running", user=importer, file_name="big-blog.xml",
                           file_size=104857600)  # fmt: skip
    tracker = runs.Tracker(running.pk)
    tracker(0, total=19000)
    tracker.counting_since = (tracker.counting_since[0] - 120, 0)
    tracker(4750)
    tracker.write()
    page.goto(f"{site}/admin/importing/importrun/{running.pk}/change/")
    assert "4750 of 19000 items done" in page.content()
    problems["running run"] = axe(page)
    screenshot(page, "running")
    # The page follows the job by itself, and shows the report once it is done.
    tracker(4750)
    tracker.write()
    page.get_by_text("9500 of 19000 items done").wait_for()
    running.status, running.counts = "done", {"posts": {"created": 1, "updated": 0, "present": 0}}
    running.report = [[12, "“A page” imported as a draft post: the site has no pages"]]
    running.save()
    page.get_by_text("imported as a draft post: the site has no pages").wait_for()

    error = "oldblog.xml, line 42: wp:comment_parent is “abc”, not a number"
    failed = f.import_run(status="failed", user=importer, error_line=42, error=error)
    page.goto(f"{site}/admin/importing/importrun/{failed.pk}/change/")
    problems["failed run"] = axe(page)
    screenshot(page, "failed")
    page.goto(f"{site}/admin/importing/importrun/")
    problems["list"] = axe(page)

    assert {k: v for k, v in problems.items() if v} == {}
    assert ImportRun.objects.get(file_name="oldblog.xml").status == "done"
    assert shot.exists()
