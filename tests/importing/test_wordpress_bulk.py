"""An import is one bulk write (socialleaders.transactions.changing_a_lot): what waits for its
commit does not grow with the export, the page cache goes stale once for the whole site, and
the newsletter queues no job per imported piece (docs/importing.md, "Memory")."""

import pytest
from django.db import transaction
from django.test import Client

from blog.models import Post
from importing.wordpress.importer import run
from newsletter.models import Mailing
from socialleaders import cache as content_cache
from socialleaders.cachetags import list_tag, object_tag

from .wxr_support import author, comment, export, item

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("page_cache")]


def blog(posts):
    return export(
        author("jane", "Jane"),
        *(
            item(n, f"Post {n}", f"<p>Text {n}.</p>", comments=[comment(n * 10, "Nice.")])
            for n in range(1, posts + 1)
        ),
    )


def import_measuring(tmp_path, xml):
    """Imports ``xml``; returns the commit callbacks and cache tags waiting at its last step."""
    path = tmp_path / "export.xml"
    path.write_text(xml, encoding="utf-8")
    waiting = {}

    def progress(n=1, total=None):
        connection = transaction.get_connection()
        waiting["callbacks"] = len(connection.run_on_commit)
        waiting["tags"] = len(content_cache._pending_tags("default"))

    run(path, progress=progress)
    return waiting


def test_what_waits_for_the_commit_does_not_grow_with_the_export(tmp_path):
    small = import_measuring(tmp_path, blog(3))
    large = import_measuring(tmp_path, blog(15).replace("Post ", "Other "))
    assert large == small
    assert small["tags"] == 1  # "site": every page


def test_an_import_makes_every_page_stale_once_and_mails_nothing_old(tmp_path):
    reader = Client()
    before = reader.get("/blog/").content.decode()
    assert "Post 4" not in before
    generation = content_cache.current_generation()
    (tmp_path / "export.xml").write_text(blog(4), encoding="utf-8")
    run(tmp_path / "export.xml")
    assert content_cache.current_generation() == generation + 2  # at the first change, at commit
    # No row's tag moved (the menu's may: the blog's section appears, once a transaction).
    tags = [object_tag(post) for post in Post.objects.all()] + [list_tag(Post)]
    assert set(content_cache.tag_versions(tags, shared=True).values()) == {0}
    assert "Post 4" in reader.get("/blog/").content.decode()
    assert not Mailing.objects.exists()  # published in 2014: no job, not even a skipped mailing
