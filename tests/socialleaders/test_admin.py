"""The editors' admin: every page renders for an editor, filters and searches work, comment
moderation changes statuses, interviews are written with their answers inline, and nobody but
staff gets in."""

from datetime import timedelta

import pytest
from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from blog.models import Author, Post
from comments.models import Comment
from interviews.models import (
    Answer,
    Interview,
    InterviewPlatform,
    Leader,
    Platform,
    Question,
    Quote,
    Series,
    SocialAccount,
    Theme,
)
from socialleaders.publishing import Status
from tests import factories as f

pytestmark = pytest.mark.django_db

# The content models editors manage; each must have an admin.
CONTENT_MODELS = [
    Leader,
    Platform,
    Theme,
    Series,
    Question,
    Interview,
    Answer,
    Quote,
    Author,
    Post,
    Comment,
]


def admin_url(model, view, *args):
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


@pytest.fixture
def content():
    """One of everything, linked together the way the publication's content is."""
    series = f.series(title="#SocialLeaders", slug="socialleaders")
    leader = f.leader(name="Ada Lovelace", honours="OBE", slug="ada-lovelace")
    twitter = f.platform(name="Twitter", slug="twitter")
    linkedin = f.platform(name="LinkedIn", slug="linkedin")
    SocialAccount.objects.create(leader=leader, platform=twitter, handle="@ada")
    theme = Theme.objects.create(name="Being human", slug="being-human")
    q1 = f.question(text="How do you use social media?", label="Use", slug="use", order=1)
    q2 = f.question(text="What advice would you give?", label="Advice", slug="advice", order=2)
    interview = f.interview(
        title="Ada Lovelace on social media", leader=leader, series=series, series_order=1
    )
    interview.themes.add(theme)
    answer = f.answer(interview=interview, question=q1, body="Mostly *Twitter*.", order=1)
    f.answer(interview=interview, question=q2, body="Be yourself.", order=2)
    f.uses(interview, twitter, favourite=True)
    f.uses(interview, linkedin)
    quote = f.quote(interview=interview, answer=answer, text="Be yourself.", featured=True)
    draft = f.interview(title="A draft interview", published=False)
    author = f.author(name="Grace Hopper", slug="grace-hopper")
    post = f.post(title="Why councils should tweet", author=author)
    post.tags.add("councils", "twitter")
    pending = f.comment(
        post=post,
        name="Pending Reader",
        email="pending@example.com",
        status=Comment.Status.PENDING,
        ip_address="203.0.113.7",
    )
    approved = f.comment(post=post, name="Approved Reader")
    reply = f.comment(post=post, parent=approved, name="Grace Hopper", by_post_author=True)
    pingback = f.comment(post=post, name="Another blog", kind=Comment.Kind.PINGBACK)
    on_interview = f.comment(interview=interview, name="Interview Reader")
    return {
        "series": series,
        "leader": leader,
        "platform": twitter,
        "theme": theme,
        "question": q1,
        "interview": interview,
        "draft": draft,
        "answer": answer,
        "quote": quote,
        "author": author,
        "post": post,
        "pending": pending,
        "approved": approved,
        "reply": reply,
        "pingback": pingback,
        "on_interview": on_interview,
    }


def test_every_content_model_is_registered_with_readable_names():
    for model in CONTENT_MODELS:
        assert admin.site.is_registered(model), model
        opts = model._meta
        # No CamelCase class names leak into the admin ("Interviewplatform", "Themedinterview").
        assert opts.verbose_name == opts.verbose_name.lower(), opts.verbose_name
    assert Series._meta.verbose_name_plural == "series"
    assert InterviewPlatform._meta.verbose_name_plural == "platforms used"


@pytest.mark.parametrize("model", CONTENT_MODELS, ids=lambda m: m.__name__)
def test_changelist_add_and_change_pages_render(editor_client, content, model):
    assert model.objects.exists()
    response = editor_client.get(admin_url(model, "changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_count == model.objects.count()

    assert editor_client.get(admin_url(model, "add")).status_code == 200

    for obj in model.objects.all():
        response = editor_client.get(admin_url(model, "change", obj.pk))
        assert response.status_code == 200, obj
        assert response.context["original"] == obj


@pytest.mark.parametrize("model", CONTENT_MODELS, ids=lambda m: m.__name__)
def test_every_filter_choice_and_search_renders(editor_client, content, editor, rf, model):
    """Walk every choice of every list filter, as an editor clicking down the sidebar would."""
    model_admin = admin.site._registry[model]
    assert model_admin.search_fields, f"{model.__name__} has no search"
    changelist = admin_url(model, "changelist")

    response = editor_client.get(changelist, {"q": "a"})
    assert response.status_code == 200
    response = editor_client.get(changelist, {"q": "no such words anywhere"})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 0

    request = rf.get(changelist)
    request.user = editor
    cl = model_admin.get_changelist_instance(request)
    assert isinstance(cl, ChangeList)
    urls = [
        choice["query_string"]
        for spec in cl.filter_specs
        for choice in spec.choices(cl)
        if choice["query_string"] != "?"
    ]
    if model_admin.list_filter:
        assert urls
    for query_string in urls:
        response = editor_client.get(changelist + query_string)
        # An invalid lookup makes the admin redirect to ?e=1 instead of filtering.
        assert response.status_code == 200, query_string


def test_interview_filters_narrow_the_list(editor_client, content):
    url = admin_url(Interview, "changelist")
    titles = lambda r: {i.title for i in r.context["cl"].result_list}  # noqa: E731

    assert titles(editor_client.get(url, {"status__exact": "draft"})) == {"A draft interview"}
    assert titles(editor_client.get(url, {"visibility": "live"})) == {
        "Ada Lovelace on social media"
    }
    by_theme = editor_client.get(url, {"themes__id__exact": content["theme"].pk})
    assert titles(by_theme) == {"Ada Lovelace on social media"}
    by_platform = editor_client.get(url, {"platforms__id__exact": content["platform"].pk})
    assert titles(by_platform) == {"Ada Lovelace on social media"}
    by_series = editor_client.get(url, {"series__id__exact": content["series"].pk})
    assert titles(by_series) == {"Ada Lovelace on social media"}
    by_leader_search = editor_client.get(url, {"q": "Lovelace"})
    assert titles(by_leader_search) == {"Ada Lovelace on social media"}


def test_interview_list_shows_counts_and_live_state(editor_client, content):
    response = editor_client.get(admin_url(Interview, "changelist"))
    rows = {i.title: i for i in response.context["cl"].result_list}
    assert rows["Ada Lovelace on social media"]._answer_count == 2
    assert rows["Ada Lovelace on social media"]._comment_count == 1
    assert rows["A draft interview"]._answer_count == 0
    html = response.content.decode()
    assert '<td class="field-state">Live</td>' in html  # one "status" column says it all
    assert '<td class="field-state">Draft</td>' in html


def test_scheduled_and_expired_filters(editor_client):
    now = timezone.now()
    f.interview(title="Scheduled", publish_at=now + timedelta(days=2))
    f.interview(title="Expired", unpublish_at=now - timedelta(hours=1))
    f.interview(title="Live")
    url = admin_url(Interview, "changelist")
    for value, expected in [("scheduled", "Scheduled"), ("expired", "Expired"), ("live", "Live")]:
        result = editor_client.get(url, {"visibility": value}).context["cl"].result_list
        assert [i.title for i in result] == [expected]


def test_post_filters_by_tag_and_author(editor_client, content):
    f.post(title="Untagged post")
    url = admin_url(Post, "changelist")
    tag_id = content["post"].tags.get(name="councils").pk
    result = editor_client.get(url, {"tags__id__exact": tag_id}).context["cl"].result_list
    assert [p.title for p in result] == ["Why councils should tweet"]
    result = (
        editor_client.get(url, {"author__id__exact": content["author"].pk})
        .context["cl"]
        .result_list
    )
    assert [p.title for p in result] == ["Why councils should tweet"]
    html = editor_client.get(url).content.decode()
    assert "councils, twitter" in html
    assert "(1 awaiting moderation)" in html


def test_comment_list_columns_and_filters(editor_client, content):
    url = admin_url(Comment, "changelist")
    response = editor_client.get(url, {"status__exact": "pending"})
    assert [c.name for c in response.context["cl"].result_list] == ["Pending Reader"]
    html = response.content.decode()
    assert "Why councils should tweet" in html
    assert admin_url(Post, "change", content["post"].pk) in html

    pingbacks = editor_client.get(url, {"kind__exact": "pingback"}).context["cl"].result_list
    assert [c.name for c in pingbacks] == ["Another blog"]
    on_interviews = editor_client.get(url, {"on": "interview"}).context["cl"].result_list
    assert [c.name for c in on_interviews] == ["Interview Reader"]


def test_comment_sender_details_are_shown_to_editors(editor_client, content):
    response = editor_client.get(admin_url(Comment, "change", content["pending"].pk))
    html = response.content.decode()
    assert "pending@example.com" in html
    assert "203.0.113.7" in html


@pytest.mark.parametrize(
    "action, status, message",
    [
        ("approve", Comment.Status.APPROVED, "2 comments approved."),
        ("mark_spam", Comment.Status.SPAM, "2 comments marked as spam."),
        ("remove", Comment.Status.REMOVED, "2 comments removed."),
    ],
)
def test_bulk_moderation_actions(editor_client, content, action, status, message):
    second = f.comment(post=content["post"], name="Second", status=Comment.Status.PENDING)
    untouched = content["approved"]
    selected = [content["pending"].pk, second.pk]
    if status == Comment.Status.APPROVED:
        selected.append(untouched.pk)  # already approved: selected but not counted as changed
    response = editor_client.post(
        admin_url(Comment, "changelist"),
        {"action": action, "_selected_action": selected},
        follow=True,
    )
    assert response.status_code == 200
    assert message in [str(m) for m in response.context["messages"]]
    for pk in (content["pending"].pk, second.pk):
        assert Comment.objects.get(pk=pk).status == status
    assert Comment.objects.get(pk=untouched.pk).status == Comment.Status.APPROVED


def test_single_comment_action_message_is_singular(editor_client, content):
    response = editor_client.post(
        admin_url(Comment, "changelist"),
        {"action": "approve", "_selected_action": [content["pending"].pk]},
        follow=True,
    )
    assert "1 comment approved." in [str(m) for m in response.context["messages"]]


def test_forget_sender_details(editor_client, content):
    editor_client.post(
        admin_url(Comment, "changelist"),
        {"action": "forget_sender", "_selected_action": [content["pending"].pk]},
    )
    content["pending"].refresh_from_db()
    assert content["pending"].ip_address is None
    assert content["pending"].body == "A comment."


def test_publish_and_draft_actions(editor_client, content):
    draft = content["draft"]
    editor_client.post(
        admin_url(Interview, "changelist"), {"action": "publish", "_selected_action": [draft.pk]}
    )
    draft.refresh_from_db()
    assert draft.status == Status.PUBLISHED
    editor_client.post(
        admin_url(Interview, "changelist"),
        {"action": "make_draft", "_selected_action": [draft.pk]},
    )
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_pending_count_on_admin_index(editor_client, content):
    f.comment(interview=content["interview"], status=Comment.Status.PENDING)
    f.comment(post=content["post"], status=Comment.Status.SPAM)
    html = editor_client.get(reverse("admin:index")).content.decode()
    assert "2 comments awaiting moderation" in html
    assert f"{admin_url(Comment, 'changelist')}?status__exact=pending" in html


def test_admin_index_when_nothing_awaits_moderation(editor_client):
    f.comment(status=Comment.Status.APPROVED)
    html = editor_client.get(reverse("admin:index")).content.decode()
    assert "No comments awaiting moderation" in html
    assert "awaiting moderation</strong>" not in html


def test_pending_count_hidden_from_staff_who_cannot_moderate(client, django_user_model):
    f.comment(status=Comment.Status.PENDING)
    staff = django_user_model.objects.create_user("intern", password="x", is_staff=True)
    client.force_login(staff)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert "awaiting moderation" not in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        reverse("admin:index"),
        admin_url(Interview, "changelist"),
        admin_url(Comment, "changelist"),
        admin_url(Post, "add"),
    ],
)
def test_non_staff_and_anonymous_are_refused(client, django_user_model, url):
    f.comment(status=Comment.Status.PENDING)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))

    reader = django_user_model.objects.create_user("reader", password="x")
    client.force_login(reader)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert b"awaiting moderation" not in response.content


def test_view_on_site_leads_to_public_page(editor_client, content):
    for key in ("interview", "leader", "series", "platform", "theme", "question", "post"):
        obj = content[key]
        ct = ContentType.objects.get_for_model(obj)
        shortcut = reverse("admin:view_on_site", args=[ct.pk, obj.pk])
        html = editor_client.get(admin_url(type(obj), "change", obj.pk)).content.decode()
        assert shortcut in html, key
        response = editor_client.get(shortcut)
        assert response.status_code == 302
        assert response["Location"].endswith(obj.get_absolute_url()), key


# --- Writing an interview with its answers inline ----------------------------------------------


def management(prefix, total, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def interview_form(leader, series, **overrides):
    data = {
        "title": "Grace Hopper on leading in the open",
        "slug": "grace-hopper-on-leading-in-the-open",
        "leader": str(leader.pk),
        "series": str(series.pk),
        "series_order": "2",
        "standfirst": "Why she writes in public.",
        "status": "published",
        "publish_at_0": "2024-03-01",
        "publish_at_1": "09:00:00",
        "unpublish_at_0": "",
        "unpublish_at_1": "",
        "introduction": "Grace is a *leader*.",
        "closing": "",
        "themes": "Being human, Learning",
        "video_url": "",
        "image_alt": "",
        **management("answers", 0),
        **management("platform_uses", 0),
        **management("quotes", 0),
    }
    data.update(overrides)
    return data


def test_add_interview_with_answers_inline_in_order(editor_client, content):
    leader = f.leader(name="Grace Hopper")
    advice, use = (
        Question.objects.get(slug="advice"),
        Question.objects.get(slug="use"),
    )
    twitter = content["platform"]
    data = interview_form(
        leader,
        content["series"],
        **management("answers", 2),
        **{
            "answers-0-order": "1",
            "answers-0-question": str(advice.pk),
            "answers-0-asked_as": "What would you tell other leaders?",
            "answers-0-body": "Start.\n\n- listen\n- reply",
            "answers-1-order": "2",
            "answers-1-question": str(use.pk),
            "answers-1-asked_as": "",
            "answers-1-body": "Every day.",
        },
        **management("platform_uses", 1),
        **{"platform_uses-0-platform": str(twitter.pk), "platform_uses-0-is_favourite": "on"},
        **management("quotes", 1),
        **{"quotes-0-text": "Start.", "quotes-0-order": "0"},
    )
    response = editor_client.post(admin_url(Interview, "add"), data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""

    interview = Interview.objects.get(slug="grace-hopper-on-leading-in-the-open")
    answers = list(interview.answers.order_by("order"))
    assert [a.question for a in answers] == [advice, use]
    assert answers[0].question_text == "What would you tell other leaders?"
    assert answers[1].question_text == use.text
    assert "<li>listen</li>" in answers[0].body_html
    assert interview.introduction_html == "<p>Grace is a <em>leader</em>.</p>"
    assert sorted(interview.themes.names()) == ["Being human", "Learning"]
    # "Being human" already existed: picked, not duplicated.
    assert Theme.objects.filter(name="Being human").count() == 1
    assert interview.platform_uses.get().is_favourite
    quote = interview.quotes.get()
    assert quote.leader == leader  # quotes are attributed to the interview's leader
    assert interview.publish_at.isoformat().startswith("2024-03-01T09:00")


def test_two_answers_to_one_question_is_a_form_error(editor_client, content):
    leader = f.leader()
    q = content["question"]
    data = interview_form(
        leader,
        content["series"],
        **management("answers", 2),
        **{
            "answers-0-order": "1",
            "answers-0-question": str(q.pk),
            "answers-0-body": "One.",
            "answers-1-order": "2",
            "answers-1-question": str(q.pk),
            "answers-1-body": "Two.",
        },
    )
    response = editor_client.post(admin_url(Interview, "add"), data)
    assert response.status_code == 200
    assert not Interview.objects.filter(slug=data["slug"]).exists()
    assert "Please correct the duplicate data for question" in response.content.decode()


def test_two_favourite_platforms_is_a_form_error(editor_client, content):
    linkedin = Platform.objects.get(slug="linkedin")
    data = interview_form(
        f.leader(),
        content["series"],
        **management("platform_uses", 2),
        **{
            "platform_uses-0-platform": str(content["platform"].pk),
            "platform_uses-0-is_favourite": "on",
            "platform_uses-1-platform": str(linkedin.pk),
            "platform_uses-1-is_favourite": "on",
        },
    )
    response = editor_client.post(admin_url(Interview, "add"), data)
    assert response.status_code == 200
    assert "Only one platform can be the leader" in response.content.decode()
    assert not Interview.objects.filter(slug=data["slug"]).exists()


def test_series_order_taken_is_a_form_error(editor_client, content):
    data = interview_form(f.leader(), content["series"], series_order="1")
    response = editor_client.post(admin_url(Interview, "add"), data)
    assert response.status_code == 200
    assert not Interview.objects.filter(slug=data["slug"]).exists()


def test_change_interview_page_lists_answers_in_order_and_shows_each_quotes_question(
    editor_client, content
):
    interview = content["interview"]
    response = editor_client.get(admin_url(Interview, "change", interview.pk))
    formsets = {fs.formset.prefix: fs.formset for fs in response.context["inline_admin_formsets"]}
    assert [form.instance.order for form in formsets["answers"].initial_forms] == [1, 2]
    # A quote names the answer it comes from by that answer's question.
    quote_form = formsets["quotes"].forms[0]
    assert quote_form.initial["from_question"] == content["answer"].question_id


def test_quote_answer_must_belong_to_its_interview(editor_client, content):
    other = f.answer()
    response = editor_client.post(
        admin_url(Quote, "add"),
        {
            "text": "Mismatched",
            "leader": str(content["leader"].pk),
            "interview": str(content["interview"].pk),
            "answer": str(other.pk),
            "order": "0",
        },
    )
    assert response.status_code == 200
    assert "This answer belongs to another interview." in response.content.decode()
    assert not Quote.objects.filter(text="Mismatched").exists()


def test_autocomplete_endpoints_answer(editor_client, content):
    """Leader, series, question and author are picked by autocomplete: their searches work."""
    for app, model, field, term, expected in [
        ("interviews", "interview", "leader", "Lovel", "Ada Lovelace OBE"),
        ("interviews", "interview", "series", "Social", "#SocialLeaders"),
        ("interviews", "answer", "question", "advice", "What advice would you give?"),
        ("blog", "post", "author", "Hopper", "Grace Hopper"),
    ]:
        response = editor_client.get(
            reverse("admin:autocomplete"),
            {"app_label": app, "model_name": model, "field_name": field, "term": term},
        )
        assert response.status_code == 200, (model, field)
        assert [r["text"] for r in response.json()["results"]] == [expected]


# --- Bounded queries ---------------------------------------------------------------------------


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def make_interviews(n, series, theme, platform):
    for _ in range(n):
        interview = f.interview(series=series)
        interview.themes.add(theme)
        f.uses(interview, platform, favourite=True)
        f.answer(interview=interview)
        f.comment(interview=interview, status=Comment.Status.PENDING)


def test_interview_changelist_queries_do_not_grow_with_rows(editor_client):
    series, theme, platform = f.series(), Theme.objects.create(name="T", slug="t"), f.platform()
    url = admin_url(Interview, "changelist")
    make_interviews(3, series, theme, platform)
    few = count_queries(editor_client, url)
    make_interviews(27, series, theme, platform)
    many = count_queries(editor_client, url)
    assert many == few
    assert few < 20


def test_comment_and_post_changelist_queries_do_not_grow_with_rows(editor_client):
    def make(n):
        for _ in range(n):
            post = f.post()
            post.tags.add("a", "b")
            f.comment(post=post, status=Comment.Status.PENDING)
            f.comment(interview=f.interview())

    make(3)
    few = {m: count_queries(editor_client, admin_url(m, "changelist")) for m in (Comment, Post)}
    make(27)
    many = {m: count_queries(editor_client, admin_url(m, "changelist")) for m in (Comment, Post)}
    assert many == few
    assert all(count < 20 for count in few.values())


def test_interview_change_page_queries_are_bounded(editor_client, content):
    interview = content["interview"]
    url = admin_url(Interview, "change", interview.pk)
    few = count_queries(editor_client, url)
    for i in range(8):
        f.quote(interview=interview, text=f"Another quote {i}")
        f.uses(interview, f.platform())
    many = count_queries(editor_client, url)
    assert many == few


# --- Moderation goes through the comments app; bulk changes reach the page cache ---------------


def test_approving_tells_followers_once_committed(
    editor_client, content, mailoutbox, django_capture_on_commit_callbacks
):
    from comments.models import Subscription

    post = content["post"]
    Subscription.objects.create(email="fan@example.com", post=post, confirmed_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(
            admin_url(Comment, "changelist"),
            {"action": "approve", "_selected_action": [content["pending"].pk]},
        )
    assert [m.to for m in mailoutbox] == [["fan@example.com"]]
    assert "Why councils should tweet" in mailoutbox[0].subject


def test_approving_on_the_change_page_also_tells_followers(
    editor_client, content, mailoutbox, django_capture_on_commit_callbacks
):
    from comments.models import Subscription

    pending = content["pending"]
    Subscription.objects.create(
        email="fan@example.com", post=content["post"], confirmed_at=timezone.now()
    )
    url = admin_url(Comment, "change", pending.pk)
    data = {
        "post": str(content["post"].pk),
        "interview": "",
        "parent": "",
        "status": "approved",
        "kind": "comment",
        "name": pending.name,
        "website": "",
        "body": "Edited by the editor.",
        "created_at_0": "2024-03-01",
        "created_at_1": "10:00:00",
        "moderation_note": "",
        "email": pending.email,
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(url, data)
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == Comment.Status.APPROVED
    assert pending.body == "Edited by the editor."
    assert pending.ip_address == "203.0.113.7"  # read-only in the form: kept
    assert len(mailoutbox) == 1


@pytest.mark.parametrize(
    "model, action, key",
    [
        (Interview, "publish", "draft"),
        (Interview, "make_draft", "interview"),
        (Comment, "remove", "approved"),
        (Comment, "approve", "pending"),
    ],
)
def test_bulk_actions_make_cached_pages_stale(editor_client, content, model, action, key):
    """update() sends no signals: the actions make stale the pages that show what they changed."""
    from socialleaders.cache import tag_versions
    from socialleaders.cachetags import children_tag, object_tag

    row = content[key]
    # A comment is shown on its piece's page and counted on its cards; an interview on its own.
    shown_on = children_tag(row.target) if model is Comment else object_tag(row)
    before = tag_versions([shown_on], shared=True)[shown_on]
    editor_client.post(
        admin_url(model, "changelist"), {"action": action, "_selected_action": [row.pk]}
    )
    assert tag_versions([shown_on], shared=True)[shown_on] != before


@pytest.mark.parametrize("model", CONTENT_MODELS, ids=lambda m: m.__name__)
def test_list_queryset_can_be_locked_by_actions(rf, editor, content, model):
    """Actions get the list's queryset; PostgreSQL refuses FOR UPDATE on a GROUP BY query, so the
    list's counts must not add one. (of=self: joined, nullable relations are not locked.)"""
    from django.db import transaction

    request = rf.get("/")
    request.user = editor
    queryset = admin.site._registry[model].get_queryset(request)
    with transaction.atomic():
        assert len(list(queryset.select_for_update(of=("self",)))) == model.objects.count()


def test_a_web_address_typed_without_its_scheme_is_taken_as_https(editor_client):
    response = editor_client.post(
        reverse("admin:blog_author_add"),
        {"name": "Shirley Ayres", "slug": "shirley-ayres", "website": "shirleyayres.example.org"},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Author.objects.get(slug="shirley-ayres").website == "https://shirleyayres.example.org"
