"""The page cache: anonymous readers get whole pages from the cache, and every change readers can
see (publish, edit, unpublish, comment approval, a schedule coming due) shows on the next GET,
on every app server sharing the cache."""

import os
import secrets
import shutil
import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.core.cache import caches
from django.db import connection, transaction
from django.http import HttpResponse
from django.template import engines
from django.test import Client, RequestFactory
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from comments.models import Comment
from socialleaders import cache as content_cache
from socialleaders.cachetags import SITE, object_tag
from socialleaders.middleware import PageCacheMiddleware
from socialleaders.publishing import Status
from socialleaders.transactions import changing_a_lot
from tests import factories
from tests.processes import (
    eventually,
    fetch,
    free_port,
    start_app_server,
    stop,
    throwaway_databases,
    wait_until_up,
)

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.usefixtures("page_cache")  # every test here runs with the page cache on


@pytest.fixture
def content(db):
    # The comments app creates its settings row on the first page it renders (a content change,
    # as far as the cache can tell): get that first-render set-up out of the way.
    from comments.models import ModerationSettings

    ModerationSettings.load()
    theme_leader = factories.leader(name="Ada Example")
    interview = factories.interview(title="Ada on LinkedIn", leader=theme_leader)
    post = factories.post(title="Why we asked")
    return {"interview": interview, "post": post}


def get(client, url, **extra):
    response = client.get(url, **extra)
    return response, response.content.decode()


# Hits and misses -------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/", "/interviews/", "/blog/", "/feeds/rss/", "/interviews/feed/"])
def test_second_anonymous_get_comes_from_the_cache_without_sql(
    client, content, django_assert_num_queries, url
):
    first = client.get(url)
    assert first.status_code == 200
    assert first["X-Cache"] == "miss"
    with django_assert_num_queries(0):
        second = client.get(url)
    assert second.status_code == 200
    assert second["X-Cache"] == "hit"
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]


def test_item_pages_are_cached_too(client, content, django_assert_num_queries):
    for url in (content["interview"].get_absolute_url(), content["post"].get_absolute_url()):
        assert client.get(url).status_code == 200
        with django_assert_num_queries(0):
            assert client.get(url)["X-Cache"] == "hit"


def test_cached_pages_say_public_short_max_age_and_vary_on_cookie(client, content):
    client.get("/")
    response = client.get("/")
    cache_control = response["Cache-Control"]
    assert "public" in cache_control
    assert "max-age=60" in cache_control
    assert "s-maxage=60" in cache_control
    assert "Cookie" in response["Vary"]
    assert response["ETag"]
    assert response["Last-Modified"]


def test_head_is_answered_from_the_cache(client, content, django_assert_num_queries):
    client.get("/interviews/")
    with django_assert_num_queries(0):
        response = client.head("/interviews/")
    assert response.status_code == 200
    assert response["X-Cache"] == "hit"


def test_query_strings_are_part_of_the_key(client, db):
    for n in range(15):
        factories.interview(title=f"Numbered interview {n:02d}")
    page_one = client.get("/interviews/")
    page_two = client.get("/interviews/?page=2")
    assert page_two["X-Cache"] == "miss"
    assert page_one.content != page_two.content


def test_errors_and_404s_are_not_cached(client, db):
    assert client.get("/interviews/no-such-interview/").status_code == 404
    again = client.get("/interviews/no-such-interview/")
    assert again.status_code == 404
    assert again.get("X-Cache") != "hit"


# Conditional GET -------------------------------------------------------------------------------


def test_etag_revalidation_gets_304(client, content):
    etag = client.get("/interviews/")["ETag"]
    response = client.get("/interviews/", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert response.content == b""


def test_last_modified_revalidation_gets_304(client, content):
    last_modified = client.get("/blog/")["Last-Modified"]
    assert client.get("/blog/", HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304


def test_a_stale_etag_gets_the_new_page(client, content):
    etag = client.get("/interviews/")["ETag"]
    interview = content["interview"]
    interview.title = "Ada on Bluesky"
    interview.save()
    response = client.get("/interviews/", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert "Ada on Bluesky" in response.content.decode()
    assert response["ETag"] != etag


def test_feeds_have_an_etag_and_last_modified(client, content):
    response = client.get("/feeds/rss/")
    assert response.status_code == 200
    assert response["ETag"] and response["Last-Modified"]
    assert client.get("/feeds/rss/", HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


# Who gets cached pages -------------------------------------------------------------------------


def test_a_logged_in_editor_never_gets_the_anonymous_page(editor_client, db):
    client = Client()
    draft = factories.interview(title="A draft only editors see", published=False)
    anonymous = client.get("/interviews/")
    assert draft.title not in anonymous.content.decode()
    assert client.get("/interviews/")["X-Cache"] == "hit"

    as_editor = editor_client.get("/interviews/")
    assert as_editor["X-Cache"] == "bypass"
    assert "private" in as_editor["Cache-Control"]
    assert "public" not in as_editor["Cache-Control"]
    # The editor's page comes from the view, not from the anonymous copy.
    preview = editor_client.get(draft.get_absolute_url())
    assert preview.status_code == 200
    assert preview["X-Cache"] == "bypass"


def test_an_editors_page_is_never_stored_for_readers(editor_client, db):
    client = Client()
    draft = factories.interview(title="Editors see this draft", published=False)
    assert editor_client.get(draft.get_absolute_url()).status_code == 200
    editor_client.get("/interviews/")
    assert client.get(draft.get_absolute_url()).status_code == 404
    anonymous = client.get("/interviews/")
    assert anonymous["X-Cache"] == "miss"
    assert draft.title not in anonymous.content.decode()


def test_a_reader_with_a_pending_comment_is_not_served_from_the_cache(client, content, settings):
    client.get("/blog/")
    client.cookies[settings.PAGE_CACHE_PENDING_COOKIE] = "1"
    response = client.get("/blog/")
    assert response["X-Cache"] == "bypass"
    # ...and their page is not stored for others.
    del client.cookies[settings.PAGE_CACHE_PENDING_COOKIE]
    client.get(content["post"].get_absolute_url())  # a fresh anonymous miss, then:
    client.cookies[settings.PAGE_CACHE_PENDING_COOKIE] = "1"
    assert client.get(content["post"].get_absolute_url())["X-Cache"] == "bypass"


def test_a_visitor_pinned_to_the_primary_after_a_post_is_not_served_from_the_cache(
    client, content, settings
):
    """With read replicas, a visitor who just sent a form reads from the primary for a while
    (socialleaders.replica): a shared copy may have been rendered from a lagging replica."""
    assert client.get("/blog/")["X-Cache"] == "miss"
    assert client.get("/blog/")["X-Cache"] == "hit"
    client.cookies[settings.DATABASE_PIN_COOKIE] = "1"
    assert client.get("/blog/")["X-Cache"] == "bypass"


def test_any_session_cookie_bypasses_the_cache(client, content, settings):
    client.get("/")
    client.cookies[settings.SESSION_COOKIE_NAME] = "whatever"
    assert client.get("/")["X-Cache"] == "bypass"


def test_cache_can_be_switched_off(client, content, settings):
    settings.PAGE_CACHE = False
    client.get("/")
    assert client.get("/")["X-Cache"] == "bypass"


# What responses get stored (the middleware alone, with hand-made views) -----------------------


def _middleware_run(view_response):
    calls = []

    def view(request):
        calls.append(request)
        return view_response()

    middleware = PageCacheMiddleware(view)
    factory = RequestFactory()
    first = middleware(factory.get("/anything/"))
    second = middleware(factory.get("/anything/"))
    return first, second, len(calls)


@pytest.mark.parametrize(
    "make_response",
    [
        pytest.param(lambda: _with_cookie(HttpResponse("hi")), id="set-cookie"),
        pytest.param(lambda: _with_header(HttpResponse("hi"), "private, max-age=0"), id="private"),
        pytest.param(lambda: _with_header(HttpResponse("hi"), "no-store"), id="no-store"),
        pytest.param(
            lambda: _with_header(HttpResponse("hi"), "no-cache, no-store, private"), id="preview"
        ),
        pytest.param(lambda: HttpResponse("gone", status=404), id="404"),
        pytest.param(lambda: HttpResponse(status=302, headers={"Location": "/"}), id="redirect"),
        pytest.param(lambda: HttpResponse("x", headers={"Vary": "Accept-Language"}), id="vary"),
    ],
)
def test_responses_that_must_not_be_shared_are_never_stored(db, make_response):
    first, second, calls = _middleware_run(make_response)
    assert calls == 2
    assert second["X-Cache"] == "miss"


def test_a_plain_page_is_stored_once(db):
    first, second, calls = _middleware_run(lambda: HttpResponse("a plain page"))
    assert calls == 1
    assert second["X-Cache"] == "hit"
    assert second.content == b"a plain page"


def test_responses_setting_cookies_are_marked_private(db):
    first, _, _ = _middleware_run(lambda: _with_cookie(HttpResponse("hi")))
    assert "private" in first["Cache-Control"]


def test_post_requests_are_never_cached(db):
    calls = []

    def view(request):
        calls.append(1)
        return HttpResponse("posted")

    middleware = PageCacheMiddleware(view)
    for _ in range(2):
        assert middleware(RequestFactory().post("/anything/"))["X-Cache"] == "bypass"
    assert len(calls) == 2


def _with_cookie(response):
    response.set_cookie("csrftoken", "abc")
    return response


def _with_header(response, cache_control):
    response["Cache-Control"] = cache_control
    return response


# A page with a per-visitor token is never shared; cached pages are served exactly as rendered --

_FORM_PAGE = engines["django"].from_string(
    '<form method="post">{% csrf_token %}<button>Send</button></form>'
)


@require_http_methods(["GET", "HEAD", "POST"])
def _form_view(request):
    if request.method == "POST":
        return HttpResponse("accepted")
    return HttpResponse(_FORM_PAGE.render({}, request))


urlpatterns = [path("form/", _form_view)]


def _token(response):
    html = response.content.decode()
    return html.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]


def test_a_page_with_a_per_visitor_token_is_never_stored_or_shared(settings, db):
    settings.ROOT_URLCONF = __name__
    first_visitor = Client(enforce_csrf_checks=True)
    second_visitor = Client(enforce_csrf_checks=True)

    first = first_visitor.get("/form/")
    second = second_visitor.get("/form/")
    assert first["X-Cache"] == second["X-Cache"] == "miss"
    assert _token(second) != _token(first)
    assert "private" in second["Cache-Control"]
    for visitor, page in ((first_visitor, first), (second_visitor, second)):
        posted = visitor.post("/form/", {"csrfmiddlewaretoken": _token(page)})
        assert posted.status_code == 200, posted.content
    assert first_visitor.post("/form/", {"csrfmiddlewaretoken": "x" * 64}).status_code == 403


def test_a_cached_page_is_served_byte_for_byte_as_rendered(client, content):
    """Nothing personal is written into a shared copy: a comment quoting what the cache once used
    as a token placeholder, and one quoting a token field, reach every reader as written."""
    post = content["post"]
    for body in ("__sl_csrf_token__", 'name="csrfmiddlewaretoken" value="abc"'):
        factories.comment(
            post=post, body=f"See [this](https://example.com/?t={body})", status="approved"
        )
    url = post.get_absolute_url()
    first = client.get(url)
    assert first["X-Cache"] == "miss"
    for _ in range(2):
        again = Client().get(url)
        assert again["X-Cache"] == "hit"
        assert again.content == first.content
        assert "Set-Cookie" not in again
    assert "__sl_csrf_token__" in first.content.decode()  # escaped text, shown as written
    assert "public" in again["Cache-Control"] and "s-maxage" in again["Cache-Control"]


def test_the_site_keeps_working_when_the_cache_is_down(client, content, settings, caplog):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        }
    }
    caches["default"].close()
    response = client.get("/interviews/")
    assert response.status_code == 200
    assert "Ada on LinkedIn" in response.content.decode()
    assert "page cache unavailable" in caplog.text


# Invalidation ----------------------------------------------------------------------------------


def test_publishing_shows_on_the_next_get(client, db):
    draft = factories.interview(title="Freshly published interview", published=False)
    assert draft.title not in client.get("/interviews/").content.decode()
    assert draft.title not in client.get("/").content.decode()
    assert draft.title not in client.get("/interviews/feed/").content.decode()
    assert client.get(draft.get_absolute_url()).status_code == 404

    draft.status = Status.PUBLISHED
    draft.save()

    assert draft.title in client.get("/interviews/").content.decode()
    assert draft.title in client.get("/").content.decode()
    assert draft.title in client.get("/interviews/feed/").content.decode()
    assert client.get(draft.get_absolute_url()).status_code == 200


def test_editing_shows_on_the_next_get(client, content):
    interview = content["interview"]
    url = interview.get_absolute_url()
    client.get(url)
    client.get("/interviews/")
    interview.title = "Ada on Mastodon"
    interview.save()
    assert "Ada on Mastodon" in client.get(url).content.decode()
    assert "Ada on Mastodon" in client.get("/interviews/").content.decode()


def test_editing_a_related_row_shows_on_the_next_get(client, content):
    url = content["interview"].get_absolute_url()
    assert "Ada Example" in client.get(url).content.decode()
    leader = content["interview"].leader
    leader.name = "Ada Renamed"
    leader.save()
    assert "Ada Renamed" in client.get(url).content.decode()


def test_unpublishing_removes_the_item_everywhere(client, content):
    post = content["post"]
    assert post.title in client.get("/blog/").content.decode()
    assert client.get(post.get_absolute_url()).status_code == 200
    assert post.title in client.get("/blog/feed/").content.decode()

    post.status = Status.DRAFT
    post.save()

    assert post.title not in client.get("/blog/").content.decode()
    assert client.get(post.get_absolute_url()).status_code == 404
    assert post.title not in client.get("/blog/feed/").content.decode()


def test_deleting_removes_the_item(client, content):
    post = content["post"]
    assert post.title in client.get("/blog/").content.decode()
    post.delete()
    assert post.title not in client.get("/blog/").content.decode()


def test_approving_a_comment_shows_it_on_the_next_get(client, content):
    post = content["post"]
    comment = factories.comment(
        post=post, body="A thoughtful pending remark", status=Comment.Status.PENDING
    )
    assert comment.body not in client.get(post.get_absolute_url()).content.decode()
    comment.status = Comment.Status.APPROVED
    comment.save()
    assert comment.body in client.get(post.get_absolute_url()).content.decode()


def test_adding_a_theme_shows_on_the_next_get(client, content):
    interview = content["interview"]
    url = interview.get_absolute_url()
    assert "Finding the time" not in client.get(url).content.decode()
    interview.themes.add("Finding the time")  # through taggit's m2m machinery
    assert "Finding the time" in client.get(url).content.decode()


def test_each_change_moves_its_tags_on(db):
    platform = factories.platform(name="Threads")
    tag = object_tag(platform)
    before = content_cache.tag_versions([tag], shared=True)[tag]
    platform.name = "Threads by Meta"
    platform.save()
    assert content_cache.tag_versions([tag], shared=True)[tag] > before


def test_changes_to_things_readers_never_see_leave_the_cache_alone(db, django_user_model):
    before = content_cache.current_generation()
    clock = content_cache.page_cache().get(content_cache.TAG_CLOCK_KEY)
    django_user_model.objects.create_user("someone", password="a long password 123")
    assert content_cache.current_generation() == before
    assert content_cache.page_cache().get(content_cache.TAG_CLOCK_KEY) == clock


def test_changes_inside_a_transaction_invalidate_again_on_commit(
    db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        threads = factories.platform(name="Threads")
        bluesky = factories.platform(name="Bluesky")
    # Invalidated at once for each save, and once more, for both, registered for the commit.
    assert len(callbacks) == 1
    tags = [object_tag(threads), object_tag(bluesky)]
    before = content_cache.tag_versions(tags, shared=True)
    callbacks[0]()
    after = content_cache.tag_versions(tags, shared=True)
    assert all(after[tag] > before[tag] for tag in tags)


@pytest.mark.django_db(transaction=True)
def test_a_bulk_write_makes_every_page_stale_once_instead_of_per_row(client, content):
    _, page = get(client, "/interviews/")
    generation = content_cache.current_generation()
    clock = content_cache.page_cache().get(content_cache.TAG_CLOCK_KEY)
    with transaction.atomic(), changing_a_lot():
        for n in range(30):
            factories.interview(title=f"Imported {n}")
        # Stale at once, one time, and nothing kept per row for the commit.
        assert content_cache.current_generation() == generation + 1
        assert content_cache._pending_tags("default") == {SITE}
    assert content_cache.current_generation() == generation + 2  # and again at commit
    assert content_cache.page_cache().get(content_cache.TAG_CLOCK_KEY) == clock  # no row's tag
    fresh = get(client, "/interviews/")[1]
    assert fresh != page and "Imported 29" in fresh
    # Outside it, a save moves its own tags, not the whole site's.
    post = content["post"]
    before = content_cache.tag_versions([object_tag(post)], shared=True)[object_tag(post)]
    post.title = "Why we asked, again"
    post.save()
    assert content_cache.current_generation() == generation + 2
    assert content_cache.tag_versions([object_tag(post)], shared=True)[object_tag(post)] > before


def test_a_lost_generation_starts_above_any_earlier_one(db):
    first = content_cache.bump_generation()
    caches["default"].delete(content_cache.GENERATION_KEY)
    assert content_cache.current_generation() > first


# The local tier: each process's own copy of the generation and of hot pages -----------------


def test_a_hot_page_is_served_from_process_memory_without_a_cache_round_trip(client, content):
    client.get("/interviews/")
    shared = caches["default"]
    with (
        mock.patch.object(shared, "get_many", wraps=shared.get_many) as get_many,
        mock.patch.object(shared, "get", wraps=shared.get) as get,
    ):
        assert client.get("/interviews/")["X-Cache"] == "hit"
    assert get_many.call_count == 0
    assert get.call_count == 0


def test_a_change_made_elsewhere_shows_once_the_local_copy_expires(client, content, settings):
    settings.PAGE_CACHE_LOCAL_SECONDS = 1
    interview = content["interview"]
    client.get("/interviews/")
    # Another server changes the content: the shared generation moves, this process is not told.
    # (update() sends no signal; bump_generation() moves only the shared number.)
    type(interview).objects.filter(pk=interview.pk).update(title="Changed elsewhere")
    content_cache.bump_generation()
    assert "Changed elsewhere" not in client.get("/interviews/").content.decode()
    later = content_cache.time.monotonic() + 1.01
    with mock.patch.object(content_cache.time, "monotonic", return_value=later):
        response = client.get("/interviews/")
    assert response["X-Cache"] == "miss"
    assert "Changed elsewhere" in response.content.decode()


def test_the_local_tier_can_be_switched_off(client, content, settings):
    settings.PAGE_CACHE_LOCAL_SECONDS = 0
    client.get("/interviews/")
    shared = caches["default"]
    with mock.patch.object(shared, "get_many", wraps=shared.get_many) as get_many:
        assert client.get("/interviews/")["X-Cache"] == "hit"
    # Generation, schedule, tag clock and page in one round trip; the page's tags in another.
    assert get_many.call_count == 2


def test_the_local_tier_keeps_to_its_memory_budget():
    tier = content_cache._LocalTier()
    owner = object()
    tier.remember(owner, 7, content_cache.NOTHING_SCHEDULED, 0)
    for n in range(10):
        tier.keep(f"page-{n}", {"generation": 7, "content": b"x" * 200}, limit=1000)
    assert tier.size <= 1000
    assert tier.page("page-9") is not None  # the newest are kept
    assert tier.page("page-0") is None  # the oldest went first
    tier.keep("huge", {"generation": 7, "content": b"x" * 600}, limit=1000)
    assert tier.page("huge") is None  # too big for a quarter of the budget: not kept
    tier.remember(owner, 8, content_cache.NOTHING_SCHEDULED, 0)
    assert tier.page("page-9") is None  # a new generation starts afresh


# Scheduled items -------------------------------------------------------------------------------


def test_a_scheduled_interview_appears_once_its_time_passes(client, db):
    now = timezone.now()
    scheduled = factories.interview(
        title="Scheduled for later", publish_at=now + timedelta(hours=1)
    )
    assert scheduled.title not in client.get("/interviews/").content.decode()
    assert scheduled.title not in client.get("/").content.decode()
    assert client.get("/interviews/")["X-Cache"] == "hit"

    with mock.patch("django.utils.timezone.now", return_value=now + timedelta(minutes=59)):
        assert client.get("/interviews/")["X-Cache"] == "hit"
    with mock.patch("django.utils.timezone.now", return_value=now + timedelta(hours=1, seconds=1)):
        listing = client.get("/interviews/")
        assert listing["X-Cache"] == "miss"
        assert scheduled.title in listing.content.decode()
        assert scheduled.title in client.get("/").content.decode()
        assert client.get(scheduled.get_absolute_url()).status_code == 200


def test_an_item_disappears_once_its_unpublish_time_passes(client, db):
    now = timezone.now()
    post = factories.post(title="Here for a day", unpublish_at=now + timedelta(days=1))
    assert post.title in client.get("/blog/").content.decode()
    with mock.patch("django.utils.timezone.now", return_value=now + timedelta(days=1, seconds=1)):
        assert post.title not in client.get("/blog/").content.decode()
        assert client.get(post.get_absolute_url()).status_code == 404


def test_schedules_are_looked_up_once_per_generation(client, db, django_assert_num_queries):
    factories.interview(title="Later", publish_at=timezone.now() + timedelta(days=3))
    now = timezone.now()
    with mock.patch("django.utils.timezone.now", return_value=now):
        generation = content_cache.generation_for_request()
        with django_assert_num_queries(0):
            assert content_cache.generation_for_request() == generation


# Two app servers, one PostgreSQL, one Redis ----------------------------------------------------


@pytest.fixture
def shared_postgres_and_redis(tmp_path):
    """A throwaway PostgreSQL database (migrated) and a Redis key prefix, both dropped after."""
    if connection.vendor != "postgresql":
        pytest.skip("the two-server test needs PostgreSQL (set DATABASE_URL=postgres://...)")
    import redis

    redis_url = os.environ.get("TWO_SERVER_REDIS_URL", "redis://127.0.0.1:6379/5")
    try:
        redis.Redis.from_url(redis_url).ping()
    except redis.RedisError as error:
        pytest.skip(f"the two-server test needs Redis at {redis_url}: {error}")

    prefix = f"twoservers-{uuid.uuid4().hex[:10]}"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PYTEST")},
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "REDIS_URL": redis_url,
        "CACHE_KEY_PREFIX": prefix,
        "PAGE_CACHE": "1",
        # Each server trusts the generation it read for half a second (the local tier).
        "PAGE_CACHE_LOCAL_SECONDS": str(LOCAL_SECONDS),
        "STATIC_ROOT": str(tmp_path / "static"),
        "LOG_LEVEL": "WARNING",
    }
    manage = [sys.executable, "manage.py"]
    try:
        with throwaway_databases("twoservers") as urls:
            env["DATABASE_URL"] = urls["twoservers"]
            subprocess.run(
                [*manage, "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
            )
            subprocess.run(
                [*manage, "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
            )
            yield env
    finally:
        client = redis.Redis.from_url(redis_url)
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)
        shutil.rmtree(tmp_path / "static", ignore_errors=True)


LOCAL_SECONDS = 0.5


def _orm(env, code):
    """Run ORM code in another process against the shared database and cache."""
    setup = (
        "import django; django.setup()\n"
        "from datetime import timedelta\n"
        "from django.utils import timezone\n"
        "from interviews.models import Interview, Leader\n"
        "from socialleaders.publishing import Status\n"
    )
    subprocess.run([sys.executable, "-c", setup + code], cwd=ROOT, env=env, check=True)


def _once_shown(port, path, text, gone=None):
    """The page from the server on ``port`` once it shows ``text`` (and not ``gone``): a server
    sees another process's change when its local tier (LOCAL_SECONDS) has expired."""
    return eventually(
        lambda: fetch(port, path),
        lambda page: text in page[2] and (gone is None or gone not in page[2]),
    )


@pytest.mark.django_db
def test_a_change_through_one_server_is_seen_through_the_other(shared_postgres_and_redis):
    env = {**shared_postgres_and_redis, "DJANGO_SETTINGS_MODULE": "socialleaders.settings"}
    _orm(
        env,
        "from comments.models import ModerationSettings; ModerationSettings.load()\n"
        "leader = Leader.objects.create(name='Grace Shared', slug='grace-shared')\n"
        "Interview.objects.create(leader=leader, title='Grace on blogs', slug='grace',"
        " status=Status.PUBLISHED, publish_at=timezone.now() - timedelta(days=1))\n",
    )
    servers = []
    try:
        for _ in range(2):
            port = free_port()
            servers.append((port, start_app_server(port, env)))
        for port, process in servers:
            wait_until_up(port, process)
        (a, _), (b, _) = servers

        # Both servers have the list and the interview in the shared cache.
        for port in (a, b):
            assert "Grace on blogs" in fetch(port, "/interviews/")[2]
            assert fetch(port, "/interviews/grace/")[0] == 200
        assert fetch(b, "/interviews/")[1]["X-Cache"] == "hit"
        assert fetch(a, "/interviews/grace/")[1]["X-Cache"] == "hit"

        # An edit through one process is on the pages from either server.
        _orm(env, "i = Interview.objects.get(slug='grace'); i.title = 'Grace on video'; i.save()\n")
        status, headers, body = _once_shown(b, "/interviews/", "Grace on video")
        assert "Grace on blogs" not in body
        assert headers["X-Cache"] in {"miss", "hit"}  # rendered anew (here or by a refresh)
        _once_shown(a, "/interviews/grace/", "Grace on video")

        # Publishing a new interview and unpublishing the old one, likewise.
        _orm(
            env,
            "Interview.objects.create(leader=Leader.objects.get(), title='Grace returns',"
            " slug='grace-2', status=Status.PUBLISHED,"
            " publish_at=timezone.now() - timedelta(hours=1))\n"
            "i = Interview.objects.get(slug='grace'); i.status = Status.DRAFT; i.save()\n",
        )
        for port in (a, b):
            _once_shown(port, "/interviews/", "Grace returns", gone="Grace on video")
            # Its stale copy may answer while it is rendered again, never after.
            eventually(lambda port=port: fetch(port, "/interviews/grace/")[0], (404).__eq__)
            assert fetch(port, "/interviews/grace/")[0] == 404
    finally:
        for _, process in servers:
            stop(process)
