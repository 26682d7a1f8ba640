"""Followers brought over from WordPress.com, Mailchimp and Substack through the admin's CSV
import (sample exports in samples/), and the subscribers' CSV export."""

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from newsletter.models import Subscriber
from tests import factories

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).parent / "samples"
IMPORT = reverse("admin:newsletter_subscriber_import")


def upload(client, name, **extra):
    data = {"file": SimpleUploadedFile(name, (SAMPLES / name).read_bytes()), "interviews": "on"}
    data.update(extra)
    return client.post(IMPORT, data)


def by_email():
    return {s.email.lower(): s for s in Subscriber.objects.all()}


def test_wordpress_followers_come_in_confirmed_with_their_dates_and_nobody_is_mailed(
    editor_client, smtp, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(editor_client, "wordpress_email_followers.csv", blog="on")
    assert response.status_code == 200
    assert "3 imported" in response.content.decode()
    people = by_email()
    assert set(people) == {"ada@example.org", "grace.hopper@example.org", "linus@example.net"}
    ada = people["ada@example.org"]
    assert ada.status == "confirmed" and ada.source == "import:wordpress"
    assert ada.consent_at == datetime(2019, 3, 4, 10, 15, tzinfo=UTC)
    assert people["linus@example.net"].consent_at == datetime(2015, 6, 1, tzinfo=UTC)
    assert people["grace.hopper@example.org"].email == "Grace.Hopper@example.org"
    assert ada.wants_interviews and ada.wants_blog and not ada.wants_digest
    assert "WordPress.com email followers export" in ada.consent_text
    assert "line 2" in ada.consent_text and "by editor" in ada.consent_text
    assert smtp.messages == [] and mail.outbox == []


def test_mailchimp_audience_keeps_the_confirm_time_else_the_optin_time(editor_client):
    upload(editor_client, "mailchimp_subscribed_members.csv")
    people = by_email()
    assert people["margaret@example.org"].consent_at == datetime(2018, 6, 12, 7, 54, 2, tzinfo=UTC)
    assert people["katherine@example.org"].consent_at == datetime(2017, 1, 20, 12, tzinfo=UTC)
    assert {p.source for p in people.values()} == {"import:mailchimp"}
    assert people["margaret@example.org"].confirmed_at == people["margaret@example.org"].consent_at


def test_mailchimp_unsubscribed_members_are_not_imported_and_are_listed(editor_client):
    response = upload(editor_client, "mailchimp_unsubscribed_members.csv")
    assert not Subscriber.objects.exists()
    page = response.content.decode()
    assert "left@example.org" in page and "unsubscribed in Mailchimp" in page


def test_substack_subscribers_with_email_turned_off_stay_out(editor_client):
    upload(editor_client, "substack_subscribers.csv")
    people = by_email()
    assert set(people) == {"dorothy@example.org", "hedy@example.org"}
    assert people["dorothy@example.org"].consent_at == datetime(
        2022, 8, 27, 15, 6, 27, 713000, tzinfo=UTC
    )
    assert people["hedy@example.org"].source == "import:substack"


def test_bad_rows_are_reported_by_line_and_nothing_is_imported(editor_client):
    factories.subscriber(
        email="unsub@example.org", status="unsubscribed", source="form", consent_at=None
    )
    response = upload(editor_client, "mailchimp_with_bad_rows.csv")
    page = response.content.decode()
    assert Subscriber.objects.count() == 1
    assert "Nothing was imported: 4 bad rows" in page
    for line, why in [
        (3, "Not an email address: &#x27;not-an-address&#x27;"),
        (4, "No consent date"),
        (5, "Date not understood: &#x27;last tuesday&#x27;"),
        (7, "3 cells where the header has 11 columns"),
    ]:
        assert f"<td>{line}</td><td>{why}" in page
    # The repeat and the address already here are reported too, before anything is done.
    assert "<td>6</td><td>GOOD@example.org</td><td>2</td>" in page
    assert "<td>8</td><td>unsub@example.org</td><td>unsubscribed</td>" in page
    assert 'name="import_good"' in page


def test_import_the_good_rows_keeps_the_file_and_never_downgrades_an_unsubscribed_address(
    editor_client,
):
    factories.subscriber(email="unsub@example.org", status="unsubscribed", consent_at=None)
    first = upload(editor_client, "mailchimp_with_bad_rows.csv")
    text = first.context["form"].initial["text"]
    response = editor_client.post(
        IMPORT,
        {
            "text": text,
            "filename": "mailchimp_with_bad_rows.csv",
            "interviews": "on",
            "import_good": "1",
        },
    )
    assert "2 imported" in response.content.decode()
    people = by_email()
    assert set(people) == {"good@example.org", "another@example.org", "unsub@example.org"}
    assert people["unsub@example.org"].status == "unsubscribed"
    assert people["good@example.org"].status == "confirmed"


def test_a_file_that_is_no_known_export_is_refused(editor_client):
    data = {"file": SimpleUploadedFile("x.csv", b"name,phone\nAda,123\n"), "interviews": "on"}
    page = editor_client.post(IMPORT, data).content.decode()
    assert "No email column" in page and not Subscriber.objects.exists()
    assert 'name="import_good"' not in page  # no good rows to choose


def test_a_file_that_is_not_utf8_gets_a_form_error(editor_client):
    data = {"file": SimpleUploadedFile("x.csv", "email\nzoë@example.org\n".encode("utf-16"))}
    page = editor_client.post(IMPORT, {**data, "interviews": "on"}).content.decode()
    assert "not UTF-8" in page


def test_only_editors_who_may_add_subscribers_import(client, django_user_model):
    user = django_user_model.objects.create_user("viewer", password="x", is_staff=True)
    client.force_login(user)
    assert client.get(IMPORT).status_code == 403


def test_the_export_streams_every_selected_subscriber_with_formula_cells_defused(editor_client):
    factories.subscriber(email="ada@example.org", source="form")
    factories.subscriber(email="bob@example.org", source="=HYPERLINK(1)")
    response = editor_client.post(
        reverse("admin:newsletter_subscriber_changelist"),
        {"action": "export_csv", "select_across": "1", "_selected_action": ["0"]},
    )
    assert response.streaming
    assert response["Content-Disposition"].startswith('attachment; filename="subscribers-')
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert {row["email"] for row in rows} == {"ada@example.org", "bob@example.org"}
    assert {row["source"] for row in rows} == {"form", "'=HYPERLINK(1)"}
    assert rows[0]["status"] == "confirmed" and rows[0]["consent_at"] == ""
