"""{% editors_desk as desk %}: what templates/admin/index.html shows (desk/selectors.py)."""

from django import template

from socialleaders.publishing import when

from .. import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def editors_desk(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    waiting, approved = selectors.approvals(user)
    comments, comment_count = selectors.pending_comments(user)
    return {
        "scheduled": selectors.scheduled(user),
        "drafts": selectors.drafts(user),
        "waiting": waiting,
        "approved": approved,
        "comments": comments,
        "comment_count": comment_count,
        "series": selectors.series_to_write(user),
    }


@register.filter
def moment(value):
    """ "Mon 7 Dec, 07:00" in the site's time zone."""
    return when(value) if value else ""


# Apps an editor works in every day come first; accounts, tags and records last, out of the way.
DAILY_APPS = ["interviews", "blog", "comments"]
RARE_APPS = {"auth", "taggit", "reversion", "editorial"}


@register.filter
def desk_order(app_list):
    """The admin's app list with the daily apps first and the rarely needed ones last."""
    rank = {label: i for i, label in enumerate(DAILY_APPS)}
    return sorted(
        app_list,
        key=lambda app: (app["app_label"] in RARE_APPS, rank.get(app["app_label"], len(rank))),
    )


@register.filter
def daily_apps(app_list):
    return [app for app in desk_order(app_list) if app["app_label"] not in RARE_APPS]


@register.filter
def rare_apps(app_list):
    return [app for app in desk_order(app_list) if app["app_label"] in RARE_APPS]
