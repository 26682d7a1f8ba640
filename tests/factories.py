"""Small factories for test data: plain functions with sensible defaults, a counter for slugs."""

import itertools
from datetime import timedelta

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
)
from socialleaders.publishing import Status

_seq = itertools.count(1)


def _n():
    return next(_seq)


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
    kw.setdefault("status", Status.PUBLISHED if published else Status.DRAFT)
    kw.setdefault("publish_at", timezone.now() - timedelta(days=1))
    return Interview.objects.create(**kw)


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
    kw.setdefault("status", Status.PUBLISHED if published else Status.DRAFT)
    kw.setdefault("publish_at", timezone.now() - timedelta(days=1))
    return Post.objects.create(**kw)


def comment(**kw):
    if "post" not in kw and "interview" not in kw:
        kw["post"] = post()
    kw.setdefault("name", "A Reader")
    kw.setdefault("email", "reader@example.com")
    kw.setdefault("body", "A comment.")
    kw.setdefault("status", Comment.Status.APPROVED)
    return Comment.objects.create(**kw)
