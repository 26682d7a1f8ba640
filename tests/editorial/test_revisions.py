"""History: every admin save keeps a revision (django-reversion); editors compare two revisions
and restore an old one."""

import pytest
from django.urls import reverse
from reversion.models import Version

from interviews.models import Answer, Interview
from tests import factories
from tests.admin_support import change_form_data, save_in_admin

pytestmark = pytest.mark.django_db


@pytest.fixture
def interview():
    item = factories.interview(published=False, introduction="The first introduction.")
    factories.answer(interview=item, body="Original answer.")
    return item


def test_every_save_in_the_admin_keeps_a_revision_with_the_answers(editor_client, interview):
    save_in_admin(editor_client, interview, introduction="Second version.")
    save_in_admin(editor_client, interview, **{"answers-0-body": "Edited answer."})
    versions = Version.objects.get_for_object(interview)
    assert versions.count() == 2
    newest = versions[0]
    assert newest.field_dict["introduction"] == "Second version."
    answer_versions = newest.revision.version_set.filter(
        content_type__model="answer", content_type__app_label="interviews"
    )
    assert [v.field_dict["body"] for v in answer_versions] == ["Edited answer."]


def test_compare_shows_what_changed_between_two_revisions(editor_client, interview):
    save_in_admin(editor_client, interview, introduction="Line one.\nLine two.")
    save_in_admin(
        editor_client,
        interview,
        introduction="Line one.\nLine 2, corrected.",
        **{"answers-0-body": "Better answer."},
    )
    older, newer = reversed(list(Version.objects.get_for_object(interview)))
    history = editor_client.get(reverse("admin:interviews_interview_history", args=[interview.pk]))
    assert "Compare the two revisions" in history.text
    url = reverse("admin:interviews_interview_compare", args=[interview.pk])
    response = editor_client.get(url, {"from": older.pk, "to": newer.pk})
    assert response.status_code == 200
    changes = {(c["object"].split(" ")[0], c["field"]): c for c in response.context["changes"]}
    intro = changes[("Interview", "Introduction")]  # the form's labels, not field names
    assert ("-", "Line two.") in intro["lines"] and ("+", "Line 2, corrected.") in intro["lines"]
    assert (" ", "Line one.") in intro["lines"]
    assert ("+", "Better answer.") in changes[("Answer", "Body")]["lines"]
    assert not [c for c in response.context["changes"] if c["field"].endswith("_id")]
    assert (
        "<del>Line two.</del>" in response.text and "<ins>Line 2, corrected.</ins>" in response.text
    )
    # Bad revision ids are a 404, not a 500.
    assert editor_client.get(url, {"from": "abc", "to": newer.pk}).status_code == 404
    assert editor_client.get(url, {"from": 999999, "to": newer.pk}).status_code == 404


def test_restore_brings_the_old_text_back(editor_client, interview):
    save_in_admin(editor_client, interview, introduction="Keep this one.")
    save_in_admin(
        editor_client,
        interview,
        introduction="A mistake.",
        **{"answers-0-body": "Ruined answer."},
    )
    older = list(Version.objects.get_for_object(interview))[-1]
    url = reverse("admin:interviews_interview_restore", args=[interview.pk, older.pk])
    response = editor_client.post(url)
    assert response.status_code == 302
    interview.refresh_from_db()
    assert interview.introduction == "Keep this one."
    assert "Keep this one." in interview.introduction_html
    assert Answer.objects.get(interview=interview).body == "Original answer."
    # The restore is itself a revision, so it can be undone.
    assert Version.objects.get_for_object(interview).count() == 3


def test_authors_cannot_see_the_history_of_others_work(client, interview):
    author = factories.staff("ann", "Author", password="x")
    client.force_login(author)
    history = reverse("admin:interviews_interview_history", args=[interview.pk])
    assert client.get(history).status_code in (403, 404)
    assert Interview.objects.filter(pk=interview.pk).exists()


def test_post_saves_keep_revisions_too(editor_client):
    post = factories.post(published=False, body="First body.")
    url = reverse("admin:blog_post_change", args=[post.pk])
    data = change_form_data(editor_client.get(url))
    data["body"] = "Second body."
    assert editor_client.post(url, data).status_code == 302
    assert Version.objects.get_for_object(post)[0].field_dict["body"] == "Second body."
