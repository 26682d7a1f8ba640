"""The interview series' models: the constraints the data relies on, names, addresses and order."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.urls import resolve
from django.utils import timezone

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
from tests import factories as f

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(microsecond=0)
SECOND = timedelta(seconds=1)


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


def test_leader_helpers():
    leader = Leader(name="Ada", role="Chief Executive", organisation="Analytical Engines")
    assert leader.role_line == "Chief Executive, Analytical Engines"
    assert Leader(name="Ada", organisation="Engines").role_line == "Engines"
