"""Staff-only helpers of the admin's writing surface (``editorial/urls.py``, under /admin/)."""

from django.http import JsonResponse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_POST

from socialleaders.admin import PlainTextField
from socialleaders.text import render_markdown

MAX_PREVIEW_CHARS = 200_000


def _staff_json(data, status=200):
    response = JsonResponse(data, status=status)
    add_never_cache_headers(response)
    return response


@require_POST
@csrf_protect
def markdown_preview(request):
    """The HTML the page will show for a Markdown body: the text cleaned as the form stores it,
    then the site's own renderer and sanitiser (what the models save as ``*_html``)."""
    if not (request.user.is_active and request.user.is_staff):
        return _staff_json({"error": "Sign in as an editor to preview."}, status=403)
    text = request.POST.get("text", "")
    if len(text) > MAX_PREVIEW_CHARS:
        return _staff_json({"error": "Too long to preview."}, status=413)
    source = PlainTextField(required=False).clean(text)
    return _staff_json({"html": render_markdown(source)})
