"""Subscribers from and to CSV: the followers a WordPress.com site, a Mailchimp audience or a
Substack publication exported (the columns read: docs/newsletter.md, "Importing followers"), and
the admin's export. Imported followers consented elsewhere: they come in confirmed, with the
consent date their file gives, and nobody is mailed for it."""

import csv
import io
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from socialleaders.spreadsheets import safe_cell

from .models import Subscriber

CSV_MAX_ROWS = 100_000


def _names(*names):
    return {name.lower() for name in names}


@dataclass(frozen=True)
class Provider:
    """One service's export: how to tell it, where the address and consent date are, and
    which rows are people who are no longer subscribed there."""

    key: str
    label: str
    email_columns: frozenset
    date_columns: tuple  # tried in order: the first non-empty one is the consent date
    marks: frozenset = frozenset()  # columns only this service's export has

    def gone_there(self, row):
        """Why a row is someone not subscribed at the service any more, or ''."""
        if self.key == "mailchimp":
            if row.get("unsub_time"):
                return "unsubscribed in Mailchimp (UNSUB_TIME)"
            if row.get("clean_time"):
                return "cleaned by Mailchimp: the address bounced (CLEAN_TIME)"
        if self.key == "substack" and row.get("email_disabled", "").lower() == "true":
            return "email turned off in Substack (email_disabled)"
        return ""


PROVIDERS = (
    Provider(
        "mailchimp",
        "Mailchimp audience export",
        frozenset(_names("Email Address")),
        ("confirm_time", "optin_time"),
        frozenset(_names("OPTIN_TIME", "CONFIRM_TIME", "LEID", "EUID", "MEMBER_RATING")),
    ),
    Provider(
        "substack",
        "Substack subscriber export",
        frozenset(_names("email")),
        ("created_at",),
        frozenset(_names("active_subscription", "email_disabled", "first_payment_at")),
    ),
    Provider(
        "wordpress",
        "WordPress.com email followers export",
        frozenset(_names("email_address", "Email Address", "email", "Emails", "Email")),
        ("date_subscribed", "subscribed", "date subscribed", "subscribed_at", "date"),
    ),
)


def detect(header):
    """The provider whose export has these column names (lower-cased), or None."""
    columns = set(header)
    for provider in PROVIDERS:
        if provider.marks and provider.marks & columns and provider.email_columns & columns:
            return provider
    wordpress = PROVIDERS[-1]
    return wordpress if wordpress.email_columns & columns else None


def parse_date(text):
    """A consent date as the exports write it: ISO 8601 (Substack, WordPress.com) or
    "YYYY-MM-DD HH:MM:SS" (Mailchimp, in UTC); a bare date is midnight UTC."""
    text = text.strip()
    value = parse_datetime(text.replace("Z", "+00:00")) if text else None
    if value is None and len(text) == 10:
        try:
            value = datetime.strptime(text, "%Y-%m-%d")
        except ValueError:
            value = None
    if value is None:
        return None
    return value if timezone.is_aware(value) else value.replace(tzinfo=UTC)


@dataclass
class ImportReport:
    provider: str = ""
    rows: int = 0
    imported: int = 0
    errors: list = field(default_factory=list)  # (line, why): bad rows
    present: list = field(default_factory=list)  # (line, address, their status here)
    duplicates: list = field(default_factory=list)  # (line, address, first line)
    gone: list = field(default_factory=list)  # (line, address, why): not subscribed there
    to_import: int = 0  # the good rows that are new here
    applied: bool = False


@dataclass
class _Row:
    line: int
    email: str
    consent_at: datetime


def _read(text, report):
    """The provider and the rows of ``text`` as dicts of lower-cased column names, each with
    the line it starts on; bad structure goes in ``report.errors``."""
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader, None)
        if header is None:
            report.errors.append((1, "The file is empty."))
            return None, []
        header = [name.strip().lower() for name in header]
        provider = detect(header)
        if provider is None:
            report.errors.append(
                (1, "No email column: this is not a WordPress.com, Mailchimp or Substack export.")
            )
            return None, []
        rows, line = [], reader.line_num + 1
        for cells in reader:
            start, line = line, reader.line_num + 1
            if not any(cell.strip() for cell in cells):
                continue
            report.rows += 1
            if report.rows > CSV_MAX_ROWS:
                report.errors.append((start, f"More than {CSV_MAX_ROWS} rows: split the file."))
                break
            if len(cells) != len(header):
                report.errors.append(
                    (start, f"{len(cells)} cells where the header has {len(header)} columns.")
                )
                continue
            rows.append((start, dict(zip(header, (cell.strip() for cell in cells), strict=True))))
        return provider, rows
    except csv.Error as error:
        report.errors.append((reader.line_num, f"Not readable as CSV: {error}."))
        return None, []


def _check(provider, line, row, report):
    """A good row as a _Row, or None with the reason recorded."""
    column = next((name for name in row if name in provider.email_columns), None)
    email = row.get(column, "") if column else ""
    if not email:
        report.errors.append((line, "No email address."))
        return None
    try:
        validate_email(email)
    except ValidationError:
        report.errors.append((line, f"Not an email address: {email[:80]!r}."))
        return None
    if len(email) > 254:
        report.errors.append((line, "The address is longer than 254 characters."))
        return None
    local, _, domain = email.rpartition("@")
    email = f"{local}@{domain.lower()}"
    gone = provider.gone_there(row)
    if gone:
        report.gone.append((line, email, gone))
        return None
    date_text = next((row[name] for name in provider.date_columns if row.get(name)), "")
    if not date_text:
        columns = " or ".join(provider.date_columns)
        report.errors.append((line, f"No consent date ({columns} is empty)."))
        return None
    consent_at = parse_date(date_text)
    if consent_at is None:
        report.errors.append((line, f"Date not understood: {date_text[:40]!r}."))
        return None
    if consent_at > timezone.now():
        report.errors.append((line, f"The consent date {date_text[:40]!r} is in the future."))
        return None
    return _Row(line, email, consent_at)


def import_csv(text, *, wants, good_rows_only=False, filename="", by=""):
    """Import a provider's export. With any bad row nothing is imported unless
    ``good_rows_only``. Addresses already here (whatever their status: an unsubscribed,
    bounced or complained one stays so) and repeats within the file are reported, not
    imported. Imported followers are confirmed, consent dated as in the file; no email."""
    report = ImportReport()
    provider, rows = _read(text, report)
    if provider is None:
        return report
    report.provider = provider.label
    good, first_line = [], {}
    for line, row in rows:
        checked = _check(provider, line, row, report)
        if checked is None:
            continue
        key = checked.email.lower()
        if key in first_line:
            report.duplicates.append((line, checked.email, first_line[key]))
            continue
        first_line[key] = line
        good.append(checked)
    here = {}
    keys = list(first_line)
    for start in range(0, len(keys), 500):
        here.update(
            Subscriber.objects.annotate(lower_email=Lower("email"))
            .filter(lower_email__in=keys[start : start + 500])
            .values_list("lower_email", "status")
        )
    now = timezone.now()
    where = f"{provider.label}{f' ({filename})' if filename else ''}"
    service = provider.label.split(" ")[0]
    new = []
    for row in good:
        status = here.get(row.email.lower())
        if status is not None:
            report.present.append((row.line, row.email, status))
            continue
        new.append(
            Subscriber(
                email=row.email,
                status=Subscriber.Status.CONFIRMED,
                wants_interviews=wants["interviews"],
                wants_blog=wants["blog"],
                wants_digest=wants["digest"],
                source=f"import:{provider.key}",
                consent_at=row.consent_at,
                consent_text=(
                    f"Consented at {service}; imported from the {where}, line {row.line}, "
                    f"on {now:%Y-%m-%d}" + (f" by {by}" if by else "") + "."
                ),
                created_at=now,
                confirmed_at=row.consent_at,
            )
        )
    report.to_import = len(new)
    if report.errors and not good_rows_only:
        return report
    with transaction.atomic():
        # bulk_create sends no signal and queues nothing: nobody is mailed for being imported.
        # An address signed up meanwhile is left as it is (the unique constraint).
        Subscriber.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
    source = f"import:{provider.key}"
    report.imported = Subscriber.objects.filter(source=source, created_at=now).count()
    report.applied = True
    return report


EXPORT_COLUMNS = [
    "email",
    "status",
    "wants_interviews",
    "wants_blog",
    "wants_digest",
    "source",
    "consent_at",
    "consent_path",
    "consent_text",
    "created_at",
    "confirmed_at",
    "unsubscribed_at",
]


class _Echo:
    def write(self, value):
        return value


def export_rows(queryset):
    """The subscribers of ``queryset`` as CSV lines, one at a time (for a streamed response)."""
    writer = csv.writer(_Echo())
    yield writer.writerow(EXPORT_COLUMNS)
    for values in queryset.order_by("pk").values_list(*EXPORT_COLUMNS).iterator(chunk_size=2000):
        yield writer.writerow(
            safe_cell(
                ""
                if value is None
                else value.isoformat()
                if hasattr(value, "isoformat")
                else str(value)
            )
            for value in values
        )
