"""What every public page shares: editors' previews kept private, feeds named, subject pages."""

from django.core.paginator import Paginator
from django.db import models
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.functional import cached_property

from . import structured_data as ld
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
    # A list page's place under Home: (name, URL name) pairs, the page's own section last.
    # Given, the page's JSON-LD is a CollectionPage of the items it shows and a BreadcrumbList
    # (list_structured_data); pages of one piece build their own types instead.
    trail = ()
    collection_kind = "CollectionPage"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        tag_page(*self.cache_tags)
        # A list's cards show counts of what hangs from each row (comments).
        tag_page(*children_tags(context.get("object_list") or ()))
        if self.feed_kind:
            context.update(feed_links(self.feed_kind, getattr(self, "subject", None)))
        trail = self.get_trail()
        if trail:
            context["structured_data"] = self.list_structured_data(context, trail)
        return context

    def get_trail(self):
        """The breadcrumbs below Home as (name, url), the page itself last."""
        return [(name, reverse(url_name)) for name, url_name in self.trail]

    def list_items(self, context):
        """The items the page shows (this page of a paginated list)."""
        return context.get("object_list") or ()

    def list_entry(self, item):
        """An item of the list as (name, url)."""
        return str(item), item.get_absolute_url()

    def list_main_entity(self):
        """What the page is about when it is one thing (an author): its mainEntity."""
        return None

    def list_structured_data(self, context, trail):
        name, url = trail[-1]
        page = context.get("page_obj")
        if page is not None and page.number > 1:
            url = f"{url}?page={page.number}"
        entries = [self.list_entry(item) for item in self.list_items(context)]
        return [
            ld.collection(
                name,
                url,
                entries,
                kind=self.collection_kind,
                start=page.start_index() if page is not None and entries else 1,
                main_entity=self.list_main_entity(),
            ),
            ld.breadcrumbs(*trail),
        ]

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

    def get_trail(self):
        """The section's trail, then the subject's own page."""
        trail = super().get_trail()
        return trail and [*trail, self.subject_crumb()]

    def subject_crumb(self):
        return str(self.subject), self.subject.get_absolute_url()

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
