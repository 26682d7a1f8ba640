"""Interviews per theme and answers per question count only what readers can see: drafts,
scheduled interviews and ones past their unpublish date are left out of the counts, and a theme
or question that only hidden interviews have is not listed at all (page cache off: the counts
are computed on every request)."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from interviews.models import Interview, Theme
from tests import factories as f

pytestmark = pytest.mark.django_db


def hidden_interviews():
    now = timezone.now()
    return [
        f.interview(published=False),
        f.interview(publish_at=now + timedelta(days=2)),
        f.interview(publish_at=now - timedelta(days=9), unpublish_at=now - timedelta(days=1)),
    ]


def count_for(page, url, css_class):
    item = page[page.index(f'href="{url}"') :]
    return int(re.search(rf'{css_class}">(\d+) ', item).group(1))


def test_question_counts_leave_hidden_interviews_out(client):
    shared = f.question(text="What do you post?")
    hidden_only = f.question(text="Only hidden leaders answered this?")
    live = [f.interview(), f.interview(), f.interview(publish_at=timezone.now())]
    live.append(
        f.interview(unpublish_at=timezone.now() + timedelta(days=3))  # still live until then
    )
    for interview in live:
        f.answer(interview=interview, question=shared)
    for interview in hidden_interviews():
        f.answer(interview=interview, question=shared)
        f.answer(interview=interview, question=hidden_only)

    for url in ("/questions/", "/"):
        page = client.get(url).content.decode()
        assert count_for(page, shared.get_absolute_url(), "question-index__count") == 4, url
        assert hidden_only.get_absolute_url() not in page, url
    assert client.get(hidden_only.get_absolute_url()).status_code == 404


def test_theme_counts_leave_hidden_interviews_out(client):
    shared = Theme.objects.create(name="Listening", slug="listening")
    hidden_only = Theme.objects.create(name="Secrets", slug="secrets")
    for interview in [f.interview(), f.interview()]:
        interview.themes.add(shared)
    for interview in hidden_interviews():
        interview.themes.add(shared, hidden_only)

    page = client.get("/themes/").content.decode()
    assert count_for(page, shared.get_absolute_url(), "count") == 2
    assert hidden_only.get_absolute_url() not in page

    # Publishing a draft shows in the count at once.
    draft = f.interview(published=False)
    draft.themes.add(shared)
    draft.status = "published"
    draft.save()
    page = client.get("/themes/").content.decode()
    assert count_for(page, shared.get_absolute_url(), "count") == 3


def test_quote_wall_counts_and_links_only_what_readers_can_see(client):
    live = f.interview()
    loose_leader = f.leader()  # no published interview: their page does not exist
    f.interview(leader=loose_leader, published=False)
    shown = [
        f.quote(interview=live, text="Shown with its interview."),
        f.quote(leader=loose_leader, text="Shown, tied to no interview."),
    ]
    for interview in hidden_interviews():
        f.quote(interview=interview, text=f"Hidden with {interview.slug}.")

    response = client.get("/quotes/")
    page = response.content.decode()
    assert response.context["paginator"].count == 2
    assert [q.pk for q in response.context["quotes"]] == sorted(q.pk for q in shown)
    assert "Hidden with" not in page
    # The leader with a live interview is linked; the one without is named, not linked.
    assert f'href="{live.leader.get_absolute_url()}"' in page
    assert loose_leader.display_name in page
    assert f'href="{loose_leader.get_absolute_url()}"' not in page
    assert client.get(loose_leader.get_absolute_url()).status_code == 404

    # Publishing that leader's draft gives them a page: the wall links it at once.
    draft = Interview.objects.get(leader=loose_leader)
    draft.status = "published"
    draft.save()
    response = client.get("/quotes/")
    assert response.context["paginator"].count == 2
    assert f'href="{loose_leader.get_absolute_url()}"' in response.content.decode()
