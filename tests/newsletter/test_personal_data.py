"""A subscriber's data on request (editors): export everything held as JSON, or erase it while
each send keeps its counts; in the admin and with `manage.py newsletter_personal_data`, as the
comments' `comments_personal_data` does for commenters."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from newsletter import personal
from newsletter.models import Delivery, Mailing, Subscriber
from tests import factories

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:newsletter_subscriber_changelist")


@pytest.fixture
def ada():
    subscriber = factories.subscriber(
        email="Ada@example.org",
        wants_blog=True,
        consent_at=timezone.now(),
        consent_path="/interviews/ada/",
        consent_text="We send only what you tick.",
    )
    sent = factories.delivery(
        subscriber=subscriber, state="sent", sent_at=timezone.now(), attempts=1
    )
    waiting = factories.delivery(subscriber=subscriber, state="queued")
    failed = factories.delivery(
        subscriber=subscriber,
        state="failed",
        attempts=5,
        error="SMTPRecipientsRefused({'Ada@example.org': (550, b'no')})",
    )
    return subscriber, sent, waiting, failed


def test_the_export_holds_everything_we_hold(ada):
    subscriber, sent, _, failed = ada
    data = personal.export_subscriber("ada@EXAMPLE.org")
    assert data["email"] == "Ada@example.org" and data["status"] == "confirmed"
    assert data["wants"] == {"interviews": True, "blog": True, "digest": False}
    assert data["consent"]["on_page"] == "/interviews/ada/"
    assert data["consent"]["wording"] == "We send only what you tick."
    assert len(data["emails"]) == 3
    states = {e["state"] for e in data["emails"]}
    assert states == {"sent", "queued", "failed"}
    assert any("550" in e["error"] for e in data["emails"])
    assert str(sent.mailing.piece) in {e["of"] for e in data["emails"]}
    assert subscriber.key not in json.dumps(data)  # the links' secret is not data about them


def test_erasing_deletes_the_subscriber_and_keeps_the_sends_counts(ada):
    subscriber, sent, waiting, failed = ada
    assert personal.erase_subscriber("ada@example.org") == (1, 3)
    assert not Subscriber.objects.exists()
    rows = Delivery.objects.filter(pk__in=[sent.pk, waiting.pk, failed.pk])
    assert rows.count() == 3
    assert set(rows.values_list("email", flat=True)) == {""}
    assert set(rows.values_list("subscriber", flat=True)) == {None}
    assert "Ada" not in "".join(rows.values_list("error", flat=True))
    waiting.refresh_from_db()
    assert waiting.state == "failed"  # never sent now
    sent.refresh_from_db()
    assert sent.state == "sent" and sent.sent_at is not None
    assert Mailing.objects.filter(pk=sent.mailing_id).exists()


def test_the_admin_exports_the_selected_subscribers_data_as_json(editor_client, ada):
    subscriber = ada[0]
    response = editor_client.post(
        CHANGELIST,
        {"action": "export_personal_data", "_selected_action": [subscriber.pk]},
    )
    assert response["Content-Type"] == "application/json"
    [data] = json.loads(response.content)
    assert data["email"] == "Ada@example.org" and len(data["emails"]) == 3


def test_the_admin_erases_the_selected_subscribers_and_the_send_still_counts_them(
    editor_client, ada
):
    subscriber, sent, _, _ = ada
    response = editor_client.post(
        CHANGELIST,
        {"action": "erase_personal_data", "_selected_action": [subscriber.pk]},
        follow=True,
    )
    assert "Erased the data of 1 subscribers" in response.content.decode()
    assert not Subscriber.objects.exists()
    page = editor_client.get(reverse("admin:newsletter_mailing_changelist")).content.decode()
    assert '<td class="field-sent">1</td>' in page


def test_an_editor_who_may_not_delete_cannot_erase(client, django_user_model, ada):
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user("viewer", password="x", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_subscriber", "change_subscriber"])
    )
    client.force_login(user)
    client.post(CHANGELIST, {"action": "erase_personal_data", "_selected_action": [ada[0].pk]})
    assert Subscriber.objects.exists()


def test_the_command_exports_and_erases(ada):
    out = io.StringIO()
    call_command("newsletter_personal_data", "export", "ada@example.org", stdout=out)
    assert json.loads(out.getvalue())["email"] == "Ada@example.org"
    out = io.StringIO()
    call_command("newsletter_personal_data", "erase", "ada@example.org", "--yes", stdout=out)
    assert "Erased ada@example.org; 3 deliveries kept" in out.getvalue()
    assert not Subscriber.objects.exists()
    out = io.StringIO()
    call_command("newsletter_personal_data", "export", "ada@example.org", stdout=out)
    assert "Nothing is held" in out.getvalue()
    with pytest.raises(CommandError, match="is not an email address"):
        call_command("newsletter_personal_data", "export", "nobody")
