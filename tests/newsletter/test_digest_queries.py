"""Building a week's digest email reads the same few queries whatever the number of pieces in it:
each interview's pull quote and first answer (with its question and library images) come in one
query each for the whole week, not two a piece."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from interviews.models import Interview
from newsletter.emails import DigestEmail, PieceEmail
from tests import factories

pytestmark = pytest.mark.django_db


def week_with(interviews, photo):
    """A digest of ``interviews`` interviews (two answers, two quotes, a library image in the
    first answer) and one post."""
    ends_at = timezone.now() - timedelta(minutes=1)
    for n in range(interviews):
        interview = factories.interview(
            title=f"Interview {n}", publish_at=ends_at - timedelta(days=1, minutes=n)
        )
        second = factories.answer(interview=interview, order=2, body=f"Later answer {n}.")
        first = factories.answer(
            interview=interview,
            order=1,
            body=f"First answer {n}.\n\n![Photo {n}](image:{photo.pk})",
            asked_as=f"Asked of {n}?",
        )
        factories.quote(interview=interview, answer=second, text=f"Plain quote {n}.")
        factories.quote(interview=interview, answer=first, text=f"Featured {n}.", featured=True)
    factories.post(title="A note from the editors", publish_at=ends_at - timedelta(hours=1))
    return factories.digest(ends_at=ends_at, starts_at=ends_at - timedelta(days=7))


@pytest.fixture
def photo(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return factories.image(size=(1200, 800))


def test_a_digest_is_built_in_the_same_queries_for_2_or_8_interviews(photo):
    counts = []
    for size in (2, 8):
        digest = week_with(size, photo)
        with CaptureQueriesContext(connection) as queries:
            email = DigestEmail(digest)
        counts.append(len(queries))
        # Each interview as its own email shows it: the featured quote, the first answer (as
        # asked, with its library image by its full address), and the post.
        for n in range(size):
            assert f"Featured {n}." in email.html and f"Plain quote {n}." not in email.html
            assert f"Asked of {n}?" in email.html and f"First answer {n}." in email.html
            assert f"Later answer {n}." not in email.html
            assert re.search(rf'<img src="http[^"]+/media/[^"]+" alt="Photo {n}"', email.html)
        assert "A note from the editors" in email.html
        assert "image:" not in email.html
        Interview.objects.all().delete()
    assert counts[0] == counts[1], counts
    assert counts[1] <= 5, counts


def test_a_single_pieces_email_still_shows_its_quote_and_first_answer(photo):
    week_with(1, photo)
    interview = Interview.objects.get(title="Interview 0")
    email = PieceEmail(interview, "interview")
    assert "Featured 0." in email.html and "First answer 0." in email.html
    assert "Plain quote 0." not in email.html and "Later answer 0." not in email.html
    assert re.search(r'<img src="http[^"]+/media/[^"]+" alt="Photo 0"', email.html)
