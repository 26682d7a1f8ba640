import html

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.html import strip_tags
from taggit.managers import TaggableManager

from comments.selectors import approved_comment_count
from images.validation import library_image_fields, require_alt_text
from socialleaders.publishing import Publishable, PublishableQuerySet
from socialleaders.text import render_markdown


class Author(models.Model):
    """Someone who writes for the publication. Guest authors have no login."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="author",
        help_text="Leave empty for a guest author.",
    )
    bio = models.TextField(blank=True, help_text="Markdown.")
    website = models.URLField(blank=True)
    is_guest = models.BooleanField("guest author", default=False)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("blog:author", kwargs={"slug": self.slug})


class PostQuerySet(PublishableQuerySet):
    def with_comment_counts(self):
        return self.annotate(comment_count=approved_comment_count("post"))


class Post(Publishable):
    author = models.ForeignKey(Author, on_delete=models.PROTECT, related_name="posts")
    excerpt = models.TextField(blank=True, help_text="Shown on lists and in feeds.")
    body = models.TextField(help_text="Markdown.")
    body_html = models.TextField(blank=True, editable=False)
    image, image_alt = library_image_fields()
    tags = TaggableManager(blank=True)
    comments_open = models.BooleanField(default=True)

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ["-publish_at"]
        get_latest_by = "publish_at"
        indexes = [
            # Covering: counting the live posts (the blog's paginator) is an index-only scan.
            models.Index(
                fields=["status", "publish_at"], include=["unpublish_at"], name="post_live_idx"
            )
        ]
        permissions = [("publish_post", "Can publish, schedule and unpublish posts")]

    def clean(self):
        super().clean()
        require_alt_text(self, "image", "image_alt")

    def save(self, *args, **kwargs):
        self.body_html = render_markdown(self.body)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("blog:post", kwargs={"slug": self.slug})

    @property
    def excerpt_repeats_opening(self):
        """True when the excerpt is only the body's opening cut short (as the importer makes
        it): the post's page then does not print the same words twice."""
        opening = " ".join(self.excerpt.rstrip("…. ").split())
        body = " ".join(html.unescape(strip_tags(self.body_html)).split())
        return bool(opening) and body.startswith(opening)
