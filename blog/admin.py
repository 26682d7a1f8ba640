"""The editors' admin for authors and posts (comments: comments/admin.py)."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from reversion.admin import VersionAdmin

from comments.models import Comment
from editorial.admin import PostEditorialMixin
from images.admin import LibraryImagesAdminMixin
from redirects.admin import take_down_for_good
from socialleaders.admin import (
    CountsAdmin,
    PublishableAdmin,
    VisibilityFilter,
)
from socialleaders.queries import count_of

from .models import Author, Post


@admin.register(Author)
class AuthorAdmin(CountsAdmin):
    list_display = ["name", "user", "is_guest", "post_count"]
    list_filter = ["is_guest"]
    list_select_related = ["user"]
    search_fields = ["name", "bio", "user__username", "user__email"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["user"]
    fields = ["name", "slug", "is_guest", "user", "bio", "website"]

    counts = {"_post_count": count_of(Post, "author")}

    @admin.display(description="posts", ordering="_post_count")
    def post_count(self, obj):
        return obj._post_count


@admin.register(Post)
class PostAdmin(LibraryImagesAdminMixin, PostEditorialMixin, VersionAdmin, PublishableAdmin):
    library_image_fields = ["image"]
    markdown_fields = ["body"]
    body_image_fields = ["body"]
    # Publish, unpublish (editorial) and take down for good, answering 410 (redirects).
    actions = ["publish", "make_draft", take_down_for_good]
    list_display = [
        "title",
        "author",
        "state",
        "comments_open",
        "comment_count",
        "tag_list",
    ]
    list_filter = [VisibilityFilter, "status", "author", "tags", "comments_open"]
    list_select_related = ["author"]
    search_fields = ["title", "excerpt", "body", "author__name"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["author"]
    save_on_top = True
    fieldsets = [
        (None, {"fields": ["title", "slug", "author"]}),
        PublishableAdmin.publishing_fieldset,
        ("Text", {"fields": ["excerpt", "body", "tags"]}),
        ("Comments", {"fields": ["comments_open"]}),
        (
            "Image",
            {
                "classes": ["collapse"],
                "fields": ["image", "image_upload", "image_alt"],
            },
        ),
    ]

    counts = {
        "_comment_count": count_of(Comment, "post"),
        "_pending_count": count_of(Comment, "post", status=Comment.Status.PENDING),
    }

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("tags")

    def get_changeform_initial_data(self, request):
        # A new post goes out under the editor's own author profile, when they have one.
        initial = super().get_changeform_initial_data(request)
        author = Author.objects.filter(user=request.user).first()
        if author is not None:
            initial.setdefault("author", author.pk)
        return initial

    @admin.display(description="comments", ordering="_comment_count")
    def comment_count(self, obj):
        if not obj._comment_count:
            return 0
        url = reverse("admin:comments_comment_changelist") + f"?post__id__exact={obj.pk}"
        if obj._pending_count:
            return format_html(
                '<a href="{}">{}</a> ({} awaiting moderation)',
                url,
                obj._comment_count,
                obj._pending_count,
            )
        return format_html('<a href="{}">{}</a>', url, obj._comment_count)

    @admin.display(description="tags")
    def tag_list(self, obj):
        return ", ".join(sorted(tag.name for tag in obj.tags.all()))
