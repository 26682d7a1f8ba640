"""A changed slug leaves a redirect from the old address: for every kind of page, in the admin
or anywhere a save happens; chains collapse, loops are refused, a new piece wins."""

import pytest
from django.urls import reverse
from taggit.models import Tag

from redirects.models import Redirect
from redirects.services import RedirectError, add_redirect
from tests import factories as f

pytestmark = pytest.mark.django_db


def rename(obj, slug):
    obj.slug = slug
    obj.save()
    return obj


def answers(client, path):
    response = client.get(path)
    return response.status_code, response.get("Location")


@pytest.mark.parametrize(
    "make, before, after",
    [
        (lambda: f.interview(slug="old"), "/interviews/old/", "/interviews/new/"),
        (lambda: f.post(slug="old"), "/blog/old/", "/blog/new/"),
        (lambda: f.leader(slug="old"), "/leaders/old/", "/leaders/new/"),
        (lambda: f.theme(slug="old"), "/themes/old/", "/themes/new/"),
        (lambda: f.platform(slug="old"), "/platforms/old/", "/platforms/new/"),
        (lambda: f.question(slug="old"), "/questions/old/", "/questions/new/"),
        (lambda: f.series(slug="old"), "/series/old/", "/series/new/"),
        (lambda: f.author(slug="old"), "/blog/authors/old/", "/blog/authors/new/"),
        (lambda: Tag.objects.create(name="Old", slug="old"), "/blog/tags/old/", "/blog/tags/new/"),
    ],
)
def test_every_kind_of_page_leaves_a_redirect_when_its_slug_changes(client, make, before, after):
    obj = make()
    assert not Redirect.objects.exists()
    rename(obj, "new")
    redirect = Redirect.objects.get()
    assert (redirect.old_path, redirect.target_path) == (before.rstrip("/"), after)
    assert redirect.source == Redirect.Source.SLUG
    assert redirect.target == obj
    assert answers(client, before) == (301, after)


def test_saving_without_changing_the_slug_records_nothing():
    interview = f.interview(slug="same")
    interview.title = "A new title"
    interview.save()
    assert not Redirect.objects.exists()


def test_a_slug_changed_in_the_admin_leaves_a_redirect(editor_client):
    leader = f.leader(slug="jane-doe", name="Jane Doe")
    url = reverse("admin:interviews_leader_change", args=[leader.pk])
    page = editor_client.get(url)
    form = page.context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(
        {
            "slug": "jane-doe-obe",
            "accounts-TOTAL_FORMS": "0",
            "accounts-INITIAL_FORMS": "0",
        }
    )
    response = editor_client.post(url, data)
    assert response.status_code == 302, response.context and response.context["adminform"].errors
    assert Redirect.objects.get().old_path == "/leaders/jane-doe"
    editor_client.logout()
    assert answers(editor_client, "/leaders/jane-doe/") == (301, "/leaders/jane-doe-obe/")


def test_chains_collapse(client):
    interview = f.interview(slug="a")
    rename(interview, "b")
    rename(interview, "c")
    assert dict(Redirect.objects.values_list("old_path", "target_path")) == {
        "/interviews/a": "/interviews/c/",
        "/interviews/b": "/interviews/c/",
    }
    assert answers(client, "/interviews/a/") == (301, "/interviews/c/")
    assert answers(client, "/interviews/b/") == (301, "/interviews/c/")


def test_plain_redirects_to_an_address_follow_the_piece_that_leaves_it(client):
    post = f.post(slug="b")
    add_redirect("/old-link/", "/blog/b/")
    rename(post, "c")
    assert answers(client, "/old-link/") == (301, "/blog/c/")
    assert Redirect.objects.get(old_path="/old-link").target == post


def test_chains_through_plain_addresses_collapse_both_ways(client):
    add_redirect("/a/", "/b/")
    add_redirect("/b/", "/c/")  # A→B then B→C gives A→C and B→C
    add_redirect("/z/", "/a/")  # Z→A, and A already leads to C: Z→C
    assert dict(Redirect.objects.values_list("old_path", "target_path")) == {
        "/a": "/c/",
        "/b": "/c/",
        "/z": "/c/",
    }
    assert answers(client, "/z/") == (301, "/c/")


def test_loops_are_refused():
    add_redirect("/a/", "/b/")
    with pytest.raises(RedirectError, match="loop"):
        add_redirect("/b/", "/a/")
    with pytest.raises(RedirectError, match="itself"):
        add_redirect("/c/", "/C")
    assert dict(Redirect.objects.values_list("old_path", "target_path")) == {"/a": "/b/"}


def test_changing_a_slug_back_removes_the_older_redirect(client):
    interview = f.interview(slug="a")
    rename(interview, "b")
    rename(interview, "a")  # A→B→A: the piece lives at A again
    assert dict(Redirect.objects.values_list("old_path", "target_path")) == {
        "/interviews/b": "/interviews/a/"
    }
    assert client.get("/interviews/a/").status_code == 200
    assert answers(client, "/interviews/b/") == (301, "/interviews/a/")


def test_a_new_piece_taking_an_old_address_wins_over_the_redirect(client):
    first = f.post(slug="a")
    rename(first, "b")
    assert answers(client, "/blog/a/") == (301, "/blog/b/")
    f.post(slug="a", title="A new piece")
    assert not Redirect.objects.filter(old_path="/blog/a").exists()
    assert client.get("/blog/a/").status_code == 200


def test_a_draft_at_an_old_address_leaves_the_redirect_until_it_is_live(client):
    first = f.post(slug="a")
    rename(first, "b")
    draft = f.post(slug="a", published=False)
    assert answers(client, "/blog/a/") == (301, "/blog/b/")
    draft.status = "published"
    draft.save()
    assert client.get("/blog/a/").status_code == 200
    assert not Redirect.objects.filter(old_path="/blog/a").exists()


def test_a_rolled_back_save_leaves_no_redirect():
    from django.db import transaction

    interview = f.interview(slug="a")
    with pytest.raises(RuntimeError), transaction.atomic():
        rename(interview, "b")
        raise RuntimeError
    assert not Redirect.objects.exists()


def test_a_slug_that_was_not_loaded_is_read_before_the_save(client):
    from interviews.models import Leader

    leader = f.leader(slug="deferred")
    loaded = Leader.objects.only("pk", "name").get(pk=leader.pk)
    loaded.slug = "now-loaded"
    loaded.save()
    assert answers(client, "/leaders/deferred/") == (301, "/leaders/now-loaded/")
