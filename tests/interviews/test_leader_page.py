"""A leader's page: who they are once, where to find them, their quotes, every answer they gave
(by question, linked to the interview) and their interviews."""

import re

import pytest

from interviews.models import SocialAccount
from tests import factories as f

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_page_cache")]


@pytest.fixture
def leader_page(client):
    leader = f.leader(
        name="Ada Example", role="Chief Executive", organisation="Example Trust", honours="OBE"
    )
    SocialAccount.objects.create(leader=leader, platform=f.platform(name="Twitter"), handle="@ada")
    platforms = f.question(slug="platforms", label="Platforms", text="Which platforms?", order=1)
    advice = f.question(slug="advice", label="Advice", text="What advice?", order=2)
    first = f.interview(leader=leader, title="Ada on tea and toast")
    second = f.interview(leader=leader, title="Ada, two years on")
    draft = f.interview(leader=leader, title="Ada unpublished", published=False)
    f.answer(interview=first, question=advice, body="Just do it.")
    answer = f.answer(interview=first, question=platforms, body="Twitter, mostly.")
    f.answer(interview=second, question=advice, body="Still: just do it.")
    f.answer(interview=draft, question=advice, body="Secret draft answer.")
    f.quote(leader=leader, interview=first, answer=answer, text="Tea and toast tweeting")
    html = client.get(leader.get_absolute_url()).content.decode()
    return html.split("<main", 1)[1].split("</main>", 1)[0], first, second


def test_name_and_role_once_with_handles(leader_page):
    main, _, _ = leader_page
    assert main.count("Chief Executive") == 1
    assert len(re.findall(r"<h[12][^>]*>Ada Example", main)) == 1
    assert "@ada" in main and "Twitter" in main


def test_quotes_and_every_published_answer_grouped_by_question(leader_page):
    main, first, second = leader_page
    assert "Tea and toast tweeting" in main
    answers = main.split('id="leader-answers"', 1)[1].split('id="leader-interviews"')[0]
    # Grouped by question in the series' order; within one, the newest interview first.
    assert answers.index("Which platforms?") < answers.index("What advice?")
    assert answers.count("What advice?") == 1
    assert answers.index("Still: just do it.") < answers.index("<p>Just do it.</p>")
    assert f'href="{first.get_absolute_url()}#q-platforms"' in answers
    assert f'href="{second.get_absolute_url()}#q-advice"' in answers
    assert 'href="/questions/advice/"' in answers
    assert "Secret draft answer" not in main


def test_their_interviews_are_listed(leader_page):
    main, first, second = leader_page
    assert first.title in main and second.title in main
    assert "Ada unpublished" not in main
