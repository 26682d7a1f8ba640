"""The editorial record: who published what and when, and interviewees' approval links."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.db import models
from django.utils import timezone

APPROVAL_SALT = "editorial.approval-link"


class PublicationRecord(models.Model):
    """One publishing decision: an item published, scheduled or returned to draft, by whom."""

    class Action(models.TextChoices):
        PUBLISHED = "published", "Published"
        SCHEDULED = "scheduled", "Scheduled"
        UNPUBLISHED = "unpublished", "Returned to draft"

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    item = GenericForeignKey("content_type", "object_id")
    title = models.CharField(max_length=200, help_text="The item's title at the time.")
    action = models.CharField(max_length=12, choices=Action.choices)
    publish_at = models.DateTimeField(
        null=True, blank=True, help_text="The publish date the item had when this was done."
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="publication_records",
    )
    at = models.DateTimeField(default=timezone.now, db_index=True)
    how = models.CharField(max_length=40, blank=True, help_text="e.g. bulk action, edit form.")

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "-at"], name="pubrec_item")]
        verbose_name = "publication record"

    def __str__(self):
        who = self.user or "someone"
        return f"{self.title}: {self.get_action_display().lower()} by {who}"


def _hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def default_expiry():
    days = getattr(settings, "EDITORIAL_APPROVAL_LINK_DAYS", 7)
    return timezone.now() + timedelta(days=days)


class ApprovalLinkQuerySet(models.QuerySet):
    def from_signed(self, signed):
        """The link a signed token stands for, or None if it was tampered with or is unknown."""
        try:
            token = signing.Signer(salt=APPROVAL_SALT).unsign(signed)
        except signing.BadSignature:
            return None
        return self.filter(token_hash=_hash(token)).select_related("interview").first()


class ApprovalLink(models.Model):
    """A secret link that lets an interviewee read their interview before it is published and
    approve it or send comments. Only a hash of its token is stored: the link itself is shown
    once, to the editor who creates it."""

    interview = models.ForeignKey(
        "interviews.Interview", on_delete=models.CASCADE, related_name="approval_links"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    note = models.CharField(
        max_length=200, blank=True, help_text="For editors: who the link was sent to."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(default=default_expiry)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by_name = models.CharField(max_length=120, blank=True)

    objects = ApprovalLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Approval link for {self.interview} ({self.state_label})"

    @classmethod
    def create_for(cls, interview, user, **kwargs):
        """Make a link; returns (link, signed token for the URL)."""
        token = secrets.token_urlsafe(32)
        link = cls.objects.create(
            interview=interview, token_hash=_hash(token), created_by=user, **kwargs
        )
        return link, signing.Signer(salt=APPROVAL_SALT).sign(token)

    def is_expired(self, now=None):
        return (now or timezone.now()) >= self.expires_at

    @property
    def state(self):
        if self.approved_at:
            return "approved"
        if self.revoked_at:
            return "revoked"
        if self.is_expired():
            return "expired"
        return "open"

    @property
    def state_label(self):
        return {
            "approved": "approved",
            "revoked": "revoked",
            "expired": "expired",
            "open": "waiting",
        }[self.state]

    def revoke(self, user):
        if not self.revoked_at:
            self.revoked_at = timezone.now()
            self.revoked_by = user
            self.save(update_fields=["revoked_at", "revoked_by"])


class ApprovalEvent(models.Model):
    """Everything that happens on an approval link: each opening, comments sent, the approval."""

    class Kind(models.TextChoices):
        OPENED = "opened", "Opened"
        COMMENTED = "commented", "Sent comments"
        APPROVED = "approved", "Approved"

    link = models.ForeignKey(ApprovalLink, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    at = models.DateTimeField(default=timezone.now)
    name = models.CharField(max_length=120, blank=True)
    message = models.TextField(blank=True)
    user_agent = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"


class PendingChanges(models.Model):
    """A draft of a live piece: the edit form as the editor last saved it, kept apart from the
    live rows (which readers see) until "Publish changes" applies it (docs/editorial.md)."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    item = GenericForeignKey("content_type", "object_id")
    data = models.JSONField(help_text="The form's fields, each a list of values, as posted.")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who saved the draft last.",
    )
    updated_at = models.DateTimeField(default=timezone.now)
    # Scheduled changes: the draft goes live on its own at this time (editorial.drafts).
    go_live_at = models.DateTimeField(
        "changes go live at",
        null=True,
        blank=True,
        db_index=True,
        help_text="Empty: the draft waits until an editor publishes it.",
    )
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who scheduled the changes: they are published in that editor's name.",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id"], name="one_draft_per_item")
        ]
        verbose_name = "draft of a live piece"
        verbose_name_plural = "drafts of live pieces"

    def __str__(self):
        return f"Draft of {self.content_type.name} {self.object_id}"

    @classmethod
    def for_item(cls, obj):
        return cls.objects.filter(
            content_type=ContentType.objects.get_for_model(obj, for_concrete_model=True),
            object_id=obj.pk,
        ).first()
