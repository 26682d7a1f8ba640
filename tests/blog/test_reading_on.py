"""Ways on from a post and through the blog: related reading, next and previous, the months
and years of the archive, and a plain answer for a page past the last."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from tests import factories as f

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_page_cache")]


def main(response):
    return response.content.decode().split("<main", 1)[1].split("</main>", 1)[0]


def when(year, month, day=10):
    return timezone.make_aware(datetime(year, month, day, 12))


def test_related_reading_shared_tags_first_then_same_author(client):
    ada, bo = f.author(name="Ada"), f.author(name="Bo")
    post = f.post(title="The post", author=ada, publish_at=when(2026, 3))
    post.tags.add("listening", "trust")
    two_tags = f.post(title="Two tags", author=bo, publish_at=when(2025, 1))
    two_tags.tags.add("listening", "trust")
    one_tag = f.post(title="One tag", author=bo, publish_at=when(2026, 2))
    one_tag.tags.add("trust")
    f.post(title="Same author", author=ada, publish_at=when(2026, 1))
    f.post(title="Older by Ada", author=ada, publish_at=when(2024, 1))
    f.post(title="Unrelated", author=bo, publish_at=when(2026, 4))
    f.post(title="Draft by Ada", author=ada, published=False).tags.add("trust")
    page = main(client.get(post.get_absolute_url()))
    related = page.split('id="related-title"', 1)[1].split("</section>", 1)[0]
    titles = ["Two tags", "One tag", "Same author"]
    assert [t for t in titles if t in related] == titles
    assert related.index("Two tags") < related.index("One tag") < related.index("Same author")
    assert "Older by Ada" not in related  # three at most
    assert "Unrelated" not in related and "Draft by Ada" not in related


def test_next_and_previous_posts_skip_drafts(client):
    first = f.post(title="First", publish_at=when(2026, 1))
    f.post(title="Draft between", published=False, publish_at=when(2026, 2))
    second = f.post(title="Second", publish_at=when(2026, 3))
    third = f.post(title="Third", publish_at=when(2026, 4))
    page = main(client.get(second.get_absolute_url()))
    nav = page.split('aria-label="Previous and next post"', 1)[1].split("</nav>", 1)[0]
    assert f'rel="prev" href="{first.get_absolute_url()}"' in nav
    assert f'rel="next" href="{third.get_absolute_url()}"' in nav
    assert "Draft between" not in page
    assert 'rel="prev"' not in main(client.get(first.get_absolute_url())).split("Previous and")[1]


def test_blog_index_lists_months_by_year_and_year_pages_work(client):
    f.post(title="March", publish_at=when(2026, 3))
    f.post(title="January", publish_at=when(2026, 1))
    f.post(title="Old", publish_at=when(2025, 11))
    f.post(title="Future draft", published=False, publish_at=when(2024, 6))
    index = main(client.get("/blog/"))
    archive = index.split('id="archive-title"', 1)[1]
    assert 'href="/blog/2026/"' in archive and 'href="/blog/2025/"' in archive
    assert 'href="/blog/2026/03/"' in archive and 'href="/blog/2026/01/"' in archive
    assert 'href="/blog/2025/11/"' in archive
    assert "/blog/2024/" not in archive
    assert archive.index("/blog/2026/03/") < archive.index("/blog/2026/01/")

    year = client.get("/blog/2026/")
    assert year.status_code == 200
    page = main(year)
    assert "<h1>2026</h1>" in page and "March" in page and "January" in page
    assert "Old" not in page.split("Other years")[0]
    assert 'href="/blog/2025/"' in page  # the previous year
    assert client.get("/blog/2024/").status_code == 404  # only a draft
    assert client.get("/blog/1999/").status_code == 404


@pytest.mark.parametrize(("url", "per_page"), [("/blog/", 10), ("/interviews/", 12)])
def test_a_page_past_the_last_says_so_with_a_404(client, url, per_page):
    for n in range(per_page + 1):
        if url == "/blog/":
            f.post(publish_at=timezone.now() - timedelta(days=n + 1))
        else:
            f.interview(publish_at=timezone.now() - timedelta(days=n + 1))
    response = client.get(url + "?page=99")
    assert response.status_code == 404
    page = main(response)
    assert "There is no page 99; the last is 2." in page
    assert f'href="{url}?page=2"' in page
    assert "doesn’t lead to anything" not in page
    assert client.get(url + "?page=2").status_code == 200
    assert client.get(url + "?page=abc").status_code == 404
