"""Write parsed exports to the database, idempotently by natural key (docs/importing.md); what
is already there is left as it is. The caller runs ``write()`` in one transaction."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone
from django.utils.text import slugify

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
    ThemedInterview,
)
from socialleaders.publishing import Status
from socialleaders.transactions import changing_a_lot

from .base import Note
from .posts import ParsedPosts
from .series import ParsedSeries

KINDS = (
    "series",
    "questions",
    "platforms",
    "leaders",
    "interviews",
    "answers",
    "quotes",
    "themes",
    "themed interviews",
    "authors",
    "posts",
    "comments",
    "replies",
    "pingbacks",
)
STEP = timedelta(minutes=1)


@dataclass
class ImportResult:
    created: Counter = field(default_factory=Counter)
    existing: Counter = field(default_factory=Counter)
    titles: dict = field(default_factory=lambda: {"interviews": [], "posts": []})
    notes: list[Note] = field(default_factory=list)

    def count(self, kind, created):
        (self.created if created else self.existing)[kind] += 1
        return created


def write(parsed_files, now=None):
    # A bulk write: one site-wide page-cache invalidation, no newsletter job per piece.
    with changing_a_lot():
        return _write(parsed_files, now)


def _write(parsed_files, now=None):
    now = now or timezone.now()
    result = ImportResult()
    platforms = {}
    authors = {}
    interview_time = now
    post_time = now
    for parsed in parsed_files:
        result.notes.extend(parsed.notes)
        if isinstance(parsed, ParsedSeries):
            interview_time = _write_series(result, parsed, platforms, interview_time)
        elif isinstance(parsed, ParsedPosts):
            post_time = _write_posts(result, parsed, post_time, authors)
        result.notes.append(
            Note(
                parsed.path,
                None,
                "publish dates are not in the export: set from the "
                f"import time ({timezone.localtime(now):%Y-%m-%d %H:%M}), one minute apart, "
                "keeping the file's order (newest first)",
            )
        )
    result.notes.sort(key=lambda n: (n.path.name, n.line or 0))
    return result


def _fit(model, field, text):
    """Text cut to the model field's length."""
    return text[: model._meta.get_field(field).max_length]


def _platform(result, platforms, name):
    if name not in platforms:
        platform, created = Platform.objects.get_or_create(
            slug=slugify(name), defaults={"name": name}
        )
        result.count("platforms", created)
        platforms[name] = platform
    return platforms[name]


def _write_series(result, parsed, platforms, when):
    series, created = Series.objects.get_or_create(
        slug=parsed.slug,
        defaults={
            "title": parsed.title,
            "introduction": parsed.introduction,
            "summary": parsed.summary,
        },
    )
    result.count("series", created)
    questions = {}
    for q in parsed.questions:
        question, created = Question.objects.get_or_create(
            slug=q.slug, defaults={"text": q.text, "label": q.label, "order": q.order}
        )
        result.count("questions", created)
        if not created and question.text != q.text:
            result.notes.append(
                Note(
                    parsed.path,
                    None,
                    f"the “{question.label}” question keeps the wording "
                    f"already in the database (“{question.text}”); the export most often asks "
                    f"“{q.text}”",
                )
            )
        questions[q.slug] = question

    interviews = {}
    new_interviews = set()
    for item in parsed.interviews:
        pl = item.leader
        leader, created = Leader.objects.get_or_create(
            slug=pl.slug,
            defaults={
                "name": pl.name,
                "honours": pl.honours,
                "role": _fit(Leader, "role", pl.role),
                "organisation": _fit(Leader, "organisation", pl.organisation),
                "website": pl.website,
            },
        )
        result.count("leaders", created)
        if created:
            for platform_name, handle, url in pl.accounts:
                SocialAccount.objects.get_or_create(
                    leader=leader,
                    platform=_platform(result, platforms, platform_name),
                    handle=handle,
                    defaults={"url": url},
                )
        interview = Interview.objects.filter(slug=item.slug).first()
        if interview is not None:
            result.count("interviews", False)
            result.existing["answers"] += interview.answers.count()
            interviews[item.slug] = interview
            when -= STEP
            continue
        order = item.series_order
        if Interview.objects.filter(series=series, series_order=order).exists():
            result.notes.append(
                Note(
                    parsed.path,
                    item.line,
                    f"place {order} in “{series}” is "
                    f"taken; {item.title} added without a place in the series",
                )
            )
            order = None
        interview = Interview.objects.create(
            series=series,
            series_order=order,
            leader=leader,
            title=item.title,
            slug=item.slug,
            introduction=item.introduction,
            closing=item.closing,
            video_mentioned=item.video_mentioned,
            image_alt=_fit(Interview, "image_alt", item.image_caption),
            status=Status.PUBLISHED,
            publish_at=when,
        )
        when -= STEP
        result.count("interviews", True)
        result.titles["interviews"].append(item.title)
        interviews[item.slug] = interview
        new_interviews.add(item.slug)
        for position, answer in enumerate(item.answers, 1):
            Answer.objects.create(
                interview=interview,
                question=questions[answer.question_slug],
                asked_as=_fit(Answer, "asked_as", answer.asked_as),
                body=answer.body,
                order=position,
            )
            result.count("answers", True)
        for name in item.platforms:
            InterviewPlatform.objects.create(
                interview=interview,
                platform=_platform(result, platforms, name),
                is_favourite=name == item.favourite,
            )

    for position, pq in enumerate(parsed.quotes, 1):
        interview = interviews.get(pq.interview_slug)
        answer = None
        if interview is not None and pq.question_slug:
            answer = interview.answers.filter(question__slug=pq.question_slug).first()
        leader = Leader.objects.get(slug=pq.leader_slug)
        _, created = Quote.objects.get_or_create(
            leader=leader,
            text=pq.text,
            defaults={
                "interview": interview,
                "answer": answer,
                "featured": True,
                "order": position,
            },
        )
        result.count("quotes", created)
    _write_themes(result, parsed, interviews, new_interviews)
    return when


def _write_themes(result, parsed, interviews, new_interviews):
    """The summary's findings as themes, each on the interviews of the leaders it names. A theme
    already there keeps its text; links are added only for a new theme or a new interview."""
    by_leader = {item.leader.slug: item.slug for item in parsed.interviews}
    for finding in parsed.findings:
        name = _fit(Theme, "name", finding.name)
        theme = Theme.objects.filter(name__iexact=name).first()
        created = theme is None
        if created:
            theme = Theme.objects.create(name=name, description=finding.description)
        result.count("themes", created)
        for leader_slug in finding.leader_slugs:
            interview_slug = by_leader[leader_slug]
            if created or interview_slug in new_interviews:
                _, linked = ThemedInterview.objects.get_or_create(
                    tag=theme, content_object=interviews[interview_slug]
                )
                result.count("themed interviews", linked)
            else:
                result.count("themed interviews", False)


def _write_posts(result, parsed, when, authors):
    for item in parsed.posts:
        pa = item.author
        if pa.slug not in authors:
            authors[pa.slug], created = Author.objects.get_or_create(
                slug=pa.slug,
                defaults={
                    "name": pa.name,
                    "bio": pa.bio,
                    "is_guest": pa.is_guest,
                    "website": pa.website,
                },
            )
            result.count("authors", created)
        author = authors[pa.slug]
        post = Post.objects.filter(slug=item.slug).first()
        if post is not None and post.title != item.title:
            result.notes.append(
                Note(
                    parsed.path,
                    item.line,
                    f"the address /{item.slug}/ is "
                    f"taken by another post (“{post.title}”); “{item.title}” "
                    "not imported",
                )
            )
            when -= STEP
            continue
        if post is None:
            post = Post.objects.create(
                title=item.title,
                slug=item.slug,
                author=author,
                body=item.body,
                excerpt=item.excerpt,
                image_alt=_fit(Post, "image_alt", item.image_alt),
                status=Status.PUBLISHED,
                publish_at=when,
            )
            result.count("posts", True)
            result.titles["posts"].append(item.title)
        else:
            result.count("posts", False)
        when -= STEP
        moment = post.publish_at
        for comment in item.comments:
            moment += timedelta(seconds=1)
            parent = _comment(result, post, None, comment, moment)
            for reply in comment.replies:
                moment += timedelta(seconds=1)
                _comment(result, post, parent, reply, moment)
    return when


def _comment(result, post, parent, item, moment):
    obj, created = Comment.objects.get_or_create(
        post=post,
        parent=parent,
        kind=item.kind,
        body=item.body,
        defaults={
            "name": _fit(Comment, "name", item.name),
            "status": Comment.Status.APPROVED,
            "by_post_author": item.by_post_author,
            "created_at": moment,
        },
    )
    if item.kind == Comment.Kind.PINGBACK:
        kind = "pingbacks"
    else:
        kind = "replies" if parent else "comments"
    result.count(kind, created)
    return obj
