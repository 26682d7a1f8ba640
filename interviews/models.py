from django.conf import settings
from django.db import models
from django.db.models import Count, Prefetch, Q
from django.urls import reverse
from taggit.managers import TaggableManager
from taggit.models import TagBase, TaggedItemBase

from images.validation import library_image_fields, require_alt_text
from socialleaders.publishing import Publishable, PublishableQuerySet, published_q
from socialleaders.text import render_markdown


class Platform(models.Model):
    """A social platform leaders talk about: Twitter, LinkedIn, Instagram, blogs..."""

    in_catalogue = names_in_catalogue = True  # named and counted in the catalogue

    name = models.CharField(max_length=60, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    description = models.TextField(blank=True, help_text="One or two sentences for readers.")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("interviews:platform", kwargs={"slug": self.slug})


class Theme(TagBase):
    """An idea that runs through the series. Editors create themes freely, as tags of their own
    (kept apart from the blog's tags)."""

    in_catalogue = names_in_catalogue = True  # named and counted in the catalogue

    description = models.TextField(blank=True)

    def readers_see(self):
        """Readers see a theme once a published interview carries it."""
        return (
            self.pk is not None
            and self.tagged_interviews.filter(
                content_object__in=Interview.objects.published()
            ).exists()
        )

    class Meta:
        verbose_name = "theme"
        verbose_name_plural = "themes"
        ordering = ["name"]

    def get_absolute_url(self):
        return reverse("interviews:theme", kwargs={"slug": self.slug})


class ThemedInterview(TaggedItemBase):
    in_catalogue = True  # its rows count in the platform, theme and question lists

    tag = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="tagged_interviews")
    content_object = models.ForeignKey("Interview", on_delete=models.CASCADE)

    def readers_see(self):
        return self.content_object.is_published()

    class Meta:
        verbose_name = "interview theme"
        constraints = [
            models.UniqueConstraint(
                fields=["content_object", "tag"], name="interviews_theme_once_per_interview"
            )
        ]


class Leader(models.Model):
    name = models.CharField(max_length=120)
    honours = models.CharField(
        max_length=60, blank=True, help_text="Post-nominal letters, e.g. OBE, MBE."
    )
    slug = models.SlugField(max_length=140, unique=True)
    role = models.CharField(max_length=200, blank=True, help_text="e.g. Chief Executive")
    organisation = models.CharField(max_length=200, blank=True)
    sector = models.CharField(max_length=100, blank=True, help_text="e.g. Local government")
    bio = models.TextField(blank=True, help_text="A short biography, in Markdown.")
    photo, photo_alt = library_image_fields(
        "photo description",
        "Alt text for the photo (the library's description if left empty).",
    )
    website = models.URLField(blank=True)
    email = models.EmailField(
        blank=True,
        help_text="For editors only, never shown on the site: where approval links are sent.",
    )

    def readers_see(self):
        """Readers see a leader once one of their interviews is published."""
        return self.pk is not None and self.interviews.published().exists()

    class Meta:
        ordering = ["name"]
        indexes = [
            # Leaders in name order: the leader list, and the question page's answers.
            models.Index(fields=["name", "id"], name="leader_name_idx"),
        ]

    def __str__(self):
        return self.display_name

    def clean(self):
        super().clean()
        require_alt_text(self, "photo", "photo_alt")

    @property
    def display_name(self):
        return f"{self.name} {self.honours}".strip()

    @property
    def role_line(self):
        return ", ".join(part for part in (self.role, self.organisation) if part)

    def get_absolute_url(self):
        return reverse("interviews:leader", kwargs={"slug": self.slug})


class SocialAccount(models.Model):
    leader = models.ForeignKey(Leader, on_delete=models.CASCADE, related_name="accounts")
    platform = models.ForeignKey(Platform, on_delete=models.PROTECT, related_name="accounts")
    handle = models.CharField(max_length=100, blank=True, help_text="e.g. @simonblake")
    url = models.URLField(blank=True)

    class Meta:
        ordering = ["platform__name", "handle"]
        constraints = [
            models.UniqueConstraint(
                fields=["leader", "platform", "handle"], name="interviews_account_unique"
            ),
            models.CheckConstraint(
                condition=~Q(handle="") | ~Q(url=""), name="interviews_account_handle_or_url"
            ),
        ]

    def __str__(self):
        return f"{self.platform}: {self.handle or self.url}"

    @property
    def link(self):
        if self.url:
            return self.url
        if self.handle and self.platform.slug == "twitter":
            return f"https://twitter.com/{self.handle.lstrip('@')}"
        return ""


class Series(models.Model):
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    introduction = models.TextField(blank=True, help_text="Markdown.")
    introduction_html = models.TextField(blank=True, editable=False)
    summary = models.TextField(
        blank=True, help_text="What the series found, once it is complete. Markdown."
    )
    summary_html = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    def readers_see(self):
        return self.pk is not None and self.interviews.published().exists()

    class Meta:
        verbose_name_plural = "series"
        ordering = ["-created_at"]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.introduction_html = render_markdown(self.introduction)
        self.summary_html = render_markdown(self.summary)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("interviews:series", kwargs={"slug": self.slug})


class Question(models.Model):
    """A canonical question, asked (in slightly different words) in many interviews."""

    in_catalogue = names_in_catalogue = True  # named and counted in the catalogue

    text = models.CharField(max_length=300, help_text="The canonical wording.")
    label = models.CharField(max_length=80, help_text="A short label, e.g. 'Advice'.")
    slug = models.SlugField(max_length=80, unique=True)
    order = models.PositiveSmallIntegerField(
        default=0, help_text="Questions are shown in this order."
    )

    def readers_see(self):
        """Readers see a question once a published interview answers it."""
        return (
            self.pk is not None
            and self.answers.filter(interview__in=Interview.objects.published()).exists()
        )

    class Meta:
        ordering = ["order", "id"]

    def __str__(self):
        return self.text

    def get_absolute_url(self):
        return reverse("interviews:question", kwargs={"slug": self.slug})


class InterviewQuerySet(PublishableQuerySet):
    def with_related(self):
        return self.select_related("leader", "series").annotate(answer_count=Count("answers"))


class Interview(Publishable):
    in_catalogue = True  # its rows count in the platform, theme and question lists

    series = models.ForeignKey(
        Series, on_delete=models.PROTECT, related_name="interviews", null=True, blank=True
    )
    series_order = models.PositiveSmallIntegerField(
        "order in series", null=True, blank=True, help_text="1 for the first interview, and so on."
    )
    leader = models.ForeignKey(Leader, on_delete=models.PROTECT, related_name="interviews")
    standfirst = models.TextField(
        blank=True, help_text="One or two sentences shown under the title and on cards."
    )
    introduction = models.TextField(blank=True, help_text="Markdown.")
    introduction_html = models.TextField(blank=True, editable=False)
    closing = models.TextField(
        "closing words", blank=True, help_text="Thanks and what comes next, after the transcript."
    )
    closing_html = models.TextField(blank=True, editable=False)
    comments_open = models.BooleanField(
        default=True, help_text="Untick to close comments on this interview."
    )
    video_url = models.URLField(blank=True, help_text="YouTube or Vimeo address of the video.")
    video_mentioned = models.BooleanField(
        default=False,
        help_text="The introduction refers to a video (set by the importer when the export "
        "mentions one; add its address above).",
    )
    image, image_alt = library_image_fields()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="interviews",
        help_text="The author responsible for this interview (authors edit only their own).",
    )
    themes = TaggableManager(through=ThemedInterview, blank=True, verbose_name="themes")
    platforms = models.ManyToManyField(
        Platform, through="InterviewPlatform", related_name="interviews", blank=True
    )

    objects = InterviewQuerySet.as_manager()

    class Meta:
        ordering = ["-publish_at"]
        get_latest_by = "publish_at"
        constraints = [
            models.UniqueConstraint(
                fields=["series", "series_order"], name="interviews_unique_series_order"
            ),
        ]
        indexes = [
            # Covering: "which interviews are live" (and whose) is answered from the index alone
            # (an index-only scan) by the catalogue counts and every published() subquery.
            models.Index(
                fields=["status", "publish_at"],
                include=["unpublish_at", "leader", "id"],
                name="interview_live_idx",
            )
        ]
        permissions = [("publish_interview", "Can publish, schedule and unpublish interviews")]

    def clean(self):
        super().clean()
        require_alt_text(self, "image", "image_alt")

    def save(self, *args, **kwargs):
        self.introduction_html = render_markdown(self.introduction)
        self.closing_html = render_markdown(self.closing)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("interviews:detail", kwargs={"slug": self.slug})

    @staticmethod
    def themes_prefetch():
        """Prefetch an interview's themes, in name order, for ``theme_list``: one query, without
        the per-interview queryset of taggit's own prefetch (docs/benchmarks.md)."""
        return Prefetch(
            "themedinterview_set",
            queryset=ThemedInterview.objects.select_related("tag").order_by("tag__name", "tag_id"),
            to_attr="theme_links",
        )

    @property
    def theme_list(self):
        """The interview's themes in name order (from ``themes_prefetch()`` when it ran)."""
        links = getattr(self, "theme_links", None)
        if links is not None:
            return [link.tag for link in links]
        return list(self.themes.order_by("name", "pk"))


class InterviewPlatform(models.Model):
    """A platform the leader uses, as they said in the interview; at most one favourite."""

    in_catalogue = True  # its rows count in the platform, theme and question lists

    interview = models.ForeignKey(Interview, on_delete=models.CASCADE, related_name="platform_uses")
    platform = models.ForeignKey(Platform, on_delete=models.PROTECT, related_name="uses")
    is_favourite = models.BooleanField("favourite", default=False)

    membership_fields = ("is_favourite",)

    def readers_see(self):
        return self.interview.is_published()

    class Meta:
        verbose_name = "platform used"
        verbose_name_plural = "platforms used"
        ordering = ["-is_favourite", "platform__name"]
        indexes = [
            # Per-platform counts and platform pages read (platform, interview, favourite) from
            # the index alone.
            models.Index(
                fields=["platform", "interview"],
                include=["is_favourite"],
                name="interview_platform_cover_idx",
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["interview", "platform"], name="interviews_platform_once"
            ),
            models.UniqueConstraint(
                fields=["interview"],
                condition=Q(is_favourite=True),
                name="interviews_one_favourite_platform",
            ),
        ]

    def __str__(self):
        return f"{self.platform}{' (favourite)' if self.is_favourite else ''}"


class Answer(models.Model):
    in_catalogue = True  # its rows count in the platform, theme and question lists

    interview = models.ForeignKey(Interview, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    asked_as = models.CharField(
        "question as asked",
        max_length=300,
        blank=True,
        help_text="The wording used in this interview, if it differs from the canonical one.",
    )
    body = models.TextField(help_text="The answer, in Markdown (paragraphs and lists are kept).")
    body_html = models.TextField(blank=True, editable=False)
    order = models.PositiveSmallIntegerField(default=0)

    membership_fields = ("order",)

    def readers_see(self):
        return self.interview.is_published()

    class Meta:
        ordering = ["interview", "order", "id"]
        # Per-question answer counts and question pages: (question, interview) from the index.
        indexes = [models.Index(fields=["question", "interview"], name="answer_question_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["interview", "question"], name="interviews_one_answer_per_question"
            ),
        ]

    def __str__(self):
        return f"{self.interview.leader.name}: {self.question.label}"

    def save(self, *args, **kwargs):
        self.body_html = render_markdown(self.body)
        super().save(*args, **kwargs)

    @property
    def question_text(self):
        return self.asked_as or self.question.text

    @property
    def anchor(self):
        return f"q-{self.question.slug}"

    def get_absolute_url(self):
        return f"{self.interview.get_absolute_url()}#{self.anchor}"


class QuoteQuerySet(models.QuerySet):
    def published(self, now=None):
        """Quotes from published interviews, and quotes not tied to an interview."""
        # On the joined interview, not ``interview__in=...``, so reads stop early in index order.
        return self.filter(Q(interview__isnull=True) | published_q("interview", now))


class Quote(models.Model):
    text = models.TextField()
    leader = models.ForeignKey(Leader, on_delete=models.CASCADE, related_name="quotes")
    interview = models.ForeignKey(
        Interview, on_delete=models.SET_NULL, null=True, blank=True, related_name="quotes"
    )
    answer = models.ForeignKey(
        Answer,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="quotes",
        help_text="The answer the quote comes from, where known.",
    )
    featured = models.BooleanField(default=False, help_text="Shown on the home page.")
    order = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = QuoteQuerySet.as_manager()

    membership_fields = ("order", "featured")

    def readers_see(self):
        return self.interview_id is None or self.interview.is_published()

    class Meta:
        ordering = ["order", "id"]
        # The quote wall's order: a page of it is read from the index, so only that page's quotes
        # are joined to their leaders, answers and interviews.
        indexes = [models.Index(fields=["-featured", "order", "id"], name="quote_wall_order_idx")]
        constraints = [
            models.UniqueConstraint(fields=["leader", "text"], name="interviews_quote_unique"),
        ]

    def __str__(self):
        return f"“{self.text}” – {self.leader.name}"

    def get_absolute_url(self):
        if self.answer_id:
            return self.answer.get_absolute_url()
        if self.interview_id:
            return self.interview.get_absolute_url()
        return self.leader.get_absolute_url()
