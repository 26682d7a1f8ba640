"""Parse blog exports: several posts one after another, or one post with its author box and
reader responses. How titles are told from sub-headings: docs/importing.md."""

import re
from dataclasses import dataclass, field

from django.utils.text import slugify

from socialleaders.publishing import slug_for

from .base import (
    NBSP,
    ImportParseError,
    ParsedFile,
    block_markdown,
    clean,
    ends_abruptly,
    join_markdown,
    md_escape,
    short_quote,
    split_blocks,
    split_lines,
)

HOUSE_AUTHOR = "Social Leaders editors"
READER_PLACEHOLDER = "A reader"
LONG_RUN = 7

RESPONSES_RE = re.compile(r"^(?P<n>\d+|One|No) Responses? to (?P<title>.+)$", re.IGNORECASE)
ABOUT_RE = re.compile(r"^About (?P<name>[A-Z][\w’'.-]*(?:\s+[A-Z][\w’'.-]*){0,3})$")
TOP_LEVEL_RE = re.compile(r"^ {1,3}(?P<num>\d+)\.\s+(?P<text>.*)$")
REPLY_RE = re.compile(r"^ {3,5}[•·]\s+(?P<name>.+?) says:\s*$")
PINGBACK_RE = re.compile(r"^(?P<kind>Pingback|Trackback):\s*(?P<text>.+)$")
MINOR_WORDS = frozenset("a an the and or of for to in on at by with from via is as vs".split())  # noqa: SIM905
CAPTION_RE = re.compile(
    r"^(?:Screenshot|Screen shot|Image|Photo|Picture|Photograph)\b|^\((?:Picture|Photo|Image)"
    r"\s+Credit",
    re.IGNORECASE,
)
NAME_LINE_RE = re.compile(r"^(?:Professor |Dr |Sir )?[A-Z][\w’'.-]*(?:\s+[A-Z][\w’'.-]*){1,3}$")
ATTRIBUTION_RE = re.compile(
    r"^(?P<quote>.+?[”.?!,’\w])\s+[-–—]\s+(?P<who>(?:Professor |Dr |Sir )?[A-Z][\w’'.-]*"
    r"(?:\s+[A-Z][\w’'.-]*){1,3}(?:\s*,\s*[^,]{3,60})?)$"
)
GUEST_RE = re.compile(
    r"Guest Post (?:from|by)\s+(?P<who>@\w+|[A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+){0,3})", re.I
)
# Lines the blogging platform adds around a post; dropped and reported.
BOILERPLATE = (
    (re.compile(r"^Get every new post delivered to your Inbox\.?$"), "subscription footer"),
    (re.compile(r"^Join [\d,]+ other followers$"), "subscription footer"),
    (re.compile(r"^%d bloggers like this:?$"), "“likes” widget placeholder"),
    (re.compile(r"^This entry was posted in .*"), "category and permalink line"),
    (re.compile(r"^(?:Share this|Like this|Related):?$"), "sharing widget label"),
)
FORM_START_RE = re.compile(r"^Leave a Reply$")
FORM_END_RE = re.compile(r"^Connecting to %s$")


@dataclass
class ParsedAuthor:
    name: str
    slug: str
    bio: str = ""
    is_guest: bool = False
    website: str = ""
    named_in_export: bool = True


@dataclass
class ParsedComment:
    number: int  # its number in the export ("  3."); replies share their parent's number
    name: str
    body: str  # plain text, paragraphs separated by blank lines (comments are not Markdown)
    line: int
    kind: str = "comment"  # or "pingback"
    by_post_author: bool = False
    replies: list["ParsedComment"] = field(default_factory=list)


@dataclass
class ParsedPost:
    title: str
    slug: str
    line: int
    author: ParsedAuthor
    body: str = ""
    excerpt: str = ""
    image_alt: str = ""
    comments: list[ParsedComment] = field(default_factory=list)


@dataclass
class ParsedPosts(ParsedFile):
    posts: list[ParsedPost] = field(default_factory=list)


def house_author():
    return ParsedAuthor(HOUSE_AUTHOR, slugify(HOUSE_AUTHOR), named_in_export=False)


def is_comments_text(text):
    return any(RESPONSES_RE.match(clean(line)) for line in text.split("\n"))


# Shared steps


def _strip_boilerplate(result, lines):
    kept = []
    in_form = None
    for line in lines:
        text = line.text
        if in_form is not None:
            if FORM_END_RE.match(text):
                result.note(
                    in_form,
                    "comment form boilerplate (“Leave a Reply” … “Connecting "
                    f"to %s”, lines {in_form}-{line.number}) dropped",
                )
                in_form = None
            continue
        if FORM_START_RE.match(text):
            in_form = line.number
            continue
        for pattern, what in BOILERPLATE:
            if pattern.match(text):
                result.note(line.number, f"{what} dropped: “{text}”")
                break
        else:
            kept.append(line)
    if in_form is not None:
        result.note(in_form, "comment form boilerplate from “Leave a Reply” to the end dropped")
    return kept


def _heading_like(block):
    if not block.single or block.nbsp_led or block.is_list:
        return False
    text = re.sub(r"^[–—-]\s+", "", block.text)  # "– Tips for councillors" in a list
    return (
        bool(text)
        and len(text.split()) <= 14
        and not re.search(r":\s*[“\"]", text)  # 'DWP changing payments: “There’s going…”'
        and not re.search(r"[.,;:“]$", text)
        and (text[0].isupper() or text[0].isdigit() or text[0] in "“‘\"'(")
    )


def _widont(block):
    """The last two words joined by a non-breaking space (and not just a trailing one)."""
    return _heading_like(block) and bool(re.search(r"\S" + NBSP + r"+\S+$", block.lines[0].raw))


def _title_case(text):
    words = [w for w in re.findall(r"[\w’'@-]+", text) if w.lower() not in MINOR_WORDS]
    return len(text.split()) >= 3 and all(w[0].isupper() or w[0].isdigit() for w in words)


def _caption_like(block):
    text = block.text
    tokens = text.split()
    return bool(CAPTION_RE.match(text)) or (
        len(tokens) <= 3
        and any(c.isdigit() for c in text)
        and not any(t.isalpha() and t.islower() for t in tokens)
    )


def _epigraph_like(block):
    return block.nbsp_led or bool(ATTRIBUTION_RE.match(block.text) and not _heading_like(block))


def _boundary(block):
    """A heading line that splits runs of paragraphs (captions and questions do not)."""
    return _heading_like(block) and not _caption_like(block) and not block.text.endswith("?")


def find_titles(blocks):
    """Indexes of the blocks that are post titles (rules 1-7 in docs/importing.md)."""
    titles = set()
    for i, block in enumerate(blocks):
        if not _heading_like(block) or _caption_like(block):
            continue
        # 1, 2: the file's first line, or the title-only non-breaking space.
        if i == 0 or _widont(block):
            titles.add(i)
            continue
        nxt = blocks[i + 1] if i + 1 < len(blocks) else None
        if nxt is None:
            continue
        # 3: two blank lines after it, or after the epigraph that follows it.
        j = i + 1
        while j < len(blocks) and _epigraph_like(blocks[j]):
            j += 1
        if j < len(blocks) and j > i + 1 and NAME_LINE_RE.match(blocks[j].text):
            j += 1  # "Margaret J Wheatley" under an epigraph
        if block.blank_after >= 2 or (j > i + 1 and blocks[j - 1].blank_after >= 2):
            titles.add(i)
            continue
        # 4: two blank lines before it, not right after another title.
        if block.blank_before >= 2 and (i - 1) not in titles:
            titles.add(i)
            continue
        # 5: followed by a quotation with its attribution.
        if ATTRIBUTION_RE.match(nxt.text) and not _heading_like(nxt):
            titles.add(i)
            continue
        # 6: Title Case between two long runs of paragraphs.
        if _title_case(block.text) and (i - 1) not in titles:
            before = _run(blocks, range(i - 1, -1, -1), titles)
            after = _run(blocks, range(i + 1, len(blocks)), titles)
            if before >= LONG_RUN and after >= LONG_RUN:
                titles.add(i)
                continue
        # 7: the last line of a "Related posts:" list, with a paragraph after it.
        if not _heading_like(nxt) and _in_related_list(blocks, i):
            titles.add(i)
    return sorted(titles)


def _run(blocks, indexes, titles):
    count = 0
    for k in indexes:
        block = blocks[k]
        if k in titles or _boundary(block):
            break
        if not _caption_like(block):
            count += 1
    return count


def _in_related_list(blocks, i):
    k = i - 1
    while k >= 0 and _heading_like(blocks[k]):
        k -= 1
    return k >= 0 and k < i - 1 and blocks[k].text.rstrip().lower() == "related posts:"


def _epigraph_markdown(blocks):
    lines = []
    for block in blocks:
        text = block.text
        m = ATTRIBUTION_RE.match(text)
        if lines:
            lines.append(">")
        if NAME_LINE_RE.match(text) and not block.nbsp_led:
            lines.append(f"> — {md_escape(text)}")
        elif m:
            lines.append(f"> {md_escape(clean(m.group('quote')))}")
            lines.append(">")
            lines.append(f"> — {md_escape(clean(m.group('who')).replace(' ,', ','))}")
        else:
            lines.append(f"> {md_escape(text)}")
    return "\n".join(lines)


def _excerpt(paragraphs, limit=300):
    for text in paragraphs:
        if len(text.split()) < 10:
            continue  # a dateline or a one-line aside is no summary
        if len(text) <= limit:
            return text
        cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:–- ")
        return cut + "…"
    return ""


def _post_body(result, post, blocks):
    """A post's blocks after its title as Markdown; captions are taken out and reported."""
    parts = []
    plain = []
    i = 0
    epigraph = []
    while i < len(blocks) and _epigraph_like(blocks[i]):
        epigraph.append(blocks[i])
        i += 1
    if (
        epigraph
        and i < len(blocks)
        and NAME_LINE_RE.match(blocks[i].text)
        and epigraph[-1].nbsp_led
    ):
        epigraph.append(blocks[i])
        i += 1
    if epigraph:
        parts.append(_epigraph_markdown(epigraph))
    seen_paragraph = False
    related = False
    while i < len(blocks):
        block = blocks[i]
        nxt = blocks[i + 1] if i + 1 < len(blocks) else None
        text = block.text
        i += 1
        if related and _heading_like(block):
            parts.append("- " + md_escape(re.sub(r"^[–—-]\s+", "", text)))
            continue
        if related:
            related = False
            parts.append("")  # end the list
        if _heading_like(block):
            caption = None
            if _caption_like(block):
                caption = text
            elif not seen_paragraph and re.search(r"\s[-–—]\s", text):
                caption = text  # "Cllr Barber - On-Line Cllr of the Year 2011" under a title
            elif not text.endswith("?") and (nxt is None or _heading_like(nxt)):
                caption = text  # heads no paragraph: a caption left without its image
            if caption:
                descriptive = len(caption.split()) >= 3 and not re.match(
                    r"^(?:Screen ?shot|\()", caption, re.I
                )
                if descriptive and not post.image_alt:
                    post.image_alt = caption
                    result.note(
                        block.number,
                        f"image caption “{caption}” kept as the post's "
                        "image description (the image is not in the export)",
                    )
                else:
                    result.note(
                        block.number,
                        f"image caption “{caption}” dropped (the image is not in the export)",
                    )
                continue
            if seen_paragraph and not text.endswith("?"):
                parts.append("## " + md_escape(text))
                continue
        md = block_markdown(block)
        if block.nbsp_led and not block.is_list:
            md = "\n".join("> " + line for line in md.split("\n"))
        parts.append(md)
        if not block.is_list:
            plain.append(text)
        seen_paragraph = True
        if text.lower() == "related posts:":
            related = True
            parts[-1] = md
        if ends_abruptly(text):
            result.note(
                block.number,
                f"“…{text[-60:]}” stops mid-sentence: a link or "
                "address was probably lost in the export",
            )
    post.body = _join_with_lists(parts)
    post.excerpt = _excerpt(plain)
    if not post.body:
        raise ImportParseError(result.path, post.line, f"the post “{post.title}” has no text")


def _join_with_lists(parts):
    """Join Markdown parts with blank lines, except consecutive "- " list items."""
    out = []
    for part in parts:
        if out and part.startswith("- ") and out[-1].startswith("- "):
            out[-1] += "\n" + part
        elif part:
            out.append(part)
    return join_markdown(out)


# A file of several posts


def parse_posts(path, text):
    result = ParsedPosts(path=path, kind="posts")
    blocks = split_blocks(_strip_boilerplate(result, split_lines(text)))
    if not blocks:
        raise ImportParseError(path, None, "holds nothing but boilerplate")
    titles = find_titles(blocks)
    bounds = [*titles, len(blocks)]
    guests = 0
    for n, start in enumerate(titles):
        title_block = blocks[start]
        title = clean(title_block.text)
        body_blocks = blocks[start + 1 : bounds[n + 1]]
        author = _guest_author(result, title, title_block, body_blocks) or house_author()
        guests += author.is_guest
        post = ParsedPost(title=title, slug=slug_for(title), line=title_block.number, author=author)
        if not body_blocks:
            raise ImportParseError(path, title_block.number, f"the post “{title}” has no text")
        _post_body(result, post, body_blocks)
        result.posts.append(post)
    unnamed = [p for p in result.posts if not p.author.named_in_export]
    if unnamed:
        result.note(
            None,
            f"author not named in {path.name}; {len(unnamed)} post(s) attributed "
            f"to “{HOUSE_AUTHOR}”: set the right author in the admin",
        )
    return result


def _guest_author(result, title, title_block, body_blocks):
    m = GUEST_RE.search(title)
    if not m:
        return None
    who = m.group("who")
    website = ""
    if who.startswith("@"):
        handle = who[1:]
        website = f"https://twitter.com/{handle}"
        body = " ".join(b.text for b in body_blocks)
        names = re.findall(r"\b[A-Z][a-z’'-]+(?:\s+[A-Z][a-z’'-]+){1,2}\b", body)
        match = next((n for n in names if n.replace(" ", "").lower() == handle.lower()), None)
        if match:
            who = match
        result.note(
            title_block.number,
            f"guest author {who} (named in the title as @{handle});"
            f" website set to their Twitter profile {website}",
        )
    return ParsedAuthor(who, slugify(who), is_guest=True, website=website)


# One post with its responses


def parse_post_with_comments(path, text):
    result = ParsedPosts(path=path, kind="post-with-comments")
    lines = _strip_boilerplate(result, split_lines(text))
    resp_at = next((k for k, ln in enumerate(lines) if RESPONSES_RE.match(ln.text)), None)
    head_blocks = split_blocks(lines[:resp_at])
    if not head_blocks:
        raise ImportParseError(path, lines[resp_at].number, "responses but no post before them")
    title_block = head_blocks[0]
    title = clean(title_block.text)
    about_at = next(
        (k for k, b in enumerate(head_blocks) if b.single and ABOUT_RE.match(b.text)), None
    )
    if about_at is not None:
        name = ABOUT_RE.match(head_blocks[about_at].text).group("name")
        bio = join_markdown(block_markdown(b) for b in head_blocks[about_at + 1 :])
        author = ParsedAuthor(name, slugify(name), bio=bio)
        body_blocks = head_blocks[1:about_at]
    else:
        author = house_author()
        body_blocks = head_blocks[1:]
        result.note(
            None,
            f"author not named in {path.name}; attributed to “{HOUSE_AUTHOR}”: "
            "set the right author in the admin",
        )
    if body_blocks and author.named_in_export and body_blocks[-1].text == author.name:
        result.note(
            body_blocks[-1].number, f"signature line “{author.name}” taken as the post's author"
        )
        body_blocks = body_blocks[:-1]
    post = ParsedPost(title=title, slug=slug_for(title), line=title_block.number, author=author)
    if not body_blocks:
        raise ImportParseError(path, title_block.number, f"the post “{title}” has no text")
    _post_body(result, post, body_blocks)
    if resp_at is not None:
        _parse_responses(result, post, lines[resp_at:])
    result.posts.append(post)
    return result


def _parse_responses(result, post, lines):
    heading = lines[0]
    m = RESPONSES_RE.match(heading.text)
    declared = (
        {"one": 1, "no": 0}.get(m.group("n").lower())
        if not m.group("n").isdigit()
        else int(m.group("n"))
    )
    if clean(m.group("title")) != post.title:
        result.note(
            heading.number,
            f"responses are headed “{heading.text}” but the post is "
            f"“{post.title}”; kept with the post",
        )
    comment = reply = None
    paragraphs = None  # the list the next indented paragraph belongs to
    for line in lines[1:]:
        if not line.raw.strip():
            continue
        top = TOP_LEVEL_RE.match(line.raw)
        head = REPLY_RE.match(line.raw)
        if top:
            reply = None
            text = clean(top.group("text"))
            ping = PINGBACK_RE.match(text)
            if ping:
                source = ping.group("text")
                site = (
                    source.rsplit(" | ", 1)[-1].strip() if " | " in source else ping.group("kind")
                )
                comment = ParsedComment(
                    int(top.group("num")), site, clean(source), line.number, kind="pingback"
                )
                result.note(
                    line.number,
                    f"pingback from “{clean(source)}”: its address is not in the export",
                )
            else:
                comment = ParsedComment(int(top.group("num")), READER_PLACEHOLDER, "", line.number)
            comment.body_parts = [text] if not ping else []
            paragraphs = comment.body_parts
            post.comments.append(comment)
        elif head:
            if comment is None or comment.kind != "comment":
                raise ImportParseError(result.path, line.number, "a reply that follows no comment")
            name = clean(head.group("name"))
            reply = ParsedComment(
                comment.number, name, "", line.number, by_post_author=name == post.author.name
            )
            reply.body_parts = []
            paragraphs = reply.body_parts
            comment.replies.append(reply)
        elif paragraphs is not None and line.indent >= 4:
            if line.indent < 6 and reply is not None:
                result.note(
                    line.number,
                    "a paragraph after a reply but indented like the comment; kept with the reply",
                )
            paragraphs.append(line.text)
        else:
            result.note(
                line.number, f"text among the responses not placed: {short_quote(line.text)}"
            )
    found = 0
    for comment in post.comments:
        comment.body = "\n\n".join(comment.body_parts) or comment.body
        found += 1
        for reply in comment.replies:
            reply.body = "\n\n".join(reply.body_parts)
            found += 1
            if not reply.body:
                raise ImportParseError(result.path, reply.line, f"{reply.name}'s reply is empty")
        if not comment.body:
            raise ImportParseError(result.path, comment.line, f"response {comment.number} is empty")
        if comment.kind == "comment":
            hint = _addressed_as(comment, post.author.name)
            result.note(
                comment.line,
                f"commenter's name not in the export for response "
                f"{comment.number}; shown as “{READER_PLACEHOLDER}”"
                + (f" ({post.author.name}'s reply calls them “{hint}”)" if hint else ""),
            )
    if declared is not None and declared != found:
        result.note(
            heading.number, f"the export announces {declared} responses but {found} were found"
        )


def _addressed_as(comment, author_name):
    for reply in comment.replies:
        first = re.split(r"(?<=[.!?])\s", reply.body, maxsplit=1)[0]
        m = re.match(r"^(?:Thanks|Thank you|Hi|Hello|Dear)\b.*?\b([A-Z][a-z]+)[.!,]?$", first)
        if m and m.group(1) not in author_name.split():
            return m.group(1)
    return None
