from django import template

from ..forms import CONSENT_TEXT, SubscribeForm

register = template.Library()


@register.inclusion_tag("newsletter/includes/signup.html", takes_context=True)
def newsletter_signup(context, place="page"):
    """The small sign-up form under pieces and on the home page: ``place`` keeps ids unique.
    The page's path is recorded as where consent was given (the same for every reader)."""
    request = context.get("request")
    path = request.path if request is not None else "/"
    form = SubscribeForm(initial={"next": path}, auto_id=f"id_signup_{place}_%s")
    return {
        "form": form,
        "user": context.get("user"),
        "place": place,
        "consent_text": CONSENT_TEXT,
    }
