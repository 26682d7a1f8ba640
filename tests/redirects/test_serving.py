"""What answering old addresses costs: one indexed query at most, none once cached (found or
not), the same at any number of redirects; hits counted; hostile addresses never fail."""

import random
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from redirects import serving
from redirects.models import Redirect
from redirects.services import add_redirect, gone
from tests import factories as f

pytestmark = pytest.mark.django_db


def grow(n, start=0):
    """``n`` more redirects, as an import would leave them."""
    Redirect.objects.bulk_create(
        Redirect(old_path=f"/2014/01/01/piece-{i}", target_path=f"/blog/piece-{i}/")
        for i in range(start, start + n)
    )
    serving.redirects_changed()  # bulk_create sends no signals


def redirect_queries(captured):
    return [q["sql"] for q in captured if "redirects_redirect" in q["sql"]]


@pytest.mark.parametrize("path", ["/2014/01/01/piece-3/", "/?p=3", "/no/such/page/"])
def test_a_look_up_is_one_query_at_two_sizes_and_none_once_cached(client, path):
    add_redirect("/?p=3", "/blog/piece-3/")
    counts = []
    for size in (10, 1000):
        grow(size, start=len(counts) * 10)
        with CaptureQueriesContext(connection) as filter_built:
            assert client.get("/warm/the/filter/").status_code == 404
        with CaptureQueriesContext(connection) as first:
            status = client.get(path).status_code
        with CaptureQueriesContext(connection) as again:
            assert client.get(path).status_code == status
        counts.append(
            (
                len(redirect_queries(filter_built)),
                len(redirect_queries(first)),
                len(redirect_queries(again)),
            )
        )
    # A hit also writes its count (REDIRECTS_HITS_FLUSH_SECONDS=0 here): one UPDATE.
    assert counts[0] == counts[1]
    built, first_reads, again_reads = counts[0]
    assert built == 1  # the filter of old addresses, once per change to the table
    expected_hit_writes = 1 if status != 404 else 0
    # An address with a redirect: one indexed query; one without: none (the filter says so).
    assert first_reads == (1 if status != 404 else 0) + expected_hit_writes
    assert again_reads == expected_hit_writes


def test_a_flood_of_distinct_random_404s_does_not_reach_the_database(client):
    for size in (10, 1000):
        grow(size, start=size)
        client.get("/warm/the/filter/")
        # Random-looking addresses, the same every run (a flaky count proves nothing).
        rng = random.Random(size)
        with CaptureQueriesContext(connection) as captured:
            for n in range(200):
                response = client.get(f"/wp-admin/{rng.getrandbits(128):032x}/x{n}.php")
                assert response.status_code == 404
        # At most a false positive or two of the filter (about 1 in 100) reaches the index.
        assert len(redirect_queries(captured)) <= 6, size
    assert client.get(f"/2014/01/01/piece-{1000 + 7}/")["Location"] == "/blog/piece-1007/"


def test_a_redirect_added_in_the_admin_is_answered_at_once(admin_client, client):
    grow(20)
    assert client.get("/brand-new-old-address/").status_code == 404  # filter built without it
    response = admin_client.post(
        "/admin/redirects/redirect/add/",
        {
            "old_path": "/brand-new-old-address/",
            "target_path": "/blog/",
            "status": 301,
            "source": "manual",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    assert client.get("/brand-new-old-address/")["Location"] == "/blog/"
    Redirect.objects.get(old_path="/brand-new-old-address").delete()
    assert client.get("/brand-new-old-address/").status_code == 404


def test_another_process_reads_the_filter_from_the_cache_without_a_query(client):
    grow(50)
    client.get("/warm/the/filter/")
    serving._process_sources.update(generation=None, filter=None)  # as a fresh worker
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/another/missing/page/").status_code == 404
    assert redirect_queries(captured) == []


def test_while_another_process_builds_the_filter_the_look_up_is_one_indexed_query(client):
    grow(10)
    serving._cache().add(serving.SOURCES_LOCK_KEY, 1, timeout=60)  # someone else is building
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/2014/01/01/piece-4/")["Location"] == "/blog/piece-4/"
        assert client.get("/not/there/").status_code == 404
    selects = [q for q in redirect_queries(captured) if q.startswith("SELECT")]
    assert len(selects) == 2 and all("old_path" in q and "LIMIT 1" in q for q in selects)


def test_the_filter_holds_every_source_and_few_others():
    keys = [f"/2014/01/{n % 28 + 1:02d}/piece-{n}" for n in range(5000)]
    found = serving.SourceFilter.build(keys)
    assert all(key in found for key in keys)
    strangers = sum(f"/no/such/{n}" in found for n in range(20000))
    assert strangers < 20000 * 0.02
    assert len(found.data) <= 5000 * serving.SourceFilter.BITS_PER_KEY // 8 + 8


def test_the_look_up_uses_the_unique_index(client):
    grow(50)
    with CaptureQueriesContext(connection) as captured:
        client.get("/2014/01/01/piece-7/")
    # (The first query builds the filter of old addresses; the look-up is the one by key.)
    select = next(
        q["sql"] for q in captured if "redirects_redirect" in q["sql"] and "LIMIT 1" in q["sql"]
    )
    assert '"old_path" = ' in select or "old_path` = " in select
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "EXPLAIN SELECT id FROM redirects_redirect WHERE old_path = %s",
                ["/2014/01/01/piece-7"],
            )
            plan = " ".join(row[0] for row in cursor.fetchall())
        else:
            cursor.execute(
                "EXPLAIN QUERY PLAN SELECT id FROM redirects_redirect WHERE old_path = %s",
                ["/2014/01/01/piece-7"],
            )
            plan = " ".join(str(row) for row in cursor.fetchall())
    assert "Index" in plan or "INDEX" in plan or "Seq" not in plan and "SCAN" not in plan


def test_a_404_flood_of_one_address_reaches_the_database_once(client):
    grow(10)
    with CaptureQueriesContext(connection) as captured:
        for _ in range(50):
            assert client.get("/wp-login.php").status_code == 404
    assert len(redirect_queries(captured)) == 1


def test_a_change_is_answered_at_once_despite_the_cache(client):
    assert client.get("/old/").status_code == 404  # "nothing here" is now cached
    add_redirect("/old/", "/blog/")
    assert client.get("/old/")["Location"] == "/blog/"
    Redirect.objects.filter(old_path="/old").update(target_path="/elsewhere/")
    serving.redirects_changed()
    assert client.get("/old/")["Location"] == "/elsewhere/"
    Redirect.objects.get(old_path="/old").delete()
    assert client.get("/old/").status_code == 404


def test_hits_are_counted_with_the_last_hit_date(client, settings):
    redirect = add_redirect("/old/", "/blog/")
    for _ in range(3):
        client.get("/old/")
    redirect.refresh_from_db()
    assert redirect.hits == 3
    assert redirect.last_hit_at is not None


def test_hits_are_written_in_batches(client, settings):
    settings.REDIRECTS_HITS_FLUSH_SECONDS = 3600
    serving._hits.flushed_at = time.monotonic()
    one = add_redirect("/one/", "/blog/")
    two = add_redirect("/two/", "/blog/")
    with CaptureQueriesContext(connection) as captured:
        for path in ["/one/"] * 4 + ["/two/"] * 2:
            client.get(path)
    assert not [q for q in captured if q["sql"].startswith("UPDATE")]
    with CaptureQueriesContext(connection) as captured:
        serving.flush_hits()
    assert len(captured) == 1
    one.refresh_from_db()
    two.refresh_from_db()
    assert (one.hits, two.hits) == (4, 2)


def test_without_a_cache_server_redirects_still_answer(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        }
    }
    add_redirect("/old/", "/blog/")
    assert client.get("/old/")["Location"] == "/blog/"


def test_redirects_answer_with_the_page_cache_on(client, page_cache, settings):
    post = f.post(slug="new")
    add_redirect("/2014/05/12/old/", post)
    add_redirect("/?p=9", post)
    for _ in range(2):
        assert client.get("/2014/05/12/old/")["Location"] == "/blog/new/"
        assert client.get("/?p=9")["Location"] == "/blog/new/"
    assert client.get("/").status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/%00/",
        "/%ff%fe/",
        "/" + "a/" * 2000,
        "/%E2%80%AE/etc/passwd",
        "/..%2F..%2Fetc%2Fpasswd",
        "/?p=" + "9" * 5000,
        "/?p=%00",
        "/<script>alert(1)</script>/",
        "/wp-content/uploads/%C0%AF",
        "/" + "%25" * 600,
    ],
)
def test_hostile_addresses_get_a_404_never_an_error(client, path):
    gone("/2012/x/")
    response = client.get(path)
    assert response.status_code in {404, 200}, response.status_code
    assert b"<script>alert(1)</script>" not in response.content


def test_other_methods_are_not_redirected(client):
    add_redirect("/old/", "/blog/")
    assert client.post("/old/").status_code in {403, 404, 405}


def test_a_transaction_moves_the_generation_on_at_its_commit_once_however_many_changes(
    # (A guard for the constant-time check that replaced a scan of the commit callbacks; the
    # scan gave the same answer, slowly.)
    django_capture_on_commit_callbacks,
):
    from django.db import transaction

    def bumps(callbacks):
        return [c for c in callbacks if c is serving._bump]

    with django_capture_on_commit_callbacks() as callbacks:
        for n in range(200):
            add_redirect(f"/old-{n}/", "/blog/")
    assert len(bumps(callbacks)) == 1
    # A savepoint rolled back in between: still one bump waiting for the (test's) commit.
    with pytest.raises(RuntimeError), transaction.atomic():
        add_redirect("/rolled-back/", "/blog/")
        raise RuntimeError
    add_redirect("/after/", "/blog/")
    waiting = [entry[1] for entry in transaction.get_connection().run_on_commit]
    assert len(bumps(waiting)) == 1
