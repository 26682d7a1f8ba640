"""Every public page runs the same number of SQL queries whatever the amount of content.

Each page is requested at two data sizes (3 and then 30 interviews, each with answers,
platforms, themes and quotes; posts with tags and threaded comments): the count must be the
same at both, and small. A page that loads related rows one by one fails here.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from comments.models import Comment
from interviews.models import SocialAccount
from tests import factories as f

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_page_cache")]

# No public page may need more than this, however much content there is.
CEILING = 12


class Site:
    """A growing data set: every page's subject gains related rows at each call to grow()."""

    def __init__(self):
        self.series = f.series(slug="the-series")
        self.platform = f.platform(slug="the-platform")
        self.other_platform = f.platform(slug="other-platform")
        self.question = f.question(slug="the-question", order=1)
        self.author = f.author(slug="the-author")
        # Library images on the leaders, the interview and the post: read with their rows.
        self.leader = f.leader(slug="the-leader", photo=f.image(size=(40, 40)))
        self.main = f.interview(
            slug="the-interview",
            leader=self.leader,
            series=self.series,
            series_order=1000,
            video_url="https://www.youtube.com/watch?v=dQw4w9WgXcQ",
            image=f.image(size=(40, 40)),
            image_alt="The picture",
        )
        f.uses(self.main, self.platform, favourite=True)
        self.main.themes.add("The theme")
        f.answer(interview=self.main, question=self.question)
        self.post = f.post(
            slug="the-post", author=self.author, image=f.image(size=(40, 40)), image_alt="A view"
        )
        self.post.tags.add("The tag")
        self.month = timezone.localtime(self.post.publish_at)
        self.main_quote = f.quote(
            interview=self.main, answer=self.main.answers.first(), leader=self.leader
        )
        self.interviews = 0
        self.root_comments = []

    def grow(self, interviews):
        for _ in range(interviews):
            self.interviews += 1
            n = self.interviews
            leader = f.leader(photo=f.image(size=(40, 40)))
            SocialAccount.objects.create(leader=leader, platform=self.platform, handle=f"@l{n}")
            interview = f.interview(
                leader=leader,
                series=self.series,
                series_order=n,
                publish_at=timezone.now() - timedelta(days=n),
            )
            interview.themes.add("The theme", f"Theme {n}")
            f.uses(interview, self.platform, favourite=n % 2 == 0)
            f.uses(interview, self.other_platform, favourite=n % 2 == 1)
            answer = f.answer(interview=interview, question=self.question, body="Word " * 50)
            f.quote(interview=interview, answer=answer, featured=n == 1)
            other = f.answer(interview=interview)
            f.quote(interview=interview, answer=other)
            # The main interview and its leader gain answers, quotes, handles and themes too.
            extra_question = f.question()
            main_answer = f.answer(interview=self.main, question=extra_question)
            f.answer(interview=interview, question=extra_question)
            f.quote(interview=self.main, answer=main_answer, leader=self.leader)
            f.quote(interview=self.main, leader=self.leader)
            SocialAccount.objects.create(
                leader=self.leader, platform=f.platform(), handle=f"@main{n}"
            )
            self.main.themes.add(f"Theme {n}")
            # Posts with tags, and threaded comments on the main post.
            post = f.post(author=self.author, publish_at=self.post.publish_at)
            post.tags.add("The tag", f"Tag {n}")
            f.comment(post=post)
            root = f.comment(post=self.post, name=f"Reader {n}")
            reply = f.comment(post=self.post, parent=root, by_post_author=True)
            f.comment(post=self.post, parent=reply)
            if self.root_comments:
                f.comment(post=self.post, parent=self.root_comments[-1])
            f.comment(post=self.post, kind=Comment.Kind.PINGBACK, website="https://x.example/")
            f.comment(post=self.post, status=Comment.Status.SPAM)
            f.comment(interview=self.main, name=f"Interview reader {n}")
            self.root_comments.append(root)
            # Content readers cannot see must not cost queries either.
            f.interview(published=False, series=self.series, series_order=5000 + n)
            f.post(published=False, author=self.author)

    def urls(self):
        return {
            "home": "/",
            "interview list": "/interviews/",
            "interview": "/interviews/the-interview/",
            "platforms": "/platforms/",
            "platform": "/platforms/the-platform/",
            "themes": "/themes/",
            "theme": "/themes/the-theme/",
            "quotes": "/quotes/",
            "quote": f"/quotes/{self.main_quote.pk}/",
            "leaders": "/leaders/",
            "leader": "/leaders/the-leader/",
            "series": "/series/the-series/",
            "questions": "/questions/",
            "question": "/questions/the-question/",
            "blog": "/blog/",
            "post": "/blog/the-post/",
            "tag": "/blog/tags/the-tag/",
            "author": "/blog/authors/the-author/",
            "month": f"/blog/{self.month:%Y}/{self.month:%m}/",
            "year": f"/blog/{self.month:%Y}/",
        }


def count_queries(client, url):
    # Once to warm up what is created or cached on first use (e.g. moderation settings row).
    assert client.get(url).status_code == 200, url
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries), [q["sql"] for q in queries.captured_queries]


def test_every_page_runs_a_fixed_number_of_queries(client):
    site = Site()
    site.grow(3)
    small = {name: count_queries(client, url) for name, url in site.urls().items()}
    site.grow(27)
    large = {name: count_queries(client, url) for name, url in site.urls().items()}

    # The large pages really do show more content (so the comparison means something).
    assert client.get("/questions/the-question/").content.decode().count("answer-card__who") == 30
    assert client.get("/blog/the-post/").content.decode().count('class="comment') >= 120

    for name in small:
        small_count, small_sql = small[name]
        large_count, large_sql = large[name]
        assert large_count == small_count, (name, small_count, large_count, large_sql)
        assert large_count <= CEILING, (name, large_count, large_sql)
