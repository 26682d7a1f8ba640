"""The share cards' images: one view for every page's generated og:image (editorial.quotecards)."""

from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_cache_control

from . import quotecards


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
