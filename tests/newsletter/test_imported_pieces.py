"""Pieces brought in by an import: the archive is never mailed and queues no job per piece; a
piece the export has as scheduled, or published within NEWSLETTER_MAX_PIECE_AGE_HOURS, is
mailed as if an editor had saved it (docs/importing.md, "Memory")."""

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from blog.models import Post
from newsletter.models import Mailing, Subscriber
from newsletter.tasks import mail_due_pieces
from tests.importing.wxr_support import author, export, item

pytestmark = pytest.mark.django_db(transaction=True)


def wp_date(when):
    return f"{when:%Y-%m-%d %H:%M:%S}"


def import_export(tmp_path, xml):
    path = tmp_path / "export.xml"
    path.write_text(xml, encoding="utf-8")
    call_command("import_wordpress", str(path), stdout=StringIO())


def test_an_import_mails_only_its_recent_and_scheduled_pieces_each_at_its_time(tmp_path, smtp):
    Subscriber.objects.create(email="reader@example.org", status="confirmed", wants_blog=True)
    now = timezone.now().replace(microsecond=0)
    soon = now + timedelta(hours=3)
    old = [item(n, f"Archive {n}", "<p>Old.</p>", date="2014-05-12 09:30:00") for n in (1, 2, 3)]
    xml = export(
        author("jane", "Jane"),
        *old,
        item(10, "Fresh", "<p>New.</p>", date=wp_date(now - timedelta(hours=1))),
        item(11, "Coming", "<p>Soon.</p>", status="future", date=wp_date(soon)),
        item(12, "Unfinished", "<p>Draft.</p>", status="draft", date=wp_date(now)),
    )
    import_export(tmp_path, xml)

    # The archive: no mailing at all (not even a skipped one per piece).
    assert not Mailing.objects.filter(post__title__startswith="Archive").exists()
    # The piece gone live an hour ago: mailed at once.
    assert [m["Subject"] for m in smtp.to("reader@example.org")] == ["Fresh"]
    assert Mailing.objects.get(post__title="Fresh").state == "done"
    # The scheduled one and the draft wait, as they would had an editor saved them.
    assert Mailing.objects.get(post__title="Coming").state == "pending"
    assert Mailing.objects.get(post__title="Unfinished").state == "pending"
    mail_due_pieces.enqueue()
    assert len(smtp.to("reader@example.org")) == 1

    with time_machine.travel(soon + timedelta(minutes=1)):
        mail_due_pieces.enqueue()
    subjects = [m["Subject"] for m in smtp.to("reader@example.org")]
    assert subjects == ["Fresh", "Coming"]
    assert Post.objects.count() == 6


def test_a_reimport_updating_a_piece_whose_mailing_waited_mails_it_once_live(tmp_path, smtp):
    """A draft's mailing waits (pending); the next import has it published, with its old date:
    it is mailed, as an editor's publishing save would have done."""
    Subscriber.objects.create(email="reader@example.org", status="confirmed", wants_blog=True)
    draft = item(5, "Long in the making", "<p>Draft.</p>", status="draft")
    import_export(tmp_path, export(author("jane", "Jane"), draft))
    assert Mailing.objects.get().state == "pending"
    published = item(5, "Long in the making", "<p>Done.</p>", status="publish")
    import_export(tmp_path, export(author("jane", "Jane"), published))
    assert [m["Subject"] for m in smtp.to("reader@example.org")] == ["Long in the making"]
