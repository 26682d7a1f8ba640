"""Parse an interview series export: the summary with its pull quotes, one interview per leader
and the series introduction (sections and rules: docs/importing.md)."""

import re
from collections import Counter
from dataclasses import dataclass, field

from django.utils.text import slugify

from socialleaders.publishing import slug_for

from .base import (
    ImportParseError,
    ParsedFile,
    block_markdown,
    clean,
    join_markdown,
    md_escape,
    short_quote,
    split_blocks,
    split_lines,
)
from .questions import by_slug, match_question

HEADING_RE = re.compile(
    r"^#(?P<tag>[A-Za-z]\w*)\s+(?P<kind>series|blog)\s*[–—:-]\s*(?P<rest>\S.*)$", re.IGNORECASE
)
INTERROGATIVE_RE = re.compile(
    r"^(What|How|Why|Who|When|Where|Which|Do|Does|Did|Is|Are|Have|Has|Can|Could|Would|Should|Will)"
    r"\b"
)
# Closing words after the last answer: thanks to the leader, the next instalment, a plug.
CLOSING_RE = re.compile(
    r"^(?:we[’']d like to (?:say|send) )?(?:a )?(?:big |huge )?thank(?:s| you)\b"
    r"|^next (?:week|time|up)\b|^now it is shameless plug"
    r"|\bsocial\s*leaders series\b|#socialleaders series",
    re.IGNORECASE,
)
VIDEO_RE = re.compile(r"\bvideos?\b|\bwatch\b|\btranscript (?:is )?below\b", re.IGNORECASE)
CAPTION_PREFIX_RE = re.compile(r"^(?:Image|Photo|Picture|Photograph)\s*:\s*", re.IGNORECASE)
HONOURS = r"(?:OBE|MBE|CBE|KBE|DBE|BEM|CH|KCB)"
ROLE = (
    r"(?:former\s+)?(?:[A-Z][\w-]*\s+(?:and\s+)?){0,4}?"
    r"(?:Chief Executive|CEO|MD|Managing Director|Director|Minister|Chair|President|Founder"
    r"|Trustee|Leader|Head)"
)
ORG = r"(?:[a-z][\w/]*\s+){0,3}(?P<org>[A-Z][\w&’'-]*(?:\s+(?:of|and|for|the|&|[A-Z][\w&’'-]*))*)"
HANDLE_RE = re.compile(r"(?<![\w.])@(\w{1,30})")
LINK_RE = re.compile(r"(?:https?://|www\.)[^\s)\]]+")

PLATFORMS = (
    ("Twitter", r"\btwitter\b"),
    ("LinkedIn", r"\blinked\s?in\b"),
    ("Facebook", r"\bfacebook\b"),
    ("Instagram", r"\binstagram\b"),
    ("YouTube", r"\byou\s?tube\b"),
    ("Snapchat", r"\bsnapchat\b"),
    ("Yammer", r"\byammer\b(?!-like)"),
    ("WhatsApp", r"\bwhats\s?app\b"),
    ("Blogs", r"\bblog(?:s|ging|ger|gers)?\b"),
)
# Words that name the favourite platform in the platforms answer, strongest first.
FAVOURITE_CUES = ("favourite", "of choice", "the obvious one", "primarily", "love")
NEGATIVE_CUES = re.compile(r"\b(?:deleted|resisted|stopped|gave up|not interested)\b", re.I)

STOPWORDS = set(
    """a about all also am an and any are as at be been but by can do does for from had has have he
    her him his how i if in is it its it’s me my not of on or our she so than that the their them
    then there they this to too up us was we were what when which who will with you your""".split()  # noqa: SIM905
)


@dataclass
class ParsedLeader:
    name: str
    slug: str
    honours: str = ""
    role: str = ""
    organisation: str = ""
    website: str = ""
    accounts: list[tuple[str, str, str]] = field(default_factory=list)  # platform, handle, url


@dataclass
class ParsedAnswer:
    question_slug: str
    asked_as: str
    body: str  # Markdown
    plain: str  # plain text, for matching pull quotes
    line: int


@dataclass
class ParsedInterview:
    title: str
    slug: str
    line: int
    leader: ParsedLeader
    introduction: str = ""
    closing: str = ""
    video_mentioned: bool = False
    image_caption: str = ""
    answers: list[ParsedAnswer] = field(default_factory=list)
    platforms: list[str] = field(default_factory=list)
    favourite: str | None = None
    series_order: int | None = None


@dataclass
class ParsedQuestion:
    slug: str
    label: str
    text: str
    order: int


@dataclass
class ParsedQuote:
    text: str
    leader_slug: str
    line: int
    interview_slug: str | None = None
    question_slug: str | None = None


@dataclass
class ParsedFinding:
    """One of the summary's findings ("Social leaders …"), imported as a theme."""

    name: str
    description: str  # plain text: the finding's paragraph
    line: int
    leader_slugs: list[str] = field(default_factory=list)


@dataclass
class ParsedSeries(ParsedFile):
    title: str = ""
    slug: str = ""
    introduction: str = ""
    summary: str = ""
    interviews: list[ParsedInterview] = field(default_factory=list)
    questions: list[ParsedQuestion] = field(default_factory=list)
    quotes: list[ParsedQuote] = field(default_factory=list)
    findings: list[ParsedFinding] = field(default_factory=list)


def is_series_text(text):
    return any(
        HEADING_RE.match(line.strip()) and "series" in line.lower() for line in text.split("\n")
    )


def parse_series(path, text):
    result = ParsedSeries(path=path, kind="series")
    blocks = split_blocks(split_lines(text))
    sections = []  # (heading match, heading block, body blocks)
    for block in blocks:
        m = HEADING_RE.match(block.text) if block.single else None
        if m:
            sections.append((m, block, []))
        elif sections:
            sections[-1][2].append(block)
        else:
            result.note(
                block.number,
                f"text before the first section heading not placed: {short_quote(block.text)}",
            )
    if not sections:
        raise ImportParseError(path, 1, "no “#… series” section heading found")

    summary_section = intro_section = None
    interview_sections = []
    for m, heading, body in sections:
        rest = clean(m.group("rest"))
        if rest.lower() in ("the summary", "summary"):
            summary_section = (heading, body)
        elif "introduction" in rest.lower():
            intro_section = (heading, body)
        else:
            interview_sections.append((m, heading, body))
        if not result.title and m.group("kind").lower() == "series":
            result.title = f"#{m.group('tag')} series"
    if not interview_sections:
        raise ImportParseError(path, sections[0][1].number, "no interview sections found")
    result.slug = slugify(result.title)

    all_blocks = [b for _, _, body in sections for b in body]
    for m, heading, body in interview_sections:
        result.interviews.append(_parse_interview(result, m, heading, body))
    seen = {}
    for interview in result.interviews:
        if interview.slug in seen:
            raise ImportParseError(
                path,
                interview.line,
                f"a second interview with {interview.leader.name} "
                f"(the first is at line {seen[interview.slug]})",
            )
        seen[interview.slug] = interview.line
    for interview in result.interviews:
        _find_leader_details(result, interview, all_blocks)
    # The file lists interviews newest first; the series runs oldest first.
    for i, interview in enumerate(result.interviews):
        interview.series_order = len(result.interviews) - i

    result.questions = _canonical_questions(result.interviews)

    if intro_section:
        result.introduction = _prose_markdown(intro_section[1])
    else:
        result.note(None, "no series introduction section found")
    if summary_section:
        result.summary = _parse_summary(result, summary_section[1])
    else:
        result.note(None, "no series summary section found")
    return result


def _prose_markdown(blocks):
    parts = []
    for block in blocks:
        md = block_markdown(block)
        if block.nbsp_led and not block.is_list:
            md = "\n".join("> " + line for line in md.split("\n"))
        parts.append(md)
    return join_markdown(parts)


# Interviews


def _is_question(block):
    text = block.text
    return (
        block.single
        and text.endswith("?")
        and len(text.split()) <= 30
        and bool(INTERROGATIVE_RE.match(text))
    )


def _parse_interview(result, m, heading, body):
    path = result.path
    name = clean(m.group("rest"))
    leader = ParsedLeader(name=name, slug=slugify(name))
    title = clean(heading.text)
    interview = ParsedInterview(
        title=title, slug=slug_for(title), line=heading.number, leader=leader
    )

    question_idx = []
    for i, block in enumerate(body):
        if _is_question(block):
            if match_question(block.text):
                question_idx.append(i)
            else:
                result.note(
                    block.number,
                    f"{short_quote(block.text)} reads like a question but "
                    "matches none of the standard questions; kept as answer text",
                )
    if not question_idx:
        raise ImportParseError(path, heading.number, f"the interview with {name} has no questions")

    intro_blocks = body[: question_idx[0]]
    bounds = [*question_idx, len(body)]
    asked = {}
    for q_pos, start in enumerate(question_idx):
        q_block = body[start]
        answer_blocks = body[start + 1 : bounds[q_pos + 1]]
        if q_pos == len(question_idx) - 1:
            for j, block in enumerate(answer_blocks):
                if j and CLOSING_RE.search(block.text):
                    interview.closing = _prose_markdown(answer_blocks[j:])
                    answer_blocks = answer_blocks[:j]
                    break
            else:
                result.note(q_block.number, f"no closing words found after {name}'s last answer")
        if not answer_blocks:
            raise ImportParseError(
                path, q_block.number, f"the question {short_quote(q_block.text)} has no answer"
            )
        matches = match_question(q_block.text)
        question = matches[0]
        if len(matches) > 1:
            result.note(
                q_block.number,
                f"{short_quote(q_block.text)} could be any of "
                f"{', '.join(q.label for q in matches)}; taken as “{question.label}”",
            )
        if question.slug in asked:
            raise ImportParseError(
                path,
                q_block.number,
                f"{name} is asked the “{question.label}” question twice "
                f"(first at line {asked[question.slug]})",
            )
        asked[question.slug] = q_block.number
        interview.answers.append(
            ParsedAnswer(
                question_slug=question.slug,
                asked_as=clean(q_block.text),
                body=join_markdown(block_markdown(b) for b in answer_blocks),
                plain=" ".join(b.text for b in answer_blocks),
                line=q_block.number,
            )
        )

    interview.introduction = _parse_intro(result, interview, intro_blocks)
    _find_platforms(result, interview)
    return interview


def _split_caption(text, leader_name):
    """(caption, rest) of an image caption glued to the text after it ("…of the CIPDThis is…")."""
    text = CAPTION_PREFIX_RE.sub("", text, count=1)
    glued = re.search(r"(?<=[A-Za-z])(?=[A-Z][a-z])", text)
    if glued:
        return text[: glued.start()].strip(), text[glued.start() :].strip()
    if text.startswith(leader_name + " "):
        return leader_name, text[len(leader_name) :].strip()
    return text, ""


def _parse_intro(result, interview, blocks):
    name = interview.leader.name
    parts = []
    for block in blocks:
        text = block.text
        if block.single and CAPTION_PREFIX_RE.match(text):
            caption, rest = _split_caption(text, name)
            interview.image_caption = interview.image_caption or caption
            result.note(
                block.number,
                f"image caption “{caption}” taken out of the introduction "
                "and kept as the image description (the image is not in the export)",
            )
            if rest:
                parts.append(md_escape(rest))
            continue
        if block.single and len(text.split()) <= 8 and not re.search(r"[.!?:…)”]$", text):
            interview.image_caption = interview.image_caption or text
            result.note(
                block.number,
                f"image caption “{text}” taken out of the introduction "
                "and kept as the image description (the image is not in the export)",
            )
            continue
        if VIDEO_RE.search(text):
            if not interview.video_mentioned:
                result.note(
                    block.number,
                    f"video mentioned ({short_quote(text, 60)}) but its "
                    "address is not in the export; add it to the interview's video URL",
                )
            interview.video_mentioned = True
        parts.append(block_markdown(block))
    return join_markdown(parts)


def _find_platforms(result, interview):
    named = []
    for answer in interview.answers:
        for sentence in re.split(r"(?<=[.!?])\s+", answer.plain):
            for platform, pattern in PLATFORMS:
                if re.search(pattern, sentence, re.IGNORECASE):
                    if platform not in named:
                        named.append(platform)
                    if NEGATIVE_CUES.search(sentence):
                        result.note(
                            answer.line,
                            f"{interview.leader.name} names {platform} in "
                            f"{short_quote(sentence, 80)}: recorded as a platform named "
                            "in the interview; check they use it",
                        )
            if re.search(r"\byammer-like\b", sentence, re.IGNORECASE):
                result.note(
                    answer.line,
                    f"“Yammer-like” in {interview.leader.name}'s answer is not counted as Yammer",
                )
    interview.platforms = named
    platforms_answer = next((a for a in interview.answers if a.question_slug == "platforms"), None)
    if not named:
        result.note(interview.line, f"{interview.leader.name} names no platform in the answers")
        return
    if platforms_answer:
        sentences = re.split(r"(?<=[.!?])\s+", platforms_answer.plain)
        for cue in FAVOURITE_CUES:
            for sentence in sentences:
                if cue in sentence.lower():
                    found = _first_platform(sentence)
                    if found:
                        interview.favourite = found
                        return
        found = _first_platform(platforms_answer.plain)
        if found:
            interview.favourite = found
            result.note(
                platforms_answer.line,
                f"{interview.leader.name} names no favourite "
                f"platform; the first one named ({found}) is marked as the favourite",
            )
            return
    interview.favourite = named[0]
    result.note(
        interview.line,
        f"no platforms answer for {interview.leader.name}; the first "
        f"platform named ({named[0]}) is marked as the favourite",
    )


def _first_platform(text):
    best = None
    for platform, pattern in PLATFORMS:
        m = re.search(pattern, text, re.IGNORECASE)
        if m and (best is None or m.start() < best[0]):
            best = (m.start(), platform)
    return best[1] if best else None


def _canonical_questions(interviews):
    """The standard questions in the order asked (latest position each is asked at), worded as
    most interviews word them."""
    wordings = {}
    position = {}
    first_seen = {}
    for i, interview in enumerate(interviews):
        for pos, answer in enumerate(interview.answers):
            slug = answer.question_slug
            wordings.setdefault(slug, Counter())[answer.asked_as] += 1
            position[slug] = max(position.get(slug, 0), pos)
            first_seen.setdefault(slug, (i, pos))
    ordered = sorted(wordings, key=lambda s: (position[s], first_seen[s]))
    questions = []
    for order, slug in enumerate(ordered, 1):
        counts = wordings[slug]
        top = max(counts.values())
        # Most common wording; ties go to the wording met first in the file.
        text = next(w for w in counts if counts[w] == top)
        questions.append(ParsedQuestion(slug, by_slug(slug).label, text, order))
    return questions


# Leader details


def _find_leader_details(result, interview, all_blocks):
    leader = interview.leader
    first = leader.name.split()[0]
    full = re.escape(leader.name)
    own_names = f"(?:{full}|{re.escape(first)})"
    intro = interview.introduction
    # Own introduction first, then the image caption, then the rest of the file.
    own_text = clean(intro.replace("\\", ""))
    other_text = " ".join(b.text for b in all_blocks if not _within(b, interview))
    m = re.search(rf"{full}\s+({HONOURS})\b", own_text)
    if m:
        leader.honours = m.group(1)
    found = None
    for names, text in (
        (own_names, own_text),
        (full, interview.image_caption),
        (full, other_text),
    ):
        found = _role_and_org(names, first, text)
        if found:
            leader.role, leader.organisation = found
            if text is not own_text:
                where = "image caption" if text is interview.image_caption else "rest of the file"
                result.note(
                    interview.line,
                    f"{leader.name}'s role and organisation are not in "
                    f"the introduction; taken from the {where}: {leader.role}, "
                    f"{leader.organisation}",
                )
            break
    if not found:
        result.note(
            interview.line,
            f"{leader.name}'s role and organisation are not stated in the export; left blank",
        )

    sentences = re.split(r"(?<=[.!?])\s+", own_text)
    for n, sentence in enumerate(sentences):
        for handle in HANDLE_RE.findall(sentence):
            # "He has been on Twitter since 2008 ... You can find him there as @PhilJones40."
            context = " ".join(sentences[max(n - 1, 0) : n + 1])
            if not re.search(r"twitter", context, re.IGNORECASE):
                result.note(
                    interview.line,
                    f"@{handle} is not said to be on Twitter; recorded as a Twitter handle",
                )
            account = ("Twitter", f"@{handle}", "")
            if account not in leader.accounts:
                leader.accounts.append(account)
        for m in LINK_RE.finditer(sentence):
            link = m.group(0).rstrip(".,;:")
            url = link if link.startswith("http") else f"https://{link}"
            if sentence[: m.start()].rstrip().endswith("("):
                result.note(
                    interview.line,
                    f"{link} is the website of {leader.name}'s "
                    "organisation; the model has no field for it, so it is not stored",
                )
            elif re.search(r"\bblog(?:s|ging)?\s+(?:at|on)\s*$", sentence[: m.start()], re.I):
                leader.accounts.append(("Blogs", "", url))
            elif not leader.website:
                leader.website = url
            else:
                result.note(interview.line, f"a further link for {leader.name} not stored: {link}")
    if not leader.accounts:
        result.note(interview.line, f"no social media handle for {leader.name} in the export")


def _within(block, interview):
    return (
        False
        if block is None
        else block.number >= interview.line
        and any(a.line == block.number for a in interview.answers)
    )


def _role_and_org(names, first, text):
    if not text:
        return None
    patterns = [
        (
            rf"\b{names}(?:\s+{HONOURS})?(?:\s*,|\s+is|\s+was)\s+(?:currently\s+|also\s+)?"
            rf"(?:the\s+|a\s+|an\s+)?(?P<role>{ROLE})\s+(?:of|at|for)\s+{ORG}",
            None,
        ),
        (rf"\b{re.escape(first)}\s+founded\s+{ORG}", "Founder"),
    ]
    best = None
    for pattern, fixed_role in patterns:
        m = re.search(pattern, text)
        if m and (best is None or m.start() < best[0]):
            role = fixed_role or clean(m.group("role"))
            org = re.sub(r"(?:\s+(?:of|and|for|the|&))+$", "", m.group("org")).strip()
            best = (m.start(), role, org)
    return (best[1], best[2]) if best else None


# Summary and pull quotes


def _words(text):
    words = set()
    for w in re.findall(r"[a-z0-9’']+", text.lower()):
        if w in STOPWORDS or len(w) < 2:
            continue
        if w.endswith("ies") and len(w) > 4:
            w = w[:-3] + "y"
        elif w.endswith("s") and len(w) > 3 and not w.endswith("ss"):
            w = w[:-1]
        words.add(w)
    return words


# A finding: a summary paragraph opening "Social leaders …"; its first clause names the theme.
FINDING_RE = re.compile(
    r"^(?:(?:first of all|finally|lastly|and),?\s+)?social leaders\s+"
    r"(?:understand how to\s+)?(?P<claim>[^.!?–—]+?)\s*(?:[.!?…]|\s[–—-]\s|$)",
    re.IGNORECASE,
)


def _names_in(text, interviews):
    """Slugs of the series' leaders a text names: by full name, or by first name when no other
    leader in the series shares it ("As Asif said…")."""
    firsts = Counter(i.leader.name.split()[0] for i in interviews)
    found = []
    for interview in interviews:
        name = interview.leader.name
        first = name.split()[0]
        pattern = re.escape(name) + (rf"|\b{re.escape(first)}\b" if firsts[first] == 1 else "")
        if re.search(pattern, text):
            found.append((re.search(pattern, text).start(), interview.leader.slug))
    return [slug for _, slug in sorted(found)]


def _start_finding(result, block):
    m = FINDING_RE.match(block.text) if not block.is_list else None
    if not m:
        return None
    claim = clean(m.group("claim"))
    finding = ParsedFinding(
        name=claim[:1].upper() + claim[1:],
        description=clean(block.text),
        line=block.number,
        leader_slugs=_names_in(block.text, result.interviews),
    )
    result.findings.append(finding)
    return finding


def _parse_summary(result, blocks):
    leaders = {i.leader.name.lower(): i for i in result.interviews}
    quote_re = re.compile(
        r"^(?P<text>.+?)\s+[-–—]\s+(?P<name>[A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+){1,3})$"
    )
    kept = []
    finding = None  # the finding the pull quotes that follow illustrate
    for block in blocks:
        m = quote_re.match(block.text) if block.single else None
        if m and m.group("name").lower() in leaders:
            interview = leaders[m.group("name").lower()]
            if finding and interview.leader.slug not in finding.leader_slugs:
                finding.leader_slugs.append(interview.leader.slug)
            quote = ParsedQuote(
                text=clean(m.group("text")),
                leader_slug=interview.leader.slug,
                line=block.number,
                interview_slug=interview.slug,
            )
            _match_quote(result, quote, interview)
            result.quotes.append(quote)
            continue
        if m and len(block.text.split()) <= 20:
            result.note(
                block.number,
                f"{short_quote(block.text)} looks like a pull quote but "
                f"{m.group('name')} has no interview in the file; kept in the summary",
            )
        finding = _start_finding(result, block) or finding
        kept.append(block)
    for f in result.findings:
        if not f.leader_slugs:
            result.note(
                f.line,
                f"the finding “{f.name}” names no leader of the series; "
                "its theme is created without interviews",
            )
    return _prose_markdown(kept)


def _match_quote(result, quote, interview):
    """Link a pull quote to the answer it comes from, word for word or by shared words; else to
    the interview only."""
    name = interview.leader.name
    needle = clean(quote.text).lower().rstrip(".!")
    for answer in interview.answers:
        if needle in clean(answer.plain).lower():
            quote.question_slug = answer.question_slug
            return
    q_words = _words(quote.text)
    scores = sorted(
        ((len(q_words & _words(a.plain)) / max(len(q_words), 1), a) for a in interview.answers),
        key=lambda pair: pair[0],
        reverse=True,
    )
    best_score, best = scores[0] if scores else (0, None)
    runner_up = scores[1][0] if len(scores) > 1 else 0
    if best is not None and best_score >= 0.6 and best_score > runner_up:
        quote.question_slug = best.question_slug
        result.note(
            quote.line,
            f"pull quote {short_quote(quote.text)} is not word for word in "
            f"{name}'s interview; linked by shared words ({best_score:.0%}) to the answer "
            f"to {short_quote(best.asked_as)}",
        )
    else:
        result.note(
            quote.line,
            f"pull quote {short_quote(quote.text)} matches none of {name}'s "
            "answers well enough; linked to the interview only",
        )
