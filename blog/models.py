import html

from django.conf import settings
from django.db import models
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import slugify
from taggit.managers import TaggableManager

from editorial.images import UploadTo, focal_point_field, validate_alt_text, validate_image
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


def approved_comment_count(target="post"):
    """The approved comments (pingbacks not counted) on each row's post or interview
    (``target``), as a correlated subquery.

    Not a JOIN + GROUP BY over every comment: the subquery runs for the rows fetched only (one
    lookup on the (target, status, created) index per row of a page), and a paginator's
    ``COUNT(*)`` leaves it out altogether."""
    approved = (
        Comment.objects.filter(
            **{target: OuterRef("pk")},
            status=Comment.Status.APPROVED,
            kind=Comment.Kind.COMMENT,
        )
        .order_by()
        .values(target)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(approved), 0, output_field=IntegerField())


class PostQuerySet(PublishableQuerySet):
    def with_comment_counts(self):
        return self.annotate(comment_count=approved_comment_count("post"))


class Post(Publishable):
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    author = models.ForeignKey(Author, on_delete=models.PROTECT, related_name="posts")
    excerpt = models.TextField(blank=True, help_text="Shown on lists and in feeds.")
    body = models.TextField(help_text="Markdown.")
    body_html = models.TextField(blank=True, editable=False)
    image = models.ImageField(upload_to=UploadTo("posts"), blank=True, validators=[validate_image])
    image_alt = models.CharField("image description", max_length=200, blank=True)
    image_focus_x = focal_point_field("x")
    image_focus_y = focal_point_field("y")
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

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        validate_alt_text(self)

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.title)[:200]
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


class CommentQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(status=Comment.Status.APPROVED)

    def pending(self):
        return self.filter(status=Comment.Status.PENDING)


class Comment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Awaiting moderation"
        APPROVED = "approved", "Approved"
        SPAM = "spam", "Spam"
        REMOVED = "removed", "Removed"

    class Kind(models.TextChoices):
        COMMENT = "comment", "Comment"
        PINGBACK = "pingback", "Pingback"

    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, related_name="comments", null=True, blank=True
    )
    interview = models.ForeignKey(
        "interviews.Interview",
        on_delete=models.CASCADE,
        related_name="comments",
        null=True,
        blank=True,
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="replies",
        help_text="The comment this one replies to.",
    )
    name = models.CharField(max_length=100)
    email = models.EmailField(blank=True, help_text="Never shown publicly.")
    website = models.URLField(blank=True)
    body = models.TextField()
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.COMMENT)
    by_post_author = models.BooleanField(
        "by the post's author", default=False, help_text="Marked as the author's reply."
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    # What moderation needs to know about the sender; erased once moderation no longer needs it.
    ip_address = models.GenericIPAddressField("IP address", null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    # Set by the comments app (comments/services.py).
    moderation_note = models.CharField(
        "why held",
        max_length=200,
        blank=True,
        help_text="Why the moderation rules held this comment or sent it to spam.",
    )
    edited_at = models.DateTimeField(
        null=True, blank=True, help_text="When the writer last edited the comment."
    )
    followers_notified = models.BooleanField(
        default=False,
        editable=False,
        help_text="Followers of the piece have been emailed about this comment.",
    )

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["post", "status", "created_at"], name="comment_post_status_idx"),
            models.Index(
                fields=["interview", "status", "created_at"], name="comment_iv_status_idx"
            ),
            models.Index(fields=["email", "status"], name="comment_email_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(post__isnull=False) & Q(interview__isnull=True))
                | (Q(post__isnull=True) & Q(interview__isnull=False)),
                name="blog_comment_on_post_or_interview",
            ),
            models.CheckConstraint(
                condition=~Q(parent=models.F("id")), name="blog_comment_not_own_parent"
            ),
        ]

    def __str__(self):
        return f"{self.name} on {self.target}"

    @property
    def target(self):
        """The post or interview this comment is on."""
        return self.post if self.post_id else self.interview

    def get_absolute_url(self):
        return f"{self.target.get_absolute_url()}#comment-{self.pk}"

    @property
    def body_html(self):
        """The body as safe HTML: paragraphs, line breaks, links (rel="nofollow ugc noopener"),
        everything else escaped. See comments/text.py."""
        from comments.text import render_comment

        return render_comment(self.body)
