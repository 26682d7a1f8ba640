"""The editors' admin for interviews, leaders, series, questions, platforms, themes and quotes."""

import copy

from adminsortable2.admin import CustomInlineFormSet, SortableAdminBase, SortableStackedInline
from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils.html import format_html
from reversion.admin import VersionAdmin

from comments.models import Comment
from editorial.admin import InterviewEditorialMixin
from editorial.drafts import saving_draft
from editorial.widgets import MarkdownTextarea
from images.admin import LibraryImagesAdminMixin
from redirects.admin import take_down_for_good
from socialleaders.admin import (
    URL_FIELD_OVERRIDES,
    CachedChoicesMixin,
    CountsAdmin,
    LabelledColumnsMixin,
    PlainTextField,
    PublishableAdmin,
    VisibilityFilter,
    excerpt,
)
from socialleaders.queries import count_of
from socialleaders.text import validate_library_images

from . import selectors
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


class SocialAccountInline(LabelledColumnsMixin, CachedChoicesMixin, admin.TabularInline):
    model = SocialAccount
    fields = ["platform", "handle", "url"]
    cached_choice_fields = ["platform"]
    extra = 1
    formfield_overrides = URL_FIELD_OVERRIDES


class AnswerForm(forms.ModelForm):
    """One question of the interview and its answer. A new row counts only once its answer is
    written: the series' questions are laid out ready, and those left empty are not saved."""

    class Meta:
        model = Answer
        fields = ["question", "asked_as", "body", "order"]
        labels = {"asked_as": "Asked as", "body": "Answer"}
        help_texts = {
            "asked_as": "The wording used in this interview (adjust it to what was asked).",
            "body": "Markdown: paragraphs and lists are kept. Select words and press “Quote "
            "the selection” to make a pull quote of them.",
        }
        widgets = {
            "asked_as": forms.TextInput(attrs={"size": 100}),
            "body": MarkdownTextarea(
                attrs={"rows": 8, "cols": 100, "class": "answer-body"}, images=True
            ),
        }
        field_classes = {"body": PlainTextField}

    def clean_body(self):
        body = self.cleaned_data.get("body", "")
        validate_library_images(body)  # alt text for each library image
        return body

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.instance.asked_as:
            # Shown ready to adjust; saved back as "" while it is the canonical wording.
            self.initial["asked_as"] = self.instance.question.text
        self.fields["body"].required = True

    @property
    def heading(self):
        if self.instance.question_id:
            return self.instance.question.label
        return self.initial.get("heading") or "Another question"

    def has_changed(self):
        if self.instance.pk is None:
            return bool((self.data.get(self.add_prefix("body")) or "").strip())
        return super().has_changed()

    def clean(self):
        cleaned = super().clean()
        question = cleaned.get("question")
        if question is not None and cleaned.get("asked_as", "").strip() == question.text:
            cleaned["asked_as"] = ""
        return cleaned


class AnswerFormSet(CustomInlineFormSet):
    """The answers, ordered by drag and drop (django-admin-sortable2 keeps ``order``)."""

    def __init__(self, *args, questions=(), **kwargs):
        if not kwargs.get("data") and questions:
            kwargs["initial"] = [
                {"question": q.pk, "asked_as": q.text, "order": i, "heading": q.label}
                for i, q in enumerate(questions, start=1)
            ]
        super().__init__(*args, **kwargs)


class AnswerInline(CachedChoicesMixin, SortableStackedInline):
    model = Answer
    form = AnswerForm
    formset = AnswerFormSet
    fields = ["question", "asked_as", "body", "order"]
    cached_choice_fields = ["question"]
    ordering = ["order", "id"]
    extra = 0
    template = "interviews/admin/answer_inline.html"
    verbose_name = "question and answer"
    verbose_name_plural = "questions and answers"

    def get_queryset(self, request):
        # Each form's heading names the question (Answer.__str__ names the leader too).
        return super().get_queryset(request).select_related("question", "interview__leader")

    def get_extra(self, request, obj=None, **kwargs):
        # A new interview gets one row per question of its series; a saved one, no empty rows.
        return len(getattr(request, "_admin_questions", ())) if obj is None else 0


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


class PlatformUseInline(LabelledColumnsMixin, CachedChoicesMixin, admin.TabularInline):
    model = InterviewPlatform
    formset = PlatformUseFormSet
    fields = ["platform", "is_favourite"]
    cached_choice_fields = ["platform"]
    extra = 1

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("platform")


class QuoteForm(forms.ModelForm):
    """A pull quote, tied to the answer it comes from by that answer's question: it can be
    chosen before the answers are first saved."""

    from_question = forms.ModelChoiceField(
        Question.objects.order_by("order", "id"),
        required=False,
        label="From the answer to",
        help_text="The question whose answer the quote comes from.",
    )

    class Meta:
        model = Quote
        fields = ["text", "featured"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3, "cols": 100})}
        field_classes = {"text": PlainTextField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.answer_id:
            self.initial["from_question"] = self.instance.answer.question_id


class QuoteInline(admin.StackedInline):
    """Pull quotes from this interview; they are always attributed to the interview's leader."""

    model = Quote
    form = QuoteForm
    fields = ["text", ("from_question", "featured")]
    extra = 0
    verbose_name = "pull quote"
    verbose_name_plural = "pull quotes"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("leader", "answer")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        # Evaluated once for every quote form on this page: on a copy, since the declared field
        # is shared by every form class made from QuoteForm (new questions must still appear).
        field = copy.deepcopy(formset.form.base_fields["from_question"])
        field.choices = list(field.choices)
        formset.form.base_fields["from_question"] = field
        return formset


# --- Interviews ------------------------------------------------------------------------------


@admin.register(Interview)
class InterviewAdmin(
    LibraryImagesAdminMixin,
    InterviewEditorialMixin,
    SortableAdminBase,
    VersionAdmin,
    PublishableAdmin,
):
    library_image_fields = ["image"]
    markdown_fields = ["introduction", "closing"]
    # Publish, unpublish (editorial) and take down for good, answering 410 (redirects).
    actions = ["publish", "make_draft", take_down_for_good]
    list_display = ["title", "leader", "number", "state", "answer_count", "comment_count"]
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
    autocomplete_fields = ["leader"]
    inlines = [AnswerInline, PlatformUseInline, QuoteInline]
    save_on_top = True
    fieldsets = [
        (None, {"fields": ["title", "slug", "leader", ("series", "series_order"), "standfirst"]}),
        ("Text", {"fields": ["introduction", "closing"]}),
        ("Themes", {"fields": ["themes"]}),
        PublishableAdmin.publishing_fieldset,
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

    class Media:
        css = {"all": ["interviews/admin/interview-form.css"]}
        # After jQuery and Django's inlines.js, which interview-form.js builds on.
        js = [
            "admin/js/vendor/jquery/jquery.js",
            "admin/js/jquery.init.js",
            "admin/js/inlines.js",
            "interviews/admin/interview-form.js",
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

    @admin.display(description="no.", ordering="series_order")
    def number(self, obj):
        return obj.series_order or "–"

    # --- A new interview: its series, its number and its questions laid out --------------------

    def _series_for(self, request):
        raw = request.POST.get("series") if request.method == "POST" else request.GET.get("series")
        if raw:
            return Series.objects.filter(pk=raw).first() if str(raw).isdigit() else None
        return None if "series" in request.GET else Series.objects.first()

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        series = self._series_for(request)
        if series is not None:
            initial["series"] = series.pk
            initial.setdefault("series_order", selectors.next_series_order(series))
        return initial

    def add_view(self, request, form_url="", extra_context=None):
        if request.method != "POST":
            request._admin_questions = selectors.series_questions(self._series_for(request))
        return super().add_view(request, form_url, extra_context)

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if isinstance(inline, AnswerInline) and getattr(request, "_admin_questions", None):
            kwargs["questions"] = request._admin_questions
        return kwargs

    def save_formset(self, request, form, formset, change):
        if formset.model is not Quote:
            return super().save_formset(request, form, formset, change)
        interview = form.instance
        answers = {a.question_id: a for a in interview.answers.all()}
        saved = {id(quote) for quote in formset.save(commit=False)}
        for quote_form in formset.forms:
            quote = quote_form.instance
            if id(quote) not in saved:
                continue
            question = quote_form.cleaned_data.get("from_question")
            quote.answer = answers.get(question.pk) if question else None
            quote.leader = interview.leader
            quote.interview = interview
            quote.save()
        for quote in formset.deleted_objects:
            quote.delete()
        formset.save_m2m()
        return None

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if saving_draft(request):
            return  # a draft of a live interview: nothing of it is written
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
        ("About", {"fields": ["bio", "website", "email"]}),
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
    list_display = ["title", "interview_count", "created_at", "write_next"]
    search_fields = ["title", "introduction"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "created_at"
    fields = ["title", "slug", "introduction", "summary"]

    counts = {"_interview_count": count_of(Interview, "series")}

    @admin.display(description="")
    def write_next(self, obj):
        url = reverse("admin:interviews_interview_add") + f"?series={obj.pk}"
        return format_html('<a class="addlink" href="{}">Add an interview</a>', url)

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
