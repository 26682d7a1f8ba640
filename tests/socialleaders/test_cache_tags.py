"""Only what changed goes stale: each kind of change refreshes exactly the cached pages that
show it, and a change readers cannot see refreshes nothing (socialleaders/cachetags.py)."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from comments import services as moderation
from comments.models import Comment, ModerationSettings
from socialleaders.publishing import Status
from tests import factories as f

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache")]


@pytest.fixture
def site():
    """Two interviews in one series (A, A2), one on its own (B); two posts (P, Q)."""
    when = timezone.now() - timedelta(days=3)
    series = f.series(title="#SocialLeaders", slug="social-leaders")
    question = f.question(text="Why do you use social media?", slug="why")
    other_question = f.question(text="Which platform?", slug="which")
    t1, t2 = f.theme(name="Listening", slug="listening"), f.theme(name="Trust", slug="trust")
    p1, p2 = f.platform(name="LinkedIn", slug="linkedin"), f.platform(name="X", slug="x")
    a = f.interview(title="A on listening", slug="a", series=series, series_order=1)
    a2 = f.interview(title="A2 on teams", slug="a2", series=series, series_order=2)
    b = f.interview(title="B on trust", slug="b", publish_at=when)
    for interview, theme, platform, asked in ((a, t1, p1, question), (b, t2, p2, other_question)):
        f.themed(interview, theme)
        f.uses(interview, platform)
        f.answer(interview=interview, question=asked, body="Listening to people.")
    f.answer(interview=a2, question=question, body="Teams first.")
    author, other_author = f.author(name="Ada", slug="ada"), f.author(name="Bo", slug="bo")
    post = f.post(title="P on leading", slug="p", author=author, publish_at=when)
    post.tags.add("strategy")
    other = f.post(title="Q on writing", slug="q", author=other_author, publish_at=when)
    other.tags.add("writing")
    f.comment(post=post, body="First!", status=Comment.Status.APPROVED)
    ModerationSettings.load()
    month = timezone.localtime(when)
    pages = {
        "home": "/",
        "interviews": "/interviews/",
        "A": a.get_absolute_url(),
        "A2": a2.get_absolute_url(),
        "B": b.get_absolute_url(),
        "platforms": "/platforms/",
        "platform P1": p1.get_absolute_url(),
        "platform P2": p2.get_absolute_url(),
        "themes": "/themes/",
        "theme T1": t1.get_absolute_url(),
        "theme T2": t2.get_absolute_url(),
        "quotes": "/quotes/",
        "leaders": "/leaders/",
        "leader of A": a.leader.get_absolute_url(),
        "leader of B": b.leader.get_absolute_url(),
        "series": series.get_absolute_url(),
        "questions": "/questions/",
        "question of A": question.get_absolute_url(),
        "question of B": other_question.get_absolute_url(),
        "blog": "/blog/",
        "P": post.get_absolute_url(),
        "Q": other.get_absolute_url(),
        "tag of P": "/blog/tags/strategy/",
        "tag of Q": "/blog/tags/writing/",
        "author of P": author.get_absolute_url(),
        "author of Q": other_author.get_absolute_url(),
        "month": f"/blog/{month:%Y}/{month:%m}/",
        "site feed": "/feeds/rss/",
        "interviews feed": "/interviews/feed/",
        "blog feed": "/blog/feed/",
        "sitemap": "/sitemap.xml",
    }
    return {"a": a, "b": b, "post": post, "other": other, "pages": pages}


def refreshed_by(site, change):
    """Cache every page, make the change, and name the pages rendered afresh after it."""
    reader = Client()
    for name, url in site["pages"].items():
        assert reader.get(url).status_code == 200, name
        assert reader.get(url)["X-Cache"] == "hit", name
    change()
    outcome = {name: Client().get(url)["X-Cache"] for name, url in site["pages"].items()}
    assert set(outcome.values()) <= {"hit", "miss"}, outcome
    return {name for name, result in outcome.items() if result == "miss"}


def everything_but(site, *names):
    return set(site["pages"]) - set(names)


INTERVIEW_LISTS = {
    "home",
    "interviews",
    "platforms",
    "themes",
    "quotes",
    "leaders",
    "series",
    "questions",
    "question of A",
    "question of B",
    "platform P1",
    "platform P2",
    "theme T1",
    "theme T2",
    "leader of A",
    "leader of B",
    "site feed",
    "interviews feed",
    "sitemap",
}
POST_LISTS = {"home", "blog", "tag of P", "tag of Q", "author of P", "author of Q", "month"}
POST_FEEDS = {"site feed", "blog feed", "sitemap"}


@pytest.mark.parametrize("status", [Comment.Status.PENDING, Comment.Status.SPAM])
def test_a_held_or_spam_comment_makes_nothing_stale(site, status):
    assert refreshed_by(site, lambda: f.comment(post=site["post"], status=status)) == set()


def test_a_held_comment_deleted_makes_nothing_stale(site):
    held = f.comment(post=site["post"], status=Comment.Status.PENDING)
    assert refreshed_by(site, held.delete) == set()


def test_a_draft_saved_makes_nothing_stale(site):
    def write_a_draft():
        draft = f.interview(title="C, unfinished", leader=site["a"].leader, published=False)
        f.answer(interview=draft, body="Not yet.")
        draft.title = "C, still unfinished"
        draft.save()

    assert refreshed_by(site, write_a_draft) == set()


def test_an_editor_logging_in_makes_nothing_stale(site):
    get_user_model().objects.create_user("ed", password="long enough password", is_staff=True)

    def log_in():
        Client().login(username="ed", password="long enough password")

    assert refreshed_by(site, log_in) == set()


def test_an_approved_comment_refreshes_its_post_and_the_pages_counting_it(site):
    held = f.comment(post=site["post"], status=Comment.Status.PENDING)
    refreshed = refreshed_by(site, lambda: moderation.approve([held]))
    # The post's page, and the cards that show its comment count.
    assert {"P", "blog", "tag of P", "author of P", "month", "home"} <= refreshed
    assert refreshed <= {"P", "blog", "tag of P", "author of P", "month", "home"} | POST_FEEDS
    assert "Q" not in refreshed and "A" not in refreshed


def test_an_interview_edited_refreshes_the_pages_that_show_it(site):
    def edit():
        b = site["b"]
        b.title = "B on trust, revised"
        b.save()

    refreshed = refreshed_by(site, edit)
    shows_b = {
        "B",
        "home",
        "interviews",
        "theme T2",
        "platform P2",
        "leader of B",
        "question of B",
        "site feed",
        "interviews feed",
        "sitemap",
    }
    assert shows_b <= refreshed
    # Not the other interviews' pages, nor anything of the blog's.
    assert not refreshed & {"A", "A2", "theme T1", "platform P1", "leader of A", "series"}
    assert not refreshed & ({"P", "Q"} | (POST_LISTS - {"home"}))


def test_an_interview_published_refreshes_every_list_of_interviews_but_no_other_page(site):
    def publish():
        draft = f.interview(title="C", leader=site["a"].leader, published=False)
        draft.status = Status.PUBLISHED
        draft.save()

    refreshed = refreshed_by(site, publish)
    assert INTERVIEW_LISTS - {"leader of B"} <= refreshed
    assert not refreshed & {"A", "A2", "B", "P", "Q"}
    assert not refreshed & (POST_LISTS - {"home"})


def test_a_post_published_refreshes_the_lists_of_posts_only(site):
    def publish():
        f.post(title="R on reading", author=site["post"].author)

    refreshed = refreshed_by(site, publish)
    assert POST_LISTS - {"tag of P", "tag of Q", "author of Q"} <= refreshed
    # A post's page lists other posts too (related reading, next and previous).
    assert refreshed <= POST_LISTS | POST_FEEDS | {"P", "Q"}


def test_a_leaders_new_name_refreshes_their_pages_only(site):
    def rename():
        leader = site["b"].leader
        leader.name = "Bea Renamed"
        leader.save()

    refreshed = refreshed_by(site, rename)
    assert {"B", "leader of B", "leaders"} <= refreshed
    assert not refreshed & {"A", "A2", "leader of A", "P", "Q", "blog"}


def test_closing_comments_site_wide_refreshes_every_page(site):
    def close():
        policy = ModerationSettings.load()
        policy.comments_enabled = False
        policy.save()

    assert refreshed_by(site, close) == set(site["pages"])


def test_cached_pages_name_their_tags_for_the_caches_in_front(client, site):
    client.get(site["pages"]["B"])
    response = client.get(site["pages"]["B"])
    tags = response["Surrogate-Key"].split()
    assert "site" in tags and f"interviews.interview:{site['b'].pk}" in tags
    assert response["Cache-Tag"].split(",") == tags
    assert f"interviews.interview:{site['a'].pk}" not in tags
    control = response["Cache-Control"]
    for directive in ("public", "s-maxage=", "stale-while-revalidate=", "stale-if-error="):
        assert directive in control, control
    listing = client.get("/interviews/")
    assert "interviews.interview" in listing["Surrogate-Key"].split()
