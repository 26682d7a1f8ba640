from django.conf import settings
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


class ImportRun(models.Model):
    """One WordPress import started from the admin: who, when, which file, how far it has got
    and what it reported. The file waits in ``ImportFilePart`` rows until the job has read it
    (docs/importing.md, "From the admin")."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting for a worker"
        RUNNING = "running", "Running"
        DONE = "done", "Finished"
        FAILED = "failed", "Failed: nothing was changed"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="import_runs", help_text="Who started it.",
    )  # fmt: skip
    file_name = models.CharField(max_length=255)
    file_size = models.PositiveBigIntegerField(default=0, help_text="In bytes.")
    media_folder = models.CharField(
        max_length=255, blank=True,
        help_text="The copy of wp-content/uploads on the server (under WORDPRESS_MEDIA_ROOT).",
    )  # fmt: skip
    dry_run = models.BooleanField(default=False, help_text="Checked and reported, nothing kept.")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    items_total = models.PositiveIntegerField(default=0)
    items_done = models.PositiveIntegerField(default=0)
    wxr_version = models.CharField(max_length=10, blank=True)
    counts = models.JSONField(
        default=dict, blank=True, help_text="Per kind: created, updated, already present."
    )
    report = models.JSONField(
        default=list, blank=True, help_text="[line, message] for each thing left out, "
        "renamed or guessed.",
    )  # fmt: skip
    error = models.TextField(blank=True, help_text="Why it failed, naming the item and line.")
    error_line = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [("import_wordpress", "Can import a WordPress export from the admin")]

    def __str__(self):
        return f"{self.file_name} ({self.get_status_display().lower()})"

    @property
    def finished(self):
        return self.status in (self.Status.DONE, self.Status.FAILED)


class ImportFilePart(models.Model):
    """A piece of an uploaded export (1 MB), kept in the database so that a worker on any
    server can read the file, and nobody can from the public media; removed once read."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="parts")
    number = models.PositiveIntegerField()
    data = models.BinaryField()

    class Meta:
        ordering = ["run", "number"]
        constraints = [
            models.UniqueConstraint(fields=["run", "number"], name="importing_part_once")
        ]

    def __str__(self):
        return f"part {self.number} of {self.run_id}"
