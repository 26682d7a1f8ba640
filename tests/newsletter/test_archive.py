"""The archive of past issues and digests on the public site, and what became of each send in
the admin."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from newsletter.models import Delivery, Mailing
from newsletter.tasks import start_mailing
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


def sent_issue(subject, **kw):
    issue = factories.issue(subject=subject, status="scheduled", **kw)
    mailing = Mailing.objects.create(issue=issue)
    start_mailing(mailing, timezone.now())
    return mailing


def sent_digest():
    ends = timezone.now() - timedelta(hours=1)
    factories.interview(title="In the digest", publish_at=ends - timedelta(days=1))
    digest = factories.digest(ends_at=ends)
    mailing = Mailing.objects.create(digest=digest)
    start_mailing(mailing, timezone.now())
    return mailing


def test_the_archive_shows_only_sent_issues_and_digests(client, smtp):
    sent = sent_issue("Sent in November", body="Hello *November*.")
    digest = sent_digest()
    draft = factories.issue(subject="A draft")
    factories.issue(
        subject="Not yet", status="scheduled", send_at=timezone.now() + timedelta(days=1)
    )
    skipped = Mailing.objects.create(digest=factories.digest(), state="skipped")
    page = client.get("/newsletter/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Sent in November" in html and str(digest.digest) in html
    assert "A draft" not in html and "Not yet" not in html
    assert f"/newsletter/{sent.pk}/" in html and f"/newsletter/{skipped.pk}/" not in html
    # Each one's page is the email as sent, without anyone's links.
    web = client.get(f"/newsletter/{sent.pk}/").content.decode()
    assert "<em>November</em>" in web and "/subscribe/unsubscribe/" not in web
    assert "/newsletter/" in web  # back to the archive
    assert "In the digest" in client.get(f"/newsletter/{digest.pk}/").content.decode()
    assert client.get(f"/newsletter/{skipped.pk}/").status_code == 404
    assert client.get("/newsletter/99999/").status_code == 404
    assert not Mailing.objects.filter(issue=draft).exists()
    # The subscribe page links to it; the feed and the sitemap list what is sent.
    assert b'href="/newsletter/"' in client.get("/subscribe/").content
    feed = client.get("/newsletter/feed/").content.decode()
    assert "Sent in November" in feed and "A draft" not in feed
    assert f"http://testserver/newsletter/{sent.pk}/" in feed
    sitemap = client.get("/sitemap.xml").content.decode()
    assert (
        f"/newsletter/{sent.pk}/</loc>" in sitemap and f"/newsletter/{skipped.pk}/<" not in sitemap
    )
    assert "/newsletter/</loc>" in sitemap


def queries_for(path):
    with CaptureQueriesContext(connection) as queries:
        assert Client().get(path).status_code == 200
    return len(queries)


def test_the_archive_and_feed_take_the_same_queries_at_two_sizes(smtp):
    sent_issue("First")
    small = {path: queries_for(path) for path in ("/newsletter/", "/newsletter/feed/")}
    for n in range(12):
        sent_issue(f"Issue {n}")
    sent_digest()
    large = {path: queries_for(path) for path in ("/newsletter/", "/newsletter/feed/")}
    assert small == large
    assert large["/newsletter/"] <= 3


def test_anonymous_readers_get_the_same_bytes(smtp):
    mailing = sent_issue("Same for all")
    for path in ["/newsletter/", f"/newsletter/{mailing.pk}/", "/newsletter/feed/"]:
        with time_machine.travel(timezone.now(), tick=False):
            first, second = Client().get(path), Client().get(path)
        assert first.status_code == 200, path
        assert first.content == second.content, path
        assert not first.cookies, path


def deliveries(mailing, **states):
    made = {}
    for name, state in states.items():
        subscriber = factories.subscriber(email=f"{name}@example.org")
        made[name] = factories.delivery(
            mailing=mailing,
            subscriber=subscriber,
            state=state,
            sent_at=timezone.now() - timedelta(days=2) if state == "sent" else None,
        )
    return made


def test_each_send_shows_queued_sent_failed_bounced_unsubscribed_in_one_query(client, admin_user):
    issue = factories.issue(subject="Counted", status="scheduled")
    first = Mailing.objects.create(issue=issue, state="done")
    rows = deliveries(
        first,
        left="sent",
        bounced="sent",
        complained="sent",
        fine="sent",
        refused="failed",
        waiting="queued",
    )
    now = timezone.now()
    subscribers = {name: row.subscriber for name, row in rows.items()}
    subscribers["left"].status, subscribers["left"].unsubscribed_at = "unsubscribed", now
    subscribers["left"].save()
    # What the provider reported (webhooks.py) on each delivery.
    rows["bounced"].feedback, rows["complained"].feedback = "bounced", "complained"
    for row in (rows["bounced"], rows["complained"]):
        row.feedback_at = now
        row.save()
    later = Mailing.objects.create(digest=factories.digest(), state="done")
    factories.delivery(
        mailing=later, subscriber=subscribers["fine"], state="sent", sent_at=now, feedback="bounced"
    )
    # Someone who had left before this send was sent is not put down to it.
    gone = factories.subscriber(status="unsubscribed", unsubscribed_at=now - timedelta(days=9))
    factories.delivery(
        mailing=first, subscriber=gone, state="sent", sent_at=now - timedelta(days=2)
    )

    client.force_login(admin_user)
    page = client.get("/admin/newsletter/mailing/")
    row = {m.pk: m for m in page.context["cl"].result_list}[first.pk]
    counts = {
        k: getattr(row, f"n_{k}")
        for k in ("queued", "sent", "failed", "bounced", "complained", "unsubscribed")
    }
    assert counts == {
        "queued": 7,
        "sent": 5,
        "failed": 1,
        "bounced": 1,
        "complained": 1,
        "unsubscribed": 1,
    }
    later_row = {m.pk: m for m in page.context["cl"].result_list}[later.pk]
    assert (later_row.n_sent, later_row.n_bounced) == (1, 1)
    issue_page = client.get("/admin/newsletter/issue/")
    (issue_row,) = issue_page.context["cl"].result_list
    assert (issue_row.n_sent, issue_row.n_unsubscribed) == (5, 1)

    def list_queries(path):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        return [q["sql"] for q in queries if "newsletter_delivery" in q["sql"]]

    small = {
        path: list_queries(path)
        for path in ("/admin/newsletter/mailing/", "/admin/newsletter/issue/")
    }
    for n in range(5):
        mailing = Mailing.objects.create(issue=factories.issue(), state="done")
        deliveries(mailing, **{f"r{n}x{i}": "sent" for i in range(3)})
    large = {path: list_queries(path) for path in small}
    for path in small:
        assert len(small[path]) == len(large[path]) == 1, path  # the counts: one query
    assert Delivery.objects.count() > 20


def test_the_cached_archive_shows_a_send_as_soon_as_it_starts(page_cache, smtp):
    from newsletter.issues import mail_issue

    sent_issue("Already out")
    reader = Client()
    paths = ["/newsletter/", "/newsletter/feed/", "/sitemap.xml"]
    for path in paths:
        reader.get(path)
        assert reader.get(path)["X-Cache"] == "hit", path
    issue = factories.issue(subject="Just out", status="scheduled")
    mail_issue.enqueue(issue.pk)
    for path in paths:
        response = reader.get(path)
        assert response["X-Cache"] != "hit", path
    assert b"Just out" in reader.get("/newsletter/").content
    assert b"Just out" in reader.get("/newsletter/feed/").content
    mailing = Mailing.objects.get(issue=issue)
    assert f"/newsletter/{mailing.pk}/".encode() in reader.get("/sitemap.xml").content
