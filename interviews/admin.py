"""The editors' admin for interviews, leaders, series, questions, platforms, themes and quotes."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.forms.models import BaseInlineFormSet
from reversion.admin import VersionAdmin

from comments.models import Comment
from editorial.admin import InterviewEditorialMixin
from images.admin import LibraryImagesAdminMixin
from redirects.admin import take_down_for_good
from socialleaders.admin import (
    URL_FIELD_OVERRIDES,
    CachedChoicesMixin,
    CountsAdmin,
    PublishableAdmin,
    VisibilityFilter,
    excerpt,
)
from socialleaders.queries import count_of

from .models import (
    Answer,
    Interview,
    InterviewPlatform,
    Leader,
    Platform,
    Question,
    Quote,
    Series,
    SocialAccount,
    Theme,
    ThemedInterview,
)

# --- Inlines ---------------------------------------------------------------------------------


class SocialAccountInline(CachedChoicesMixin, admin.TabularInline):
    model = SocialAccount
    fields = ["platform", "handle", "url"]
    cached_choice_fields = ["platform"]
    extra = 1
    formfield_overrides = URL_FIELD_OVERRIDES


class AnswerInline(admin.StackedInline):
    model = Answer
    fields = [("order", "question"), "asked_as", "body"]
    autocomplete_fields = ["question"]
    ordering = ["order", "id"]
    extra = 1
    formfield_overrides = {
        models.CharField: {"widget": forms.TextInput(attrs={"size": 100})},
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 12, "cols": 100})},
    }

    def get_queryset(self, request):
        # Each form's heading names the leader and question (Answer.__str__).
        return super().get_queryset(request).select_related("question", "interview__leader")


class PlatformUseFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        favourites = [
            form.cleaned_data["platform"]
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("is_favourite")
            and form.cleaned_data.get("platform")
        ]
        if len(favourites) > 1:
            names = ", ".join(str(p) for p in favourites)
            raise ValidationError(
                f"Only one platform can be the leader's favourite (ticked: {names})."
            )


class PlatformUseInline(CachedChoicesMixin, admin.TabularInline):
    model = InterviewPlatform
    formset = PlatformUseFormSet
    fields = ["platform", "is_favourite"]
    cached_choice_fields = ["platform"]
    extra = 1

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("platform")


class QuoteInline(admin.StackedInline):
    """Pull quotes from this interview; they are always attributed to the interview's leader."""

    model = Quote
    fields = ["text", ("answer", "featured", "order")]
    extra = 0
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 3})}}
    verbose_name = "pull quote"
    verbose_name_plural = "pull quotes"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("leader")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "answer":
            # Only this interview's answers; evaluated once for every quote form on the page.
            interview = getattr(request, "_admin_interview", None)
            kwargs["queryset"] = (
                Answer.objects.filter(interview=interview).select_related(
                    "question", "interview__leader"
                )
                if interview is not None
                else Answer.objects.none()
            )
            field = super().formfield_for_foreignkey(db_field, request, **kwargs)
            field.label_from_instance = lambda answer: f"{answer.order}. {answer.question.label}"
            field.choices = list(field.choices)
            return field
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


# --- Interviews ------------------------------------------------------------------------------


@admin.register(Interview)
class InterviewAdmin(
    LibraryImagesAdminMixin, InterviewEditorialMixin, VersionAdmin, PublishableAdmin
):
    library_image_fields = ["image"]
    # Publish, unpublish (editorial) and take down for good, answering 410 (redirects).
    actions = ["publish", "make_draft", take_down_for_good]
    list_display = [
        "title",
        "leader",
        "series",
        "series_order",
        "status",
        "publish_at",
        "live",
        "answer_count",
        "comment_count",
    ]
    list_display_links = ["title"]
    list_filter = [
        VisibilityFilter,
        "status",
        "series",
        "platforms",
        ("themes", admin.RelatedOnlyFieldListFilter),
        "video_mentioned",
    ]
    list_select_related = ["leader", "series"]
    search_fields = [
        "title",
        "standfirst",
        "leader__name",
        "leader__organisation",
        "series__title",
    ]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["leader", "series"]
    inlines = [AnswerInline, PlatformUseInline, QuoteInline]
    save_on_top = True
    fieldsets = [
        (None, {"fields": ["title", "slug", "leader", ("series", "series_order"), "standfirst"]}),
        PublishableAdmin.publishing_fieldset,
        ("Text", {"fields": ["introduction", "closing"]}),
        ("Themes", {"fields": ["themes"]}),
        ("Comments", {"fields": ["comments_open"]}),
        (
            "Video and image",
            {
                "classes": ["collapse"],
                "fields": [
                    "video_url",
                    "video_mentioned",
                    "image",
                    "image_upload",
                    "image_alt",
                ],
            },
        ),
    ]

    counts = {
        "_answer_count": count_of(Answer, "interview"),
        "_comment_count": count_of(Comment, "interview"),
    }

    @admin.display(description="answers", ordering="_answer_count")
    def answer_count(self, obj):
        return obj._answer_count

    @admin.display(description="comments", ordering="_comment_count")
    def comment_count(self, obj):
        return obj._comment_count

    def get_formsets_with_inlines(self, request, obj=None):
        # The quote inline offers this interview's answers only.
        request._admin_interview = obj
        yield from super().get_formsets_with_inlines(request, obj)

    def save_formset(self, request, form, formset, change):
        if formset.model is not Quote:
            return super().save_formset(request, form, formset, change)
        interview = form.instance
        for quote in formset.save(commit=False):
            quote.leader = interview.leader
            quote.interview = interview
            quote.save()
        for quote in formset.deleted_objects:
            quote.delete()
        formset.save_m2m()
        return None

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Quotes already attached to this interview follow it if its leader changes.
        form.instance.quotes.exclude(leader=form.instance.leader).update(
            leader=form.instance.leader
        )


@admin.register(Leader)
class LeaderAdmin(LibraryImagesAdminMixin, CountsAdmin):
    library_image_fields = ["photo"]
    list_display = [
        "image_thumbnail",
        "name",
        "honours",
        "role",
        "organisation",
        "sector",
        "interview_count",
    ]
    list_display_links = ["image_thumbnail", "name"]
    list_select_related = ["photo"]
    list_filter = ["sector"]
    search_fields = ["name", "organisation", "role", "sector"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [SocialAccountInline]
    fieldsets = [
        (None, {"fields": [("name", "honours"), "slug", "role", "organisation", "sector"]}),
        ("About", {"fields": ["bio", "website"]}),
        (
            "Photo",
            {
                "classes": ["collapse"],
                "fields": ["photo", "photo_upload", "photo_alt"],
            },
        ),
    ]

    counts = {"_interview_count": count_of(Interview, "leader")}

    @admin.display(description="interviews", ordering="_interview_count")
    def interview_count(self, obj):
        return obj._interview_count


@admin.register(Series)
class SeriesAdmin(CountsAdmin):
    list_display = ["title", "interview_count", "created_at"]
    search_fields = ["title", "introduction"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "created_at"
    fields = ["title", "slug", "introduction", "summary"]

    counts = {"_interview_count": count_of(Interview, "series")}

    @admin.display(description="interviews", ordering="_interview_count")
    def interview_count(self, obj):
        return obj._interview_count


@admin.register(Question)
class QuestionAdmin(CountsAdmin):
    list_display = ["order", "label", "text", "answer_count"]
    list_display_links = ["label"]
    list_editable = ["order"]
    ordering = ["order", "id"]
    search_fields = ["text", "label"]
    prepopulated_fields = {"slug": ["label"]}
    fields = ["text", "label", "slug", "order"]

    counts = {"_answer_count": count_of(Answer, "question")}

    @admin.display(description="answers", ordering="_answer_count")
    def answer_count(self, obj):
        return obj._answer_count


@admin.register(Answer)
class AnswerAdmin(admin.ModelAdmin):
    """Answers are written on their interview's page; this list is for finding them."""

    list_display = ["__str__", "interview", "question", "order", "short_body"]
    list_filter = ["question", ("interview__series", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["interview__leader", "question"]
    search_fields = ["body", "asked_as", "interview__title", "interview__leader__name"]
    autocomplete_fields = ["interview", "question"]
    fields = ["interview", "question", "asked_as", "body", "order"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("interview__leader", "question")

    @admin.display(description="answer")
    def short_body(self, obj):
        return excerpt(obj.body)


@admin.register(Platform)
class PlatformAdmin(CountsAdmin):
    list_display = ["name", "slug", "interview_count"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "slug", "description"]

    counts = {"_interview_count": count_of(InterviewPlatform, "platform")}

    @admin.display(description="interviews using it", ordering="_interview_count")
    def interview_count(self, obj):
        return obj._interview_count


@admin.register(Theme)
class ThemeAdmin(CountsAdmin):
    list_display = ["name", "slug", "short_description", "interview_count"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "slug", "description"]

    counts = {"_interview_count": count_of(ThemedInterview, "tag")}

    @admin.display(description="description")
    def short_description(self, obj):
        return excerpt(obj.description)

    @admin.display(description="interviews", ordering="_interview_count")
    def interview_count(self, obj):
        return obj._interview_count


class QuoteForm(forms.ModelForm):
    class Meta:
        model = Quote
        fields = ["text", "leader", "interview", "answer", "featured", "order"]

    def clean(self):
        cleaned = super().clean()
        answer, interview = cleaned.get("answer"), cleaned.get("interview")
        if answer is not None:
            if interview is None:
                cleaned["interview"] = answer.interview
            elif answer.interview_id != interview.pk:
                self.add_error("answer", "This answer belongs to another interview.")
        return cleaned


@admin.register(Quote)
class QuoteAdmin(admin.ModelAdmin):
    form = QuoteForm
    list_display = ["short_text", "leader", "interview", "featured", "order"]
    list_editable = ["featured", "order"]
    list_filter = ["featured", ("interview__series", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["leader", "interview"]
    search_fields = ["text", "leader__name", "interview__title"]
    autocomplete_fields = ["leader", "interview", "answer"]
    fields = ["text", "leader", "interview", "answer", ("featured", "order")]

    @admin.display(description="quote")
    def short_text(self, obj):
        return excerpt(obj.text, 16)
