"""Publishing state shared by everything readers can see (interviews, posts).

Every public read starts from ``Model.objects.published()``: an item is visible only when its
status is published, its publish date has come and its "unpublish after" date (if any) has not.
Scheduling is decided when pages are read, so nothing depends on a cron job.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


def published_q(path="", now=None):
    """The condition "readers can see it" on the item at ``path`` ("" for the rows themselves,
    e.g. "interview" for the interview a row points to). Tested on the joined row, not with
    ``IN (SELECT ...)``, so reads can stop early in index order (docs/benchmarks.md)."""
    now = now or timezone.now()
    prefix = f"{path}__" if path else ""
    return Q(
        Q(**{f"{prefix}unpublish_at__isnull": True}) | Q(**{f"{prefix}unpublish_at__gt": now}),
        **{f"{prefix}status": Status.PUBLISHED, f"{prefix}publish_at__lte": now},
    )


def unpublished_q(path="", now=None):
    """The opposite of ``published_q(path, now)``: drafts, scheduled items and items past their
    unpublish date (``publish_at`` is never null). For a ``path`` through a nullable relation,
    filter out rows without one first: the negation also matches them."""
    now = now or timezone.now()
    prefix = f"{path}__" if path else ""
    return (
        ~Q(**{f"{prefix}status": Status.PUBLISHED})
        | Q(**{f"{prefix}publish_at__gt": now})
        | Q(**{f"{prefix}unpublish_at__lte": now})
    )


_LOOKUPS = {
    "exact": lambda value, other: value == other,
    "lt": lambda value, other: value is not None and value < other,
    "lte": lambda value, other: value is not None and value <= other,
    "gt": lambda value, other: value is not None and value > other,
    "gte": lambda value, other: value is not None and value >= other,
    "isnull": lambda value, other: (value is None) == other,
}


def matches(q, obj):
    """Whether ``obj`` (a loaded row) meets ``q``, evaluated in Python: so an object can be
    tested with the same rule as the queries (only the lookups above, on its own fields)."""
    results = []
    for child in q.children:
        if isinstance(child, Q):
            results.append(matches(child, obj))
        else:
            field, _, lookup = child[0].partition("__")
            results.append(_LOOKUPS[lookup or "exact"](getattr(obj, field), child[1]))
    met = all(results) if q.connector == Q.AND else any(results)
    return not met if q.negated else met


class PublishableQuerySet(models.QuerySet):
    def published(self, now=None):
        return self.filter(published_q(now=now))


def slug_for(title):
    """The slug a piece gets from its title when the editor gives none."""
    return slugify(title)[:200]


class Publishable(models.Model):
    """A piece readers can see once it is published: an interview or a post."""

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    status = models.CharField(
        max_length=10,
        choices=Status.choices,
        default=Status.DRAFT,
        db_index=True,
        help_text="Only published items whose publish date has come are shown to readers.",
    )
    publish_at = models.DateTimeField(
        "publish date",
        default=timezone.now,
        db_index=True,
        help_text="Set a future date to schedule: the item appears on its own at that time.",
    )
    unpublish_at = models.DateTimeField(
        "unpublish after",
        null=True,
        blank=True,
        help_text="Optional: the item disappears from the site after this date.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PublishableQuerySet.as_manager()

    class Meta:
        abstract = True

    # What places an item in lists: a change to these can add, remove or move it (cache tags).
    membership_fields = ("status", "publish_at", "unpublish_at")

    def __str__(self):
        return self.title

    def readers_see(self):
        return self.is_published()

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slug_for(self.title)
        super().save(*args, **kwargs)

    def is_published(self, now=None):
        return matches(published_q(now=now), self)

    is_published.boolean = True
    is_published.short_description = "live"

    @property
    def is_scheduled(self):
        return self.status == Status.PUBLISHED and self.publish_at > timezone.now()

    def status_label(self, now=None):
        """What readers see of it, in the editors' words: "Draft", "Live", "Scheduled for Mon 7
        Dec, 07:00" (site time), "Unpublished since …"."""
        return status_label(self.status, self.publish_at, self.unpublish_at, now)


def when(moment):
    """A moment in the site's time zone as editors read it: "Mon 7 Dec, 07:00" (the year is
    added when it is not the current one)."""
    local = timezone.localtime(moment)
    year = f" {local.year}" if local.year != timezone.localtime().year else ""
    return f"{local:%a} {local.day} {local:%b}{year}, {local:%H:%M}"


def status_label(status, publish_at, unpublish_at=None, now=None):
    now = now or timezone.now()
    if status != Status.PUBLISHED:
        return "Draft"
    if publish_at > now:
        return f"Scheduled for {when(publish_at)}"
    if unpublish_at is not None and unpublish_at <= now:
        return f"Unpublished since {when(unpublish_at)}"
    return "Live"
