"""What every public page shares: editors' previews kept private, feeds named, subject pages."""

from django.core.paginator import Paginator
from django.db import models
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.functional import cached_property

from .cachetags import children_tag, tag_page
from .feeds import feed_links


class PageOutOfRange(Http404):
    """A list asked for a page past its last (``?page=99``): the 404 page says so plainly."""

    def __init__(self, number, last, path):
        super().__init__(f"There is no page {number}; the last is {last}.")
        self.number, self.last, self.path = number, last, path


def children_tags(rows):
    return [children_tag(row) for row in rows if isinstance(row, models.Model)]


class PublicPageMixin:
    """Editors get private, uncached responses; a section page names its own feed
    (``feed_kind``, with the view's ``subject`` for a tag, theme or platform feed)."""

    feed_kind = None
    # The lists the page shows, as cache tags (``cachetags.list_tag``, ``CATALOGUE``): a row
    # joining or leaving one of them makes the page stale. The rows it shows tag themselves.
    cache_tags = ()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        tag_page(*self.cache_tags)
        # A list's cards show counts of what hangs from each row (comments).
        tag_page(*children_tags(context.get("object_list") or ()))
        if self.feed_kind:
            context.update(feed_links(self.feed_kind, getattr(self, "subject", None)))
        return context

    @cached_property
    def is_editor(self):
        user = self.request.user
        return user.is_authenticated and user.is_active and user.is_staff

    def paginate_queryset(self, queryset, page_size):
        """A page number past the end is a ``PageOutOfRange`` 404 naming the last page."""
        try:
            return super().paginate_queryset(queryset, page_size)
        except Http404:
            asked = self.kwargs.get(self.page_kwarg) or self.request.GET.get(self.page_kwarg)
            if not str(asked).isdigit():
                raise
            paginator = self.get_paginator(
                queryset,
                page_size,
                orphans=self.get_paginate_orphans(),
                allow_empty_first_page=self.get_allow_empty(),
            )
            raise PageOutOfRange(int(asked), paginator.num_pages, self.request.path) from None

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        if self.is_editor:
            add_never_cache_headers(response)
            patch_cache_control(response, private=True)
        return response


class PreviewMixin(PublicPageMixin):
    """A detail page for a Publishable: readers see it once it is live, editors at any time,
    marked "Preview" when it is not public (djangoproject.com's BlogViewMixin)."""

    def get_base_queryset(self):
        raise NotImplementedError

    def get_queryset(self):
        queryset = self.get_base_queryset()
        return queryset if self.is_editor else queryset.published()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["preview"] = not self.object.is_published()
        tag_page(children_tag(self.object))  # its answers, quotes, comments...
        if context["preview"]:
            context["preview_status"] = self.object.status_label()
        if getattr(self.request, "previewing_draft", False):  # editorial.drafts' preview
            context["preview"] = True
            context["preview_status"] = "the draft of changes to this live page"
        return context


class SubjectListMixin(PublicPageMixin):
    """A list page about one thing (a platform, theme, leader, tag, author...): ``get_subject``
    finds it (or 404s) before the list is read; the template gets it as ``subject_name``."""

    subject_name = "subject"
    subject_model = None  # the subject by the URL's slug, unless get_subject says otherwise

    def get_subject(self):
        return get_object_or_404(self.subject_model, slug=self.kwargs["slug"])

    def get(self, request, *args, **kwargs):
        self.subject = self.get_subject()
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context[self.subject_name] = self.subject
        if isinstance(self.subject, models.Model):
            tag_page(children_tag(self.subject))  # what it lists
        return context


class CountedPaginator(Paginator):
    """A paginator given a function for its count, for pages whose total is cheaper to have
    another way than ``COUNT(*)`` over the page's own query."""

    def __init__(self, object_list, per_page, *, count, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self._count = count

    @cached_property
    def count(self):
        return self._count()
