"""The production path of an import from the admin: the job queued in PostgreSQL and run by a
real `manage.py db_worker` process, its progress read by the admin page through a shared Redis
while the import's transaction is still open, then its report."""

import os
import re
import time
import uuid

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client

from blog.models import Post
from importing.models import ImportRun
from tests import factories as f
from tests.processes import start_db_worker, stop

from .wxr_support import comment, export, item

REDIS = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/13")

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="worker processes share the test database: PostgreSQL only (SQLite's is in memory)",
    ),
]


@pytest.fixture
def shared(settings):
    """The database queue and a Redis cache both processes use, under a prefix of its own."""
    prefix = f"test-import-{uuid.uuid4().hex[:8]}"
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS,
            "KEY_PREFIX": prefix,
        }
    }
    return prefix


def worker(prefix):
    return start_db_worker(REDIS_URL=REDIS, CACHE_KEY_PREFIX=prefix, PAGE_CACHE="0")


def test_a_worker_imports_the_upload_and_the_page_follows_its_progress(shared):
    posts = 80
    xml = export(
        *(
            item(n, f"Post {n}", "<p>Some text.</p>" * 30, slug=f"post-{n}",
                 comments=[comment(n * 10, "A comment")])
            for n in range(1, posts + 1)
        )
    )  # fmt: skip
    user = f.staff("ivy")
    user.user_permissions.add(Permission.objects.get(codename="import_wordpress"))
    client = Client()
    client.force_login(user)
    response = client.post(
        "/admin/importing/importrun/add/",
        {"export": SimpleUploadedFile("big.xml", xml.encode()), "mode": "import"},
    )
    assert response.status_code == 302
    run = ImportRun.objects.get()
    assert run.status == "queued"  # nothing runs in the web process
    page = response["Location"]
    assert "Waiting for a worker" in client.get(page).content.decode()
    process = worker(shared)
    seen_progress = []
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            shown = client.get(page).content.decode()
            found = re.search(r"(\d+) of (\d+) items done", shown)
            if found and "Running" in shown:
                seen_progress.append((int(found[1]), int(found[2])))
                if int(found[1]) < posts // 2:  # far from the end: its transaction is open
                    assert not Post.objects.exists()
            run.refresh_from_db()
            if run.finished:
                break
            time.sleep(0.05)
    finally:
        stop(process)
    assert run.status == "done", run.error
    assert Post.objects.count() == posts
    assert seen_progress and all(total == posts for _done, total in seen_progress)
    assert [d for d, _t in seen_progress] == sorted(d for d, _t in seen_progress)
    shown = client.get(page).content.decode()
    assert f"Imported {posts} items" in shown and "Finished" in shown
    assert run.counts["comments"]["created"] == posts
