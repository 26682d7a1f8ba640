"""The email providers' bounce and complaint reports, posted to the real endpoints (anymail's
views, wired in newsletter/urls.py) as each provider documents them: Amazon SES through SNS
(basic auth), Postmark (basic auth), Mailgun (HMAC signature with the webhook signing key)."""

import base64
import hashlib
import hmac
import json
import time

import pytest
from django.test import Client
from django.utils import timezone

from newsletter.models import Delivery, Subscriber
from tests import factories

pytestmark = pytest.mark.django_db

SECRET = "hooks:s3cret-pass"
SIGNING_KEY = "key-mailgun-signing-0123456789abcdef"


@pytest.fixture(autouse=True)
def anymail_settings(settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET, "MAILGUN_WEBHOOK_SIGNING_KEY": SIGNING_KEY}


def basic_auth(secret=SECRET):
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(secret.encode()).decode()}


@pytest.fixture
def sent():
    """jane@example.com got an interview's email; her subscription is confirmed."""
    subscriber = factories.subscriber(email="jane@example.com")
    delivery = factories.delivery(
        subscriber=subscriber, state="sent", sent_at=timezone.now(), attempts=1
    )
    return delivery


# --- Amazon SES (the notification examples of the SES developer guide, in an SNS envelope) ----

SES_MAIL = {
    "timestamp": "2016-01-27T14:59:38.237Z",
    "source": "john@example.com",
    "sourceArn": "arn:aws:ses:us-east-1:888888888888:identity/example.com",
    "sourceIp": "127.0.3.0",
    "sendingAccountId": "123456789012",
    "messageId": "00000138111222aa-33322211-cccc-cccc-cccc-ddddaaaa0680-000000",
    "destination": ["jane@example.com", "mary@example.com", "richard@example.com"],
}
SES_BOUNCE = {
    "notificationType": "Bounce",
    "bounce": {
        "bounceType": "Permanent",
        "reportingMTA": "dns; email.example.com",
        "bouncedRecipients": [
            {
                "emailAddress": "jane@example.com",
                "status": "5.1.1",
                "action": "failed",
                "diagnosticCode": "smtp; 550 5.1.1 <jane@example.com>... User",
            }
        ],
        "bounceSubType": "General",
        "timestamp": "2016-01-27T14:59:38.237Z",
        "feedbackId": "00000138111222aa-33322211-cccc-cccc-cccc-ddddaaaa068a-000000",
        "remoteMtaIp": "127.0.2.0",
    },
    "mail": SES_MAIL,
}
SES_COMPLAINT = {
    "notificationType": "Complaint",
    "complaint": {
        "userAgent": "AnyCompany Feedback Loop (V0.01)",
        "complainedRecipients": [{"emailAddress": "jane@example.com"}],
        "complaintFeedbackType": "abuse",
        "arrivalDate": "2016-01-27T14:59:38.237Z",
        "timestamp": "2016-01-27T14:59:38.237Z",
        "feedbackId": "000001378603177f-18c07c78-fa81-4a58-9dd1-fedc3cb8f49a-000000",
    },
    "mail": SES_MAIL,
}


def post_sns(client, ses_event, **headers):
    envelope = {
        "Type": "Notification",
        "MessageId": "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324",
        "TopicArn": "arn:aws:sns:us-east-1:123456789012:MyTopic",
        "Subject": "Amazon SES Email Event Notification",
        "Message": json.dumps(ses_event),
        "Timestamp": "2016-01-27T14:59:38.237Z",
        "SignatureVersion": "1",
        "Signature": "EXAMPLE",
        "SigningCertURL": "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-f3ecfb7224c7233fe7bb5f59f96de52f.pem",
        "UnsubscribeURL": "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe",
    }
    return client.post(
        "/newsletter/webhooks/amazon_ses/tracking/",
        json.dumps(envelope),
        content_type="text/plain; charset=UTF-8",
        HTTP_X_AMZ_SNS_MESSAGE_TYPE="Notification",
        HTTP_X_AMZ_SNS_MESSAGE_ID=envelope["MessageId"],
        **headers,
    )


def test_an_ses_bounce_marks_the_address_bounced_and_counts_on_the_send(sent):
    response = post_sns(Client(), SES_BOUNCE, **basic_auth())
    assert response.status_code == 200
    assert Subscriber.objects.get(email="jane@example.com").status == "bounced"
    sent.refresh_from_db()
    assert sent.feedback == "bounced" and sent.feedback_at is not None


def test_an_ses_complaint_marks_the_address_complained(sent):
    assert post_sns(Client(), SES_COMPLAINT, **basic_auth()).status_code == 200
    assert Subscriber.objects.get(email="jane@example.com").status == "complained"
    sent.refresh_from_db()
    assert sent.feedback == "complained"


def test_an_ses_transient_bounce_changes_nothing(sent):
    transient = json.loads(json.dumps(SES_BOUNCE))
    transient["bounce"].update(bounceType="Transient", bounceSubType="MailboxFull")
    assert post_sns(Client(), transient, **basic_auth()).status_code == 200
    assert Subscriber.objects.get(email="jane@example.com").status == "confirmed"


def test_ses_posts_without_the_right_basic_auth_are_refused(sent):
    assert post_sns(Client(), SES_BOUNCE).status_code == 401  # SNS then retries with auth
    assert post_sns(Client(), SES_BOUNCE, **basic_auth("hooks:wrong")).status_code == 400
    assert Subscriber.objects.get(email="jane@example.com").status == "confirmed"


# --- Postmark (the bounce and spam complaint webhook examples of its documentation) -----------

POSTMARK_BOUNCE = {
    "RecordType": "Bounce",
    "MessageStream": "outbound",
    "ID": 4323372036854775807,
    "Type": "HardBounce",
    "TypeCode": 1,
    "Name": "Hard bounce",
    "Tag": "Test",
    "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
    "Metadata": {"a_key": "a_value", "b_key": "b_value"},
    "ServerID": 23,
    "Description": "The server was unable to deliver your message (ex: unknown user, mailbox "
    "not found).",
    "Details": "Test bounce details",
    "Email": "jane@example.com",
    "From": "sender@example.com",
    "BouncedAt": "2019-11-05T16:33:54.9070259Z",
    "DumpAvailable": True,
    "Inactive": True,
    "CanActivate": True,
    "Subject": "Test subject",
    "Content": "Test content",
}
POSTMARK_COMPLAINT = {
    **POSTMARK_BOUNCE,
    "RecordType": "SpamComplaint",
    "ID": 42,
    "Type": "SpamComplaint",
    "TypeCode": 512,
    "Name": "Spam complaint",
    "Description": "",
    "Details": "Test spam complaint details",
    "CanActivate": False,
    "Content": "<Abuse report dump>",
}


def post_postmark(client, payload, **headers):
    return client.post(
        "/newsletter/webhooks/postmark/tracking/",
        json.dumps(payload),
        content_type="application/json",
        **headers,
    )


def test_a_postmark_bounce_names_its_delivery_through_the_metadata(sent):
    other = factories.delivery(
        subscriber=sent.subscriber, state="sent", sent_at=timezone.now(), attempts=1
    )
    payload = {**POSTMARK_BOUNCE, "Metadata": {"delivery": str(sent.pk)}}
    assert post_postmark(Client(), payload, **basic_auth()).status_code == 200
    assert Subscriber.objects.get(email="jane@example.com").status == "bounced"
    sent.refresh_from_db()
    other.refresh_from_db()
    assert sent.feedback == "bounced" and other.feedback == ""


def test_a_postmark_spam_complaint_marks_the_address_complained(sent):
    assert post_postmark(Client(), POSTMARK_COMPLAINT, **basic_auth()).status_code == 200
    assert Subscriber.objects.get(email="jane@example.com").status == "complained"


def test_a_postmark_soft_bounce_changes_nothing(sent):
    soft = {**POSTMARK_BOUNCE, "Type": "SoftBounce", "TypeCode": 4096, "Name": "Soft bounce"}
    assert post_postmark(Client(), soft, **basic_auth()).status_code == 200
    assert Subscriber.objects.get(email="jane@example.com").status == "confirmed"


def test_postmark_posts_without_the_right_basic_auth_are_refused(sent):
    assert post_postmark(Client(), POSTMARK_BOUNCE).status_code == 400
    assert post_postmark(Client(), POSTMARK_BOUNCE, **basic_auth("x:y")).status_code == 400
    assert Subscriber.objects.get(email="jane@example.com").status == "confirmed"


# --- Mailgun (the "permanent failure" and "complained" webhook samples, signed) ---------------


def mailgun_payload(event, key=SIGNING_KEY, **event_data):
    timestamp, token = str(int(time.time())), "a8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de0"
    signature = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    data = {
        "event": event,
        "id": "G9Bn5sl1TC6nu79C8C0bwg",
        "timestamp": 1521233195.375624,
        "log-level": "error" if event == "failed" else "warn",
        "recipient": "jane@example.com",
        "recipient-domain": "example.com",
        "envelope": {
            "sender": "bob@sandbox.mailgun.org",
            "transport": "smtp",
            "targets": "jane@example.com",
        },
        "message": {
            "headers": {
                "to": "Jane <jane@example.com>",
                "message-id": "20130503182626.18666.16540@sandbox.mailgun.org",
                "from": "Bob <bob@sandbox.mailgun.org>",
                "subject": "Test permanent_fail webhook",
            },
            "attachments": [],
            "size": 111,
        },
        "user-variables": {"my_var_1": "Mailgun Variable #1", "my-var-2": "awesome"},
        **event_data,
    }
    return {
        "signature": {"timestamp": timestamp, "token": token, "signature": signature},
        "event-data": data,
    }


def post_mailgun(client, payload, **headers):
    # Mailgun's webhook address carries the basic auth too (https://user:password@host/...).
    return client.post(
        "/newsletter/webhooks/mailgun/tracking/",
        json.dumps(payload),
        content_type="application/json",
        **(headers or basic_auth()),
    )


PERMANENT = {
    "severity": "permanent",
    "reason": "suppress-bounce",
    "delivery-status": {
        "code": 605,
        "message": "",
        "attempt-no": 1,
        "description": "Not delivering to previously bounced address",
    },
}


def test_a_signed_mailgun_permanent_failure_marks_the_address_bounced(sent):
    assert post_mailgun(Client(), mailgun_payload("failed", **PERMANENT)).status_code == 200
    assert Subscriber.objects.get(email="jane@example.com").status == "bounced"
    sent.refresh_from_db()
    assert sent.feedback == "bounced"


def test_a_signed_mailgun_complaint_marks_the_address_complained(sent):
    assert post_mailgun(Client(), mailgun_payload("complained")).status_code == 200
    assert Subscriber.objects.get(email="jane@example.com").status == "complained"


def test_a_mailgun_temporary_failure_changes_nothing(sent):
    temporary = {**PERMANENT, "severity": "temporary", "reason": "generic"}
    assert post_mailgun(Client(), mailgun_payload("failed", **temporary)).status_code == 200
    assert Subscriber.objects.get(email="jane@example.com").status == "confirmed"


def test_a_mailgun_post_signed_with_another_key_is_refused(sent):
    forged = mailgun_payload("failed", key="key-not-ours", **PERMANENT)
    assert post_mailgun(Client(), forged).status_code == 400
    signed = mailgun_payload("failed", **PERMANENT)
    assert post_mailgun(Client(), signed, **basic_auth("x:y")).status_code == 400
    assert Subscriber.objects.get(email="jane@example.com").status == "confirmed"


# --- Everywhere -------------------------------------------------------------------------------


def test_an_endpoint_whose_check_is_not_set_up_answers_404(settings, sent):
    settings.ANYMAIL = {}
    assert post_postmark(Client(), POSTMARK_BOUNCE).status_code == 404
    assert post_sns(Client(), SES_BOUNCE).status_code == 404
    assert post_mailgun(Client(), mailgun_payload("complained"), HTTP_X="").status_code == 404
    assert Subscriber.objects.get(email="jane@example.com").status == "confirmed"


def test_a_bounced_address_is_not_mailed_again_and_the_send_counts_it(
    sent, editor_client, smtp, django_capture_on_commit_callbacks
):
    post_postmark(Client(), POSTMARK_COMPLAINT, **basic_auth())
    factories.subscriber(email="still@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        interview = factories.interview(published=False)
        factories.answer(interview=interview)
    with django_capture_on_commit_callbacks(execute=True):
        interview.status, interview.publish_at = "published", timezone.now()
        interview.save()
    assert [rcpts for rcpts, _ in smtp.messages] == [["still@example.com"]]
    assert not Delivery.objects.filter(mailing__interview=interview, email="jane@example.com")
    page = editor_client.get("/admin/newsletter/mailing/").content.decode()
    assert '<td class="field-complained">1</td>' in page


def test_signing_up_again_after_a_complaint_sends_nothing(sent, client, smtp):
    post_postmark(Client(), POSTMARK_COMPLAINT, **basic_auth())
    from newsletter import services

    services.subscribe(
        email="jane@example.com",
        wants={"interviews": True, "blog": False, "digest": False},
        path="/subscribe/",
        consent_text="x",
    )
    assert smtp.messages == []
    assert Subscriber.objects.get(email="jane@example.com").status == "complained"


# --- Choosing the provider --------------------------------------------------------------------


def test_each_piece_email_names_its_delivery_for_the_providers_reports(
    settings, django_capture_on_commit_callbacks
):
    from django.core import mail

    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"  # anymail's own, no network
    reader = factories.subscriber(email="reader@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        interview = factories.interview(published=False)
        factories.answer(interview=interview)
    with django_capture_on_commit_callbacks(execute=True):
        interview.status, interview.publish_at = "published", timezone.now()
        interview.save()
    [message] = [m for m in mail.outbox if m.to == ["reader@example.org"]]
    delivery = Delivery.objects.get(subscriber=reader)
    assert message.anymail_test_params["metadata"] == {"delivery": str(delivery.pk)}


def settings_in_a_process(**env):
    import os
    import subprocess
    import sys
    from pathlib import Path

    code = "from django.conf import settings; print(settings.EMAIL_BACKEND)"
    environment = {
        **os.environ,
        "ENV_FILE": "",
        "SECRET_KEY": "x",
        "DJANGO_SETTINGS_MODULE": "socialleaders.settings",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        **env,
    }
    return subprocess.run(
        [sys.executable, "-c", code],
        env=environment,
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
    )


def test_smtp_stays_unless_a_provider_is_chosen():
    assert settings_in_a_process().stdout.strip() == "django.core.mail.backends.smtp.EmailBackend"
    chosen = settings_in_a_process(ANYMAIL_ESP="postmark", ANYMAIL='{"POSTMARK_SERVER_TOKEN": "t"}')
    assert chosen.stdout.strip() == "anymail.backends.postmark.EmailBackend"
    wrong = settings_in_a_process(ANYMAIL_ESP="pigeon")
    assert wrong.returncode != 0 and "ANYMAIL_ESP must be one of" in wrong.stderr
    broken = settings_in_a_process(ANYMAIL="{not json")
    assert broken.returncode != 0 and "ANYMAIL is not valid JSON" in broken.stderr
