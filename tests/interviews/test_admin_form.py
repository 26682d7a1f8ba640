"""The interview form in the admin, as an editor uses it: a new interview is laid out with its
series' questions and number, empty rows are never saved, a pull quote is picked by its
question before the first save, and saving an untouched form changes nothing."""

import pytest
from django.db.models.signals import post_save
from django.urls import reverse
from reversion.models import Revision

from interviews.models import Answer, Interview
from socialleaders import cache as content_cache
from tests import factories as f
from tests.admin_support import change_form_data

pytestmark = pytest.mark.django_db

ADD = reverse("admin:interviews_interview_add")


@pytest.fixture
def series_with_questions():
    """A series with two interviews (numbers 1 and 2) and the six canonical questions."""
    series = f.series(title="#SocialLeaders")
    labels = ["Platforms", "Benefits", "Engagement", "Downsides", "Connecting", "Advice"]
    questions = [
        f.question(text=f"What about {label.lower()}?", label=label, slug=label.lower(), order=i)
        for i, label in enumerate(labels, start=1)
    ]
    for number in (1, 2):
        interview = f.interview(series=series, series_order=number)
        for question in questions:
            f.answer(interview=interview, question=question, order=question.order)
    return series, questions


def answers_formset(response):
    return next(
        fs.formset
        for fs in response.context["inline_admin_formsets"]
        if fs.formset.prefix == "answers"
    )


def test_a_new_interview_is_laid_out_with_its_series_questions_and_number(
    editor_client, series_with_questions
):
    series, questions = series_with_questions
    response = editor_client.get(ADD)
    form = response.context["adminform"].form
    assert form.initial["series"] == series.pk
    assert form.initial["series_order"] == 3  # interviews 1 and 2 exist
    rows = answers_formset(response).forms
    assert [row.initial["question"] for row in rows] == [q.pk for q in questions]
    assert [row.initial["asked_as"] for row in rows] == [q.text for q in questions]
    assert [row.initial["order"] for row in rows] == [1, 2, 3, 4, 5, 6]
    html = response.content.decode()
    for question in questions:  # each row is headed by its question
        assert f'<span class="inline_label">{question.label}</span>' in html


def test_starting_from_a_series_lays_out_that_series(editor_client, series_with_questions):
    _series, questions = series_with_questions
    other = f.series(title="Another series")
    only = f.question(label="Only", slug="only", order=99)
    f.answer(interview=f.interview(series=other, series_order=4), question=only)
    response = editor_client.get(ADD, {"series": other.pk})
    assert response.context["adminform"].form.initial["series_order"] == 5
    assert [row.initial["question"] for row in answers_formset(response).forms] == [only.pk]
    # The series list offers the way in.
    listing = editor_client.get(reverse("admin:interviews_series_changelist")).content.decode()
    assert f"{ADD}?series={other.pk}" in listing


def test_a_series_with_no_interviews_gets_every_canonical_question(editor_client):
    questions = [f.question(order=i) for i in (2, 1)]
    new = f.series(title="New series")
    response = editor_client.get(ADD, {"series": new.pk})
    assert response.context["adminform"].form.initial["series_order"] == 1
    laid_out = [row.initial["question"] for row in answers_formset(response).forms]
    assert laid_out == [questions[1].pk, questions[0].pk]


def fill_new_interview(editor_client, leader, answers, **extra):
    """The add form as the browser sends it, with ``answers`` {row index: text} written."""
    data = change_form_data(editor_client.get(ADD))
    data.update(
        {
            "title": "Grace Hopper on the open office",
            "slug": "grace-hopper-on-the-open-office",
            "leader": str(leader.pk),
            "status": "draft",
        }
    )
    for index, text in answers.items():
        data[f"answers-{index}-body"] = text
    data.update(extra)
    return data


def test_only_answered_questions_are_saved_and_no_empty_row_follows(
    editor_client, series_with_questions
):
    series, questions = series_with_questions
    leader = f.leader(name="Grace Hopper")
    data = fill_new_interview(
        editor_client,
        leader,
        {0: "Twitter, mostly.", 5: "Start now."},
        **{"answers-0-asked_as": "Which platforms do you like?"},
    )
    response = editor_client.post(ADD, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    interview = Interview.objects.get(slug="grace-hopper-on-the-open-office")
    assert interview.series == series and interview.series_order == 3
    answers = list(interview.answers.order_by("order"))
    assert [(a.question, a.order) for a in answers] == [(questions[0], 1), (questions[5], 6)]
    assert answers[0].asked_as == "Which platforms do you like?"
    assert answers[1].asked_as == ""  # left as the canonical wording: nothing stored
    # The saved interview's page offers its two answers and no blank third row.
    change = editor_client.get(reverse("admin:interviews_interview_change", args=[interview.pk]))
    formset = answers_formset(change)
    assert len(formset.forms) == 2 and formset.extra == 0
    assert [form.initial["asked_as"] for form in formset.forms] == [
        "Which platforms do you like?",
        questions[5].text,  # shown ready to adjust
    ]


def test_a_row_removed_in_the_browser_is_not_saved_and_order_follows_the_drag(
    editor_client, series_with_questions
):
    _series, questions = series_with_questions
    data = fill_new_interview(editor_client, f.leader(), {0: "First.", 1: "Second."})
    # Dragged: the second question first (the library rewrites the hidden order fields).
    data["answers-0-order"], data["answers-1-order"] = "2", "1"
    data["answers-2-DELETE"] = "on"
    data["answers-2-body"] = "Written, then left out."
    response = editor_client.post(ADD, data)
    assert response.status_code == 302
    interview = Interview.objects.get(slug=data["slug"])
    assert [a.question for a in interview.answers.order_by("order")] == [questions[1], questions[0]]


def test_a_pull_quote_is_picked_by_its_question_before_the_first_save(
    editor_client, series_with_questions
):
    _series, questions = series_with_questions
    leader = f.leader(name="Grace Hopper")
    data = fill_new_interview(
        editor_client,
        leader,
        {1: "It keeps me honest. Residents tell me what is wrong."},
        **{
            "quotes-TOTAL_FORMS": "1",
            "quotes-0-text": "It keeps me honest.",
            "quotes-0-from_question": str(questions[1].pk),
        },
    )
    response = editor_client.post(ADD, data)
    assert response.status_code == 302
    interview = Interview.objects.get(slug=data["slug"])
    quote = interview.quotes.get()
    assert quote.answer == interview.answers.get(question=questions[1])
    assert quote.leader == leader and quote.text == "It keeps me honest."


def test_saving_an_untouched_interview_changes_nothing(
    editor_client, series_with_questions, page_cache
):
    series, questions = series_with_questions
    interview = f.interview(series=series, series_order=9, introduction="One.\n\nTwo.")
    f.answer(interview=interview, question=questions[0], body="Line one.\n\nLine two.", order=1)
    url = reverse("admin:interviews_interview_change", args=[interview.pk])
    data = change_form_data(editor_client.get(url))
    # What a browser sends back: every text box with CRLF line endings.
    for key, value in list(data.items()):
        if isinstance(value, str) and "\n" in value:
            data[key] = value.replace("\n", "\r\n")
    revisions = Revision.objects.count()
    saved = []
    post_save.connect(lambda sender, **kw: saved.append(sender), weak=False, dispatch_uid="t")
    try:
        before = content_cache.current_generation()
        response = editor_client.post(url, data)
    finally:
        post_save.disconnect(dispatch_uid="t")
    assert response.status_code == 302
    assert Interview not in saved and Answer not in saved
    assert content_cache.current_generation() == before  # no page-cache flush
    assert Revision.objects.count() == revisions  # no "Changed Body" in History
    assert interview.answers.get().body == "Line one.\n\nLine two."


def test_crlf_from_the_browser_is_stored_as_plain_newlines(editor_client, series_with_questions):
    data = fill_new_interview(editor_client, f.leader(), {0: "One.\r\n\r\nTwo."})
    data["introduction"] = "Intro.\r\nMore."
    assert editor_client.post(ADD, data).status_code == 302
    interview = Interview.objects.get(slug=data["slug"])
    assert interview.introduction == "Intro.\nMore."
    assert interview.answers.get().body == "One.\n\nTwo."
