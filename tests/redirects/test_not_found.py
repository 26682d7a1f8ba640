"""The 404 page suggests the live pages closest to the words of the address, at a fixed cost,
and never fails whatever the address."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from search.suggest import address_words
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_the_words_of_an_address():
    # Numbers, short words and the words every address has are left out.
    assert address_words("/2014/05/12/how-leaders-use-twitter/") == ["how", "use", "twitter"]
    assert address_words("/wp-content/uploads/2014/05/IMG_1234.jpg") == ["img"]
    assert address_words("/caf%C3%A9-cr%C3%A8me/") == ["café", "crème"]
    assert address_words("/a/b/c/") == []
    assert len(address_words("/" + "-".join(f"word{i}" for i in range(50)))) == 5


def test_the_404_page_suggests_live_pages_by_the_words_of_the_address(reader):
    f.interview(slug="jane-doe-on-twitter", title="Jane Doe on Twitter and trust")
    f.post(slug="why-twitter-matters", title="Why Twitter matters")
    f.post(slug="twitter-draft", title="Twitter secrets", published=False)
    f.interview(slug="unrelated", title="Something else entirely")
    response = reader.get("/2014/05/12/jane-doe-twitter/")
    assert response.status_code == 404
    suggestions = response.context["suggestions"]
    titles = [page["title"] for page in suggestions]
    assert titles[0] == "Jane Doe on Twitter and trust"  # the most words in common
    assert "Why Twitter matters" in titles
    assert "Twitter secrets" not in titles and "Something else entirely" not in titles
    page = response.content.decode()
    assert 'href="/interviews/jane-doe-on-twitter/"' in page
    assert "Perhaps you were looking for" in page


def not_menu(captured):
    """The queries less the menu's one (which sections have content: socialleaders.sections)."""
    return [q for q in captured if not q["sql"].startswith("SELECT EXISTS(")]


def test_an_address_without_words_gets_no_suggestions_and_no_query(reader):
    f.interview(title="Anything")
    with CaptureQueriesContext(connection) as captured:
        response = reader.get("/2014/05/12/")
    assert response.status_code == 404
    assert response.context["suggestions"] == []
    assert not [q for q in not_menu(captured) if "interviews_interview" in q["sql"]]


def test_suggestions_cost_one_query_at_two_sizes_and_none_when_repeated(reader):
    counts = []
    for size, word in ((3, "three"), (60, "sixty")):
        for i in range(size):
            f.interview(title=f"Leaders and social media {i}")
            f.post(title=f"Social media for leaders {i}")
        path = f"/old/social-media-{word}/"  # words of its own: not yet cached
        with CaptureQueriesContext(connection) as first:
            assert reader.get(path).status_code == 404
        with CaptureQueriesContext(connection) as again:
            assert reader.get(path).status_code == 404
        counts.append((len(not_menu(first)), len(not_menu(again))))
        assert len(reader.get(path).context["suggestions"]) == 5
    assert counts[0] == counts[1]
    # First: the redirect look-up and the suggestions; repeated: both from the cache.
    assert counts[0] == (2, 0)


@pytest.mark.parametrize(
    "path",
    [
        "/%27%20OR%201=1--/",
        "/x'):*|&!<>(/",
        "/%00%01/",
        "/" + "twitter-" * 500,
        "/\u202e\ufffd\U0001f600/",
        "/%ff/",
        "/search/%22unterminated/",
    ],
)
def test_hostile_addresses_get_the_404_page(reader, path):
    f.interview(title="Twitter and trust")
    response = reader.get(path)
    assert response.status_code == 404
    assert b"We couldn" in response.content
