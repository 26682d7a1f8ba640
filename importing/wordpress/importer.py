"""Import a WordPress export: authors, tags, attachments, posts, interviews and comments, keyed by
their WordPress IDs (``ImportedItem``) so a second run creates nothing and a changed item is
updated. ``run()`` does it all in one transaction. Rules: docs/importing.md, "WordPress"."""

import hashlib
import json
import re
import zlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple
from urllib.parse import parse_qs, unquote, urlsplit

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from taggit.models import Tag

from blog.models import Author, Post
from comments.models import Comment
from images.models import Image
from images.validation import UploadTo, clean_image_bytes, inspect_image
from importing.base import Block, ImportParseError, Line, Note, block_markdown, short_quote
from importing.models import ImportedItem
from importing.posts import _excerpt
from importing.series import HEADING_RE, ParsedSeries, parse_series
from importing.writer import ImportResult, _fit, _platform, _write_series
from interviews.models import Answer, Interview, InterviewPlatform, Question, Quote, Series
from redirects.models import Redirect
from redirects.services import add_redirect
from socialleaders.publishing import Status, slug_for
from socialleaders.transactions import changing_a_lot

from . import content
from .reader import ZERO_DATE, Channel, WPAuthor, WPItem, WPTerm, read_export

KINDS = (
    "authors", "tags", "attachments", "posts", "series", "questions", "platforms", "leaders",
    "interviews", "answers", "quotes", "comments", "replies", "pingbacks",
)  # fmt: skip
# Item types that are not content: left out, counted in the report.
SKIPPED_TYPES = {
    "revision": "revisions", "nav_menu_item": "menu entries", "custom_css": "theme CSS",
    "customize_changeset": "customizer drafts", "oembed_cache": "cached embeds",
    "wp_global_styles": "theme styles", "wp_template": "templates",
    "wp_template_part": "template parts", "wp_navigation": "menus", "wp_block": "reusable blocks",
    "user_request": "privacy requests", "feedback": "contact-form messages",
}  # fmt: skip
COMMENT_STATUS = {
    "1": Comment.Status.APPROVED,
    "approve": Comment.Status.APPROVED,
    "0": Comment.Status.PENDING,
    "hold": Comment.Status.PENDING,
    "spam": Comment.Status.SPAM,
    "trash": Comment.Status.REMOVED,
    "post-trashed": Comment.Status.REMOVED,
}


class DryRunRollback(Exception):
    pass


@dataclass
class WXRResult(ImportResult):
    updated: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)
    files: list[str] = field(default_factory=list)  # stored during the run (removed on rollback)
    wxr_version: str = ""


class Slim(NamedTuple):
    """A post or page as the first pass keeps it: what planning and old addresses read."""

    line: int
    wp_id: int
    title: str
    link: str
    guid: str
    post_date: str
    post_name: str
    post_type: str
    status: str
    post_parent: int


class Earlier(NamedTuple):
    """What an earlier import recorded of a piece: enough to tell whether it changed since."""

    checksum: str
    quotes: tuple  # the pull quotes it made


@dataclass(slots=True)
class Plan:
    """Where one post, page or interview goes: decided before anything is written so links
    between pieces can point to their new addresses. Kept for every piece all run long: small
    (keys, not rows)."""

    item_id: int
    model: type
    slug: str
    url: str
    existing: int | None = None  # the pk of the row it updates or adopts
    record: Earlier | None = None


@dataclass
class Attachment:
    wp_id: int
    rel: str  # path under wp-content/uploads
    alt: str
    title: str
    parent: int
    line: int
    url: str = ""  # the new media address, once stored
    name: str = ""  # the stored file's name
    missing: str = ""  # why it is not imported


def _checksum(*parts):
    return hashlib.sha256(
        json.dumps(parts, sort_keys=True, default=str).encode("utf-8")
    ).hexdigest()


def _uploads_rel(url):
    """The path of an upload under wp-content/uploads (or a WordPress.com files host)."""
    parts = urlsplit(url or "")
    path = unquote(parts.path)
    if "/wp-content/uploads/" in path:
        return path.split("/wp-content/uploads/", 1)[1]
    if (parts.hostname or "").endswith(".files.wordpress.com"):
        return path.lstrip("/")
    if path.startswith("/files/"):
        return path[len("/files/") :]
    return ""


def _unsized(rel):
    """``2014/05/photo-300x200.jpg`` → ``2014/05/photo.jpg``: WordPress's resized copies."""
    return re.sub(r"-\d+x\d+(\.\w+)$", r"\1", rel)


class Importer:
    def __init__(self, path, media_dir=None, progress=None, now=None):
        self.path = Path(path)
        self.media_dir = Path(media_dir) if media_dir else None
        self.progress = progress or (lambda n=1, total=None: None)
        self.now = now or timezone.now()
        self.result = WXRResult()
        self.channel = Channel()
        self.authors_wp = {}  # login -> WPAuthor
        self.terms = []  # WPTerm
        self.items = {}  # wp_id -> WPItem, for series items and attachments only
        self.slim = {}  # wp_id -> Slim, the other posts and pages, until planned
        self.index = {}  # wp_id -> (post_type, line)
        self.series_ids = []
        self.attachments = {}  # wp_id -> Attachment
        self.by_rel = {}  # uploads path -> Attachment
        self.plans = {}  # wp_id -> Plan
        self.url_map = {}  # old path -> new address
        self.authors = {}  # login -> Author
        self.author_wp_ids = {}  # login -> WordPress user id
        self.hosts = set()
        self.prefix = ""
        self.ct = {}

    # Reporting

    def note(self, line, message):
        self.result.notes.append(Note(self.path, line, message))

    def count(self, kind, created=True):
        self.result.count(kind, created)

    # Pass 1: an index of the whole file (small: no bodies but the interviews')

    def scan(self):
        total = 0
        for record in read_export(self.path):
            if isinstance(record, Channel):
                self.channel = record
                self.result.wxr_version = record.wxr_version
            elif isinstance(record, WPAuthor):
                self.authors_wp[record.login] = record
            elif isinstance(record, WPTerm):
                self.terms.append(record)
            elif isinstance(record, WPItem):
                total += 1
                if record.wp_id in self.index:
                    raise ImportParseError(
                        self.path,
                        record.line,
                        f"a second item with the WordPress ID {record.wp_id} (the first is at "
                        f"line {self.index[record.wp_id][1]})",
                    )
                self.index[record.wp_id] = (record.post_type, record.line)
                if record.post_type == "attachment":
                    self.items[record.wp_id] = record
                elif record.post_type in ("post", "page") and self._is_series(record):
                    self.items[record.wp_id] = record
                    self.series_ids.append(record.wp_id)
                elif record.post_type in ("post", "page"):
                    self._index_piece(record)
        if not self.channel.wxr_version and not self.index:
            raise ImportParseError(self.path, None, "holds no WordPress items (wp:wxr_version)")
        for url in (self.channel.link, self.channel.base_site_url, self.channel.base_blog_url):
            host = urlsplit(url).hostname
            if host:
                self.hosts |= {host, host.removeprefix("www."), "www." + host.removeprefix("www.")}
        self.prefix = urlsplit(self.channel.base_blog_url or self.channel.link).path.rstrip("/")
        return total

    def _is_series(self, item):
        return bool(HEADING_RE.match(content.clean_title(item.title)))

    def _index_piece(self, item):
        # Kept small (a tuple: a copy of the item with its empty fields set the import's peak
        # memory): what planning and links need, not the body.
        self.slim.setdefault(item.wp_id, Slim(*(getattr(item, name) for name in Slim._fields)))

    # Old addresses

    def _path(self, url):
        parts = urlsplit(url or "")
        if parts.hostname and parts.hostname not in self.hosts:
            return None
        path = parts.path or "/"
        return path + (f"?{parts.query}" if parts.query else "")

    def old_urls(self, item):
        """Every path the item answered at on the old site."""
        paths = []

        def add(path):
            if path and path not in paths:
                paths.append(path)

        link = self._path(item.link)
        add(link)
        if item.guid and "?" in item.guid:
            add(self._path(item.guid))
        pre = self.prefix
        if item.post_type == "attachment":
            add(f"{pre}/?attachment_id={item.wp_id}")
            return paths
        add(f"{pre}/?p={item.wp_id}")
        if item.post_type == "page":
            add(f"{pre}/?page_id={item.wp_id}")
        if item.post_name and item.post_type == "post" and item.post_date[:4].isdigit():
            y, m, d = item.post_date[:4], item.post_date[5:7], item.post_date[8:10]
            add(f"{pre}/{y}/{m}/{d}/{item.post_name}/")
            add(f"{pre}/{y}/{m}/{item.post_name}/")
        if item.post_name and item.post_type == "page":
            add(f"{pre}/{item.post_name}/")
        if link and "?" not in link:
            add(link.rstrip("/") + "/feed/")
        return paths

    # Planning: slugs and new addresses

    def plan(self):
        source = self.channel.source
        records = {}  # wp_id -> (content type id, object id, Earlier)
        rows = ImportedItem.objects.filter(source=source, kind=ImportedItem.Kind.POST)
        for wp_id, ct_id, object_id, checksum, extra in rows.values_list(
            "wp_id", "content_type_id", "object_id", "checksum", "extra"
        ).iterator(chunk_size=2000):
            quotes = tuple((extra or {}).get("quotes") or ())
            records[wp_id] = (ct_id, object_id, Earlier(checksum, quotes))
        taken = {Post: set(), Interview: set()}
        pieces = [*self.slim.values(), *(self.items[i] for i in self.series_ids)]
        for item in sorted(pieces, key=lambda i: i.line):
            model = Interview if item.wp_id in self.series_ids else Post
            if model is Interview and not self._is_interview(item):
                continue  # the series summary and introduction: the series page
            ct_id, object_id, record = records.get(item.wp_id, (None, None, None))
            slug = None
            if object_id and ct_id == self._ct(model).pk:
                slug = model.objects.filter(pk=object_id).values_list("slug", flat=True).first()
            if slug is not None:
                existing = object_id
            else:
                slug = self._free_slug(item, model, taken[model])
                existing = model.objects.filter(slug=slug).values_list("pk", flat=True).first()
            taken[model].add(slug)
            name = "interviews:detail" if model is Interview else "blog:post"
            plan = Plan(item.wp_id, model, slug, reverse(name, kwargs={"slug": slug}))
            plan.existing, plan.record = existing, record
            self.plans[item.wp_id] = plan
            for path in self.old_urls(item):
                self.url_map[path] = plan.url
        # The slim copies were for planning only: the second pass reads each piece whole.
        self.slim = {}

    def _is_interview(self, item):
        rest = HEADING_RE.match(content.clean_title(item.title)).group("rest").lower()
        return "summary" not in rest and "introduction" not in rest

    def _free_slug(self, item, model, taken):
        wanted = slugify(unquote(item.post_name)) or slug_for(content.clean_title(item.title))
        wanted = wanted[:190] or f"{item.post_type}-{item.wp_id}"
        slug, n = wanted, 1
        title = content.clean_title(item.title)
        while slug in taken or (
            model.objects.filter(slug=slug).exclude(title=title).exists()
            and not ImportedItem.objects.filter(
                content_type=self._ct(model),
                object_id__in=model.objects.filter(slug=slug).values("pk"),
                source=self.channel.source,
                wp_id=item.wp_id,
            ).exists()
        ):
            n += 1
            slug = f"{wanted}-{n}"
        if slug != wanted:
            self.note(
                item.line,
                f"the address /{wanted}/ is taken here; “{title}” is at /{slug}/ (the old "
                "address redirects to it)",
            )
        elif item.post_name and unquote(item.post_name) != slug:
            self.note(item.line, f"the slug “{unquote(item.post_name)}” becomes “{slug}”")
        return slug

    def _ct(self, model):
        if model not in self.ct:
            self.ct[model] = ContentType.objects.get_for_model(model)
        return self.ct[model]

    # Records

    def record(self, kind, wp_id, obj=None, guid="", old_urls=(), extra=None, checksum=""):
        defaults = {
            "guid": guid[:500],
            "old_urls": list(old_urls),
            "extra": extra or {},
            "checksum": checksum,
        }
        if obj is not None:
            defaults |= {"content_type": self._ct(type(obj)), "object_id": obj.pk}
        row, _ = ImportedItem.objects.update_or_create(
            source=self.channel.source, kind=kind, wp_id=wp_id, defaults=defaults
        )
        if obj is not None:
            for path in row.old_urls:
                self._redirect(path, obj)
        return row

    def _redirect(self, path, target):
        """The old address now answers 301 with the piece's (redirects app)."""
        try:
            add_redirect(path, target, source=Redirect.Source.WORDPRESS)
        except ValueError as error:
            self.note(None, f"the old address {path} does not redirect: {error}")

    def _find(self, kind, wp_id, guid=""):
        row = ImportedItem.objects.filter(
            source=self.channel.source, kind=kind, wp_id=wp_id
        ).first()
        if row is None and guid:
            row = ImportedItem.objects.filter(kind=kind, guid=guid).first()
        return row

    # Authors and tags

    def write_authors(self):
        for login, wa in self.authors_wp.items():
            self._author(login, wa)

    def _author(self, login, wa=None):
        if login in self.authors:
            return self.authors[login]
        wa = wa or self.authors_wp.get(login)
        line = wa.line if wa else None
        if wa is None:
            self.note(None, f"the author “{login}” is not listed in the export: named by login")
        name = (wa.display_name if wa else "") or login
        slug = slugify(login) or slugify(name) or f"author-{zlib.crc32(login.encode())}"
        wp_id = (wa.wp_id if wa else None) or -zlib.crc32(login.encode())
        row = self._find(ImportedItem.Kind.AUTHOR, wp_id)
        author = row.target if row and row.object_id else None
        created = False
        if author is None:
            author, created = Author.objects.get_or_create(
                slug=slug, defaults={"name": _fit(Author, "name", content.clean_title(name))}
            )
        self.count("authors", created)
        extra = {"login": login}
        if wa and wa.email:
            extra["email"] = wa.email
            if created:
                self.note(
                    line,
                    f"{name}'s email ({wa.email}) kept with the import record only: authors "
                    "have no email here",
                )
        self.record(
            ImportedItem.Kind.AUTHOR,
            wp_id,
            author,
            old_urls=[f"{self.prefix}/author/{login}/", f"{self.prefix}/author/{login}/feed/"],
            extra=extra,
        )
        self.authors[login] = author
        if wa and wa.wp_id:
            self.author_wp_ids[login] = wa.wp_id
        return author

    def write_terms(self):
        declared = {(t.taxonomy, t.slug): t for t in self.terms}
        by_slug = {t.slug: t for t in self.terms if t.taxonomy == "category"}
        for term in self.terms:
            if term.taxonomy not in ("category", "post_tag"):
                self.note(term.line, f"the {term.taxonomy} “{term.name}” is not imported")
                continue
            tag = Tag.objects.filter(name=content.clean_title(term.name)).first()
            if tag is None:
                continue  # no imported piece uses it
            if term.taxonomy == "category":
                chain, parent = [term.slug], term.parent
                while parent and parent in by_slug and len(chain) < 10:
                    chain.insert(0, parent)
                    parent = by_slug[parent].parent
                base = f"{self.prefix}/category/{'/'.join(chain)}/"
            else:
                base = f"{self.prefix}/tag/{term.slug}/"
            wp_id = term.term_id or -zlib.crc32(f"{term.taxonomy}:{term.slug}".encode())
            self.record(
                ImportedItem.Kind.TERM,
                wp_id,
                tag,
                old_urls=[base, base + "feed/"],
                extra={"taxonomy": term.taxonomy, "slug": term.slug},
            )
        return declared

    def _tags(self, item):
        names = []
        for taxonomy, _slug, name in item.terms:
            if taxonomy not in ("category", "post_tag"):
                continue
            name = content.clean_title(name)
            if taxonomy == "category" and name.lower() == "uncategorized":
                continue
            if name and name not in names:
                names.append(name[:100])
        return names

    # Attachments

    def write_attachments(self):
        if not self.media_dir:
            count = sum(1 for v in self.index.values() if v[0] == "attachment")
            if count:
                self.note(None, f"no --media folder given: {count} attachment(s) not imported")
        for wp_id, (ptype, _line) in self.index.items():
            if ptype != "attachment":
                continue
            item = self.items[wp_id]
            rel = _uploads_rel(item.attachment_url or item.guid)
            att = Attachment(
                wp_id,
                rel,
                alt=item.meta.get("_wp_attachment_image_alt", "")
                or content.plain_text(item.excerpt)
                or "",
                title=content.clean_title(item.title),
                parent=item.post_parent,
                line=item.line,
            )
            self.attachments[wp_id] = att
            if rel:
                self.by_rel[rel] = att
            self._store(att, item)

    def _store(self, att, item):
        row = self._find(ImportedItem.Kind.ATTACHMENT, att.wp_id, item.guid)
        if row and row.extra.get("name") and default_storage.exists(row.extra["name"]):
            att.url, att.name = row.extra["url"], row.extra["name"]
            self.count("attachments", False)
            return
        data = self._read_media(att)
        if data is None:
            return
        try:
            inspect_image(data, Path(att.rel).name)
            cleaned, _fmt, _size = clean_image_bytes(data)
        except ValidationError as exc:
            att.missing = " ".join(exc.messages)
            self.note(att.line, f"{att.rel} not imported: {att.missing}")
            return
        name = default_storage.save(UploadTo("imported")(None, att.rel), ContentFile(cleaned))
        self.result.files.append(name)
        att.name, att.url = name, default_storage.url(name)
        self.count("attachments", True)
        old = self.old_urls(item)
        file_path = self._path(item.attachment_url)
        if file_path:
            old.append(file_path)
        self.record(
            ImportedItem.Kind.ATTACHMENT,
            att.wp_id,
            None,
            guid=item.guid,
            old_urls=old,
            extra={"name": name, "url": att.url, "rel": att.rel},
        )
        for path in old:
            self._redirect(path, att.url)

    def _read_media(self, att):
        if not self.media_dir:
            att.missing = "no --media folder given"
            return None
        if not att.rel:
            att.missing = "its address is not under wp-content/uploads"
            self.note(att.line, f"attachment {att.wp_id} ({att.title}): {att.missing}")
            return None
        path = (self.media_dir / att.rel).resolve()
        if self.media_dir.resolve() not in path.parents:
            att.missing = "its path leaves the media folder"
        elif not path.is_file():
            att.missing = "file not found in the media folder"
        if att.missing:
            self.note(att.line, f"{att.rel} not imported: {att.missing}")
            return None
        return path.read_bytes()

    # Conversion context

    def context(self, item):
        importer = self

        class Ctx(content.Context):
            def note(self, message):
                importer.note(item.line, f"“{content.clean_title(item.title)}”: {message}")

            def link(self, href):
                return importer.rewrite_link(href)

            def image(self, src):
                att = importer.attachment_for(src)
                if att is None:
                    path = importer._path(src)
                    if path is None:
                        return src, None  # an image from elsewhere stays where it is
                    self.note(f"image {src} is not an attachment in the export; not imported")
                    return None, None
                if not att.url:
                    self.note(f"image {att.rel} not imported ({att.missing})")
                return att.url or None, att.wp_id

            def gallery(self, ids):
                chosen = [importer.attachments[i] for i in ids or () if i in importer.attachments]
                if ids is None:
                    chosen = [a for a in importer.attachments.values() if a.parent == item.wp_id]
                return [(a.url, a.alt or a.title, a.wp_id) for a in chosen if a.url]

        return Ctx()

    def attachment_for(self, src):
        rel = _uploads_rel(src)
        if not rel:
            return None
        return self.by_rel.get(rel) or self.by_rel.get(_unsized(rel))

    def rewrite_link(self, href):
        parts = urlsplit(href)
        if parts.scheme not in ("", "http", "https") or (
            parts.hostname and parts.hostname not in self.hosts
        ):
            return None
        att = self.attachment_for(href)
        if att is not None:
            return att.url or None
        path = parts.path or "/"
        keys = [path + (f"?{parts.query}" if parts.query else "")]
        if parts.query:
            query = parse_qs(parts.query)
            for key in ("p", "page_id", "attachment_id"):
                if key in query:
                    keys.append(f"{self.prefix}/?{key}={query[key][0]}")
        keys.append(path.rstrip("/") + "/" if not path.endswith("/") else path.rstrip("/"))
        for key in keys:
            if key in self.url_map:
                new = self.url_map[key]
                return new + (f"#{parts.fragment}" if parts.fragment else "")
        if (parts.hostname or href.startswith("/")) and path not in ("/", self.prefix + "/"):
            self.note(None, f"a link to {href} points to nothing in the export; kept as it is")
        return None

    # Dates and statuses

    def _date(self, gmt, local, line, what):
        if gmt and gmt != ZERO_DATE:
            try:
                return datetime.strptime(gmt, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
            except ValueError:
                raise ImportParseError(self.path, line, f"{what} “{gmt}” is not a date") from None
        if local and local != ZERO_DATE:
            try:
                naive = datetime.strptime(local, "%Y-%m-%d %H:%M:%S")
            except ValueError:
                raise ImportParseError(self.path, line, f"{what} “{local}” is not a date") from None
            return timezone.make_aware(naive, timezone.get_default_timezone())
        return None

    def status(self, item):
        """(our status, publish date) of a WordPress post, and the report line when it is not
        a plain publish."""
        title = short_quote(content.clean_title(item.title))
        when = self._date(item.post_date_gmt, item.post_date, item.line, "wp:post_date_gmt")
        if when is None:
            when = self.now
            self.note(item.line, f"{title} has no date; given the import time")
        elif item.post_date_gmt in ("", ZERO_DATE) and item.status in ("publish", "future"):
            self.note(
                item.line, f"{title} has no GMT date; its local date read in {settings.TIME_ZONE}"
            )
        wp = item.status or "publish"
        if item.post_password:
            self.note(item.line, f"{title} is password-protected in WordPress: imported as a draft")
            return Status.DRAFT, when
        if wp in ("publish", "future"):
            if wp == "future":
                self.note(item.line, f"{title} is scheduled: published at {when:%Y-%m-%d %H:%M}")
            return Status.PUBLISHED, when
        reason = {
            "draft": "a draft",
            "pending": "awaiting review in WordPress",
            "private": "private in WordPress (only editors see it here)",
            "trash": "in WordPress's trash",
            "auto-draft": "an unsaved draft",
        }.get(wp, f"“{wp}” in WordPress")
        self.note(item.line, f"{title} is {reason}: imported as a draft")
        return Status.DRAFT, when

    # Posts

    def write_post(self, item):
        plan = self.plans[item.wp_id]
        row = plan.record
        title = _fit(Post, "title", content.clean_title(item.title) or f"Untitled {item.wp_id}")
        checksum = _checksum(
            item.title, item.content, item.excerpt, item.post_date_gmt, item.post_date,
            item.status, item.post_name, item.terms, item.thumbnail_id, item.is_sticky,
            item.creator, item.post_password,
        )  # fmt: skip
        extra = {
            "status": item.status,
            "post_type": item.post_type,
            "categories": [n for t, _s, n in item.terms if t == "category"],
        }
        if item.is_sticky:
            extra["sticky"] = True
        post = Post.objects.get(pk=plan.existing) if plan.existing is not None else None
        if post is not None and row is None:
            self.count("posts", False)
            self.note(item.line, f"“{title}” is already here (/{post.slug}/): left as it is")
        elif post is not None and row.checksum == checksum:
            self.count("posts", False)
        else:
            status, when = self.status(item)
            converted = content.convert(item.content, self.context(item))
            body = converted.markdown or "*(This post had no text in the export.)*"
            excerpt = content.plain_text(item.excerpt) or _excerpt(
                [" ".join(p.text_lines) for p in converted.pieces if p.plain]
            )
            author = self._author(item.creator or "admin")
            fields = {
                "title": title,
                "author": author,
                "body": body,
                "excerpt": excerpt,
                "status": status,
                "publish_at": when,
            }
            if item.post_type == "page":
                fields["status"] = Status.DRAFT
                self.note(
                    item.line,
                    f"the page “{title}” imported as a draft post: the site has no pages",
                )
            if item.comment_status == "closed":
                fields["comments_open"] = False
            if post is None:
                post = Post(slug=plan.slug, **fields)
                self.count("posts", True)
            else:
                for key, value in fields.items():
                    setattr(post, key, value)
                self.result.updated["posts"] += 1
            self._featured(post, item, converted)
            post.save()
            post.tags.set(self._tags(item))
            if item.is_sticky:
                self.note(
                    item.line,
                    f"“{title}” was sticky: the site has no sticky posts (kept in the record)",
                )
        self.record(
            ImportedItem.Kind.POST,
            item.wp_id,
            post,
            guid=item.guid,
            old_urls=self.old_urls(item),
            extra=extra,
            checksum=checksum,
        )
        self.write_comments(item, post=post)

    def _featured(self, obj, item, converted):
        """The featured image (``_thumbnail_id``), else the first image in the body."""
        att = self.attachments.get(item.thumbnail_id) if item.thumbnail_id else None
        if item.thumbnail_id and att is None:
            self.note(item.line, f"featured image {item.thumbnail_id} is not in the export")
        if att is None:
            first = next((p for p in converted.pieces if p.kind == "image" and p.attachment_id),
                         None)  # fmt: skip
            att = self.attachments.get(first.attachment_id) if first else None
        if att is None or not att.name:
            if att is not None:
                self.note(item.line, f"featured image {att.rel} not imported ({att.missing})")
            if att is not None and att.alt and not obj.image:
                obj.image_alt = _fit(type(obj), "image_alt", att.alt)
            return
        alt = att.alt or att.title or obj.title
        if getattr(att, "library_image", None) is None:  # one library image per attachment
            with default_storage.open(att.name, "rb") as handle:
                data = handle.read()
            att.library_image = Image.objects.create(
                file=ContentFile(data, name=Path(att.rel).name),
                title=_fit(Image, "title", att.title or Path(att.rel).name),
                alt=_fit(Image, "alt", att.alt),
            )
            self.result.files.append(att.library_image.file.name)
        obj.image = att.library_image
        if not (att.alt or att.title):
            self.note(item.line, f"the image of “{obj.title}” has no description: its title used")
        obj.image_alt = _fit(type(obj), "image_alt", alt)

    # Comments

    def write_comments(self, item, post=None, interview=None):
        if not item.comments:
            return
        target = {"post": post} if post is not None else {"interview": interview}
        owner = (post.author if post is not None else None) if post else None
        owner_login = next((k for k, v in self.authors.items() if v == owner), None)
        owner_ids = {self.author_wp_ids.get(owner_login)} - {None}
        owner_email = (self.authors_wp.get(owner_login).email if owner_login in self.authors_wp
                       else "")  # fmt: skip
        done = {}
        pending = sorted(item.comments, key=lambda c: (c.parent != 0, c.wp_id))
        known = {c.wp_id for c in item.comments}
        rounds = 0
        while pending and rounds < 50:
            rounds += 1
            later = []
            for wc in pending:
                if wc.parent and wc.parent in known and wc.parent not in done:
                    later.append(wc)
                    continue
                done[wc.wp_id] = self._comment(wc, target, done, owner_ids, owner_email, item)
            pending = later
        for wc in pending:  # a loop of parents: imported at the top level
            self.note(wc.line, f"comment {wc.wp_id} replies in a loop; shown at the top level")
            wc.parent = 0
            done[wc.wp_id] = self._comment(wc, target, done, owner_ids, owner_email, item)

    def _comment(self, wc, target, done, owner_ids, owner_email, item):
        is_ping = wc.type in ("pingback", "trackback")
        parent = None if is_ping else done.get(wc.parent)
        if wc.parent and parent is None and not is_ping:
            self.note(wc.line, f"comment {wc.wp_id} replies to {wc.parent}, not in the export")
        checksum = _checksum(wc.content, wc.author, wc.email, wc.url, wc.approved, wc.parent,
                             wc.date_gmt, wc.type)  # fmt: skip
        row = self._find(ImportedItem.Kind.COMMENT, wc.wp_id)
        comment = row.target if row and row.object_id else None
        kind = "pingbacks" if is_ping else ("replies" if parent else "comments")
        if comment is not None and row.checksum == checksum:
            self.count(kind, False)
            return comment
        status = COMMENT_STATUS.get(wc.approved)
        if status is None:
            status = Comment.Status.PENDING
            self.note(wc.line, f"comment {wc.wp_id} has the status “{wc.approved}”: held")
        email = wc.email
        try:
            validate_email(email) if email else None
        except ValidationError:
            self.note(
                wc.line, f"comment {wc.wp_id}: the email “{email[:60]}” is not valid; left out"
            )
            email = ""
        website = wc.url if urlsplit(wc.url).scheme in ("http", "https") else ""
        if len(website) > 200:
            website, _ = "", self.note(wc.line, f"comment {wc.wp_id}: its web address is too long")
        name = wc.author.strip() or ("A reader" if not is_ping else urlsplit(wc.url).hostname)
        if not wc.author.strip():
            self.note(wc.line, f"comment {wc.wp_id} has no author name: shown as “{name}”")
        body = content.html_to_text(wc.content) or "(no text)"
        when = self._date(wc.date_gmt, wc.date, wc.line, "wp:comment_date_gmt") or self.now
        fields = {
            **target,
            "parent": parent,
            "name": _fit(Comment, "name", name or "A reader"),
            "email": email,
            "website": website,
            "body": body,
            "status": status,
            "kind": Comment.Kind.PINGBACK if is_ping else Comment.Kind.COMMENT,
            "by_post_author": bool(
                (wc.user_id and wc.user_id in owner_ids)
                or (owner_email and wc.email.lower() == owner_email.lower())
            ),
            "created_at": when,
            "ip_address": None,
        }
        if comment is None:
            comment = Comment.objects.create(**fields)
            self.count(kind, True)
        else:
            for key, value in fields.items():
                setattr(comment, key, value)
            comment.save()
            self.result.updated[kind] += 1
        self.record(
            ImportedItem.Kind.COMMENT,
            wc.wp_id,
            comment,
            extra={"post": item.wp_id, "type": wc.type or "comment"},
            checksum=checksum,
        )
        return comment

    # Interviews

    def write_series(self):
        groups = {}
        for wp_id in self.series_ids:
            item = self.items[wp_id]
            tag = HEADING_RE.match(content.clean_title(item.title)).group("tag").lower()
            groups.setdefault(tag, []).append(item)
        for items in groups.values():
            self._write_one_series(items)

    def _series_text(self, items):
        """The series' posts written as the text export writes the series: summary first, then
        the interviews newest first, the introduction last. Returns the text, a map from its
        lines to the items and, per item, the rich Markdown of each block the text flattens."""

        def rank(item):
            rest = HEADING_RE.match(content.clean_title(item.title)).group("rest").lower()
            return 0 if "summary" in rest else 2 if "introduction" in rest else 1

        def newest_first(item):
            when = self._date(item.post_date_gmt, item.post_date, item.line, "wp:post_date_gmt")
            return (rank(item), -(when.timestamp() if when else 0), -item.wp_id)

        lines, owners, rich, converted = [], [], {}, {}
        counter = 0
        for item in sorted(items, key=newest_first):
            conv = content.convert(item.content, self.context(item))
            converted[item.wp_id] = conv
            subs = rich.setdefault(item.wp_id, {})
            if lines:
                lines += ["", ""]
                owners += [item, item]
            lines.append(content.clean_title(item.title))
            owners.append(item)
            for piece in conv.pieces:
                if not piece.text_lines:
                    continue
                if piece.kind in ("image", "embed") and piece.text_lines[0].startswith("("):
                    counter += 1
                    piece.text_lines = [f"({piece.kind} {counter})"]
                key = block_markdown(
                    Block([Line(i, raw) for i, raw in enumerate(piece.text_lines, 1)])
                )
                if piece.text_lines[0].startswith(content.NBSP):
                    key = "\n".join("> " + ln for ln in key.split("\n"))
                piece.key = key
                if not piece.plain:
                    subs[key] = piece.markdown
                lines += ["", *piece.text_lines]
                owners += [item] * (1 + len(piece.text_lines))
        return "\n".join(lines) + "\n", owners, rich, converted

    def _write_one_series(self, items):
        text, owners, rich, converted = self._series_text(items)

        def owner(line):
            return owners[min(max((line or 1) - 1, 0), len(owners) - 1)]

        try:
            parsed = parse_series(self.path, text)
        except ImportParseError as exc:
            item = owner(exc.line)
            raise ImportParseError(
                self.path, item.line, f"“{content.clean_title(item.title)}”: {exc.message}"
            ) from None
        for n in parsed.notes:
            item = owner(n.line)
            self.note(item.line, f"“{content.clean_title(item.title)}”: {n.message}")
        parsed.notes = []
        by_item = {}
        for interview in parsed.interviews:
            item = owner(interview.line)
            by_item[item.wp_id] = interview
            plan = self.plans[item.wp_id]
            for quote in parsed.quotes:
                if quote.interview_slug == interview.slug:
                    quote.interview_slug = plan.slug
            interview.slug = plan.slug
            self._enrich_interview(interview, item, rich[item.wp_id], converted[item.wp_id])
        section_items = [i for i in items if i.wp_id not in by_item]
        subs = {k: v for i in section_items for k, v in rich[i.wp_id].items()}
        parsed.summary = _substitute(parsed.summary, subs)
        parsed.introduction = _substitute(parsed.introduction, subs)
        self._write_parsed_series(parsed, items, by_item)

    def _enrich_interview(self, interview, item, subs, conv):
        video = next((p for p in conv.pieces if p.kind == "embed" and content.is_video(p.url)),
                     None)  # fmt: skip
        if video is not None:
            interview.video_url = video.url
            subs = {**subs, video.key: ""}
        interview.introduction = _substitute(interview.introduction, subs)
        interview.closing = _substitute(interview.closing, subs)
        for answer in interview.answers:
            answer.body = _substitute(answer.body, subs)

    def _write_parsed_series(self, parsed: ParsedSeries, items, by_item):
        changed = []
        for interview in parsed.interviews:
            item = next(i for i in items if by_item.get(i.wp_id) is interview)
            plan = self.plans[item.wp_id]
            checksum = _checksum(item.title, item.content, item.post_date_gmt, item.status,
                                 item.post_name, item.thumbnail_id)  # fmt: skip
            interview.checksum = checksum
            if plan.existing is not None and plan.record and plan.record.checksum != checksum:
                changed.append((interview, Interview.objects.get(pk=plan.existing)))
        _write_series(self.result, parsed, {}, self.now)
        series = Series.objects.get(slug=parsed.slug)
        for interview, obj in changed:
            self._update_interview(obj, interview)
        quoted = {}
        for interview in parsed.interviews:
            item = next(i for i in items if by_item.get(i.wp_id) is interview)
            quoted[interview.slug] = self._sync_quotes(interview, parsed, self.plans[item.wp_id])
        for item in items:
            parsed_iv = by_item.get(item.wp_id)
            if parsed_iv is None:  # the summary or the introduction
                self.record(
                    ImportedItem.Kind.POST,
                    item.wp_id,
                    series,
                    guid=item.guid,
                    old_urls=self.old_urls(item),
                    extra={"status": item.status, "section": "series"},
                    checksum=_checksum(item.title, item.content),
                )
                continue
            obj = Interview.objects.get(slug=parsed_iv.slug)
            plan = self.plans[item.wp_id]
            fresh = plan.record is None and plan.existing is None
            if fresh or plan.record and plan.record.checksum != parsed_iv.checksum:
                status, when = self.status(item)
                obj.status, obj.publish_at = status, when
                if getattr(parsed_iv, "video_url", ""):
                    obj.video_url = parsed_iv.video_url
                self._featured(obj, item, content.Converted())
                obj.save()
            self.record(
                ImportedItem.Kind.POST,
                item.wp_id,
                obj,
                guid=item.guid,
                old_urls=self.old_urls(item),
                extra={
                    "status": item.status,
                    "categories": self._tags(item),
                    "quotes": quoted[parsed_iv.slug],
                },
                checksum=parsed_iv.checksum,
            )
            self.write_comments(item, interview=obj)

    def _update_interview(self, obj, parsed):
        obj.title = parsed.title
        obj.introduction, obj.closing = parsed.introduction, parsed.closing
        obj.save()
        kept = []
        for position, answer in enumerate(parsed.answers, 1):
            row, created = Answer.objects.update_or_create(
                interview=obj,
                question__slug=answer.question_slug,
                defaults={
                    "asked_as": _fit(Answer, "asked_as", answer.asked_as),
                    "body": answer.body,
                    "order": position,
                },  # fmt: skip
                create_defaults={
                    "question": Question.objects.get(slug=answer.question_slug),
                    "asked_as": _fit(Answer, "asked_as", answer.asked_as),
                    "body": answer.body,
                    "order": position,
                },
            )
            kept.append(row.pk)
        obj.answers.exclude(pk__in=kept).delete()
        # The platforms follow the answers: those the export names now, its favourite marked.
        # (Old ones removed and the favourite cleared first: one favourite per interview.)
        platforms = {name: _platform(self.result, {}, name) for name in parsed.platforms}
        obj.platform_uses.exclude(platform__in=platforms.values()).delete()
        obj.platform_uses.filter(is_favourite=True).update(is_favourite=False)
        for name, platform in platforms.items():
            InterviewPlatform.objects.update_or_create(
                interview=obj, platform=platform,
                defaults={"is_favourite": name == parsed.favourite},
            )  # fmt: skip
        self.result.updated["interviews"] += 1

    def _sync_quotes(self, parsed_iv, parsed, plan):
        """The interview's pull quotes as the export has them now: each linked to the answer it
        comes from; those an earlier import made that the export no longer has are removed (an
        editor's own quotes are not: the record lists the import's). Returns their texts."""
        obj = Interview.objects.get(slug=parsed_iv.slug)
        texts = []
        for pq in parsed.quotes:
            if pq.interview_slug != parsed_iv.slug:
                continue
            answer = obj.answers.filter(question__slug=pq.question_slug).first() if (
                pq.question_slug) else None  # fmt: skip
            quote = Quote.objects.filter(leader__slug=pq.leader_slug, text=pq.text).first()
            if quote is not None and (quote.interview_id, quote.answer_id) != (
                obj.pk,
                answer.pk if answer else None,
            ):
                quote.interview, quote.answer = obj, answer
                quote.save()
                self.result.updated["quotes"] += 1
            texts.append(pq.text)
        earlier = set(plan.record.quotes if plan.record else ()) - set(texts)
        if earlier:
            gone, _ = obj.quotes.filter(text__in=earlier).delete()
            if gone:
                self.note(
                    None, f"{gone} pull quote(s) of “{obj.title}” no longer in the export: removed"
                )
        return texts

    def write_site_feeds(self):
        """The old blog's own feeds lead to the site's."""
        for old, name in (("/feed/", "feeds:site-rss"), ("/feed/atom/", "feeds:site-atom")):
            self._redirect(f"{self.prefix}{old}", reverse(name))
        self._redirect(f"{self.prefix}/?feed=rss2", reverse("feeds:site-rss"))

    # The whole run

    def run(self):
        total = self.scan()
        self.progress(0, total=total)
        self.write_authors()
        self.plan()
        self.write_attachments()
        self.write_series()
        self.progress(len(self.series_ids) + len(self.attachments))  # counted as done
        for record in read_export(self.path):
            if not isinstance(record, WPItem):
                continue
            if record.post_type in SKIPPED_TYPES or record.post_type not in (
                "post", "page", "attachment"
            ):  # fmt: skip
                self.result.skipped[SKIPPED_TYPES.get(record.post_type, record.post_type)] += 1
                self.progress()
                continue
            if record.wp_id in self.plans and record.wp_id not in self.series_ids:
                if record.status == "auto-draft":
                    self.note(
                        record.line, f"{short_quote(record.title)}: an unsaved draft, left out"
                    )
                else:
                    self.write_post(record)
                self.progress()
        self.write_terms()
        self.write_site_feeds()
        for kind, count in sorted(self.result.skipped.items()):
            self.note(None, f"{count} {kind} left out: not content")
        self.result.notes.sort(key=lambda n: n.line or 0)
        self.total = total
        return self.result


def _substitute(markdown, subs):
    """Blocks the text rules flattened, put back with their markup (links, emphasis, images)."""
    if not subs or not markdown:
        return markdown
    parts = [subs.get(part, part) for part in markdown.split("\n\n")]
    return "\n\n".join(p for p in parts if p)


def run(path, media_dir=None, dry_run=False, progress=None):
    """Import the export in one transaction; --dry-run rolls it back. Files stored during a run
    that does not commit are removed again."""
    importer = Importer(path, media_dir, progress)
    try:
        with transaction.atomic(), changing_a_lot():
            importer.run()
            if dry_run:
                raise DryRunRollback
    except DryRunRollback:
        _remove(importer.result.files)
    except BaseException:
        _remove(importer.result.files)
        raise
    return importer.result


def _remove(names):
    for name in names:
        if name and default_storage.exists(name):
            default_storage.delete(name)
    return None
