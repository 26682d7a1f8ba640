"""Drafts of live pieces (docs/editorial.md, "Drafts of live pieces").

Editing a piece readers can see saves the form into a ``PendingChanges`` row instead of the live
rows: readers (and the page cache, which goes stale only when the rows it shows are written) see
the published version until "Publish changes" saves the form the normal way, which makes the
revision. The draft preview applies the draft inside a transaction that is rolled back.
"""

from django.contrib import messages
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.forms.formsets import all_valid
from django.http import Http404, HttpResponseRedirect, QueryDict
from django.urls import resolve, reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from .models import PendingChanges

PUBLISH = "_publish_changes"
DISCARD = "_discard_draft"
_NOT_FORM_DATA = {"csrfmiddlewaretoken"}


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
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
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
            pending.save()
            self.message_user(
                request,
                "Draft saved. Readers still see the published version until you publish the "
                "changes; “Preview the draft” shows the page with them.",
                messages.SUCCESS,
            )
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
            )
        ]
        return urls + super().get_urls()

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
