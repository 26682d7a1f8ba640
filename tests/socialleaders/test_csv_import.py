"""The admin's CSV import pages (socialleaders.admin.CsvImportMixin, used by the redirects and the
subscribers): what tests/redirects/test_admin.py and tests/newsletter/test_csv.py do not check,
the message an import leaves and the size each page takes."""

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from newsletter.models import Subscriber
from redirects.models import Redirect

pytestmark = pytest.mark.django_db

REDIRECTS = reverse("admin:redirects_redirect_import")
SUBSCRIBERS = reverse("admin:newsletter_subscriber_import")


def said(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_a_clean_redirects_import_goes_back_to_the_list_with_a_message(editor_client):
    response = editor_client.post(REDIRECTS, {"text": "/a/,/b/\n/c/,,410\n"}, follow=True)
    assert response.redirect_chain == [(reverse("admin:redirects_redirect_changelist"), 302)]
    assert said(response) == ["2 redirects imported."]


def test_the_good_rows_imported_say_how_many_bad_rows_were_left_out(editor_client):
    response = editor_client.post(
        REDIRECTS, {"text": "/a/,/b/\n/c/,/d/,302\n/e/,,bad\n", "import_good": "1"}
    )
    assert response.status_code == 200  # the page keeps the report of the bad rows
    assert said(response) == ["1 redirects imported; 2 bad rows left out."]
    assert list(Redirect.objects.values_list("old_path", flat=True)) == ["/a"]


def test_a_subscribers_import_stays_on_its_report_with_a_message(editor_client):
    text = "email_address,date_subscribed\nada@example.org,2019-03-04\n"
    response = editor_client.post(SUBSCRIBERS, {"text": text, "interviews": "on"})
    assert response.status_code == 200
    assert said(response) == [
        "1 subscribers imported from the WordPress.com email followers export."
    ]
    assert "Back to the subscribers" in response.content.decode()


def test_nothing_imported_leaves_no_message(editor_client):
    response = editor_client.post(REDIRECTS, {"text": "/a/,/b/\n/c/,/d/,302\n"})
    assert said(response) == []
    assert not Redirect.objects.exists()


@pytest.mark.parametrize(
    ("url", "megabytes", "extra"),
    [(REDIRECTS, 5, {}), (SUBSCRIBERS, 10, {"interviews": "on"})],
)
def test_a_file_over_the_pages_size_is_refused_and_nothing_imported(
    editor_client, url, megabytes, extra
):
    big = b"/a/,/b/\n" * (megabytes * 1024 * 1024 // 8 + 1)
    response = editor_client.post(url, {"file": SimpleUploadedFile("big.csv", big), **extra})
    assert f"The file is larger than {megabytes} MB: split it." in response.content.decode()
    assert response.context["report"] is None
    assert not Redirect.objects.exists() and not Subscriber.objects.exists()


def test_an_empty_post_asks_for_a_file(editor_client):
    response = editor_client.post(REDIRECTS, {})
    assert "Choose a CSV file." in response.content.decode()
