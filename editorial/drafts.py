"""Drafts of live pieces (docs/editorial.md, "Drafts of live pieces").

Editing a piece readers can see saves the form into a ``PendingChanges`` row instead of the live
rows: readers (and the page cache, which goes stale only when the rows it shows are written) see
the published version until "Publish changes" saves the form the normal way, which makes the
revision. The draft preview applies the draft inside a transaction that is rolled back.

Scheduled changes: "Schedule changes" keeps the draft with the time it goes live
(``PendingChanges.go_live_at``). The first request after that time applies it as "Publish
changes" would, in the scheduling editor's name, without cron: ``publish_due_changes`` is
registered with the page cache's schedule check (``socialleaders.cache.register_schedule``), and
its saves make only the piece's pages stale.
"""

import logging

from django.contrib import messages
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Min
from django.forms.formsets import all_valid
from django.http import (
    Http404,
    HttpRequest,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
    QueryDict,
)
from django.urls import resolve, reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.dateparse import parse_datetime
from django.utils.http import url_has_allowed_host_and_scheme

from socialleaders.publishing import when

from .models import PendingChanges

logger = logging.getLogger(__name__)

PUBLISH = "_publish_changes"
DISCARD = "_discard_draft"
SCHEDULE = "_schedule_changes"
CANCEL_SCHEDULE = "_cancel_schedule"
SCHEDULE_AT = "_changes_at"  # the date and time field beside "Schedule changes"
_NOT_FORM_DATA = {"csrfmiddlewaretoken"}


def go_live_time(value, now=None):
    """The moment typed in the "changes go live at" field (site time zone), or ValidationError
    saying what is expected."""
    expected = "as 2026-12-07 07:00 (date, then 24-hour time, site time)"
    value = (value or "").strip()
    if not value:
        raise ValidationError(
            f"To schedule the changes, give the date and time they go live, {expected}."
        )
    try:
        moment = parse_datetime(value)
    except ValueError:
        moment = None
    if moment is None:
        raise ValidationError(f"“{value}” is not a date and time: write it {expected}.")
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    if moment <= (now or timezone.now()):
        raise ValidationError(
            f"{when(moment)} has passed: pick a later time, or use “Publish changes” to "
            "publish now."
        )
    return moment


def _typed_time(request):
    """The time typed beside "Schedule changes" (the form has the row at its top and bottom)."""
    return next((v for v in request.POST.getlist(SCHEDULE_AT) if v.strip()), "")


def saving_draft(request):
    """True while the admin handles a save that must only go into the draft."""
    return getattr(request, "_saving_draft", False)


def _form_data(post):
    return {
        key: post.getlist(key)
        for key in post
        if key not in _NOT_FORM_DATA and not key.startswith("_")
    }


def _querydict(data):
    query = QueryDict(mutable=True)
    for key, values in data.items():
        query.setlist(key, values)
    return query


class LiveDraftsMixin:
    """For ModelAdmins of ``Publishable`` models with reversion (mixed into
    ``EditorialAdminMixin``). Everyone who may change a live piece may save a draft of it; only
    those with the publish permission publish the changes."""

    def works_on_draft(self, obj):
        return obj is not None and obj.is_published()

    # --- The change form -------------------------------------------------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        extra_context = extra_context or {}
        editable = obj is not None and self.has_change_permission(request, obj)
        if editable and self.works_on_draft(obj):
            pending = PendingChanges.for_item(obj)
            if request.method == "POST" and DISCARD in request.POST:
                if pending is not None:
                    pending.delete()
                self.message_user(
                    request, "Draft discarded: the form shows the published version.", messages.INFO
                )
                return HttpResponseRedirect(request.path)
            if request.method == "POST" and CANCEL_SCHEDULE in request.POST:
                self._cancel_schedule(request, obj)
                return HttpResponseRedirect(request.path)
            if request.method == "POST" and SCHEDULE in request.POST:
                if not self.has_publish_permission(request):
                    raise PermissionDenied
                try:
                    request._schedule_at = go_live_time(_typed_time(request))
                except ValidationError as error:
                    request._schedule_error = error
            if request.method == "POST":
                request._saving_draft = not (
                    PUBLISH in request.POST and self.has_publish_permission(request)
                )
            elif pending is not None:
                request._draft_data = _querydict(pending.data)
            extra_context.update(
                live_draft=True,
                pending_changes=pending,
                can_publish_changes=self.has_publish_permission(request),
                draft_preview_url=self._draft_url(obj, "preview"),
                changes_at=_typed_time(request) if request.method == "POST" else "",
                schedule_error=getattr(request, "_schedule_error", None),
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        error = getattr(request, "_schedule_error", None)
        if error is not None:

            class ScheduleForm(form_class):
                """The form with the schedule's time refused: nothing is saved, all is kept."""

                def clean(self):
                    cleaned = super().clean()
                    self.add_error(None, error)
                    return cleaned

            ScheduleForm.__name__ = form_class.__name__
            return ScheduleForm
        data = getattr(request, "_draft_data", None)
        if data is None or request.method == "POST":
            return form_class

        class DraftForm(form_class):
            """The form as the draft left it (bound, so what is shown is what was saved)."""

            def __init__(self, *args, **kwargs):
                if not args and "data" not in kwargs:
                    kwargs["data"] = data.copy()
                super().__init__(*args, **kwargs)

        DraftForm.__name__ = form_class.__name__
        return DraftForm

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        data = getattr(request, "_draft_data", None)
        if data is not None and request.method != "POST":
            kwargs.update(data=data.copy(), files={})
        return kwargs

    # --- Saving: into the draft, or the draft published --------------------------------------

    def save_model(self, request, obj, form, change):
        if saving_draft(request):
            request._draft_changed = form.has_changed()
            return
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        if saving_draft(request):
            request._draft_changed = request._draft_changed or any(
                formset.has_changed() for formset in formsets
            )
            for formset in formsets:  # what the admin's change message reads after a save
                formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
            return
        super().save_related(request, form, formsets, change)

    def log_change(self, request, obj, message):
        if saving_draft(request):
            return None  # nothing was changed for readers; the draft row says who saved it
        return super().log_change(request, obj, message)

    def response_change(self, request, obj):
        if saving_draft(request):
            return self._draft_saved(request, obj)
        response = super().response_change(request, obj)
        if PUBLISH in request.POST:
            pending = PendingChanges.for_item(obj)
            if pending is not None:
                pending.delete()
                self.message_user(request, "The changes are published.", messages.SUCCESS)
        return response

    def _draft_saved(self, request, obj):
        pending = PendingChanges.for_item(obj)
        if not request._draft_changed:
            if pending is not None:
                pending.delete()
            self.message_user(
                request, "Nothing differs from the published version: no draft kept.", messages.INFO
            )
        else:
            if pending is None:
                pending = PendingChanges(item=obj)
            pending.data = _form_data(request.POST)
            pending.user = request.user
            pending.updated_at = timezone.now()
            scheduling = getattr(request, "_schedule_at", None)
            if scheduling is not None:
                pending.go_live_at, pending.scheduled_by = scheduling, request.user
            pending.save()
            if scheduling is not None:
                message = (
                    f"Changes scheduled for {when(scheduling)}: readers see the published "
                    "version until then, and the changes from that time."
                )
            elif pending.go_live_at is not None:
                message = (
                    f"Draft saved. It is still scheduled to go live {when(pending.go_live_at)}; "
                    "readers see the published version until then."
                )
            else:
                message = (
                    "Draft saved. Readers still see the published version until you publish the "
                    "changes; “Preview the draft” shows the page with them."
                )
            self.message_user(request, message, messages.SUCCESS)
        return HttpResponseRedirect(request.path)

    # --- Preview of the draft ----------------------------------------------------------------

    def get_urls(self):
        from django.urls import path

        opts = self.model._meta
        urls = [
            path(
                "<path:object_id>/draft/preview/",
                self.admin_site.admin_view(self.draft_preview_view),
                name=f"{opts.app_label}_{opts.model_name}_draft_preview",
            ),
            path(
                "<path:object_id>/draft/cancel-schedule/",
                self.admin_site.admin_view(self.cancel_schedule_view),
                name=f"{opts.app_label}_{opts.model_name}_cancel_schedule",
            ),
        ]
        return urls + super().get_urls()

    # --- Cancelling scheduled changes (the form's "Cancel the schedule", the desk's "Cancel") --

    def _cancel_schedule(self, request, obj):
        """Call off the changes scheduled for ``obj``: the draft stays a draft (to publish,
        schedule again or discard), the live piece as it is. Who may schedule may cancel."""
        if not (self.has_change_permission(request, obj) and self.has_publish_permission(request)):
            raise PermissionDenied
        with transaction.atomic():
            # Locked as publish_scheduled locks it: a draft going live now is not cancelled.
            draft = PendingChanges.for_item(obj)
            scheduled = PendingChanges.objects.select_for_update().filter(go_live_at__isnull=False)
            pending = scheduled.filter(pk=draft.pk).first() if draft is not None else None
            if pending is None:
                self.message_user(
                    request,
                    f"The changes to “{obj}” are not scheduled (published already, or the "
                    "schedule was cancelled).",
                    messages.INFO,
                )
                return
            pending.go_live_at = pending.scheduled_by = None
            pending.save(update_fields=["go_live_at", "scheduled_by"])
        self.message_user(
            request,
            f"Schedule cancelled: the changes to “{obj}” stay a draft; readers see the "
            "published version.",
            messages.SUCCESS,
        )

    def cancel_schedule_view(self, request, object_id):
        """The desk's "Cancel" beside scheduled changes (POST): then back to ``next``."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404("No such item")
        self._cancel_schedule(request, obj)
        after = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(
            after, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            opts = obj._meta
            after = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        return HttpResponseRedirect(after)

    def _draft_url(self, obj, what):
        opts = obj._meta
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_draft_{what}", args=[obj.pk])

    def draft_preview_view(self, request, object_id):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404("No such item")
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        pending = PendingChanges.for_item(obj)
        if pending is None:
            return HttpResponseRedirect(obj.get_absolute_url())
        with transaction.atomic():
            # Applied, rendered and rolled back: no row changes, so no page goes stale.
            try:
                if not self._apply(request, obj, _querydict(pending.data)):
                    raise Http404("This draft no longer fits the form: open it and save it again.")
                request.previewing_draft = True
                match = resolve(obj.get_absolute_url())
                response = match.func(request, *match.args, **match.kwargs)
                if hasattr(response, "render"):
                    response.render()
            finally:
                transaction.set_rollback(True)
        add_never_cache_headers(response)
        return response

    def _apply(self, request, obj, data):
        """Save ``data`` as the change form would (inside the caller's transaction)."""
        fields = flatten_fieldsets(self.get_fieldsets(request, obj))
        form = self.get_form(request, obj, change=True, fields=fields)(data, {}, instance=obj)
        if not form.is_valid():
            return False
        new_object = self.save_form(request, form, change=True)
        request._draft_data = data
        formsets, _inlines = self._create_formsets(request, new_object, change=True)
        if not all_valid(formsets):
            return False
        self.save_model(request, new_object, form, True)
        self.save_related(request, form, formsets, True)
        return True


# --- Scheduled changes going live ---------------------------------------------------------------


def next_scheduled_changes(now):
    """When the soonest scheduled draft goes live (past or future), or None: for the page
    cache's schedule check (one aggregate query on the indexed column)."""
    return PendingChanges.objects.aggregate(at=Min("go_live_at"))["at"]


def publish_due_changes(now=None):
    """Publish every scheduled draft whose time has come (called by the schedule check)."""
    now = now or timezone.now()
    for pk in PendingChanges.objects.filter(go_live_at__lte=now).values_list("pk", flat=True):
        publish_scheduled(pk, now)


def _scheduled_request(user):
    """A stand-in for the editor's request: the admin's own form saves the draft, as "Publish
    changes" does, with the permissions of whoever scheduled it."""
    request = HttpRequest()
    request.method = "GET"  # so the forms take the draft's data (get_formset_kwargs)
    request.user = user
    request._scheduled_publish = True
    return request


def publish_scheduled(pk, now):
    """Apply one due draft to the live rows, with a revision, and drop it. A draft that no
    longer fits the form (or whose editor lost the right to publish) stays a draft, unscheduled,
    and says why in the log."""
    import reversion
    from django.contrib import admin

    with transaction.atomic():
        pending = (
            PendingChanges.objects.select_for_update(of=("self",))
            .select_related("content_type", "scheduled_by")
            .filter(pk=pk, go_live_at__lte=now)
            .first()
        )
        if pending is None:  # another process published it, or it was cancelled
            return False
        obj = pending.item
        model_admin = admin.site._registry.get(type(obj)) if obj is not None else None
        user = pending.scheduled_by
        request = _scheduled_request(user)
        published = False
        if (
            model_admin is not None
            and user is not None
            and model_admin.has_publish_permission(request)
        ):
            try:
                with transaction.atomic(), reversion.create_revision():
                    reversion.set_user(user)
                    reversion.set_comment(
                        f"Scheduled changes published ({when(pending.go_live_at)})."
                    )
                    if not model_admin._apply(request, obj, _querydict(pending.data)):
                        raise _DoesNotFit
                published = True
            except _DoesNotFit:
                pass
        if published:
            model_admin.log_change(request, obj, "Published the scheduled changes.")
            pending.delete()
        else:
            logger.warning("scheduled changes of %s could not be published; kept as a draft", obj)
            pending.go_live_at = None
            pending.save(update_fields=["go_live_at"])
        return published


class _DoesNotFit(Exception):
    """The draft no longer validates: roll its partial save back."""


def _schedules_changed(sender, instance, update_fields=None, **kwargs):
    """Only a draft that is (or was just) scheduled moves the schedule check's next instant."""
    from socialleaders import cache

    if instance.go_live_at is not None or "go_live_at" in (update_fields or ()):
        cache.schedules_changed()


def connect():
    """From ``EditorialConfig.ready``: scheduled drafts go live on the first request after their
    time; any change to a draft makes the check look their time up again."""
    from django.db.models.signals import post_delete, post_save

    from socialleaders import cache

    cache.register_schedule(next_scheduled_changes, publish_due_changes)
    post_save.connect(_schedules_changed, sender=PendingChanges, dispatch_uid="drafts-scheduled")
    post_delete.connect(
        _schedules_changed, sender=PendingChanges, dispatch_uid="drafts-unscheduled"
    )
