from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q

from .paths import MAX_LENGTH, is_local, key_or_none


class Redirect(models.Model):
    """An old address and what it answers now: 301 to a new address, or 410 Gone.

    A redirect to a piece of the site keeps the piece (content type and id) as well as its
    address, so that when the piece moves again the redirect follows it."""

    class Status(models.IntegerChoices):
        MOVED = 301, "301 Moved permanently"
        GONE = 410, "410 Gone"

    class Source(models.TextChoices):
        MANUAL = "manual", "Added by an editor"
        SLUG = "slug", "Slug change"
        WORDPRESS = "wordpress", "WordPress import"
        CSV = "csv", "CSV import"

    old_path = models.CharField(
        "old address",
        max_length=MAX_LENGTH,
        unique=True,
        help_text="The path readers may still ask for, e.g. /2014/05/12/my-post/ or /?p=123. "
        "Stored in one spelling: lower case, decoded, without the trailing slash.",
    )
    target_path = models.CharField(
        "new address",
        max_length=MAX_LENGTH,
        blank=True,
        help_text="A path on this site (/blog/my-post/) or a full https:// address. "
        "Empty for 410 Gone. Kept up to date when it is a piece of the site that moves.",
    )
    # The key of ``target_path`` when it is on this site: finds the redirects to collapse.
    target_key = models.CharField(max_length=MAX_LENGTH, blank=True, editable=False)
    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, null=True, blank=True, editable=False
    )
    object_id = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    target = GenericForeignKey("content_type", "object_id")
    status = models.PositiveSmallIntegerField(choices=Status.choices, default=Status.MOVED)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.MANUAL)
    hits = models.PositiveBigIntegerField(default=0, editable=False)
    last_hit_at = models.DateTimeField("last hit", null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["old_path"]
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="redirect_target_object_idx"),
            models.Index(fields=["target_key"], name="redirect_target_key_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=410) | ~Q(target_path=""), name="redirect_moved_has_target"
            ),
            models.CheckConstraint(
                condition=Q(status__in=[301, 410]), name="redirect_status_301_or_410"
            ),
        ]

    def __str__(self):
        if self.status == self.Status.GONE:
            return f"{self.old_path} → 410 Gone"
        return f"{self.old_path} → {self.target_path}"

    def save(self, *args, **kwargs):
        self.target_key = target_key_for(self.target_path)
        super().save(*args, **kwargs)


def target_key_for(target_path):
    return (key_or_none(target_path) or "") if target_path and is_local(target_path) else ""
