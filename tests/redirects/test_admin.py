"""Editors list, search and edit redirects, import them from CSV (all or nothing, or the good
rows) and export them."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from redirects.models import Redirect
from redirects.services import add_redirect
from tests import factories as f

pytestmark = pytest.mark.django_db

IMPORT = reverse("admin:redirects_redirect_import")


def upload(text, name="redirects.csv"):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def test_the_list_shows_hits_and_can_be_searched(editor_client, reader):
    add_redirect("/2014/05/12/alpha/", "/blog/alpha/")
    add_redirect("/2014/05/12/beta/", "/blog/beta/")
    reader.get("/2014/05/12/alpha/")
    reader.get("/2014/05/12/alpha/")
    page = editor_client.get(reverse("admin:redirects_redirect_changelist"), {"q": "alpha"})
    text = page.content.decode()
    assert "/2014/05/12/alpha" in text and "/2014/05/12/beta" not in text
    assert page.context["cl"].result_list[0].hits == 2
    assert "Import CSV" in text and "Export CSV" in text


def test_an_editor_adds_a_redirect_stored_in_one_spelling(editor_client, reader):
    response = editor_client.post(
        reverse("admin:redirects_redirect_add"),
        {
            "old_path": "https://old.example.com/About-Us/",
            "status": 301,
            "target_path": "/blog/",
            "source": "manual",
        },
    )
    assert response.status_code == 302
    assert Redirect.objects.get().old_path == "/about-us"
    assert reader.get("/about-us/")["Location"] == "/blog/"


def test_the_form_refuses_a_loop_and_keeps_what_was_typed(editor_client):
    add_redirect("/a/", "/b/")
    response = editor_client.post(
        reverse("admin:redirects_redirect_add"),
        {"old_path": "/b/", "status": 301, "target_path": "/a/", "source": "manual"},
    )
    assert response.status_code == 200
    assert "loop" in str(response.context["adminform"].form.errors)
    assert 'value="/b/"' in response.content.decode()
    assert Redirect.objects.count() == 1


def test_editing_a_redirect_by_hand_detaches_it_from_the_piece(editor_client):
    post = f.post(slug="p")
    redirect = add_redirect("/old/", post)
    response = editor_client.post(
        reverse("admin:redirects_redirect_change", args=[redirect.pk]),
        {"old_path": "/old", "status": 301, "target_path": "/blog/", "source": "manual"},
    )
    assert response.status_code == 302
    redirect.refresh_from_db()
    assert (redirect.target_path, redirect.content_type_id) == ("/blog/", None)


GOOD = """old_path,target,status
/2014/05/12/one/,/blog/one/,301
/2014/05/12/two/,/blog/two/,
/2013/01/01/spam/,,410
"""

BAD = """old address,new address,status
/2014/05/12/one/,/blog/one/,301
,/blog/nothing/,301
/2014/05/12/three/,javascript:alert(1),301
/2014/05/12/four/,/blog/four/,302
/2014/05/12/one,/blog/again/,301
/2014/05/12/five/,/blog/five/,410
/2014/05/12/six/,/blog/six/,301
"""


def test_a_good_file_is_imported_whole(editor_client, reader):
    response = editor_client.post(IMPORT, {"file": upload(GOOD)})
    assert response.status_code == 302
    assert Redirect.objects.count() == 3
    assert set(Redirect.objects.values_list("source", flat=True)) == {"csv"}
    assert reader.get("/2014/05/12/two/")["Location"] == "/blog/two/"
    assert reader.get("/2013/01/01/spam/").status_code == 410


def test_a_file_with_bad_rows_imports_nothing_and_names_each_bad_row(editor_client):
    response = editor_client.post(IMPORT, {"file": upload(BAD)})
    assert response.status_code == 200
    report = response.context["report"]
    assert [line for line, _ in report.errors] == [3, 4, 5, 6, 7]
    messages = dict(report.errors)
    assert "empty" in messages[3]
    assert "http" in messages[4]
    assert "302" in messages[5]
    assert "line 2" in messages[6]
    assert "410" in messages[7]
    assert not Redirect.objects.exists()
    page = response.content.decode()
    assert "Import the good rows" in page
    # The file's text is kept in the page: the editor need not choose it again.
    assert response.context["form"]["text"].value() == BAD


def test_the_editor_can_choose_to_import_the_good_rows(editor_client):
    response = editor_client.post(IMPORT, {"text": BAD, "import_good": "1"})
    assert response.status_code == 200
    assert sorted(Redirect.objects.values_list("old_path", flat=True)) == [
        "/2014/05/12/one",
        "/2014/05/12/six",
    ]
    assert response.context["report"].applied


def test_a_file_that_is_not_utf8_gets_a_clear_error(editor_client):
    response = editor_client.post(
        IMPORT, {"file": SimpleUploadedFile("r.csv", "/caf\xe9/,/blog/\n".encode("latin-1"))}
    )
    assert "UTF-8" in response.content.decode()
    assert not Redirect.objects.exists()


def test_a_loop_inside_the_file_is_a_bad_row(editor_client):
    response = editor_client.post(IMPORT, {"text": "/a/,/b/\n/b/,/a/\n"})
    assert dict(response.context["report"].errors)[2].endswith(".")
    assert "loop" in dict(response.context["report"].errors)[2]
    assert not Redirect.objects.exists()


def test_the_export_can_be_imported_again(editor_client):
    add_redirect("/2014/05/12/one/", "/blog/one/")
    add_redirect("/=cmd/", "/blog/")
    Redirect.objects.create(old_path="/gone", status=410, target_path="")
    response = editor_client.get(reverse("admin:redirects_redirect_export"))
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["old_path", "target", "status"]
    by_path = {row[0]: row[1:3] for row in rows[1:]}
    assert by_path == {
        "/2014/05/12/one": ["/blog/one/", "301"],
        "/=cmd": ["/blog/", "301"],
        "/gone": ["", "410"],
    }
    Redirect.objects.all().delete()
    editor_client.post(IMPORT, {"text": text})
    assert Redirect.objects.count() == 3


def test_readers_cannot_reach_the_import(client):
    assert client.get(IMPORT).status_code == 302
