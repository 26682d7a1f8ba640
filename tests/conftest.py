import contextlib
import os
import uuid
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.cache import caches

SEEDS_DIR = Path(
    os.environ.get("SEEDS_DIR", Path(__file__).resolve().parents[2] / "shared" / "seeds")
)


def pytest_configure(config):
    """A fast password hasher for the whole suite (bakerydemo's test settings do the same): the
    production hasher is slow on purpose. tests/test_production.py checks production's."""
    django_settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _plain_static_storage(settings, tmp_path):
    """Tests render templates without running collectstatic first; uploads go to a temp dir."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _plain_http(settings):
    """Production defaults redirect plain HTTP to HTTPS; the test client speaks plain HTTP.
    (tests/test_production.py checks the redirect itself.)"""
    settings.SECURE_SSL_REDIRECT = False


@pytest.fixture(autouse=True)
def _jobs_run_at_once(settings):
    """Jobs (emails included) run in the test's process, on SQLite and PostgreSQL alike, and a
    refused email is tried again at once; the worker tests choose the database backend."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MAIL_RETRY_SECONDS = 0.01


@pytest.fixture(autouse=True)
def _stale_pages_rendered_by_the_request(settings):
    """A stale page is rendered by the request that found it: a refresher thread's own database
    connection would not see a test's rows (test_cache_resilience.py turns the refresh on;
    app servers started by tests run it as in production)."""
    settings.PAGE_CACHE_REFRESH_IN_BACKGROUND = False


def _nothing_scheduled(cache):
    """A site at rest knows its registered schedules (socialleaders.cache.register_schedule):
    each test's database starts with none, and a stored instant must not leak from the test
    before (whose rows were rolled back without signals)."""
    from socialleaders import cache as content_cache

    cache.set(content_cache.OTHER_SCHEDULES_KEY, content_cache.NOTHING_SCHEDULED, timeout=None)
    content_cache.nothing_scheduled_here()


@pytest.fixture(autouse=True)
def _schedules_at_rest():
    _nothing_scheduled(caches["default"])


@pytest.fixture
def seeds_dir():
    """The publication's real content (../shared/seeds). CI sets REQUIRE_SEEDS=1 so that a missing
    folder fails the run instead of skipping the tests that read it."""
    if not SEEDS_DIR.is_dir():
        if os.environ.get("REQUIRE_SEEDS"):
            pytest.fail(f"seed files not found at {SEEDS_DIR}")
        pytest.skip(f"seed files not found at {SEEDS_DIR}")
    return SEEDS_DIR


@pytest.fixture
def editor(django_user_model):
    return django_user_model.objects.create_superuser(
        username="editor", email="editor@example.com", password="correct horse battery"
    )


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def fresh_cache(settings):
    """The default cache, empty and private to this test (a local-memory cache of its own)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"test-cache-{uuid.uuid4().hex}",
        }
    }
    caches["default"].clear()
    _nothing_scheduled(caches["default"])
    yield caches["default"]
    with contextlib.suppress(Exception):  # a test pointed the cache at a server that is down
        caches["default"].clear()


@pytest.fixture
def page_cache(settings, fresh_cache):
    """The shared page cache on, as in production, in a private in-memory cache of its own."""
    settings.PAGE_CACHE = True
    return fresh_cache


@pytest.fixture
def no_page_cache(settings):
    """The page cache off, whatever the environment says (REDIS_URL turns it on)."""
    settings.PAGE_CACHE = False
