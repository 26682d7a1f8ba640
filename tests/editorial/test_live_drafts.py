"""Drafts of live pieces: editing a published interview or post works on a draft until the
editor publishes the changes; readers (and the page cache) keep the published version."""

import pytest
from django.test import Client
from django.urls import reverse
from reversion.models import Version

from editorial.models import PendingChanges
from tests import factories
from tests.admin_support import change_form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def live(page_cache):
    """A live interview, made once the page cache (a fresh one) is on."""
    from comments.models import ModerationSettings

    ModerationSettings.load()  # made on the first render otherwise: a change, for the cache
    interview = factories.interview(published=True, introduction="The published introduction.")
    factories.answer(interview=interview, body="The published answer.")
    return interview


def _change_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def _post(client, obj, button="_continue", **changes):
    url = _change_url(obj)
    data = change_form_data(client.get(url))
    data.update(changes)
    data[button] = "1"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors or [
        inline.formset.errors for inline in response.context["inline_admin_formsets"]
    ]
    return response


def test_saving_a_live_interview_keeps_a_draft_readers_do_not_see(
    editor_client, live, page_cache, django_assert_num_queries, django_capture_on_commit_callbacks
):
    reader = Client()
    page = live.get_absolute_url()
    assert "The published answer." in reader.get(page).text
    with django_assert_num_queries(0):
        assert reader.get(page)["X-Cache"] == "hit"

    with django_capture_on_commit_callbacks(execute=True):  # as if committed: cache flushes run
        _post(
            editor_client,
            live,
            introduction="A corrected introduction.",
            **{"answers-0-body": "A rewritten answer."},
        )

    live.refresh_from_db()
    assert live.introduction == "The published introduction."
    assert live.answers.get().body == "The published answer."
    assert not Version.objects.get_for_object(live).exists()  # no revision: nothing published
    # The page cache entry stays fresh: nothing readers see was written.
    with django_assert_num_queries(0):
        cached = reader.get(page)
    assert cached["X-Cache"] == "hit"
    assert "The published answer." in cached.text and "A rewritten answer." not in cached.text

    # The editor's form comes back with the draft, saying so.
    form = editor_client.get(_change_url(live))
    assert "You are editing a draft of this live interview" in form.text
    assert "A rewritten answer." in form.text and "A corrected introduction." in form.text
    assert 'name="_publish_changes"' in form.text


def test_the_draft_preview_shows_the_draft_and_changes_nothing(editor_client, live, page_cache):
    _post(editor_client, live, **{"answers-0-body": "A rewritten answer."})
    preview_url = reverse("admin:interviews_interview_draft_preview", args=[live.pk])
    preview = editor_client.get(preview_url)
    assert preview.status_code == 200
    assert "A rewritten answer." in preview.text and "The published answer." not in preview.text
    assert "the draft of changes to this live page" in preview.text
    assert "no-store" in preview["Cache-Control"] or "no-cache" in preview["Cache-Control"]
    live.refresh_from_db()
    assert live.answers.get().body == "The published answer."
    assert "The published answer." in Client().get(live.get_absolute_url()).text
    assert Client().get(preview_url).status_code == 302  # to the login page


def test_publish_changes_applies_the_draft_with_a_readable_revision(
    editor_client, live, page_cache, django_capture_on_commit_callbacks
):
    reader = Client()
    page = live.get_absolute_url()
    factories.answer(interview=live, body="Second answer.", order=2)
    # A first revision of the published version, so the publication can be compared with it.
    _post(editor_client, live, button="_publish_changes", standfirst="A new standfirst.")
    reader.get(page)
    _post(
        editor_client,
        live,
        introduction="A corrected introduction.",
        **{"answers-0-body": "A rewritten answer."},
    )
    form_data = change_form_data(editor_client.get(_change_url(live)))  # the draft, as shown
    assert form_data["answers-0-body"] == "A rewritten answer."
    form_data["_publish_changes"] = "1"
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(_change_url(live), form_data)
    assert response.status_code == 302

    live.refresh_from_db()
    assert live.introduction == "A corrected introduction."
    assert PendingChanges.for_item(live) is None
    fresh = reader.get(page)
    assert "A rewritten answer." in fresh.text and "The published answer." not in fresh.text

    newer, older = list(Version.objects.get_for_object(live))[:2]
    diff = editor_client.get(
        reverse("admin:interviews_interview_compare", args=[live.pk]),
        {"from": older.pk, "to": newer.pk},
    )
    changes = {c["field"]: c for c in diff.context["changes"]}
    assert ("+", "A corrected introduction.") in changes["Introduction"]["lines"]
    assert ("-", "The published answer.") in changes["Body"]["lines"]
    assert "<ins>A rewritten answer.</ins>" in diff.text
    assert not [c for c in diff.context["changes"] if c["field"].endswith("_id")]


def test_a_draft_saved_without_changes_keeps_nothing_and_discard_drops_it(editor_client, live):
    _post(editor_client, live)
    assert PendingChanges.objects.count() == 0
    _post(editor_client, live, **{"answers-0-body": "A rewritten answer."})
    assert PendingChanges.objects.count() == 1
    response = editor_client.post(_change_url(live), {"_discard_draft": "1"})
    assert response.status_code == 302
    assert PendingChanges.objects.count() == 0
    assert "The published answer." in editor_client.get(_change_url(live)).text


def test_a_draft_with_an_error_keeps_what_was_typed_and_saves_nothing(editor_client, live):
    url = _change_url(live)
    data = change_form_data(editor_client.get(url))
    data.update({"title": "", "answers-0-body": "Typed but not saved.", "_continue": "1"})
    response = editor_client.post(url, data)
    assert response.status_code == 200
    assert "Typed but not saved." in response.text
    assert PendingChanges.objects.count() == 0


def test_a_live_post_works_on_a_draft_too(editor_client, page_cache):
    post = factories.post(published=True, body="The published body.")
    url = _change_url(post)
    data = change_form_data(editor_client.get(url))
    data.update({"body": "The draft body.", "_continue": "1"})
    assert editor_client.post(url, data).status_code == 302
    post.refresh_from_db()
    assert post.body == "The published body."
    assert "The published body." in Client().get(post.get_absolute_url()).text
    preview = editor_client.get(reverse("admin:blog_post_draft_preview", args=[post.pk]))
    assert "The draft body." in preview.text
    data["_publish_changes"] = "1"
    del data["_continue"]
    assert editor_client.post(url, data).status_code == 302
    post.refresh_from_db()
    assert post.body == "The draft body."


def test_a_draft_interview_is_still_saved_directly(editor_client):
    interview = factories.interview(published=False, introduction="Before.")
    url = _change_url(interview)
    data = change_form_data(editor_client.get(url))
    data.update({"introduction": "After.", "_continue": "1"})
    form = editor_client.get(url)
    assert 'name="_publish_changes"' not in form.text
    assert editor_client.post(url, data).status_code == 302
    interview.refresh_from_db()
    assert interview.introduction == "After."
