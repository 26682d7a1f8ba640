"""Cross-site protection for forms on pages every anonymous reader shares (the comment form):
no per-visitor token can be in such a page, so the browser's own headers say where a post came
from (docs/architecture.md, "The page cache")."""

from functools import wraps

from django.conf import settings
from django.middleware.csrf import CsrfViewMiddleware, _get_failure_view
from django.views.decorators.csrf import csrf_exempt

SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}
CROSS_SITE = "the form was sent from another site"


def _allowed_origins(request):
    return {f"{request.scheme}://{request.get_host()}", *settings.CSRF_TRUSTED_ORIGINS}


def _origin_of(url):
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}" if rest else ""


def cross_site_reason(request):
    """Why an anonymous post did not come from this site's own pages, or "" when it did (or
    when no header says: a client that is not a browser has no one's cookies to abuse)."""
    fetch_site = request.META.get("HTTP_SEC_FETCH_SITE")
    if fetch_site is not None and fetch_site not in {"same-origin", "none"}:
        return f"{CROSS_SITE} (Sec-Fetch-Site: {fetch_site})"
    origin = request.META.get("HTTP_ORIGIN")
    if origin is not None:
        if origin not in _allowed_origins(request):
            return f"{CROSS_SITE} (Origin: {origin})"
        return ""
    referer = request.META.get("HTTP_REFERER")
    if fetch_site is None and referer and _origin_of(referer) not in _allowed_origins(request):
        return f"{CROSS_SITE} (Referer)"
    return ""


def same_origin_post(view):
    """Protects a view whose form sits on shared pages: signed-in users (whose pages are their
    own, with a token) get Django's CSRF check; anonymous posts must come from this site."""

    @csrf_exempt
    @wraps(view)
    def checked(request, *args, **kwargs):
        if request.method not in SAFE_METHODS:
            if request.user.is_authenticated:
                refused = CsrfViewMiddleware(lambda request: None).process_view(
                    request, None, (), {}
                )
                if refused is not None:
                    return refused
            else:
                reason = cross_site_reason(request)
                if reason:
                    return _get_failure_view()(request, reason=reason)
        return view(request, *args, **kwargs)

    return checked
