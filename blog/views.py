"""The blog's public pages: index, post, tag, author, yearly and monthly archive.

Same rules as the interview pages (socialleaders/views.py): published only for readers, staff
preview on the real page, a fixed number of queries per page.
"""

from datetime import date

from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import dateformat
from django.views.generic import DetailView, ListView, dates
from taggit.models import Tag

from comments.selectors import thread_for
from editorial import quotecards
from editorial.revisions import last_changed
from images.templatetags.images import rendition_url
from socialleaders import structured_data as ld
from socialleaders.cachetags import list_tag, tag_page
from socialleaders.views import PreviewMixin, PublicPageMixin, SubjectListMixin

from . import selectors
from .models import Author, Post


def post_cards():
    return (
        Post.objects.published()
        .select_related("author")
        .prefetch_related("tags")
        .with_comment_counts()
        .order_by("-publish_at", "-pk")
    )


POSTS = list_tag(Post)  # pages listing posts: any joining or leaving one


class PostListView(PublicPageMixin, ListView):
    cache_tags = (POSTS,)
    feed_kind = "blog"
    trail = (("Blog", "blog:index"),)
    template_name = "blog/post_list.html"
    context_object_name = "posts"
    paginate_by = 10

    def get_queryset(self):
        return post_cards()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["archive_months"] = selectors.archive_months()
        return context


class PostDetailView(PreviewMixin, DetailView):
    template_name = "blog/post_detail.html"
    context_object_name = "post"

    def get_base_queryset(self):
        return Post.objects.select_related("author", "image").prefetch_related("tags")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        post = self.object
        context["share_image"] = rendition_url(post.image) or quotecards.card_url(
            quotecards.share_fields(post.title, f"By {post.author.name}", kind="title")
        )
        url = post.get_absolute_url()
        context["structured_data"] = [
            ld.article(
                "BlogPosting",
                headline=post.title,
                url=url,
                author={
                    "@type": "Person",
                    "name": post.author.name,
                    "url": ld.absolute(post.author.get_absolute_url()),
                },
                published=post.publish_at,
                modified=last_changed(post),
                image=context["share_image"],
                description=post.excerpt,
            ),
            ld.breadcrumbs(("Blog", reverse("blog:index")), (post.title, url)),
        ]
        context.update(thread_for(post))
        tag_page(POSTS)  # related reading and next/previous follow posts joining or leaving
        context["related_posts"] = selectors.related_posts(post)
        context["previous_post"], context["next_post"] = selectors.neighbours(post)
        return context


class PostsOf(SubjectListMixin):
    """A page about one thing (a tag, an author, a month) listing its published posts."""

    paginate_by = 10
    context_object_name = "posts"
    cache_tags = (POSTS,)
    trail = PostListView.trail


class TagView(PostsOf, ListView):
    feed_kind = "tag"
    subject_name = "tag"
    subject_model = Tag
    template_name = "blog/tag_detail.html"

    def get_queryset(self):
        return post_cards().filter(tags=self.subject)

    def subject_crumb(self):
        return self.subject.name, reverse("blog:tag", args=[self.subject.slug])


class AuthorView(PostsOf, ListView):
    subject_name = "author"
    template_name = "blog/author_detail.html"
    collection_kind = "ProfilePage"

    def list_main_entity(self):
        author = self.subject
        person = {
            "@type": "Person",
            "name": author.name,
            "url": ld.absolute(author.get_absolute_url()),
        }
        if author.website:
            person["sameAs"] = [author.website]
        return person

    def get_subject(self):
        authors = Author.objects.annotate(
            post_count=Count("posts", filter=Q(posts__in=Post.objects.published().values("pk")))
        )
        return get_object_or_404(authors, slug=self.kwargs["slug"])

    def get_queryset(self):
        return post_cards().filter(author=self.subject)


class MonthArchiveView(PublicPageMixin, dates.MonthArchiveView):
    """The posts of one month (Django's archive view: 404 for an empty or impossible month)."""

    template_name = "blog/month_archive.html"
    cache_tags = (POSTS,)
    context_object_name = "posts"
    date_field = "publish_at"
    month_format = "%m"
    paginate_by = 10
    allow_empty = False
    trail = PostListView.trail

    def get_queryset(self):
        return post_cards()

    def get_trail(self):
        year, month = int(self.get_year()), int(self.get_month())
        return [
            *super().get_trail(),
            (str(year), reverse("blog:year", args=[f"{year:04d}"])),
            (
                dateformat.format(date(year, month, 1), "F Y"),
                reverse("blog:month", args=[f"{year:04d}", f"{month:02d}"]),
            ),
        ]


class YearArchiveView(PublicPageMixin, dates.YearArchiveView):
    """The posts of one year, with its months (404 for a year without posts)."""

    template_name = "blog/year_archive.html"
    cache_tags = (POSTS,)
    context_object_name = "posts"
    date_field = "publish_at"
    make_object_list = True
    paginate_by = 10
    allow_empty = False
    trail = PostListView.trail

    def get_queryset(self):
        return post_cards()

    def get_trail(self):
        year = self.get_year()
        return [*super().get_trail(), (year, reverse("blog:year", args=[year]))]
