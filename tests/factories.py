"""Small factories for test data, one or more for every model of the project: plain functions
with sensible defaults, a counter for slugs."""

import io
import itertools
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from blog.models import Author, Post
from comments.models import Comment, ModerationSettings, Subscription
from editorial.models import ApprovalEvent, ApprovalLink, PendingChanges, PublicationRecord
from images.models import Image
from importing.models import ImportedItem, ImportFilePart, ImportRun
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
    ThemedInterview,
)
from newsletter.models import Delivery, Digest, DigestSettings, Issue, Mailing, Subscriber
from socialleaders.publishing import Status

_seq = itertools.count(1)


def _n():
    return next(_seq)


def _publishable(kw, published):
    """Interviews and posts: published yesterday, or a draft."""
    kw.setdefault("status", Status.PUBLISHED if published else Status.DRAFT)
    kw.setdefault("publish_at", timezone.now() - timedelta(days=1))
    return kw


def staff(username, group=None, **kw):
    """A staff account, in one of the roles' groups (Editor, Author, Moderator) if ``group``."""
    kw.setdefault("password", "correct horse battery")
    user = get_user_model().objects.create_user(username=username, is_staff=True, **kw)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


def leader(**kw):
    n = _n()
    kw.setdefault("name", f"Leader {n}")
    kw.setdefault("slug", f"leader-{n}")
    kw.setdefault("role", "Chief Executive")
    kw.setdefault("organisation", f"Organisation {n}")
    return Leader.objects.create(**kw)


def platform(**kw):
    n = _n()
    kw.setdefault("name", f"Platform {n}")
    kw.setdefault("slug", f"platform-{n}")
    return Platform.objects.create(**kw)


def theme(**kw):
    n = _n()
    kw.setdefault("name", f"Theme {n}")
    kw.setdefault("slug", f"theme-{n}")
    return Theme.objects.create(**kw)


def themed(interview_obj, theme_obj):
    """A theme on an interview (what ``interview.themes.add()`` writes)."""
    return ThemedInterview.objects.create(content_object=interview_obj, tag=theme_obj)


def social_account(**kw):
    if "leader" not in kw:
        kw["leader"] = leader()
    if "platform" not in kw:
        kw["platform"] = platform()
    kw.setdefault("handle", f"@leader{_n()}")
    return SocialAccount.objects.create(**kw)


def series(**kw):
    n = _n()
    kw.setdefault("title", f"Series {n}")
    kw.setdefault("slug", f"series-{n}")
    kw.setdefault("introduction", "Why we asked.")
    return Series.objects.create(**kw)


def question(**kw):
    n = _n()
    kw.setdefault("text", f"Question {n}?")
    kw.setdefault("label", f"Label {n}")
    kw.setdefault("slug", f"question-{n}")
    kw.setdefault("order", n)
    return Question.objects.create(**kw)


def interview(published=True, **kw):
    n = _n()
    kw.setdefault("title", f"Interview {n}")
    kw.setdefault("slug", f"interview-{n}")
    if "leader" not in kw:
        kw["leader"] = leader()
    kw.setdefault("standfirst", "A leader on social media.")
    kw.setdefault("introduction", "An introduction.")
    return Interview.objects.create(**_publishable(kw, published))


def answer(**kw):
    if "interview" not in kw:
        kw["interview"] = interview()
    if "question" not in kw:
        kw["question"] = question()
    kw.setdefault("body", "An answer.")
    return Answer.objects.create(**kw)


def uses(interview_obj, platform_obj, favourite=False):
    return InterviewPlatform.objects.create(
        interview=interview_obj, platform=platform_obj, is_favourite=favourite
    )


def quote(**kw):
    if "leader" not in kw:
        kw["leader"] = kw["interview"].leader if "interview" in kw else leader()
    kw.setdefault("text", f"Quote {_n()}")
    return Quote.objects.create(**kw)


def author(**kw):
    n = _n()
    kw.setdefault("name", f"Author {n}")
    kw.setdefault("slug", f"author-{n}")
    return Author.objects.create(**kw)


def post(published=True, **kw):
    n = _n()
    kw.setdefault("title", f"Post {n}")
    kw.setdefault("slug", f"post-{n}")
    if "author" not in kw:
        kw["author"] = author()
    kw.setdefault("body", "A paragraph.\n\nAnother paragraph.")
    return Post.objects.create(**_publishable(kw, published))


def comment(**kw):
    if "post" not in kw and "interview" not in kw:
        kw["post"] = post()
    kw.setdefault("name", "A Reader")
    kw.setdefault("email", "reader@example.com")
    kw.setdefault("body", "A comment.")
    kw.setdefault("status", Comment.Status.APPROVED)
    return Comment.objects.create(**kw)


def moderation_settings(**changes):
    """The comment policy (one row), with ``changes`` saved."""
    obj = ModerationSettings.load()
    for name, value in changes.items():
        setattr(obj, name, value)
    obj.save()
    return obj


def subscription(confirmed=True, **kw):
    if "post" not in kw and "interview" not in kw:
        kw["post"] = post()
    kw.setdefault("email", f"follower{_n()}@example.org")
    kw.setdefault("confirmed_at", timezone.now() if confirmed else None)
    return Subscription.objects.create(**kw)


def publication_record(item=None, **kw):
    item = item or interview()
    kw.setdefault("content_type", ContentType.objects.get_for_model(item))
    kw.setdefault("object_id", item.pk)
    kw.setdefault("title", item.title)
    kw.setdefault("action", PublicationRecord.Action.PUBLISHED)
    kw.setdefault("publish_at", item.publish_at)
    return PublicationRecord.objects.create(**kw)


def approval_link(interview_obj=None, user=None, **kw):
    """An approval link for a draft interview, made by an editor; returns (link, signed token
    for its URL)."""
    user = user or staff(f"editor-{_n()}", "Editor")
    return ApprovalLink.create_for(interview_obj or interview(published=False), user, **kw)


def pending_changes(item=None, **kw):
    """A draft of a live piece: the form's posted fields (here, only a new title)."""
    item = item or interview()
    kw.setdefault("data", {"title": [f"{item.title}, revised"]})
    return PendingChanges.objects.create(item=item, **kw)


def approval_event(**kw):
    if "link" not in kw:
        kw["link"] = approval_link()[0]
    kw.setdefault("kind", ApprovalEvent.Kind.OPENED)
    return ApprovalEvent.objects.create(**kw)


def redirect(target=None, **kw):
    """An old address leading to a piece (through the service, as importers and slug changes
    make them)."""
    from redirects.services import add_redirect

    return add_redirect(kw.pop("old_path", f"/2014/05/12/old-{_n()}/"), target or post(), **kw)


def imported_item(target=None, **kw):
    """A WordPress import record for a post (by default), with one old address."""
    target = target or post()
    n = _n()
    kw.setdefault("source", "oldblog.example.com")
    kw.setdefault("kind", ImportedItem.Kind.POST)
    kw.setdefault("wp_id", n)
    kw.setdefault("old_urls", [f"/?p={n}"])
    return ImportedItem.objects.create(
        content_type=ContentType.objects.get_for_model(target), object_id=target.pk, **kw
    )


def import_run(**kw):
    """A WordPress import started from the admin, waiting for a worker."""
    kw.setdefault("file_name", f"export-{_n()}.xml")
    kw.setdefault("file_size", 100)
    return ImportRun.objects.create(**kw)


def import_file_part(**kw):
    """A piece of a run's uploaded file."""
    kw.setdefault("run", kw.get("run") or import_run())
    kw.setdefault("number", 1)
    kw.setdefault("data", b"<rss></rss>")
    return ImportFilePart.objects.create(**kw)


def jpeg_bytes(size=(800, 600), color=(200, 30, 40)):
    from PIL import Image as Pillow

    out = io.BytesIO()
    Pillow.new("RGB", size, color).save(out, format="JPEG")
    return out.getvalue()


def image(size=(800, 600), name="photo.jpg", data=None, **kw):
    """A library image, stored (re-encoded) like an upload. Its renditions are made when the
    saving transaction commits (use django_capture_on_commit_callbacks(execute=True))."""
    upload = SimpleUploadedFile(name, data if data is not None else jpeg_bytes(size))
    return Image.objects.create(file=upload, **kw)


def subscriber(**kw):
    """A confirmed newsletter subscriber who wants every new interview."""
    kw.setdefault("email", f"reader{_n()}@example.org")
    kw.setdefault("status", Subscriber.Status.CONFIRMED)
    kw.setdefault("confirmed_at", timezone.now())
    return Subscriber.objects.create(**kw)


def mailing(**kw):
    """A piece's email record (an interview's by default), waiting for it to go live."""
    if "interview" not in kw and "post" not in kw:
        kw["interview"] = interview(published=False)
    return Mailing.objects.create(**kw)


def delivery(**kw):
    if "mailing" not in kw:
        kw["mailing"] = mailing()
    if "subscriber" not in kw:
        kw["subscriber"] = subscriber()
    kw.setdefault("email", kw["subscriber"].email)
    return Delivery.objects.create(**kw)


def issue(**kw):
    """A newsletter issue written in the admin, a draft unless told."""
    kw.setdefault("subject", f"Issue {_n()}")
    kw.setdefault("body", "This week: **three** things worth your time.")
    return Issue.objects.create(**kw)


def digest(**kw):
    """A week's digest record (the week to now unless told)."""
    kw.setdefault("ends_at", timezone.now() - timedelta(minutes=_n()))
    kw.setdefault("starts_at", kw["ends_at"] - timedelta(days=7))
    return Digest.objects.create(**kw)


def digest_settings(**changes):
    config = DigestSettings.load()
    for name, value in changes.items():
        setattr(config, name, value)
    config.save()
    return config
