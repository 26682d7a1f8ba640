import contextlib
import os
import uuid
from pathlib import Path

import pytest
from django.core.cache import caches

SEEDS_DIR = Path(
    os.environ.get("SEEDS_DIR", Path(__file__).resolve().parents[2] / "shared" / "seeds")
)


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
def page_cache(settings):
    """The shared page cache on, as in production, in a private in-memory cache of its own."""
    settings.PAGE_CACHE = True
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"test-page-cache-{uuid.uuid4().hex}",
        }
    }
    caches["default"].clear()
    yield caches["default"]
    with contextlib.suppress(Exception):  # a test pointed the cache at a server that is down
        caches["default"].clear()
