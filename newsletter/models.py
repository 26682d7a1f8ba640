import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from socialleaders.text import render_markdown


def new_key():
    return secrets.token_urlsafe(24)


class Subscriber(models.Model):
    """A reader who asked for email: what they want, where they stand, and their consent."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending (not confirmed)"
        CONFIRMED = "confirmed", "Confirmed"
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"
        BOUNCED = "bounced", "Bounced"
        COMPLAINED = "complained", "Complained"

    email = models.EmailField(max_length=254)
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    wants_interviews = models.BooleanField("every new interview", default=True)
    wants_blog = models.BooleanField("the blog", default=False)
    wants_digest = models.BooleanField("a weekly digest", default=False)
    source = models.CharField(
        max_length=40, default="form", help_text="How they came: the sign-up form, an import…"
    )
    consent_at = models.DateTimeField("consent given", null=True, blank=True)
    consent_path = models.CharField("consent on page", max_length=300, blank=True)
    consent_text = models.TextField("wording shown", blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    # Stable secret in the manage and unsubscribe links of every email.
    key = models.CharField(max_length=40, unique=True, default=new_key, editable=False)
    # The secret of the latest confirmation link: cleared once used, so a reused link changes
    # nothing.
    confirm_nonce = models.CharField(max_length=40, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="newsletter_subscriber_email_ci"),
        ]

    def __str__(self):
        return self.email

    def wants(self, kind):
        return {"interview": self.wants_interviews, "post": self.wants_blog}[kind]


# What a mailing is the email of: exactly one of these is set.
MAILING_SUBJECTS = ("interview", "post", "issue", "digest")


def _exactly_one(fields):
    return models.Q(
        *[
            models.Q(**{f"{field}__isnull": field != chosen for field in fields})
            for chosen in fields
        ],
        _connector=models.Q.OR,
    )


class Mailing(models.Model):
    """The email of one piece (an interview or a post), of a newsletter issue or of a week's
    digest: whether it goes, and how far it got. Every kind goes out through the same
    Deliveries (tasks.start_mailing, tasks.send_mailing)."""

    class State(models.TextChoices):
        PENDING = "pending", "Waiting for the piece to go live"
        SENDING = "sending", "Sending"
        DONE = "done", "Sent"
        SKIPPED = "skipped", "Not sent (live before the newsletter, or turned off)"

    interview = models.OneToOneField(
        "interviews.Interview",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="newsletter_mailing",
    )
    post = models.OneToOneField(
        "blog.Post",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="newsletter_mailing",
    )
    issue = models.OneToOneField(
        "newsletter.Issue", on_delete=models.CASCADE, null=True, blank=True, related_name="mailing"
    )
    digest = models.OneToOneField(
        "newsletter.Digest", on_delete=models.CASCADE, null=True, blank=True, related_name="mailing"
    )
    send = models.BooleanField(
        "email it to subscribers",
        default=True,
        help_text="Untick before it goes live to publish this piece without an email.",
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=_exactly_one(MAILING_SUBJECTS), name="newsletter_mailing_one_subject"
            )
        ]

    def __str__(self):
        return f"Email of {self.subject}"

    @property
    def piece(self):
        return self.interview or self.post

    @property
    def subject(self):
        """What it is the email of: the piece, the issue or the digest."""
        return getattr(self, self.kind)

    @property
    def kind(self):
        for field in MAILING_SUBJECTS:
            if getattr(self, f"{field}_id") is not None:
                return field
        return "post"


class Delivery(models.Model):
    """One subscriber's copy of one mailing, written before the message leaves: the unique
    constraint is what makes a retry, a restart or a second worker never send it twice."""

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        CLAIMED = "claimed", "In a worker's batch"
        SENDING = "sending", "Being sent (unknown if the worker died)"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    class Feedback(models.TextChoices):
        NONE = "", "None"
        BOUNCED = "bounced", "Bounced"
        COMPLAINED = "complained", "Complained (marked as spam)"

    mailing = models.ForeignKey(Mailing, on_delete=models.CASCADE, related_name="deliveries")
    # Empty once the subscriber's data was erased: the row stays for the mailing's counts.
    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.SET_NULL, null=True, blank=True, related_name="deliveries"
    )
    email = models.EmailField(max_length=254, blank=True)
    state = models.CharField(max_length=8, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True, db_index=True)
    error = models.CharField(max_length=300, blank=True)
    # What the provider reported afterwards (its bounce and complaint webhooks).
    feedback = models.CharField(max_length=10, choices=Feedback.choices, blank=True)
    feedback_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["mailing", "subscriber"], name="newsletter_one_delivery_per_subscriber"
            )
        ]
        indexes = [
            models.Index(fields=["mailing", "state", "next_attempt_at"], name="delivery_due_idx"),
            # The per-minute rate counts the last minute's claims over every send kept.
            models.Index(fields=["claimed_at"], name="delivery_claimed_idx"),
        ]

    def __str__(self):
        return f"{self.email}: {self.get_state_display()}"


class Issue(models.Model):
    """A newsletter issue an editor writes in the admin: sent at its time to every confirmed
    subscriber (docs/newsletter.md, "Issues"), then public in the archive."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft: not sent"
        SCHEDULED = "scheduled", "Scheduled: send at its time"

    subject = models.CharField(max_length=150)
    body = models.TextField("text", help_text="Markdown, as in posts.")
    body_html = models.TextField(blank=True, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    send_at = models.DateTimeField(
        "send at",
        null=True,
        blank=True,
        help_text="In the site's time zone. Empty: as soon as it is scheduled.",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.subject

    def save(self, *args, **kwargs):
        self.body_html = render_markdown(self.body)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "body_html"}
        super().save(*args, **kwargs)


class Digest(models.Model):
    """One week's digest: the interviews and posts that went live in [starts_at, ends_at). One
    row per week (``ends_at`` is unique): a re-run or a second worker finds it there."""

    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(unique=True)

    class Meta:
        ordering = ["-ends_at"]

    def __str__(self):
        ends = timezone.localtime(self.ends_at)
        return f"Weekly digest, week to {ends:%-d %B %Y}"


class DigestSettings(models.Model):
    """When the weekly digest goes: one row, changed in the admin (the site's time zone)."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, "Monday"
        TUESDAY = 1, "Tuesday"
        WEDNESDAY = 2, "Wednesday"
        THURSDAY = 3, "Thursday"
        FRIDAY = 4, "Friday"
        SATURDAY = 5, "Saturday"
        SUNDAY = 6, "Sunday"

    enabled = models.BooleanField("send the weekly digest", default=True)
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices, default=Weekday.FRIDAY)
    hour = models.PositiveSmallIntegerField(
        default=8,
        validators=[MaxValueValidator(23)],
        help_text="0–23, in the site's time zone.",
    )
    # The digest check already queued (a deferred job): at most one is queued per week.
    queued_for = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = "digest settings"

    def __str__(self):
        return "Weekly digest settings"

    @classmethod
    def load(cls):
        return cls.objects.get_or_create(pk=1)[0]
