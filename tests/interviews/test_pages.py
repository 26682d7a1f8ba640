"""The interview pages as readers (and editors previewing) see them."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from interviews.models import SocialAccount
from socialleaders.publishing import Status
from tests import factories as f

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_page_cache")]


def html(response):
    return response.content.decode()


@pytest.fixture
def published_interview():
    leader = f.leader(
        name="Ada Example", honours="OBE", role="Chief Executive", organisation="Example Trust"
    )
    twitter = f.platform(name="Twitter", slug="twitter")
    linkedin = f.platform(name="LinkedIn", slug="linkedin")
    SocialAccount.objects.create(leader=leader, platform=twitter, handle="@adaexample")
    series = f.series(title="Social Leaders", slug="social-leaders")
    interview = f.interview(
        leader=leader,
        title="Ada Example on being human",
        slug="ada-example",
        series=series,
        series_order=2,
        standfirst="Why a chief executive tweets at breakfast.",
        introduction="Ada runs the **Example Trust**.",
        closing="Thank you, Ada.",
        video_url="https://youtu.be/dQw4w9WgXcQ",
    )
    interview.themes.add("Authenticity")
    f.uses(interview, twitter, favourite=True)
    f.uses(interview, linkedin)
    q1 = f.question(text="Which platforms do you use?", label="Platforms", slug="platforms")
    q2 = f.question(text="How do you find the time?", label="Time", slug="time")
    f.answer(interview=interview, question=q1, order=1, body="Mostly Twitter.")
    answer = f.answer(
        interview=interview,
        question=q2,
        order=2,
        asked_as="When do you post?",
        body="Over tea and toast.",
    )
    f.quote(leader=leader, interview=interview, answer=answer, text="Tea and toast tweeting")
    return interview


def test_interview_page_shows_leader_card_transcript_and_links(client, published_interview):
    response = client.get("/interviews/ada-example/")
    assert response.status_code == 200
    page = html(response)
    assert page.count("<h1") == 1
    assert "Ada Example on being human · Social Leaders</title>" in page
    # Leader card: name, honours, role, organisation, handle.
    for text in ("Ada Example", "OBE", "Chief Executive", "Example Trust", "@adaexample"):
        assert text in page
    assert 'href="https://twitter.com/adaexample"' in page
    # Standfirst, introduction (rendered Markdown) and closing words.
    assert "Why a chief executive tweets at breakfast." in page
    assert "<strong>Example Trust</strong>" in page
    assert "Thank you, Ada." in page
    # Each question is a linkable heading; the wording as asked wins over the canonical one.
    assert '<h2 class="qa__question" id="q-platforms">Which platforms do you use?</h2>' in page
    assert '<h2 class="qa__question" id="q-time">When do you post?</h2>' in page
    assert 'href="#q-time"' in page
    # The pull quote is set apart in a figure/blockquote.
    assert "<blockquote><p>Tea and toast tweeting</p></blockquote>" in page
    # Themes and platforms are linked; the favourite is marked in words, not colour alone.
    assert 'href="/themes/authenticity/"' in page
    assert 'href="/platforms/twitter/"' in page
    assert 'href="/platforms/linkedin/"' in page
    assert page.index("★ Favourite") > page.index('href="/platforms/twitter/"')
    assert 'href="/questions/time/"' in page


def test_video_is_embedded_only_on_request_and_privacy_friendly(client, published_interview):
    page = html(client.get("/interviews/ada-example/"))
    assert 'data-embed="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1"' in page
    assert 'href="https://www.youtube.com/watch?v=dQw4w9WgXcQ"' in page
    # Nothing is loaded from YouTube until the reader asks: no iframe in the page.
    assert "<iframe" not in page
    assert page.index('id="video"') < page.index('id="transcript"')


def test_interview_page_metadata(client, published_interview, settings):
    settings.SITE_URL = "https://socialleaders.example"
    page = html(client.get("/interviews/ada-example/"))
    assert (
        '<link rel="canonical" href="https://socialleaders.example/interviews/ada-example/">'
        in page
    )
    assert '<meta property="og:type" content="article">' in page
    assert '<meta property="og:title" content="Ada Example on being human">' in page
    assert '<meta name="description" content="Why a chief executive tweets at breakfast.">' in page
    assert '<meta name="twitter:card"' in page
    assert "article:published_time" in page


def test_previous_and_next_in_series(client, published_interview):
    series = published_interview.series
    first = f.interview(series=series, series_order=1, slug="first-one")
    third = f.interview(series=series, series_order=3, slug="third-one")
    f.interview(series=series, series_order=4, slug="draft-fourth", published=False)
    page = html(client.get("/interviews/ada-example/"))
    assert f'href="/interviews/{first.slug}/" rel="prev"' in page
    assert f'href="/interviews/{third.slug}/" rel="next"' in page
    last = html(client.get("/interviews/third-one/"))
    assert 'rel="next"' not in last.split('class="series-nav"')[1]
    assert "draft-fourth" not in last


@pytest.mark.parametrize(
    "kwargs",
    [
        {"published": False},
        {"publish_at": timezone.now() + timedelta(days=2)},
        {"unpublish_at": timezone.now() - timedelta(hours=1)},
    ],
    ids=["draft", "future", "unpublished"],
)
def test_hidden_interviews_are_404_for_readers_and_previewable_by_editors(client, editor, kwargs):
    f.interview(slug="hidden", title="Hidden interview", **kwargs)
    response = client.get("/interviews/hidden/")
    assert response.status_code == 404
    assert "Hidden interview" not in html(response)

    client.force_login(editor)
    response = client.get("/interviews/hidden/")
    assert response.status_code == 200
    page = html(response)
    assert 'id="preview-banner"' in page and "Preview" in page
    assert '<meta name="robots" content="noindex, nofollow">' in page
    cache_control = response["Cache-Control"]
    for directive in ("private", "no-cache", "no-store"):
        assert directive in cache_control


def test_editor_sees_published_page_without_banner_but_uncached(editor_client, published_interview):
    response = editor_client.get("/interviews/ada-example/")
    assert 'id="preview-banner"' not in html(response)
    assert "no-store" in response["Cache-Control"]


def test_non_staff_user_gets_no_preview(client, django_user_model):
    user = django_user_model.objects.create_user("reader", password="x")
    client.force_login(user)
    f.interview(slug="hidden", published=False)
    assert client.get("/interviews/hidden/").status_code == 404


def test_interview_list_shows_only_published_newest_first(client):
    old = f.interview(title="Older", publish_at=timezone.now() - timedelta(days=10))
    new = f.interview(title="Newer", publish_at=timezone.now() - timedelta(days=1))
    f.interview(title="A draft", published=False)
    f.interview(title="Scheduled", publish_at=timezone.now() + timedelta(days=1))
    page = html(client.get("/interviews/"))
    assert page.index(new.leader.name) < page.index(old.leader.name)
    assert "A draft" not in page and "Scheduled" not in page
    assert "2 leaders" in page


def test_interview_list_pagination(client):
    for _ in range(13):
        f.interview()
    first = html(client.get("/interviews/"))
    assert first.count('class="card card--interview"') == 12
    assert 'href="/interviews/?page=2"' in first
    second = client.get("/interviews/?page=2")
    assert html(second).count('class="card card--interview"') == 1
    assert "(page 2)" in html(second)
    assert 'href="/interviews/"' in html(second)  # back to page 1 without ?page=1


@pytest.mark.parametrize("page", ["abc", "9999", "0", "-1", "1.5", "", "99999999999999999999999"])
def test_bad_page_numbers_are_404(client, page):
    f.interview()
    response = client.get("/interviews/", {"page": page})
    # An empty ?page= is page 1; anything else that is not a real page is a 404.
    assert response.status_code == (200 if page == "" else 404)


def test_platforms_count_leaders_and_favourites_from_published_interviews_only(client):
    twitter = f.platform(name="Twitter", slug="twitter")
    a, b = f.interview(), f.interview()
    f.uses(a, twitter, favourite=True)
    f.uses(b, twitter)
    second_for_a = f.interview(leader=a.leader)  # same leader again: still one leader
    f.uses(second_for_a, twitter, favourite=True)
    draft = f.interview(published=False)
    f.uses(draft, twitter, favourite=True)
    page = html(client.get("/platforms/"))
    assert "Used by <strong>2</strong> leaders" in page
    assert "<strong>1</strong> calls it their favourite" in page
    detail = html(client.get("/platforms/twitter/"))
    assert detail.count('class="card card--interview"') == 3
    assert detail.count("★ Favourite platform") == 2
    assert draft.leader.name not in detail


def test_theme_pages(client):
    live = f.interview()
    live.themes.add("Finding the time")
    hidden = f.interview(published=False)
    hidden.themes.add("Finding the time", "Secret theme")
    index = html(client.get("/themes/"))
    assert 'href="/themes/finding-the-time/"' in index
    assert "1 interview" in index
    assert "Secret theme" not in index
    detail = html(client.get("/themes/finding-the-time/"))
    assert live.leader.name in detail and hidden.leader.name not in detail
    assert client.get("/themes/no-such-theme/").status_code == 404


def test_quote_wall_links_each_quote_to_its_answer(client, published_interview):
    loose_leader = f.leader(name="Nobody Published")
    f.quote(leader=loose_leader, text="A quote with no interview")
    draft = f.interview(published=False)
    f.quote(interview=draft, text="A quote from a draft")
    page = html(client.get("/quotes/"))
    assert "Tea and toast tweeting" in page
    assert 'href="/interviews/ada-example/#q-time"' in page
    assert "A quote with no interview" in page
    # That leader has no public page, so their name is not a link (it would be a 404).
    assert f'href="/leaders/{loose_leader.slug}/"' not in page
    assert "A quote from a draft" not in page


def test_leaders_are_public_only_with_a_published_interview(client, editor):
    public = f.interview().leader
    private = f.interview(published=False).leader
    never = f.leader()
    index = html(client.get("/leaders/"))
    assert public.name in index
    assert private.name not in index and never.name not in index
    assert client.get(f"/leaders/{public.slug}/").status_code == 200
    assert client.get(f"/leaders/{private.slug}/").status_code == 404
    assert client.get(f"/leaders/{never.slug}/").status_code == 404
    client.force_login(editor)
    preview = client.get(f"/leaders/{private.slug}/")
    assert preview.status_code == 200 and 'id="preview-banner"' in html(preview)


def test_leader_page_lists_their_interviews_and_quotes(client, published_interview):
    page = html(client.get("/leaders/" + published_interview.leader.slug + "/"))
    assert re.search(r"<h1[^>]*>Ada Example <abbr[^>]*>OBE</abbr></h1>", page)
    assert 'href="/interviews/ada-example/"' in page
    assert "Tea and toast tweeting" in page


def test_series_page_in_order_with_introduction_and_summary(client):
    series = f.series(slug="s", introduction="Why we *asked*.", summary="What we found out.")
    second = f.interview(
        series=series, series_order=2, publish_at=timezone.now() - timedelta(days=9)
    )
    first = f.interview(
        series=series, series_order=1, publish_at=timezone.now() - timedelta(days=1)
    )
    draft = f.interview(series=series, series_order=3, published=False)
    page = html(client.get("/series/s/"))
    assert "Why we <em>asked</em>." in page and "What we found out." in page
    assert page.index(first.leader.name) < page.index(second.leader.name)
    assert draft.leader.name not in page


def test_series_without_published_interviews_is_404(client):
    series = f.series(slug="empty")
    f.interview(series=series, series_order=1, published=False)
    assert client.get("/series/empty/").status_code == 404


def test_question_page_lists_every_published_leaders_answer(client):
    question = f.question(text="What would you advise?", label="Advice", slug="advice")
    answers = [f.answer(question=question, body=f"Advice number {i}.") for i in range(5)]
    hidden = f.answer(
        question=question, interview=f.interview(published=False), body="Secret advice."
    )
    page = html(client.get("/questions/advice/"))
    assert "<h1" in page and "What would you advise?" in page
    assert "<strong>5</strong> leaders answered" in page
    for answer in answers:
        assert answer.interview.leader.name in page
        assert f"Advice number {answers.index(answer)}." in page
        assert f'href="/interviews/{answer.interview.slug}/#q-advice"' in page
    assert "Secret advice." not in page and hidden.interview.leader.name not in page


def test_question_page_pages_through_answers_in_leaders_name_order(client):
    """31 answers: the first page has 30 in alphabetical order of the leaders, the second the
    last one; unpublished interviews' answers are on neither."""
    question = f.question(slug="order")
    names = [f"Leader {chr(65 + i // 26)}{chr(65 + i % 26)}" for i in range(31)]
    for name in reversed(names):  # created in the opposite order to the one shown
        f.answer(question=question, interview=f.interview(leader=f.leader(name=name)))
    f.answer(question=question, interview=f.interview(published=False, leader=f.leader(name="A")))
    first = html(client.get("/questions/order/"))
    second = html(client.get("/questions/order/?page=2"))
    shown_first = [n for n in names if n in first]
    assert shown_first == names[:30]
    assert [first.index(n) for n in shown_first] == sorted(first.index(n) for n in shown_first)
    assert [n for n in names if n in second] == names[30:]
    assert "<strong>31</strong> leaders answered" in first


def test_question_index_and_unknown_question(client):
    answered = f.answer().question
    unanswered = f.question()
    page = html(client.get("/questions/"))
    assert answered.text in page and unanswered.text not in page
    assert client.get(f"/questions/{unanswered.slug}/").status_code == 404
    assert client.get("/questions/nope/").status_code == 404


def test_question_page_links_to_neighbouring_questions(client):
    first = f.answer(question=f.question(order=1, slug="one")).question
    f.answer(question=f.question(order=2, slug="two"))
    third = f.answer(question=f.question(order=3, slug="three")).question
    page = html(client.get("/questions/two/"))
    assert f'href="{first.get_absolute_url()}" rel="prev"' in page
    assert f'href="{third.get_absolute_url()}" rel="next"' in page


def test_home_page(client, published_interview):
    post = f.post(title="A blog post for the home page")
    f.post(title="Draft post", published=False)
    published_interview.quotes.update(featured=True)
    page = html(client.get("/"))
    assert page.count("<h1") == 1
    assert "Ada Example" in page
    assert "Tea and toast tweeting" in page  # the featured quote
    assert post.title in page and "Draft post" not in page
    for link in (
        'href="/platforms/twitter/"',
        'href="/themes/authenticity/"',
        'href="/questions/time/"',
    ):
        assert link in page


def test_output_is_escaped(client):
    leader = f.leader(name="<script>alert(1)</script>", organisation="O'Brien & <b>Co</b>")
    f.interview(
        leader=leader,
        slug="xss",
        title="<img src=x onerror=alert(1)>",
        standfirst='"><script>alert(2)</script>',
    )
    for url in ("/interviews/xss/", "/interviews/", f"/leaders/{leader.slug}/", "/"):
        page = html(client.get(url))
        assert "<script>alert" not in page, url
        assert "<img src=x" not in page, url
    page = html(client.get("/interviews/xss/"))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_scheduled_interview_appears_when_its_time_comes(client):
    interview = f.interview(slug="soon", publish_at=timezone.now() + timedelta(hours=1))
    assert client.get("/interviews/soon/").status_code == 404
    interview.publish_at = timezone.now() - timedelta(seconds=1)
    interview.status = Status.PUBLISHED
    interview.save()
    assert client.get("/interviews/soon/").status_code == 200


def test_an_interviews_themes_are_listed_in_name_order(client):
    interview = f.interview(title="Themes in order")
    interview.themes.add("Time", "Authenticity", "Learning")
    for page in (client.get("/interviews/"), client.get(interview.get_absolute_url())):
        text = html(page)
        assert text.index(">Authenticity<") < text.index(">Learning<") < text.index(">Time<")


def test_interview_cards_show_how_many_responses_readers_can_read(client):
    interview = f.interview(title="Talked about")
    f.comment(interview=interview, body="One")
    f.comment(interview=interview, body="Two")
    f.comment(interview=interview, body="Waiting", status="pending")
    f.comment(interview=interview, body="Elsewhere", kind="pingback")
    quiet = f.interview(title="Not yet discussed")
    page = html(client.get("/interviews/"))
    card = page[page.index(f'href="{interview.get_absolute_url()}"') :]
    card = card[: card.index("</article>")]
    assert "2 responses" in card
    quiet_card = page[page.index(f'href="{quiet.get_absolute_url()}"') :]
    assert "response" not in quiet_card[: quiet_card.index("</article>")]
