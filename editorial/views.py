"""The editorial app's own views: the share cards' images (every page's generated og:image), and
the staff-only helpers of the admin's writing surface (preview, names offered as you type)."""

from django.apps import apps
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse, HttpResponseNotModified, JsonResponse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_GET, require_POST

from socialleaders.admin import PlainTextField
from socialleaders.text import render_markdown, with_library_images

from . import quotecards

MAX_PREVIEW_CHARS = 200_000
# The names offered as you type: the interviews' themes and the blog's tags (taggit models).
SUGGESTED_NAMES = {"interviews.theme", "taggit.tag"}
SUGGESTIONS = 10


def _staff_json(data, status=200):
    response = JsonResponse(data, status=status)
    add_never_cache_headers(response)
    return response


@require_POST
@csrf_protect
def markdown_preview(request):
    """The HTML the page will show for a Markdown body: the text cleaned as the form stores it,
    then the site's own renderer and sanitiser (what the models save as ``*_html``), with its
    library images drawn as pages draw them."""
    if not (request.user.is_active and request.user.is_staff):
        return _staff_json({"error": "Sign in as an editor to preview."}, status=403)
    text = request.POST.get("text", "")
    if len(text) > MAX_PREVIEW_CHARS:
        return _staff_json({"error": "Too long to preview."}, status=413)
    source = PlainTextField(required=False).clean(text)
    return _staff_json({"html": with_library_images(render_markdown(source))})


@require_GET
def name_suggestions(request, model_label):
    """Existing theme or tag names containing what is typed (those starting with it first), for
    staff who may see them."""
    if not (request.user.is_active and request.user.is_staff):
        return _staff_json({"error": "Sign in as an editor."}, status=403)
    if model_label not in SUGGESTED_NAMES:
        raise Http404("No such list of names")
    model = apps.get_model(model_label)
    if not request.user.has_perm(f"{model._meta.app_label}.view_{model._meta.model_name}"):
        return _staff_json({"error": "You may not see these names."}, status=403)
    typed = request.GET.get("q", "").strip()[:100]
    if not typed:
        return _staff_json({"names": []})
    names = model.objects.filter(name__icontains=typed).values_list("name", flat=True)
    starting = sorted((n for n in names if n.lower().startswith(typed.lower())), key=str.lower)
    inside = sorted((n for n in names if not n.lower().startswith(typed.lower())), key=str.lower)
    return _staff_json({"names": (starting + inside)[:SUGGESTIONS]})


def share_card(request, token):
    """The 1200×630 PNG the signed token describes; no query. The URL changes with the content,
    so the image may be cached for long."""
    fields = quotecards.unsign_fields(token)
    if fields is None:
        raise Http404("Not a card of this site")
    etag = f'"{quotecards.card_hash(fields)}"'
    if etag in request.META.get("HTTP_IF_NONE_MATCH", ""):
        return HttpResponseNotModified(headers={"ETag": etag})
    with default_storage.open(quotecards.stored_card(fields), "rb") as handle:
        response = HttpResponse(handle.read(), content_type="image/png")
    response["ETag"] = etag
    patch_cache_control(response, public=True, max_age=86400)
    return response
