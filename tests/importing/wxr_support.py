# ruff: noqa: E501  (WXR written the way WordPress writes it, one element a line)
"""Small WordPress exports written by hand for the WordPress importer's tests."""

import re
from xml.sax.saxutils import escape

NS = {
    "1.0": "http://wordpress.org/export/1.0/",
    "1.1": "http://wordpress.org/export/1.1/",
    "1.2": "http://wordpress.org/export/1.2/",
}
SITE = "https://oldblog.example.com"


def cdata(text):
    """Text in CDATA as WordPress writes it: ']]>' split across two sections."""
    return "<![CDATA[" + str(text).replace("]]>", "]]]]><![CDATA[>") + "]]>"


def author(login, name="", email="", wp_id=1):
    return f"""<wp:author><wp:author_id>{wp_id}</wp:author_id><wp:author_login>{cdata(login)}</wp:author_login>
<wp:author_email>{cdata(email)}</wp:author_email><wp:author_display_name>{cdata(name or login)}</wp:author_display_name>
<wp:author_first_name><![CDATA[]]></wp:author_first_name><wp:author_last_name><![CDATA[]]></wp:author_last_name></wp:author>"""


def category(slug, name, term_id, parent=""):
    return f"""<wp:category><wp:term_id>{term_id}</wp:term_id><wp:category_nicename>{cdata(slug)}</wp:category_nicename>
<wp:category_parent>{cdata(parent)}</wp:category_parent><wp:cat_name>{cdata(name)}</wp:cat_name></wp:category>"""


def tag(slug, name, term_id):
    return f"""<wp:tag><wp:term_id>{term_id}</wp:term_id><wp:tag_slug>{cdata(slug)}</wp:tag_slug><wp:tag_name>{cdata(name)}</wp:tag_name></wp:tag>"""


def comment(wp_id, content, author="Reader", email="", url="", date="2014-05-13 10:00:00",
            approved="1", type="", parent=0, user_id=0):  # fmt: skip
    return f"""<wp:comment><wp:comment_id>{wp_id}</wp:comment_id><wp:comment_author>{cdata(author)}</wp:comment_author>
<wp:comment_author_email>{cdata(email)}</wp:comment_author_email><wp:comment_author_url>{escape(url)}</wp:comment_author_url>
<wp:comment_author_IP>127.0.0.1</wp:comment_author_IP><wp:comment_date>{date}</wp:comment_date><wp:comment_date_gmt>{date}</wp:comment_date_gmt>
<wp:comment_content>{cdata(content)}</wp:comment_content><wp:comment_approved>{cdata(approved)}</wp:comment_approved>
<wp:comment_type>{cdata(type)}</wp:comment_type><wp:comment_parent>{parent}</wp:comment_parent><wp:comment_user_id>{user_id}</wp:comment_user_id></wp:comment>"""


def item(wp_id, title, content="", *, slug=None, status="publish", type="post",
         date="2014-05-12 09:30:00", gmt=None, creator="jane", excerpt="", terms=(),
         sticky=False, parent=0, password="", meta=None, comments=(), attachment_url="",
         link=None):  # fmt: skip
    slug = slug if slug is not None else title.lower().replace(" ", "-")
    gmt = date if gmt is None else gmt
    y, m, d = date[:4], date[5:7], date[8:10]
    if link is None:
        link = f"{SITE}/{y}/{m}/{d}/{slug}/" if type == "post" else f"{SITE}/{slug}/"
    cats = "".join(
        f'<category domain="{dom}" nicename="{s}">{cdata(n)}</category>' for dom, s, n in terms
    )
    metas = "".join(
        f"<wp:postmeta><wp:meta_key>{cdata(k)}</wp:meta_key><wp:meta_value>{cdata(v)}</wp:meta_value></wp:postmeta>"
        for k, v in (meta or {}).items()
    )
    att = (
        f"<wp:attachment_url>{escape(attachment_url)}</wp:attachment_url>" if attachment_url else ""
    )
    return f"""<item><title>{escape(title)}</title><link>{escape(link)}</link>
<pubDate>Mon, 12 May 2014 09:30:00 +0000</pubDate><dc:creator>{cdata(creator)}</dc:creator>
<guid isPermaLink="false">{SITE}/?p={wp_id}</guid><description></description>
<content:encoded>{cdata(content)}</content:encoded><excerpt:encoded>{cdata(excerpt)}</excerpt:encoded>
<wp:post_id>{wp_id}</wp:post_id><wp:post_date>{cdata(date)}</wp:post_date><wp:post_date_gmt>{cdata(gmt)}</wp:post_date_gmt>
<wp:comment_status>open</wp:comment_status><wp:ping_status>open</wp:ping_status>
<wp:post_name>{cdata(slug)}</wp:post_name><wp:status>{cdata(status)}</wp:status><wp:post_parent>{parent}</wp:post_parent>
<wp:menu_order>0</wp:menu_order><wp:post_type>{cdata(type)}</wp:post_type><wp:post_password>{cdata(password)}</wp:post_password>
<wp:is_sticky>{1 if sticky else 0}</wp:is_sticky>{att}{cats}{metas}{"".join(comments)}</item>"""


def export(*parts, version="1.2"):
    ns = NS[version]
    if version == "1.0":  # the oldest exports carry no excerpt element
        parts = [
            re.sub(r"<excerpt:encoded>.*?</excerpt:encoded>", "", p, flags=re.S) for p in parts
        ]
    excerpt_ns = "" if version == "1.0" else f'xmlns:excerpt="{ns}excerpt/"'
    return f"""<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" {excerpt_ns} xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:wfw="http://wellformedweb.org/CommentAPI/" xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:wp="{ns}">
<channel>
<title>Old blog</title><link>{SITE}</link><description>Just another blog</description>
<pubDate>Mon, 01 Dec 2025 10:00:00 +0000</pubDate><language>en-GB</language>
<wp:wxr_version>{version}</wp:wxr_version><wp:base_site_url>{SITE}</wp:base_site_url><wp:base_blog_url>{SITE}</wp:base_blog_url>
{"".join(parts)}
</channel>
</rss>
"""
