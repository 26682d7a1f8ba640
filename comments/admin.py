from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.urls import reverse

from . import services
from .models import ModerationSettings, Subscription


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
