import pytest

from redirects import serving


@pytest.fixture(autouse=True)
def _redirects_setup(settings, fresh_cache, no_page_cache):
    """A private cache for each test, and every hit written at once so counts can be read."""
    settings.REDIRECTS_HITS_FLUSH_SECONDS = 0
    serving._hits.pending.clear()
    serving._process_sources.update(generation=None, filter=None)
    yield
    serving._hits.pending.clear()


@pytest.fixture
def reader():
    """An anonymous reader's client, apart from ``client`` (which editor_client logs in)."""
    from django.test import Client

    return Client()
