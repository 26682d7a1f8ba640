import logging

from django.core import signing
from django.core.cache import cache
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils import timezone

from .text import render_comment

logger = logging.getLogger(__name__)

SETTINGS_CACHE_KEY = "comments:moderation-settings:v1"


def _lines(text):
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def piece_foreign_keys(related_name):
    """The post and the interview fields of a row that belongs to exactly one piece (see
    ``on_one_piece``). Named by label: content apps build on comments, not the reverse."""
    return tuple(
        models.ForeignKey(
            label, on_delete=models.CASCADE, related_name=related_name, null=True, blank=True
        )
        for label in ("blog.Post", "interviews.Interview")
    )


def on_one_piece(name):
    """The check that a row is on a post or on an interview, never both or neither."""
    return models.CheckConstraint(
        condition=(Q(post__isnull=False) & Q(interview__isnull=True))
        | (Q(post__isnull=True) & Q(interview__isnull=False)),
        name=name,
    )


class OnPiece:
    """A row on a post or an interview (``piece_foreign_keys``)."""

    @property
    def target(self):
        """The post or interview this row is on."""
        return self.post if self.post_id else self.interview

    @property
    def target_kind(self):
        return "post" if self.post_id else "interview"


class ModerationSettings(models.Model):
    """The editors' comment policy: one row, changed in the admin."""

    cache_scope = "site"  # it decides whether every page shows the comment form

    comments_enabled = models.BooleanField(
        "comments open site-wide",
        default=True,
        help_text="Untick to close comments everywhere (existing comments stay visible).",
    )
    interviews_open = models.BooleanField(
        "comments open on interviews",
        default=True,
        help_text="Posts have their own switch; this one is for every interview.",
    )
    close_after_days = models.PositiveIntegerField(
        "close comments after (days)",
        default=0,
        help_text="Close comments automatically this many days after a piece is published. "
        "0 keeps them open.",
    )
    hold_all = models.BooleanField(
        "hold every comment", default=False, help_text="Every comment waits for an editor."
    )
    hold_first_time = models.BooleanField(
        "hold first-time commenters",
        default=True,
        help_text="A commenter whose email already has an approved comment is trusted and "
        "published at once.",
    )
    max_links = models.PositiveSmallIntegerField(
        "hold comments with more than this many links",
        default=2,
    )
    moderation_terms = models.TextField(
        "moderation words",
        blank=True,
        help_text="One per line. A comment whose text, name, email or website contains one "
        "waits for an editor. Plain words match whole words; anything with a dot, @ or / "
        "matches anywhere (e.g. a domain).",
    )
    blocked_terms = models.TextField(
        "blocked words, emails, domains and IP addresses",
        blank=True,
        help_text="One per line. A matching comment goes straight to spam. Same matching as "
        "moderation words; an IP address matches the sender's address.",
    )
    max_depth = models.PositiveSmallIntegerField(
        "reply depth",
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text="How deep replies nest. A reply deeper than this joins the deepest level.",
    )
    notify_editors = models.BooleanField(
        "email editors about comments awaiting moderation",
        default=True,
        help_text="Staff who may change comments, and who have an email address, are told.",
    )
    notify_emails = models.TextField(
        "also email",
        blank=True,
        help_text="More addresses to tell about comments awaiting moderation, one per line.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "comment policy"
        verbose_name_plural = "comment policy"

    def __str__(self):
        return "Comment policy"

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)
        try:
            cache.delete(SETTINGS_CACHE_KEY)
        except Exception:
            logger.exception("could not clear the cached comment policy")

    def delete(self, *args, **kwargs):
        raise ValueError("The comment policy cannot be deleted.")

    @classmethod
    def load(cls):
        """The policy, from the cache when possible (one query at most, 60 seconds stale at
        most in other processes)."""
        try:
            obj = cache.get(SETTINGS_CACHE_KEY)
        except Exception:
            obj = None
        if obj is None:
            obj, _ = cls.objects.get_or_create(pk=1)
            try:
                cache.set(SETTINGS_CACHE_KEY, obj, 60)
            except Exception:
                logger.exception("could not cache the comment policy")
        return obj

    @property
    def moderation_list(self):
        return _lines(self.moderation_terms)

    @property
    def blocked_list(self):
        return _lines(self.blocked_terms)

    @property
    def notify_list(self):
        return _lines(self.notify_emails)


class SubscriptionQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(confirmed_at__isnull=False)

    def for_target(self, target):
        return self.filter(**{target._meta.model_name: target})


class Subscription(OnPiece, models.Model):
    """Someone who asked to be emailed when a piece gets new comments. Confirmed by a link
    emailed to them (so nobody can sign up someone else), ended by a one-click link."""

    email = models.EmailField(db_index=True)
    name = models.CharField(max_length=100, blank=True)
    post, interview = piece_foreign_keys(related_name="comment_subscriptions")
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    objects = SubscriptionQuerySet.as_manager()

    def readers_see(self):
        return False  # followers are private

    class Meta:
        verbose_name = "follower"
        ordering = ["-created_at", "-id"]
        constraints = [
            on_one_piece("comments_subscription_on_post_or_interview"),
            models.UniqueConstraint(fields=["email", "post"], name="comments_follow_post_once"),
            models.UniqueConstraint(
                fields=["email", "interview"], name="comments_follow_interview_once"
            ),
        ]

    def __str__(self):
        return f"{self.email} follows {self.target}"

    @property
    def is_confirmed(self):
        return self.confirmed_at is not None

    def token(self):
        return signing.dumps([self.pk, self.email], salt="comments.subscription", compress=True)

    @classmethod
    def from_token(cls, token):
        """The subscription a token names, or None when the token is forged or the
        subscription is gone."""
        try:
            pk, email = signing.loads(token, salt="comments.subscription")
        except (signing.BadSignature, ValueError, TypeError):
            return None
        return cls.objects.filter(pk=pk, email=email).first()

    def confirm_url(self):
        return reverse("comments:confirm", args=[self.token()])

    def unsubscribe_url(self):
        return reverse("comments:unsubscribe", args=[self.token()])


class CommentQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(status=Comment.Status.APPROVED)

    def pending(self):
        return self.filter(status=Comment.Status.PENDING)


class Comment(OnPiece, models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Awaiting moderation"
        APPROVED = "approved", "Approved"
        SPAM = "spam", "Spam"
        REMOVED = "removed", "Removed"

    class Kind(models.TextChoices):
        COMMENT = "comment", "Comment"
        PINGBACK = "pingback", "Pingback"

    post, interview = piece_foreign_keys(related_name="comments")
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
    # Set by the moderation rules (comments/services.py).
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

    membership_fields = ("status",)

    def readers_see(self):
        return self.status == self.Status.APPROVED

    class Meta:
        db_table = "blog_comment"  # the table it had in the blog app; moved in 0002
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["post", "status", "created_at"], name="comment_post_status_idx"),
            models.Index(
                fields=["interview", "status", "created_at"], name="comment_iv_status_idx"
            ),
            models.Index(fields=["email", "status"], name="comment_email_status_idx"),
            # Whether a commenter is trusted is looked up by email, whatever its case.
            models.Index(Upper("email"), "status", name="comment_email_ci_idx"),
        ]
        constraints = [
            on_one_piece("blog_comment_on_post_or_interview"),
            models.CheckConstraint(
                condition=~Q(parent=models.F("id")), name="blog_comment_not_own_parent"
            ),
        ]

    def __str__(self):
        return f"{self.name} on {self.target}"

    def get_absolute_url(self):
        return f"{self.target.get_absolute_url()}#comment-{self.pk}"

    @property
    def body_html(self):
        """The body as safe HTML: paragraphs, line breaks, links (rel="nofollow ugc noopener"),
        everything else escaped. See comments/text.py."""
        return render_comment(self.body)
