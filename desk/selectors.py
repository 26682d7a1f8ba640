"""What the desk shows (docs/admin.md, "The desk"): each list is one query with a limit, so the
desk runs the same number of queries whatever the amount of content."""

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Min, Q
from django.urls import reverse
from django.utils import timezone

from blog.models import Post
from comments.models import Comment
from editorial.models import ApprovalEvent, ApprovalLink, PendingChanges
from editorial.roles import can_publish, is_restricted_author
from interviews.models import Interview, Series
from socialleaders.publishing import Status

LIMIT = 8


@dataclass
class Piece:
    kind: str  # "interview" or "post"
    obj: object
    when: object  # publish_at (scheduled), go_live_at (scheduled changes), updated_at (drafts)
    changes: bool = False  # the scheduled changes of a live piece, not the piece itself
    cancellable: bool = False  # scheduled changes the user may cancel (who may schedule them)

    def _admin(self, view):
        opts = self.obj._meta
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=[self.obj.pk])

    @property
    def admin_url(self):
        return self._admin("change")

    @property
    def cancel_schedule_url(self):
        return self._admin("cancel_schedule")


def _can_view(user, model):
    opts = model._meta
    return user.has_perm(f"{opts.app_label}.view_{opts.model_name}")


def _pieces(user, **filters):
    """Interviews and posts matching ``filters`` the user may see (an author: their own, as in
    the admin's lists): one query per model."""
    models = [
        (Interview, "interview", "owner", Interview.objects.select_related("leader")),
        (Post, "post", "author__user", Post.objects.select_related("author")),
    ]
    found = []
    for model, kind, owner, queryset in models:
        if not _can_view(user, model):
            continue
        if is_restricted_author(user, model):
            queryset = queryset.filter(**{owner: user})
        found.append((kind, queryset.filter(**filters)))
    return found


def scheduled(user, now=None):
    """Published items whose time has not come, soonest first."""
    now = now or timezone.now()
    found = [
        Piece(kind, obj, obj.publish_at)
        for kind, queryset in _pieces(user, status=Status.PUBLISHED, publish_at__gt=now)
        for obj in queryset.order_by("publish_at", "pk")[:LIMIT]
    ]
    found += scheduled_changes(user)
    return sorted(found, key=lambda p: p.when)[:LIMIT]


def _changes(user, pending, when):
    """The live pieces of the drafts ``pending`` (PendingChanges) the user may see, each dated
    by its draft's ``when`` and cancellable by those who may publish it: one query per model."""
    by_model = {}
    for draft in pending:
        by_model.setdefault(draft.content_type_id, {})[draft.object_id] = draft
    found = []
    for kind, queryset in _pieces(user):
        drafts_here = by_model.get(ContentType.objects.get_for_model(queryset.model).pk)
        if drafts_here:
            cancellable = when == "go_live_at" and can_publish(user, queryset.model)
            for obj in queryset.filter(pk__in=drafts_here):
                moment = getattr(drafts_here[obj.pk], when)
                found.append(Piece(kind, obj, moment, changes=True, cancellable=cancellable))
    return found


def scheduled_changes(user):
    """Drafts of live pieces scheduled to go live (editorial.drafts), soonest first: one query
    for the drafts, one per model for their pieces (only those the user may see)."""
    pending = list(
        PendingChanges.objects.filter(go_live_at__isnull=False).order_by("go_live_at", "pk")[:LIMIT]
    )
    return _changes(user, pending, "go_live_at") if pending else []


def drafts(user):
    """Drafts, and drafts of live pieces waiting for "Publish changes", the most recently worked
    on first."""
    found = [
        Piece(kind, obj, obj.updated_at)
        for kind, queryset in _pieces(user, status=Status.DRAFT)
        for obj in queryset.order_by("-updated_at", "-pk")[:LIMIT]
    ]
    pending = list(
        PendingChanges.objects.filter(go_live_at__isnull=True).order_by("-updated_at", "-pk")[
            :LIMIT
        ]
    )
    if pending:
        found += _changes(user, pending, "updated_at")
    return sorted(found, key=lambda p: p.when, reverse=True)[:LIMIT]


def approvals(user, now=None):
    """Approval links of interviews not yet live: (waiting, approved). Each link carries
    ``first_opened`` (None until the leader opens it)."""
    if not (_can_view(user, ApprovalLink) and _can_view(user, Interview)):
        return [], []
    now = now or timezone.now()
    not_live = Q(interview__status=Status.DRAFT) | Q(interview__publish_at__gt=now)
    links = (
        ApprovalLink.objects.filter(not_live)
        .select_related("interview__leader", "created_by")
        .annotate(first_opened=Min("events__at", filter=Q(events__kind=ApprovalEvent.Kind.OPENED)))
    )
    waiting = links.filter(
        approved_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
    ).order_by("-created_at", "-pk")[:LIMIT]
    approved = links.filter(approved_at__isnull=False).order_by("-approved_at", "-pk")[:LIMIT]
    return list(waiting), list(approved)


def pending_comments(user):
    """(comments waiting, how many wait in all), or (None, None) for a user who may not
    moderate."""
    if not user.has_perm("comments.change_comment"):
        return None, None
    pending = Comment.objects.pending()
    waiting = pending.select_related("post", "interview").order_by("-created_at", "-pk")[:LIMIT]
    return list(waiting), pending.count()


def series_to_write(user):
    """The series an editor can start the next interview of, newest first."""
    if not user.has_perm("interviews.add_interview"):
        return []
    return list(Series.objects.order_by("-created_at", "-pk")[:3])
