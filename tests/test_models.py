"""The content model: what `published()` lets through at its edges, the constraints the data
relies on, Markdown rendered safely, and each model's name and address."""

from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.apps import apps
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.urls import resolve
from django.utils import timezone

from blog.models import Post
from comments.models import Comment
from interviews.models import (
    Answer,
    Interview,
    InterviewPlatform,
    Leader,
    Question,
    Quote,
    SocialAccount,
    Theme,
)
from socialleaders.publishing import Status
from socialleaders.text import render_markdown
from tests import factories as f

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(microsecond=0)
SECOND = timedelta(seconds=1)


def make(model, **kw):
    factory = f.interview if model is Interview else f.post
    return factory(**kw)


# --- published() at its edges -------------------------------------------------------------------

# (description, fields, visible at NOW)
EDGES = [
    ("published yesterday", {"publish_at": NOW - timedelta(days=1)}, True),
    ("published one second ago", {"publish_at": NOW - SECOND}, True),
    ("publish date exactly now", {"publish_at": NOW}, True),
    ("scheduled one second ahead", {"publish_at": NOW + SECOND}, False),
    ("scheduled next week", {"publish_at": NOW + timedelta(days=7)}, False),
    ("draft dated in the past", {"published": False, "publish_at": NOW - timedelta(days=1)}, False),
    ("draft dated in the future", {"published": False, "publish_at": NOW + SECOND}, False),
    (
        "unpublish date passed",
        {"publish_at": NOW - timedelta(days=2), "unpublish_at": NOW - SECOND},
        False,
    ),
    (
        "unpublish date exactly now",
        {"publish_at": NOW - timedelta(days=2), "unpublish_at": NOW},
        False,
    ),
    (
        "unpublish date not reached",
        {"publish_at": NOW - timedelta(days=2), "unpublish_at": NOW + SECOND},
        True,
    ),
    (
        "scheduled, with an unpublish date",
        {"publish_at": NOW + SECOND, "unpublish_at": NOW + timedelta(days=1)},
        False,
    ),
]


@pytest.mark.parametrize("model", [Interview, Post], ids=lambda m: m.__name__)
@pytest.mark.parametrize("label, fields, visible", EDGES, ids=[e[0] for e in EDGES])
def test_published_edges(model, label, fields, visible):
    item = make(model, **fields)
    f.interview() if model is Interview else f.post()  # an ordinary live item alongside

    assert (item in model.objects.published(now=NOW)) is visible, label
    assert item.is_published(now=NOW) is visible, label

    # Without now=, "now" is the clock's: freeze it at NOW.
    with mock.patch("django.utils.timezone.now", return_value=NOW):
        assert model.objects.filter(pk=item.pk).published().exists() is visible, label
        assert item.is_published() is visible, label


@pytest.mark.parametrize("model", [Interview, Post], ids=lambda m: m.__name__)
def test_scheduled_item_appears_when_its_time_comes(model):
    item = make(model, publish_at=NOW + timedelta(hours=1))
    assert not model.objects.published(now=NOW).filter(pk=item.pk).exists()
    assert item.is_scheduled
    later = NOW + timedelta(hours=1, seconds=1)
    assert model.objects.published(now=later).filter(pk=item.pk).exists()


@pytest.mark.parametrize("model", [Interview, Post], ids=lambda m: m.__name__)
def test_new_items_are_drafts(model):
    kw = {"leader": f.leader()} if model is Interview else {"author": f.author()}
    item = model.objects.create(title="Fresh", slug="fresh", **kw)
    assert item.status == Status.DRAFT
    assert not model.objects.published().filter(pk=item.pk).exists()


def test_quotes_follow_their_interview():
    live = f.interview()
    draft = f.interview(published=False)
    scheduled = f.interview(publish_at=NOW + timedelta(days=1))
    from_live = f.quote(interview=live, text="Live words")
    f.quote(interview=draft, text="Draft words")
    f.quote(interview=scheduled, text="Scheduled words")
    unattached = f.quote(text="Said elsewhere")

    assert set(Quote.objects.published(now=NOW)) == {from_live, unattached}

    draft.status = Status.PUBLISHED
    draft.save()
    assert Quote.objects.published(now=NOW).filter(text="Draft words").exists()
    assert (
        Quote.objects.published(now=NOW + timedelta(days=2)).filter(text="Scheduled words").exists()
    )


# --- Constraints -------------------------------------------------------------------------------


def assert_refused(create):
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


@pytest.mark.parametrize(
    "factory",
    [f.leader, f.platform, f.series, f.question, f.interview, f.author, f.post],
    ids=lambda fn: fn.__name__,
)
def test_slugs_are_unique(factory):
    factory(slug="same-slug")
    assert_refused(lambda: factory(slug="same-slug"))


def test_theme_names_and_slugs_are_unique():
    Theme.objects.create(name="Learning", slug="learning")
    assert_refused(lambda: Theme.objects.create(name="Learning", slug="learning-2"))
    assert_refused(lambda: Theme.objects.create(name="Learning again", slug="learning"))


def test_one_answer_per_question_per_interview():
    interview, question = f.interview(), f.question()
    f.answer(interview=interview, question=question, order=1)
    assert_refused(lambda: f.answer(interview=interview, question=question, order=2))
    # The same question in another interview is fine: that is the point of canonical questions.
    f.answer(interview=f.interview(), question=question)
    assert Answer.objects.filter(question=question).count() == 2


def test_at_most_one_favourite_platform_per_interview():
    interview = f.interview()
    f.uses(interview, f.platform(), favourite=True)
    f.uses(interview, f.platform())  # other platforms used, not favourite: fine
    assert_refused(lambda: f.uses(interview, f.platform(), favourite=True))
    # Another interview has its own favourite.
    f.uses(f.interview(), f.platform(), favourite=True)
    assert InterviewPlatform.objects.filter(is_favourite=True).count() == 2


def test_a_platform_is_listed_once_per_interview():
    interview, platform = f.interview(), f.platform()
    f.uses(interview, platform)
    assert_refused(lambda: f.uses(interview, platform))


def test_series_order_is_unique_within_a_series():
    series = f.series()
    f.interview(series=series, series_order=1)
    assert_refused(lambda: f.interview(series=series, series_order=1))
    f.interview(series=f.series(), series_order=1)  # another series may have its own first
    f.interview(series=series, series_order=None)  # unnumbered interviews do not collide
    f.interview(series=series, series_order=None)
    assert Interview.objects.filter(series=series).count() == 3


def test_comment_is_on_a_post_or_an_interview_never_both_or_neither():
    post, interview = f.post(), f.interview()
    assert_refused(lambda: f.comment(post=post, interview=interview))
    assert_refused(lambda: f.comment(post=None, interview=None))
    on_post = f.comment(post=post)
    on_interview = f.comment(interview=interview)
    assert on_post.target == post and on_interview.target == interview


def test_comment_cannot_reply_to_itself():
    comment = f.comment()
    comment.parent_id = comment.pk
    assert_refused(comment.save)


def test_social_account_needs_a_handle_or_an_address():
    leader, platform = f.leader(), f.platform()
    assert_refused(lambda: SocialAccount.objects.create(leader=leader, platform=platform))
    SocialAccount.objects.create(leader=leader, platform=platform, handle="@someone")
    assert_refused(
        lambda: SocialAccount.objects.create(leader=leader, platform=platform, handle="@someone")
    )


def test_the_same_quote_is_not_stored_twice_for_a_leader():
    leader = f.leader()
    f.quote(leader=leader, text="Be yourself.")
    assert_refused(lambda: f.quote(leader=leader, text="Be yourself."))
    f.quote(leader=f.leader(), text="Be yourself.")  # another leader may say it too


def test_a_leader_with_interviews_cannot_be_deleted():
    interview = f.interview()
    with pytest.raises(ProtectedError), transaction.atomic():
        interview.leader.delete()
    assert Interview.objects.filter(pk=interview.pk).exists()


# --- Markdown, rendered safely -------------------------------------------------------------------


def test_markdown_keeps_paragraphs_and_lists():
    html = render_markdown("First paragraph.\n\nSecond.\n\n- one\n- two\n\n1. first\n2. second")
    assert "<p>First paragraph.</p>" in html
    assert "<p>Second.</p>" in html
    assert "<ul>\n<li>one</li>\n<li>two</li>\n</ul>" in html
    assert "<ol>\n<li>first</li>\n<li>second</li>\n</ol>" in html


def test_markdown_numbered_list_keeps_its_start():
    assert '<ol start="3">' in render_markdown("3. third\n4. fourth")


@pytest.mark.parametrize(
    "source, forbidden",
    [
        ("Hello <script>alert('x')</script> world", ["<script", "alert('x')"]),
        ('<p onclick="steal()">Click</p>', ["onclick", "steal()"]),
        ("[a link](javascript:alert(1))", ["javascript:"]),
        ('<a href="javascript:alert(1)">x</a>', ["javascript:"]),
        ('<img src="x" onerror="alert(1)">', ["<img", "onerror"]),
        ('<iframe src="https://evil.example"></iframe>', ["<iframe"]),
        ('<a href="https://ok.example" style="color:red">ok</a>', ["style="]),
    ],
)
def test_markdown_output_is_sanitised(source, forbidden):
    html = render_markdown(source)
    for bad in forbidden:
        assert bad not in html


def test_markdown_keeps_safe_links_and_emphasis():
    html = render_markdown("Read [the blog](https://example.org/blog) *now*.")
    assert 'href="https://example.org/blog"' in html
    assert 'rel="noopener"' in html
    assert "<em>now</em>" in html
    assert render_markdown("") == ""


def test_long_text_is_rendered_on_save():
    interview = f.interview(
        introduction="Meet *Ada*.<script>alert(1)</script>", closing="- thanks\n- bye"
    )
    assert interview.introduction_html.startswith("<p>Meet <em>Ada</em>.")
    assert "<script" not in interview.introduction_html
    assert "<li>thanks</li>" in interview.closing_html
    answer = f.answer(body="Two things:\n\n1. listen\n2. <b onclick='x()'>reply</b>")
    assert "<li>listen</li>" in answer.body_html
    assert "onclick" not in answer.body_html and "<b>reply</b>" in answer.body_html
    post = f.post(body='Hi <a href="javascript:x()">there</a>')
    assert "javascript:" not in post.body_html
    series = f.series(summary="**Found**")
    assert series.summary_html == "<p><strong>Found</strong></p>"


def test_slug_is_made_from_the_title_when_left_empty():
    interview = f.interview(title="Ada Lovelace: on #SocialLeaders", slug="")
    assert interview.slug == "ada-lovelace-on-socialleaders"
    post = f.post(title="Why councils should tweet!", slug="")
    assert post.slug == "why-councils-should-tweet"


# --- Names and addresses -----------------------------------------------------------------------


def assert_url(obj, url_name, **kwargs):
    url = obj.get_absolute_url()
    path, _, fragment = url.partition("#")
    match = resolve(path)
    assert match.view_name == url_name, url
    assert match.kwargs == kwargs, url
    return fragment


def test_names_and_addresses():
    leader = f.leader(name="Ada Lovelace", honours="OBE", slug="ada")
    assert str(leader) == "Ada Lovelace OBE"
    assert_url(leader, "interviews:leader", slug="ada")
    assert str(f.leader(name="Plain Name")) == "Plain Name"

    platform = f.platform(name="Twitter", slug="twitter")
    assert str(platform) == "Twitter"
    assert_url(platform, "interviews:platform", slug="twitter")

    theme = Theme.objects.create(name="Being human", slug="being-human")
    assert str(theme) == "Being human"
    assert_url(theme, "interviews:theme", slug="being-human")

    series = f.series(title="#SocialLeaders", slug="socialleaders")
    assert str(series) == "#SocialLeaders"
    assert_url(series, "interviews:series", slug="socialleaders")

    question = f.question(text="What advice would you give?", label="Advice", slug="advice")
    assert str(question) == "What advice would you give?"
    assert_url(question, "interviews:question", slug="advice")

    interview = f.interview(title="Ada on social", slug="ada-on-social", leader=leader)
    assert str(interview) == "Ada on social"
    assert_url(interview, "interviews:detail", slug="ada-on-social")

    answer = f.answer(interview=interview, question=question, asked_as="Any advice?")
    assert str(answer) == "Ada Lovelace: Advice"
    assert answer.question_text == "Any advice?"
    assert assert_url(answer, "interviews:detail", slug="ada-on-social") == "q-advice"

    quote = f.quote(interview=interview, answer=answer, text="Be yourself.")
    assert str(quote) == "“Be yourself.” – Ada Lovelace"
    assert assert_url(quote, "interviews:detail", slug="ada-on-social") == "q-advice"
    loose = f.quote(leader=leader, text="Elsewhere.")
    assert_url(loose, "interviews:leader", slug="ada")

    uses = f.uses(interview, platform, favourite=True)
    assert str(uses) == "Twitter (favourite)"
    account = SocialAccount.objects.create(leader=leader, platform=platform, handle="@ada")
    assert str(account) == "Twitter: @ada"
    assert account.link == "https://twitter.com/ada"

    author = f.author(name="Grace Hopper", slug="grace")
    assert str(author) == "Grace Hopper"
    assert_url(author, "blog:author", slug="grace")

    post = f.post(title="Why councils should tweet", slug="why-tweet", author=author)
    assert str(post) == "Why councils should tweet"
    assert_url(post, "blog:post", slug="why-tweet")

    comment = f.comment(post=post, name="Reader")
    assert str(comment) == "Reader on Why councils should tweet"
    assert assert_url(comment, "blog:post", slug="why-tweet") == f"comment-{comment.pk}"
    on_interview = f.comment(interview=interview, name="Listener")
    assert str(on_interview) == "Listener on Ada on social"
    assert assert_url(on_interview, "interviews:detail", slug="ada-on-social") == (
        f"comment-{on_interview.pk}"
    )


def test_questions_are_ordered_by_their_order_then_creation():
    third = f.question(order=3)
    first = f.question(order=1)
    also_first = f.question(order=1)
    assert list(Question.objects.all()) == [first, also_first, third]


def test_answers_come_in_interview_order():
    interview = f.interview()
    second = f.answer(interview=interview, order=2)
    first = f.answer(interview=interview, order=1)
    assert list(interview.answers.all()) == [first, second]


def test_comment_statuses_and_kinds():
    post = f.post()
    pending = f.comment(post=post, status=Comment.Status.PENDING)
    approved = f.comment(post=post)
    f.comment(post=post, status=Comment.Status.SPAM)
    assert list(Comment.objects.pending()) == [pending]
    assert list(Comment.objects.approved()) == [approved]
    assert Comment.objects.create(post=post, name="N", body="B").status == Comment.Status.PENDING
    assert Comment._meta.get_field("kind").default == Comment.Kind.COMMENT


def test_leader_helpers():
    leader = Leader(name="Ada", role="Chief Executive", organisation="Analytical Engines")
    assert leader.role_line == "Chief Executive, Analytical Engines"
    assert Leader(name="Ada", organisation="Engines").role_line == "Engines"


# --- test data ------------------------------------------------------------------------------------


def test_every_model_of_the_project_has_a_factory_that_makes_a_valid_row():
    root = Path(__file__).resolve().parents[1]
    ours = {
        model
        for config in apps.get_app_configs()
        if Path(config.path).parent == root  # the project's apps, not installed packages
        for model in config.get_models()
    }
    made = [
        f.platform(),
        f.theme(),
        f.themed(f.interview(), f.theme()),
        f.leader(),
        f.social_account(),
        f.series(),
        f.question(),
        f.interview(),
        f.uses(f.interview(), f.platform()),
        f.answer(),
        f.quote(),
        f.author(),
        f.post(),
        f.comment(),
        f.moderation_settings(),
        f.subscription(),
        f.publication_record(),
        f.approval_link()[0],
        f.approval_event(),
    ]
    assert {type(obj) for obj in made} == ours
    for obj in made:
        obj.full_clean()
