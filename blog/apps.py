from django.apps import AppConfig
from django.urls import reverse


def tag_url(tag):
    return reverse("blog:tag", kwargs={"slug": tag.slug})


class BlogConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "blog"
    verbose_name = "Blog"

    def ready(self):
        from taggit.models import Tag

        import redirects

        # A changed slug leaves a redirect from the old address (docs/redirects.md). The blog's
        # tags are taggit's own model, which has no address of its own: the blog gives it one.
        for name in ("Post", "Author"):
            redirects.track(self.get_model(name))
        redirects.track(Tag, url=tag_url)

        # The menu leaves out the blog while it has no published post.
        from socialleaders import sections

        Post = self.get_model("Post")
        sections.register("blog", lambda: Post.objects.published(), [Post])
