"""Writes to the redirects: what the importers, the admin and the slug tracking call.

Every function keeps the table in its two shapes (docs/redirects.md, "Chains and loops"):
collapsed (no redirect leads to another redirect: A→B then B→C gives A→C and B→C) and without
loops (an address where a live piece now is has no redirect). Each runs in one transaction and
moves the answer cache on (``redirects.serving``) when it commits.
"""

import csv
import io
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from socialleaders.spreadsheets import safe_cell

from . import serving
from .models import Redirect, target_key_for
from .paths import BadPath, clean_target, is_local, key_or_none, normalise
from .registry import url_function


class RedirectError(ValueError):
    """A redirect that cannot be added: it would lead to itself or round in a loop."""


def url_for(obj):
    """The address of a piece (the tracked models' own rule, else ``get_absolute_url()``)."""
    return url_function(type(obj))(obj)


def _object_fields(obj):
    if obj is None:
        return {"content_type": None, "object_id": None}
    return {"content_type": ContentType.objects.get_for_model(obj), "object_id": obj.pk}


@transaction.atomic
def add_redirect(old_path: str, target, *, source=Redirect.Source.WORDPRESS):
    """Make ``old_path`` answer 301 with ``target``: a piece of the site (anything with
    ``get_absolute_url()``; the redirect follows it when it moves) or an address (a path or an
    http(s) URL). Returns the redirect. ``BadPath``/``RedirectError`` (both ValueError) for an
    address that cannot be a key, a redirect to itself or a loop; nothing is changed then."""
    key = normalise(old_path)
    obj = None if isinstance(target, str) else target
    location = clean_target(target if obj is None else url_for(obj))
    location_key = target_key_for(location)
    if location_key == key:
        raise RedirectError(f"{old_path} would redirect to itself.")
    fields = _object_fields(obj)
    if obj is None:
        onward = onward_from(key, location, location_key)
        if onward is not None:
            location, location_key = onward.target_path, onward.target_key
            fields = {"content_type": onward.content_type, "object_id": onward.object_id}
    redirect, _ = Redirect.objects.update_or_create(
        old_path=key,
        defaults={
            "status": Redirect.Status.MOVED,
            "target_path": location,
            "source": source,
            **fields,
        },
    )
    _repoint(key, redirect)
    serving.redirects_changed()
    return redirect


@transaction.atomic
def gone(old_path: str, *, source=Redirect.Source.WORDPRESS, obj=None):
    """Make ``old_path`` answer 410 Gone (the piece ``obj`` it was, if any, is kept so that
    publishing it again brings the address back)."""
    key = normalise(old_path)
    redirect, _ = Redirect.objects.update_or_create(
        old_path=key,
        defaults={
            "status": Redirect.Status.GONE,
            "target_path": "",
            "source": source,
            **_object_fields(obj),
        },
    )
    serving.redirects_changed()
    return redirect


def onward_from(key, location, location_key, *, exclude_pk=None):
    """The redirect from ``location`` (an old address itself), to go straight to where it leads;
    None if there is none. RedirectError if that leads back to ``key`` (a loop)."""
    if not location_key:
        return None
    onward = (
        Redirect.objects.filter(old_path=location_key, status=Redirect.Status.MOVED)
        .exclude(pk=exclude_pk)
        .only("target_path", "target_key", "content_type", "object_id")
        .first()
    )
    if onward is not None and onward.target_key == key:
        raise RedirectError(
            f"{key} → {location} would make a loop: {location} already redirects to "
            f"{onward.target_path}."
        )
    return onward


@transaction.atomic
def settle(redirect):
    """After an editor saved ``redirect`` in the admin: a chain through its new address is
    collapsed, and redirects that led to its old address now lead where it does."""
    if redirect.status == Redirect.Status.MOVED:
        onward = onward_from(
            redirect.old_path, redirect.target_path, redirect.target_key, exclude_pk=redirect.pk
        )
        if onward is not None:
            redirect.target_path = onward.target_path
            redirect.content_type, redirect.object_id = onward.content_type, onward.object_id
            redirect.save()
        _repoint(redirect.old_path, redirect)
    serving.redirects_changed()


def _repoint(key, final):
    """Redirects that led to ``key`` now lead where ``final`` does (chains collapse); one that
    would now lead to its own address is dropped."""
    pointing = Redirect.objects.filter(target_key=key).exclude(pk=final.pk)
    if final.target_key:
        pointing.filter(old_path=final.target_key).delete()
    pointing.update(
        target_path=final.target_path,
        target_key=final.target_key,
        content_type=final.content_type,
        object_id=final.object_id,
    )


# --- Pieces that move, go or come back (called by redirects.tracking) -----------------------


@transaction.atomic
def record_move(obj, old_url, new_url):
    """``obj`` moved from ``old_url`` to ``new_url`` (its slug changed)."""
    old_key, new_key = key_or_none(old_url), key_or_none(new_url)
    if old_key is None or new_key is None or old_key == new_key:
        return
    fields = _object_fields(obj)
    moved = {"target_path": new_url, "target_key": target_key_for(new_url)}
    # Its old addresses follow it, and so do plain redirects to the address it leaves.
    Redirect.objects.filter(**fields).update(**moved)
    Redirect.objects.filter(target_key=old_key).update(**moved, **fields)
    Redirect.objects.update_or_create(
        old_path=old_key,
        defaults={
            "status": Redirect.Status.MOVED,
            "source": Redirect.Source.SLUG,
            **moved,
            **fields,
        },
    )
    # It lives at new_url now: an older redirect from there would make a loop.
    Redirect.objects.filter(old_path=new_key).delete()
    serving.redirects_changed()


def address_taken(obj, url):
    """A live piece is at ``url``: it wins over any redirect from there."""
    key = key_or_none(url)
    if key and Redirect.objects.filter(old_path=key).delete()[0]:
        serving.redirects_changed()


def restore(obj, url):
    """``obj`` is live again after being taken down: its old addresses redirect to it again."""
    found = Redirect.objects.filter(**_object_fields(obj), status=Redirect.Status.GONE).update(
        status=Redirect.Status.MOVED, target_path=url, target_key=target_key_for(url)
    )
    if found:
        serving.redirects_changed()
    address_taken(obj, url)


@transaction.atomic
def take_down(obj, url):
    """``obj`` is off the site for good: its address and its old addresses answer 410 Gone."""
    Redirect.objects.filter(**_object_fields(obj)).update(status=Redirect.Status.GONE)
    gone(url, source=Redirect.Source.MANUAL, obj=obj)


@transaction.atomic
def object_deleted(obj, url, was_live):
    """``obj`` was deleted. Its old addresses would lead nowhere: with
    ``REDIRECTS_GONE_ON_DELETE`` they (and its own address, if it was live) answer 410, otherwise
    they are removed and answer 404 like the address itself."""
    pointing = Redirect.objects.filter(**_object_fields(obj))
    # Addresses already taken down for good stay 410, now for a piece that no longer exists.
    changed = pointing.filter(status=Redirect.Status.GONE).update(content_type=None, object_id=None)
    if getattr(settings, "REDIRECTS_GONE_ON_DELETE", False):
        changed += pointing.update(
            status=Redirect.Status.GONE,
            target_path="",
            target_key="",
            content_type=None,
            object_id=None,
        )
        if was_live and key_or_none(url):
            gone(url, source=Redirect.Source.MANUAL)
    else:
        changed += pointing.delete()[0]
    if changed:
        serving.redirects_changed()


# --- CSV ------------------------------------------------------------------------------------

CSV_MAX_ROWS = 50_000
_HEADER_NAMES = {"old_path", "old path", "old address", "old", "from", "source url"}
_STATUS_WORDS = {"": None, "301": 301, "410": 410, "gone": 410, "moved": 301}


@dataclass
class CsvReport:
    imported: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    rows: int = 0
    applied: bool = False


def import_csv(text, *, good_rows_only=False):
    """Rows of ``old address, new address, status`` (status 301 or 410; empty means 301 with a new
    address, 410 without). With any bad row nothing is imported unless ``good_rows_only``; the
    report names each bad row by line. A first row of column names is skipped."""
    report = CsvReport()
    seen = {}
    with transaction.atomic():
        for line, cells in _csv_rows(text, report):
            old, target, status_text = (cells + ["", "", ""])[:3]
            status = _STATUS_WORDS.get(status_text.strip().lower(), "bad")
            try:
                if status == "bad":
                    raise BadPath(f"Unknown status {status_text.strip()!r}: use 301 or 410.")
                key = normalise(old)
                if key in seen:
                    raise BadPath(f"{old.strip()} is already on line {seen[key]}.")
                seen[key] = line
                if status is None:
                    status = 301 if target.strip() else 410
                if status == 410 and target.strip():
                    raise BadPath("A 410 Gone row has no new address.")
                with transaction.atomic():
                    if status == 410:
                        gone(old, source=Redirect.Source.CSV)
                    else:
                        add_redirect(old, target.strip(), source=Redirect.Source.CSV)
                report.imported += 1
            except ValueError as error:
                report.errors.append((line, str(error)))
        report.applied = good_rows_only or not report.errors
        if not report.applied:
            transaction.set_rollback(True)
            report.imported = 0
    return report


def _csv_rows(text, report):
    """(line number, cells) of the rows that are not blank or the header."""
    reader = csv.reader(io.StringIO(text))
    try:
        for cells in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if report.rows == 0 and cells[0].strip().lower() in _HEADER_NAMES:
                continue
            report.rows += 1
            if report.rows > CSV_MAX_ROWS:
                report.errors.append((line, f"More than {CSV_MAX_ROWS} rows: split the file."))
                return
            yield line, cells
    except csv.Error as error:
        report.errors.append((reader.line_num, f"Not readable as CSV: {error}."))


EXPORT_COLUMNS = ["old_path", "target", "status", "source", "hits", "last_hit", "created"]


def export_csv(queryset, out):
    """Write ``queryset``'s redirects as CSV to ``out``, in the columns ``import_csv`` reads
    first. Cells that a spreadsheet would run as a formula are quoted with a leading '."""
    writer = csv.writer(out)
    writer.writerow(EXPORT_COLUMNS)
    for row in (
        queryset.order_by("old_path")
        .values_list(
            "old_path", "target_path", "status", "source", "hits", "last_hit_at", "created_at"
        )
        .iterator(chunk_size=2000)
    ):
        writer.writerow(
            safe_cell(
                ""
                if value is None
                else value.isoformat()
                if hasattr(value, "isoformat")
                else str(value)
            )
            for value in row
        )


__all__ = ["add_redirect", "gone", "RedirectError", "BadPath", "is_local"]
