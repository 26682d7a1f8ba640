"""The home page: the latest interviews and posts, a featured quote, the catalogue."""

from django.urls import reverse
from django.views.generic import TemplateView

from blog.models import Post
from interviews import selectors
from interviews.models import Interview, Quote
from socialleaders import structured_data as ld
from socialleaders.cachetags import CATALOGUE, list_tag, tag_page
from socialleaders.views import PublicPageMixin, children_tags


class HomeView(PublicPageMixin, TemplateView):
    template_name = "frontpage/home.html"
    cache_tags = (list_tag(Interview), list_tag(Post), list_tag(Quote), CATALOGUE)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        themes = selectors.catalogue("themes")
        interviews = list(selectors.interview_cards()[:6])
        posts = list(
            Post.objects.published().select_related("author").order_by("-publish_at", "-pk")[:3]
        )
        tag_page(*children_tags([*interviews, *posts]))  # the cards' comment counts
        context.update(
            structured_data=[ld.website(reverse("search:results"))],
            interviews=interviews,
            posts=posts,
            featured_quote=selectors.featured_quote(),
            platforms=[p for p in selectors.catalogue("platforms") if p.leader_count],
            themes=sorted(themes, key=lambda t: (-t.interview_count, t.name))[:12],
            questions=selectors.catalogue("questions"),
        )
        return context
