import secrets

from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


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


class Mailing(models.Model):
    """The email of one piece (an interview or a post): whether it goes, and how far it got."""

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
                condition=models.Q(interview__isnull=True, post__isnull=False)
                | models.Q(interview__isnull=False, post__isnull=True),
                name="newsletter_mailing_one_piece",
            )
        ]

    def __str__(self):
        return f"Email of {self.piece}"

    @property
    def piece(self):
        return self.interview or self.post

    @property
    def kind(self):
        return "interview" if self.interview_id else "post"


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
            models.Index(fields=["mailing", "state", "next_attempt_at"], name="delivery_due_idx")
        ]

    def __str__(self):
        return f"{self.email}: {self.get_state_display()}"
