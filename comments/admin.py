"""The editors' admin for readers' comments (with moderation), followers and the comment policy."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import ngettext

from socialleaders.admin import URL_FIELD_OVERRIDES, PickerMixin, excerpt
from socialleaders.cache import content_changed
from socialleaders.cachetags import rows_tags

from . import services
from .models import Comment, ModerationSettings, Subscription


@admin.register(ModerationSettings)
class ModerationSettingsAdmin(admin.ModelAdmin):
    """One row: the list page goes straight to it."""

    fieldsets = [
        ("Open or closed", {"fields": ["comments_enabled", "interviews_open", "close_after_days"]}),
        (
            "Holding for moderation",
            {"fields": ["hold_all", "hold_first_time", "max_links", "moderation_terms"]},
        ),
        ("Spam", {"fields": ["blocked_terms"]}),
        ("Threads", {"fields": ["max_depth"]}),
        ("Who is told", {"fields": ["notify_editors", "notify_emails"]}),
    ]

    def has_add_permission(self, request):
        return not ModerationSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        policy = ModerationSettings.load()
        return HttpResponseRedirect(
            reverse("admin:comments_moderationsettings_change", args=[policy.pk])
        )


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["email", "target_title", "confirmed", "created_at"]
    list_filter = [("confirmed_at", admin.EmptyFieldListFilter)]
    list_select_related = ["post", "interview"]
    search_fields = ["email", "name", "post__title", "interview__title"]
    autocomplete_fields = ["post", "interview"]
    date_hierarchy = "created_at"
    actions = ["erase_personal_data"]

    @admin.display(description="following")
    def target_title(self, obj):
        return str(obj.target)

    @admin.display(description="confirmed", boolean=True, ordering="confirmed_at")
    def confirmed(self, obj):
        return obj.is_confirmed

    @admin.action(
        description="Erase these people's data (anonymise their comments, delete follows)",
        permissions=["delete"],
    )
    def erase_personal_data(self, request, queryset):
        emails = sorted({s.email.lower() for s in queryset})
        total = 0
        for email in emails:
            comments, _ = services.erase_commenter(email)
            total += comments
        self.message_user(
            request,
            f"Erased the data of {len(emails)} people ({total} comments anonymised).",
            messages.SUCCESS,
        )


class TargetFilter(admin.SimpleListFilter):
    title = "piece commented on"
    parameter_name = "on"

    def lookups(self, request, model_admin):
        return [("post", "Blog posts"), ("interview", "Interviews")]

    def queryset(self, request, queryset):
        if self.value() == "post":
            return queryset.filter(post__isnull=False)
        if self.value() == "interview":
            return queryset.filter(interview__isnull=False)
        return queryset


class AuthorReplyFilter(admin.BooleanFieldListFilter):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.title = "the post's author"  # shown as "By the post's author"


@admin.register(Comment)
class CommentAdmin(PickerMixin, admin.ModelAdmin):
    formfield_overrides = URL_FIELD_OVERRIDES
    list_display = [
        "name",
        "target_link",
        "short_body",
        "status",
        "kind",
        "created_at",
        "by_post_author",
        "moderation_note",
        "commenter_comments",
    ]
    list_filter = ["status", "kind", TargetFilter, ("by_post_author", AuthorReplyFilter)]
    list_select_related = ["post", "interview"]
    search_fields = ["name", "email", "website", "body", "post__title", "interview__title"]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-id"]
    autocomplete_fields = ["post", "interview", "parent"]
    actions = ["approve", "approve_all_from_commenter", "mark_spam", "remove", "forget_sender"]
    change_form_template = "comments/admin/comment_change_form.html"
    # Editing a comment: what it is on and what it answers are shown as links, not ids to edit.
    fieldsets = [
        (None, {"fields": ["target_link", "replying_to", ("status", "kind"), "by_post_author"]}),
        ("Comment", {"fields": ["name", "website", "body", ("created_at", "edited_at")]}),
        (
            "Moderation",
            {"fields": ["moderation_note", "followers_notified"]},
        ),
        (
            "Sender (private: for moderation only, never shown on the site)",
            {"fields": ["email", "ip_address", "user_agent"]},
        ),
    ]
    readonly_fields = [
        "target_link",
        "replying_to",
        "ip_address",
        "user_agent",
        "edited_at",
        "followers_notified",
    ]

    def get_fieldsets(self, request, obj=None):
        if obj is None:  # a new comment (rare: editors reply from the site) names its piece
            first = {"fields": ["post", "interview", "parent", ("status", "kind")]}
            return [(None, first), *self.fieldsets[1:]]
        return self.fieldsets

    # --- Approve / Spam from the desk and the comment's page (POST, permission-checked) -----

    MODERATION = {
        "approve": (services.approve, "approved"),
        "spam": (services.mark_spam, "marked as spam"),
    }

    def get_urls(self):
        return [
            path(
                "<path:object_id>/moderate/<str:action>/",
                self.admin_site.admin_view(self.moderate_view),
                name="comments_comment_moderate",
            ),
            *super().get_urls(),
        ]

    def moderate_view(self, request, object_id, action):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if action not in self.MODERATION:
            raise Http404("No such moderation action")
        comment = self.get_object(request, unquote(object_id))
        if comment is None:
            raise Http404("No such comment")
        if not self.has_change_permission(request, comment):
            raise PermissionDenied
        do, verb = self.MODERATION[action]
        changed = do([comment])
        self.message_user(
            request,
            f"Comment from {comment.name} {verb}." if changed else "Nothing to change.",
            messages.SUCCESS if changed else messages.INFO,
        )
        after = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(
            after, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            after = reverse("admin:comments_comment_change", args=[comment.pk])
        return HttpResponseRedirect(after)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        comment = self.get_object(request, unquote(object_id))
        if comment is not None and comment.target is not None:
            target = comment.target
            extra_context["reply_url"] = (
                f"{target.get_absolute_url()}?reply_to={comment.pk}#comment-form"
            )
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description="in reply to")
    def replying_to(self, obj):
        if obj.parent_id is None:
            return "-"
        url = reverse("admin:comments_comment_change", args=[obj.parent_id])
        return format_html('<a href="{}">{}</a>', url, obj.parent)

    def get_queryset(self, request):
        # Comments' names mention their post or interview (autocomplete lists them too).
        return super().get_queryset(request).select_related("post", "interview")

    def save_model(self, request, obj, form, change):
        approving = obj.status == Comment.Status.APPROVED and (
            not change or "status" in form.changed_data
        )
        if not approving:
            return super().save_model(request, obj, form, change)
        # Approving by hand goes through the same moderation step as the bulk action, so the
        # piece's followers hear of the comment.
        obj.status = form.initial.get("status") or Comment.Status.PENDING
        super().save_model(request, obj, form, change)
        services.approve([obj])
        return None

    @admin.display(description="on", ordering="post__title")
    def target_link(self, obj):
        target = obj.target
        if target is None:
            return "-"
        opts = target._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[target.pk])
        return format_html(
            '<a href="{}">{}</a> <small>({})</small>', url, target, opts.verbose_name
        )

    @admin.display(description="comment")
    def short_body(self, obj):
        return excerpt(obj.body, 16)

    def _report(self, request, changed, verb):
        self.message_user(
            request,
            ngettext(
                "%(count)d comment %(verb)s.",
                "%(count)d comments %(verb)s.",
                changed,
            )
            % {"count": changed, "verb": verb},
            messages.SUCCESS,
        )

    @admin.action(description="Approve selected comments", permissions=["change"])
    def approve(self, request, queryset):
        # Saves each comment (the page cache hears of it) and, once committed, emails followers.
        self._report(request, services.approve(queryset), "approved")

    @admin.display(description="commenter")
    def commenter_comments(self, obj):
        """A link to everything from the same email address."""
        if not obj.email:
            return "-"
        url = (
            reverse("admin:comments_comment_changelist")
            + "?"
            + urlencode({"email__iexact": obj.email})
        )
        return format_html('<a href="{}">Other comments</a>', url)

    @admin.action(
        description="Approve all comments from these commenters (same email)",
        permissions=["change"],
    )
    def approve_all_from_commenter(self, request, queryset):
        emails = {email.lower() for email in queryset.values_list("email", flat=True) if email}
        if not emails:
            self._report(request, 0, "approved")
            return
        same_sender = Q()
        for email in emails:
            same_sender |= Q(email__iexact=email)
        waiting = Comment.objects.filter(same_sender, status=Comment.Status.PENDING)
        self._report(request, services.approve(waiting), "approved")

    @admin.action(description="Mark selected comments as spam", permissions=["change"])
    def mark_spam(self, request, queryset):
        self._report(request, services.mark_spam(queryset), "marked as spam")

    @admin.action(description="Remove selected comments from the site", permissions=["change"])
    def remove(self, request, queryset):
        shown = list(queryset.filter(status=Comment.Status.APPROVED))  # what readers saw
        changed = queryset.exclude(status=Comment.Status.REMOVED).update(
            status=Comment.Status.REMOVED
        )
        content_changed(rows_tags(shown))  # update() sends no signals: tell the page cache
        self._report(request, changed, "removed")

    @admin.action(
        description="Forget the sender's IP address and browser (keep the comment)",
        permissions=["change"],
    )
    def forget_sender(self, request, queryset):
        changed = queryset.filter(Q(ip_address__isnull=False) | ~Q(user_agent="")).update(
            ip_address=None, user_agent=""
        )
        self.message_user(
            request,
            ngettext(
                "Sender details forgotten for %(count)d comment.",
                "Sender details forgotten for %(count)d comments.",
                changed,
            )
            % {"count": changed},
            messages.SUCCESS,
        )
