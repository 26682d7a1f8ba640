"""Write this site's content as WordPress would export it (WXR 1.2): posts with their comments
and tags, each interview a post of its own (its title the series heading, its questions
paragraphs), the series summary with its pull quotes and the introduction as two more posts.
Used for the round trip (tests/importing/test_wordpress.py) and by ``export_wordpress``; the
file is written as a stream (lxml's xmlfile), one item at a time."""

from lxml import etree

from blog.models import Author, Post
from comments.models import Comment
from interviews.models import Quote, Series
from socialleaders.publishing import Status

WP = "http://wordpress.org/export/1.2/"
NSMAP = {
    "excerpt": WP + "excerpt/",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "wfw": "http://wellformedweb.org/CommentAPI/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "wp": WP,
}
STATUS = {Status.PUBLISHED: "publish", Status.DRAFT: "draft"}
COMMENT_APPROVED = {
    Comment.Status.APPROVED: "1",
    Comment.Status.PENDING: "0",
    Comment.Status.SPAM: "spam",
    Comment.Status.REMOVED: "trash",
}


def _q(prefix, local):
    return f"{{{NSMAP[prefix]}}}{local}" if prefix else local


def _text(value):
    """Text as WordPress writes it: in CDATA, unless it holds ']]>' (then escaped)."""
    value = "" if value is None else str(value)
    return value if "]]>" in value else etree.CDATA(value)


def _sub(parent, prefix, local, value="", cdata=True):
    el = etree.SubElement(parent, _q(prefix, local))
    el.text = _text(value) if cdata else str(value)
    return el


def _date(dt):
    return dt.strftime("%Y-%m-%d %H:%M:%S") if dt else "0000-00-00 00:00:00"


class Writer:
    def __init__(self, site="https://example.org"):
        self.site = site.rstrip("/")
        self.next_id = 1
        self.author_ids = {}

    def _id(self):
        self.next_id += 1
        return self.next_id

    def write(self, out):
        """Write the export to ``out`` (a path or a binary file)."""
        with etree.xmlfile(out, encoding="UTF-8") as xf:
            xf.write_declaration()
            with xf.element("rss", {"version": "2.0"}, nsmap=NSMAP), xf.element("channel"):
                for local, value in (
                    ("title", "Social Leaders"),
                    ("link", self.site),
                    ("description", ""),
                    ("language", "en-GB"),
                ):
                    el = etree.Element(local)
                    el.text = value
                    xf.write(el)
                for local in ("wxr_version", "base_site_url", "base_blog_url"):
                    el = etree.Element(_q("wp", local))
                    el.text = "1.2" if local == "wxr_version" else self.site
                    xf.write(el)
                for author in Author.objects.order_by("pk"):
                    xf.write(self._author(author))
                for series in Series.objects.order_by("pk"):
                    for item in self._series(series):
                        xf.write(item)
                for post in Post.objects.select_related("author").order_by("publish_at", "pk"):
                    for item in self._post(post):
                        xf.write(item)

    def _author(self, author):
        wp_id = self.author_ids.setdefault(author.pk, len(self.author_ids) + 1)
        el = etree.Element(_q("wp", "author"))
        _sub(el, "wp", "author_id", wp_id, cdata=False)
        _sub(el, "wp", "author_login", author.slug)
        _sub(el, "wp", "author_email", "")
        _sub(el, "wp", "author_display_name", author.name)
        _sub(el, "wp", "author_first_name", "")
        _sub(el, "wp", "author_last_name", "")
        return el

    def _item(self, title, slug, html, when, status, creator, excerpt="", kind="post"):
        wp_id = self._id()
        el = etree.Element("item")
        etree.SubElement(el, "title").text = title
        etree.SubElement(el, "link").text = (
            f"{self.site}/{when:%Y/%m/%d}/{slug}/" if kind == "post" else f"{self.site}/{slug}/"
        )
        guid = etree.SubElement(el, "guid", isPermaLink="false")
        guid.text = f"{self.site}/?p={wp_id}"
        _sub(el, "dc", "creator", creator)
        _sub(el, "content", "encoded", html)
        _sub(el, "excerpt", "encoded", excerpt)
        _sub(el, "wp", "post_id", wp_id, cdata=False)
        _sub(el, "wp", "post_date", _date(when))
        _sub(el, "wp", "post_date_gmt", _date(when))
        _sub(el, "wp", "comment_status", "open")
        _sub(el, "wp", "post_name", slug)
        _sub(el, "wp", "status", status)
        _sub(el, "wp", "post_parent", 0, cdata=False)
        _sub(el, "wp", "post_type", kind)
        _sub(el, "wp", "post_password", "")
        _sub(el, "wp", "is_sticky", 0, cdata=False)
        return wp_id, el

    def _meta(self, el, key, value):
        meta = etree.SubElement(el, _q("wp", "postmeta"))
        _sub(meta, "wp", "meta_key", key)
        _sub(meta, "wp", "meta_value", value)

    def _attachment(self, parent_id, alt, when):
        """An attachment for an image whose file this site does not have (its description)."""
        wp_id, el = self._item(
            alt[:60], f"image-{parent_id}", "", when, "inherit", "", kind="attachment"
        )
        el.find(_q("wp", "post_parent")).text = str(parent_id)
        _sub(el, "wp", "attachment_url", f"{self.site}/wp-content/uploads/image-{wp_id}.jpg")
        self._meta(el, "_wp_attachment_image_alt", alt)
        return wp_id, el

    def _comments(self, el, comments, owner_id):
        for c in comments:
            node = etree.SubElement(el, _q("wp", "comment"))
            _sub(node, "wp", "comment_id", c.pk, cdata=False)
            _sub(node, "wp", "comment_author", c.name)
            _sub(node, "wp", "comment_author_email", c.email)
            _sub(node, "wp", "comment_author_url", c.website, cdata=False)
            _sub(node, "wp", "comment_author_IP", "", cdata=False)
            _sub(node, "wp", "comment_date", _date(c.created_at))
            _sub(node, "wp", "comment_date_gmt", _date(c.created_at))
            _sub(node, "wp", "comment_content", c.body)
            _sub(node, "wp", "comment_approved", COMMENT_APPROVED[c.status])
            _sub(node, "wp", "comment_type", "pingback" if c.kind == Comment.Kind.PINGBACK else "")
            _sub(node, "wp", "comment_parent", c.parent_id or 0, cdata=False)
            _sub(node, "wp", "comment_user_id", owner_id if c.by_post_author else 0, cdata=False)

    def _post(self, post):
        author_id = self.author_ids.get(post.author_id, 0)
        wp_id, el = self._item(
            post.title,
            post.slug,
            post.body_html,
            post.publish_at,
            STATUS[post.status],
            post.author.slug,
            excerpt=post.excerpt,
        )
        for name in post.tags.names():
            cat = etree.SubElement(el, "category", domain="post_tag", nicename=name.lower())
            cat.text = _text(name)
        extra = []
        if post.image_alt:
            att_id, att = self._attachment(wp_id, post.image_alt, post.publish_at)
            self._meta(el, "_thumbnail_id", att_id)
            extra.append(att)
        self._comments(el, post.comments.order_by("created_at", "pk"), author_id)
        return [el, *extra]

    def _series(self, series):
        """The series as WordPress posts: summary, interviews, introduction."""
        interviews = list(
            series.interviews.select_related("leader")
            .prefetch_related("answers")
            .order_by("publish_at", "pk")
        )
        first = interviews[0].publish_at if interviews else None
        items = []
        for interview in interviews:
            parts = []
            if interview.image_alt:
                parts.append(f"[caption]{_escape(interview.image_alt)}[/caption]")
            parts.append(interview.introduction_html)
            for answer in interview.answers.all():
                parts.append(f"<p>{_escape(answer.asked_as)}</p>")
                parts.append(answer.body_html)
            parts.append(interview.closing_html)
            _id, el = self._item(
                interview.title,
                interview.slug,
                "\n".join(p for p in parts if p),
                interview.publish_at,
                STATUS[interview.status],
                "",
            )
            self._comments(el, Comment.objects.filter(interview=interview).order_by("pk"), 0)
            items.append(el)
        quotes = Quote.objects.filter(interview__series=series).select_related("leader")
        summary = series.summary_html + "".join(
            f"\n<p>{_escape(q.text)} - {_escape(q.leader.name)}</p>"
            for q in quotes.order_by("order", "pk")
        )
        tag = series.title.removesuffix(" series")
        if first:
            _id, head = self._item(f"{tag} series – the summary", f"{series.slug}-summary",
                                   summary, first, "publish", "")  # fmt: skip
            _id, intro = self._item(f"{tag} blog – introduction", f"{series.slug}-introduction",
                                    series.introduction_html, first, "publish", "")  # fmt: skip
            items = [head, *items, intro]
        return items


def _escape(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
