"""Reads of the newsletter shared by its emails, jobs and pages: the week's pieces of a digest,
the archive's sends, and the cache tag of the archive's pages."""

from django.db.models import Q

from socialleaders.publishing import published_q

from .models import Mailing

# Every archive page (the list, its feed, each send's web version, the sitemap's entries)
# carries this tag: a send starting, or an issue edited, makes them stale.
ARCHIVE_TAG = "newsletter.archive"


def archive_changed():
    from socialleaders.cache import content_changed

    content_changed({ARCHIVE_TAG})


def week_pieces(starts_at, ends_at):
    """The interviews and posts that went live in [starts_at, ends_at) and are live now, in
    the order they went live."""
    from blog.models import Post
    from interviews.models import Interview

    window = {"publish_at__gte": starts_at, "publish_at__lt": ends_at}
    interviews = Interview.objects.filter(published_q(), **window).select_related("leader")
    posts = Post.objects.filter(published_q(), **window)
    pieces = [("interview", i) for i in interviews] + [("post", p) for p in posts]
    return sorted(pieces, key=lambda pair: (pair[1].publish_at, pair[0], pair[1].pk))


def sent_issues():
    """Issues and digests whose send has started, newest first (one query)."""
    return (
        Mailing.objects.filter(
            Q(issue__isnull=False) | Q(digest__isnull=False),
            state__in=[Mailing.State.SENDING, Mailing.State.DONE],
        )
        .select_related("issue", "digest")
        .order_by("-started_at", "-pk")
    )
