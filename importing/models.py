from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models


class ImportedItem(models.Model):
    """A thing brought in from a WordPress export, by its WordPress ID: what it became here, the
    addresses it had there, and what our models have no field for. A second import finds its
    rows here instead of creating them again (docs/importing.md, "WordPress")."""

    class Kind(models.TextChoices):
        POST = "post", "Post or page"
        ATTACHMENT = "attachment", "Attachment"
        AUTHOR = "author", "Author"
        TERM = "term", "Category or tag"
        COMMENT = "comment", "Comment"

    source = models.CharField(
        max_length=200, help_text="The blog the export came from (its address, no scheme)."
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    wp_id = models.BigIntegerField("WordPress ID")
    guid = models.CharField("GUID", max_length=500, blank=True, db_index=True)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, null=True, blank=True)
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    target = GenericForeignKey("content_type", "object_id")
    old_urls = models.JSONField(
        "old addresses", default=list, blank=True, help_text="Paths it had on the old site."
    )
    extra = models.JSONField(
        default=dict,
        blank=True,
        help_text="What the export holds that our models keep nowhere (email, sticky, "
        "categories, the WordPress status, the stored file of an attachment).",
    )
    checksum = models.CharField(
        max_length=64, blank=True, help_text="Of the item as exported: a change is updated."
    )
    imported_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "imported WordPress item"
        ordering = ["source", "kind", "wp_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "kind", "wp_id"], name="importing_item_once_per_source"
            )
        ]
        indexes = [models.Index(fields=["content_type", "object_id"], name="importing_target_idx")]

    def __str__(self):
        return f"{self.source} {self.kind} {self.wp_id}"
