"""The editorial side of the admin (the rules: docs/editorial.md).

* ``EditorialAdminMixin``, mixed into the interview and post admins before reversion's
  ``VersionAdmin`` and ``PublishableAdmin``: authors see and change only their own items, every
  publishing decision is a ``PublicationRecord``, the History page gets compare and restore;
* ``InterviewEditorialMixin`` (adds the approval links), ``PostEditorialMixin`` (posts are
  owned through their author profile);
* the admins of publication records and approval links.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.contenttypes.admin import GenericTabularInline
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import ngettext
from reversion.models import Version
from taggit.managers import TaggableManager

from socialleaders.cache import content_changed
from socialleaders.cachetags import rows_tags
from socialleaders.publishing import Status
from socialleaders.text import validate_library_images

from . import revisions
from .drafts import LiveDraftsMixin
from .models import ApprovalEvent, ApprovalLink, PublicationRecord
from .roles import can_publish, is_restricted_author
from .widgets import MarkdownTextarea, SuggestingTagWidget

PUBLISHING_FIELDS = ("status", "publish_at", "unpublish_at")


def record_publication(obj, action, user, how):
    return PublicationRecord.objects.create(
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=True),
        object_id=obj.pk,
        title=str(obj)[:200],
        action=action,
        publish_at=obj.publish_at,
        user=user if user and user.is_authenticated else None,
        how=how,
        at=timezone.now(),
    )


def publish_action_for(obj, now=None):
    now = now or timezone.now()
    if obj.status != Status.PUBLISHED:
        return PublicationRecord.Action.UNPUBLISHED
    if obj.publish_at > now:
        return PublicationRecord.Action.SCHEDULED
    return PublicationRecord.Action.PUBLISHED


class PublicationRecordInline(GenericTabularInline):
    model = PublicationRecord
    ct_field = "content_type"
    ct_fk_field = "object_id"
    fields = ["at", "action", "publish_at", "user", "how"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    verbose_name = "publishing decision"
    verbose_name_plural = "who published this, and when"
    classes = ["collapse"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")


class ApprovalLinkInline(admin.TabularInline):
    """The interview's approval links and what happened on each, read-only."""

    model = ApprovalLink
    fields = ["created_at", "created_by", "note", "expires_at", "state", "history", "revoke"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    verbose_name = "approval link"
    verbose_name_plural = "approval by the leader"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("created_by").prefetch_related("events")

    @admin.display(description="state")
    def state(self, link):
        if link.approved_at:
            return format_html(
                "<strong>Approved</strong> by {} on {}",
                link.approved_by_name or "the leader",
                timezone.localtime(link.approved_at).strftime("%d %b %Y %H:%M"),
            )
        return link.state_label.capitalize()

    @admin.display(description="openings, comments, approval")
    def history(self, link):
        events = list(link.events.all())
        if not events:
            return "Not opened yet"
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li>{} — {}{}</li>",
                (
                    (
                        timezone.localtime(event.at).strftime("%d %b %Y %H:%M"),
                        event.get_kind_display(),
                        f": “{event.message}”" if event.message else "",
                    )
                    for event in events
                ),
            ),
        )

    @admin.display(description="")
    def revoke(self, link):
        if link.state != "open":
            return ""
        url = reverse(
            "admin:interviews_interview_revoke_approval",
            args=[link.interview_id, link.pk],
        )
        return format_html('<a class="button" href="{}">Revoke…</a>', url)


class _EditorialBase:
    """See the module docstring. ``owner_lookup`` is the query path from an item to the user who
    owns it."""

    owner_lookup = "owner"
    object_history_template = "editorial/admin/object_history.html"
    change_form_template = "editorial/admin/change_form.html"
    actions = ["publish", "make_draft"]

    # --- Who sees and changes what ---------------------------------------------------------

    def _restricted(self, request):
        return is_restricted_author(request.user, self.model)

    def _owns(self, request, obj):
        value = obj
        for part in self.owner_lookup.split("__"):
            value = getattr(value, part, None)
            if value is None:
                return False
        return value == request.user

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if self._restricted(request):
            queryset = queryset.filter(**{self.owner_lookup: request.user})
        return queryset

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        if allowed and obj is not None and self._restricted(request):
            return self._owns(request, obj)
        return allowed

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        if allowed and obj is not None and self._restricted(request):
            return self._owns(request, obj)
        return allowed

    def has_view_permission(self, request, obj=None):
        allowed = super().has_view_permission(request, obj)
        if allowed and obj is not None and self._restricted(request):
            return self._owns(request, obj)
        return allowed

    def has_publish_permission(self, request):
        return can_publish(request.user, self.model)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if self._restricted(request):
            fields += [f for f in PUBLISHING_FIELDS if f not in fields]
            owner_field = self.owner_lookup.split("__")[0]
            if owner_field not in fields:
                fields.append(owner_field)
        return fields

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if self.owner_lookup == "owner" and not any(
            "owner" in (options.get("fields") or ()) for _name, options in fieldsets
        ):
            fieldsets.append(("Editorial", {"fields": ["owner"]}))
        return fieldsets

    def get_inlines(self, request, obj):
        inlines = list(super().get_inlines(request, obj))
        if obj is not None:
            inlines.append(PublicationRecordInline)
        return inlines

    markdown_fields = ()  # Markdown bodies: the writing surface (editorial.widgets)
    body_image_fields = ()  # of those, the ones that may hold library images

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name in self.markdown_fields:
            images = db_field.name in self.body_image_fields
            kwargs["widget"] = MarkdownTextarea(images=images)
            if images:
                kwargs["validators"] = [validate_library_images]
        if isinstance(db_field, TaggableManager):  # themes, tags: offered as you type
            kwargs["widget"] = SuggestingTagWidget(db_field.remote_field.model._meta.label)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "owner":
            from django.contrib.auth import get_user_model

            kwargs["queryset"] = get_user_model().objects.filter(is_staff=True, is_active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    # --- Saving ------------------------------------------------------------------------------

    def assign_owner(self, request, obj):
        if self.owner_lookup == "owner" and obj.owner_id is None:
            obj.owner = request.user

    def save_model(self, request, obj, form, change):
        if change and not form.has_changed():
            return  # nothing touched: nothing saved, no revision noise, no page-cache flush
        if not change:
            self.assign_owner(request, obj)
        if self._restricted(request):
            if not change:
                obj.status = Status.DRAFT
            decision = None
        else:
            publishing_changed = not change or set(PUBLISHING_FIELDS) & set(form.changed_data)
            decision = publishing_changed and (change or obj.status == Status.PUBLISHED)
        super().save_model(request, obj, form, change)
        if decision:
            record_publication(obj, publish_action_for(obj), request.user, "edit form")

    def save_related(self, request, form, formsets, change):
        untouched = change and not form.has_changed()
        if untouched:
            form.save_m2m = lambda: None  # taggit's set() signals a change even when none was made
        super().save_related(request, form, formsets, change)
        if untouched and any(formset.has_changed() for formset in formsets):
            import reversion

            # The item was not saved, so reversion did not see it: the revision of the changed
            # answers still holds it (and the answers it follows).
            if reversion.is_active():
                reversion.add_to_revision(form.instance)

    def _say_status(self, request, obj):
        """After a save: "Scheduled for Mon 7 Dec, 07:00", "Live" or "Draft", said plainly."""
        label = obj.status_label()
        what = {"Live": "readers see it now", "Draft": "readers cannot see it"}.get(
            label, "readers see it from then"
        )
        self.message_user(request, f"{label}: {what}.", messages.INFO)

    def response_add(self, request, obj, post_url_continue=None):
        response = super().response_add(request, obj, post_url_continue)
        self._say_status(request, obj)
        return response

    def response_change(self, request, obj):
        response = super().response_change(request, obj)
        self._say_status(request, obj)
        return response

    # --- Bulk actions ------------------------------------------------------------------------

    @admin.action(
        description="Publish selected %(verbose_name_plural)s (scheduled ones keep their date)",
        permissions=["publish"],
    )
    def publish(self, request, queryset):
        now = timezone.now()
        with transaction.atomic():
            items = list(self._locked(queryset).filter(status=Status.DRAFT))
            for obj in items:
                obj.status = Status.PUBLISHED
            if items:
                self.model.objects.filter(pk__in=[o.pk for o in items]).update(
                    status=Status.PUBLISHED, updated_at=now
                )
                for obj in items:
                    record_publication(obj, publish_action_for(obj, now), request.user, "bulk")
                content_changed(rows_tags(items))  # update() sends no signals
        self._report(request, len(items), "published")

    @admin.action(
        description="Unpublish selected %(verbose_name_plural)s (back to draft)",
        permissions=["publish"],
    )
    def make_draft(self, request, queryset):
        now = timezone.now()
        with transaction.atomic():
            items = list(self._locked(queryset).filter(~Q(status=Status.DRAFT)))
            if items:
                self.model.objects.filter(pk__in=[o.pk for o in items]).update(
                    status=Status.DRAFT, updated_at=now
                )
                for obj in items:
                    obj.status = Status.DRAFT
                    record_publication(
                        obj, PublicationRecord.Action.UNPUBLISHED, request.user, "bulk"
                    )
                content_changed(rows_tags(items))
        self._report(request, len(items), "returned to draft")

    def _locked(self, queryset):
        """The selected rows, locked until the action's transaction ends. The admin's queryset
        carries count annotations (GROUP BY), which PostgreSQL cannot lock: select by key."""
        pks = list(queryset.values_list("pk", flat=True))
        return self.model.objects.select_for_update().filter(pk__in=pks)

    def _report(self, request, count, what):
        opts = self.model._meta
        name = opts.verbose_name if count == 1 else opts.verbose_name_plural
        self.message_user(
            request,
            ngettext("%(count)d %(name)s %(what)s.", "%(count)d %(name)s %(what)s.", count)
            % {"count": count, "name": name, "what": what},
            messages.SUCCESS,
        )

    # --- History: compare and restore ----------------------------------------------------------

    def get_urls(self):
        opts = self.model._meta
        info = opts.app_label, opts.model_name
        urls = [
            path(
                "<path:object_id>/history/compare/",
                self.admin_site.admin_view(self.compare_view),
                name="{}_{}_compare".format(*info),
            ),
            path(
                "<path:object_id>/history/<int:version_id>/restore/",
                self.admin_site.admin_view(self.restore_view),
                name="{}_{}_restore".format(*info),
            ),
        ]
        return urls + super().get_urls()

    def _object_or_404(self, request, object_id):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404("No such item")
        return obj

    def history_view(self, request, object_id, extra_context=None):
        obj = self._object_or_404(request, object_id)
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        response = super().history_view(request, object_id, extra_context)
        for action in getattr(response, "context_data", {}).get("action_list", []):
            # reversion gives each row the URL of its revision; the compare form needs the id.
            action["version_id"] = int(action["url"].rstrip("/").rsplit("/", 1)[1])
        return response

    def compare_view(self, request, object_id):
        obj = self._object_or_404(request, object_id)
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        versions = list(revisions.versions_for(obj))  # newest first
        by_id = {v.pk: v for v in versions}
        if len(versions) < 2:
            messages.info(request, "There is only one revision so far: nothing to compare.")
            return HttpResponseRedirect(self._history_url(obj))
        try:
            old = by_id[int(request.GET.get("from", versions[1].pk))]
            new = by_id[int(request.GET.get("to", versions[0].pk))]
        except (KeyError, ValueError, TypeError):
            raise Http404("No such revision of this item") from None
        if old.revision.date_created > new.revision.date_created:
            old, new = new, old
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "object": obj,
            "title": f"Changes to “{obj}”",
            "old": old,
            "new": new,
            "versions": versions,
            "changes": revisions.field_diffs(old.revision, new.revision),
            "can_restore": self.has_publish_permission(request)
            and self.has_change_permission(request, obj),
            "history_url": self._history_url(obj),
        }
        return TemplateResponse(request, "editorial/admin/revision_diff.html", context)

    def restore_view(self, request, object_id, version_id):
        obj = self._object_or_404(request, object_id)
        if not (self.has_change_permission(request, obj) and self.has_publish_permission(request)):
            raise PermissionDenied
        version = revisions.versions_for(obj).filter(pk=version_id).first()
        if version is None:
            raise Http404("No such revision of this item")
        if request.method != "POST":
            return HttpResponseRedirect(
                reverse(
                    f"admin:{obj._meta.app_label}_{obj._meta.model_name}_compare",
                    args=[obj.pk],
                )
                + f"?from={version.pk}"
            )
        import reversion

        when = timezone.localtime(version.revision.date_created).strftime("%d %b %Y %H:%M")
        with transaction.atomic(), reversion.create_revision():
            version.revision.revert(delete=True)
            reversion.set_user(request.user)
            reversion.set_comment(f"Restored the revision of {when}.")
        content_changed()
        self.message_user(request, f"Restored “{obj}” as it was on {when}.", messages.SUCCESS)
        return HttpResponseRedirect(
            reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
        )

    def _history_url(self, obj):
        return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_history", args=[obj.pk])


class EditorialAdminMixin(LiveDraftsMixin, _EditorialBase):
    """Drafts of live pieces (``editorial.drafts``) come first: a draft's save writes nothing."""


class InterviewEditorialMixin(EditorialAdminMixin):
    """The interview admin's extras: approval links."""

    change_form_template = "editorial/admin/interview_change_form.html"

    def get_inlines(self, request, obj):
        inlines = list(super().get_inlines(request, obj))
        if obj is not None and request.user.has_perm("editorial.view_approvallink"):
            inlines.append(ApprovalLinkInline)
        return inlines

    def get_urls(self):
        urls = [
            path(
                "<path:object_id>/approval-link/",
                self.admin_site.admin_view(self.approval_link_view),
                name="interviews_interview_approval_link",
            ),
            path(
                "<path:object_id>/approval-link/<int:link_id>/revoke/",
                self.admin_site.admin_view(self.revoke_approval_view),
                name="interviews_interview_revoke_approval",
            ),
        ]
        return urls + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        extra_context["can_send_for_approval"] = request.user.has_perm("editorial.add_approvallink")
        return super().change_view(request, object_id, form_url, extra_context)

    def approval_link_view(self, request, object_id):
        from .forms import ApprovalLinkForm
        from .services import send_for_approval

        interview = self._object_or_404(request, object_id)
        if not (
            request.user.has_perm("editorial.add_approvallink")
            and self.has_change_permission(request, interview)
        ):
            raise PermissionDenied
        url = None
        form = ApprovalLinkForm(
            request.POST or None, initial=ApprovalLinkForm.initial_for(interview, request.user)
        )
        if request.method == "POST" and form.is_valid():
            _link, url = send_for_approval(
                interview,
                request.user,
                lambda token: request.build_absolute_uri(
                    reverse("interviews:approval", args=[token])
                ),
                to=form.cleaned_data["to"],
                message=form.cleaned_data["message"],
                days=form.cleaned_data["days"],
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": interview,
            "object": interview,
            "title": f"Send “{interview}” to {interview.leader.name} for approval",
            "form": form,
            "url": url,
            "sent_to": form.cleaned_data.get("to") if url else "",
            "is_live": interview.is_published(),
        }
        return TemplateResponse(request, "editorial/admin/approval_link.html", context)

    def revoke_approval_view(self, request, object_id, link_id):
        interview = self._object_or_404(request, object_id)
        if not (
            request.user.has_perm("editorial.change_approvallink")
            and self.has_change_permission(request, interview)
        ):
            raise PermissionDenied
        link = interview.approval_links.filter(pk=link_id).first()
        if link is None:
            raise Http404("No such approval link")
        if request.method == "POST":
            link.revoke(request.user)
            self.message_user(request, "The approval link no longer works.", messages.SUCCESS)
            return HttpResponseRedirect(
                reverse("admin:interviews_interview_change", args=[interview.pk])
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": interview,
            "title": "Revoke this approval link?",
            "link": link,
        }
        return TemplateResponse(request, "editorial/admin/revoke_link.html", context)


class PostEditorialMixin(EditorialAdminMixin):
    owner_lookup = "author__user"

    def assign_owner(self, request, obj):
        if self._restricted(request):
            author = getattr(request.user, "author", None)
            if author is None:
                raise PermissionDenied("You have no author profile: ask an editor to add one.")
            obj.author = author

    def has_add_permission(self, request):
        allowed = super().has_add_permission(request)
        if allowed and self._restricted(request):
            # An author's posts go out under their author profile; without one, nothing to add.
            return getattr(request.user, "author", None) is not None
        return allowed


@admin.register(PublicationRecord)
class PublicationRecordAdmin(admin.ModelAdmin):
    list_display = ["at", "title", "action", "publish_at", "user", "how", "content_type"]
    list_filter = ["action", "content_type", "how"]
    list_select_related = ["user", "content_type"]
    search_fields = ["title", "user__username"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ApprovalEventInline(admin.TabularInline):
    model = ApprovalEvent
    fields = ["at", "kind", "name", "message", "user_agent"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False


@admin.register(ApprovalLink)
class ApprovalLinkAdmin(admin.ModelAdmin):
    list_display = ["interview", "note", "created_by", "created_at", "expires_at", "state_label"]
    list_select_related = ["interview", "created_by"]
    search_fields = ["interview__title", "note"]
    fields = [
        "interview",
        "note",
        "created_by",
        "created_at",
        "expires_at",
        "revoked_at",
        "revoked_by",
        "approved_at",
        "approved_by_name",
    ]
    readonly_fields = fields
    inlines = [ApprovalEventInline]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False  # links are made from the interview's page, where the secret is shown once

    @admin.display(description="state")
    def state_label(self, link):
        return link.state_label

    @admin.action(description="Revoke selected approval links", permissions=["change"])
    def revoke(self, request, queryset):
        count = queryset.filter(revoked_at__isnull=True, approved_at__isnull=True).update(
            revoked_at=timezone.now(), revoked_by=request.user
        )
        self.message_user(request, f"{count} link(s) revoked.", messages.SUCCESS)


__all__ = [
    "EditorialAdminMixin",
    "InterviewEditorialMixin",
    "PostEditorialMixin",
    "Version",
]
