"""What the parsers share: reading a file, lines and blocks, the parse error, report notes and
the helpers that turn export text into Markdown."""

import re
from dataclasses import dataclass, field
from pathlib import Path

NBSP = "\xa0"

#: A line of a numbered list as the exports write it ("  1. text") and a bullet ("  • text").
BULLET_RE = re.compile(r"^\s{1,}[•·▪‣◦]\s+(?P<text>.+)$")
NUMBERED_RE = re.compile(r"^\s{1,}(?P<num>\d{1,3})[.)]\s+(?P<text>.+)$")


class ImportParseError(Exception):
    """The file cannot be imported. Carries the file and line so the message can name them."""

    def __init__(self, path, line, message):
        self.path = Path(path)
        self.line = line
        self.message = message
        super().__init__(str(self))

    def __str__(self):
        where = f"{self.path.name}, line {self.line}" if self.line else self.path.name
        return f"{where}: {self.message}"


@dataclass(slots=True)
class Note:
    """One line of the import report: text that was left out, moved or guessed. Slots: an
    export's report keeps one per line for the whole run."""

    path: Path
    line: int | None
    message: str

    def __str__(self):
        where = f"{self.path.name}:{self.line}" if self.line else self.path.name
        return f"{where}: {self.message}"


@dataclass
class Line:
    number: int  # 1-based, as an editor's text editor shows it
    raw: str  # without the newline; leading spaces kept, non-breaking spaces kept

    @property
    def text(self):
        return clean(self.raw)

    @property
    def indent(self):
        return len(self.raw) - len(self.raw.lstrip(" "))

    @property
    def nbsp_led(self):
        """Epigraphs and pulled-out lines start with a non-breaking space in the exports."""
        return self.raw.startswith(NBSP)


@dataclass
class Block:
    """A run of non-blank lines (what a reader sees as one paragraph, list or heading)."""

    lines: list[Line]
    blank_before: int = 0  # how many blank lines precede it
    blank_after: int = 0

    @property
    def number(self):
        return self.lines[0].number

    @property
    def text(self):
        return " ".join(line.text for line in self.lines)

    @property
    def single(self):
        return len(self.lines) == 1

    @property
    def nbsp_led(self):
        return self.lines[0].nbsp_led

    @property
    def is_list(self):
        return all(BULLET_RE.match(ln.raw) or NUMBERED_RE.match(ln.raw) for ln in self.lines)


@dataclass
class ParsedFile:
    path: Path
    kind: str  # "series", "post-with-comments" or "posts"
    notes: list[Note] = field(default_factory=list)

    def note(self, line, message):
        self.notes.append(Note(self.path, line, message))


def read_text(path):
    """The file's text, or an ImportParseError naming the line of the first undecodable byte."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportParseError(path, None, f"cannot be read ({exc.strerror})") from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ImportParseError(
            path, line, f"is not UTF-8 text (undecodable byte 0x{data[exc.start]:02x})"
        ) from exc
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise ImportParseError(path, None, "is empty")
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise ImportParseError(path, line, "holds binary data (a NUL byte), not text")
    return text


def split_lines(text):
    return [Line(i, raw.rstrip()) for i, raw in enumerate(text.split("\n"), 1)]


def split_blocks(lines):
    """Lines grouped into blocks at blank lines, with the count of blank lines around each."""
    blocks = []
    current = []
    blanks = 0
    for line in lines:
        if not line.raw.strip(" " + NBSP + "\t"):
            if current:
                blocks.append(Block(current, blank_before=blanks))
                current = []
                blanks = 0
            blanks += 1
            continue
        current.append(line)
    if current:
        blocks.append(Block(current, blank_before=blanks))
        blanks = 0
    for i, block in enumerate(blocks):
        block.blank_after = blocks[i + 1].blank_before if i + 1 < len(blocks) else blanks
    return blocks


def clean(text):
    """Normalise whitespace: non-breaking spaces become spaces, runs of spaces collapse."""
    return re.sub(r"[ \t\xa0]+", " ", text).strip()


_LINE_START_ESCAPES = [
    (re.compile(r"^(#+)"), lambda m: "\\" + m.group(1)),
    (re.compile(r"^([-+>])(\s)"), lambda m: "\\" + m.group(1) + m.group(2)),
    (re.compile(r"^(\d+)\.(\s)"), lambda m: m.group(1) + "\\." + m.group(2)),
]


def md_escape(text):
    """Plain export text as Markdown that renders as the same text (``f*****g`` is no emphasis,
    a leading ``#SocialLeaders`` no heading)."""
    text = text.replace("\\", "\\\\")
    text = re.sub(r"([*_`\[\]])", r"\\\1", text)
    text = text.replace("<", "&lt;")
    for pattern, repl in _LINE_START_ESCAPES:
        text = pattern.sub(repl, text)
    return text


def block_markdown(block):
    """One block as Markdown: a list stays a list, a paragraph's lines stay one paragraph."""
    if block.is_list:
        items = []
        for line in block.lines:
            m = BULLET_RE.match(line.raw)
            if m:
                items.append("- " + md_escape(clean(m.group("text"))))
            else:
                m = NUMBERED_RE.match(line.raw)
                items.append(f"{m.group('num')}. " + md_escape(clean(m.group("text"))))
        return "\n".join(items)
    return "\n".join(md_escape(line.text) for line in block.lines)


def join_markdown(parts):
    return "\n\n".join(part for part in parts if part).strip()


def ends_abruptly(text):
    """A paragraph that stops mid-sentence: the export dropped a link or an address there."""
    return bool(re.search(r"(“|\b(?:at|to|from|via|contact))\s*$", text))


def short_quote(text, length=70):
    text = clean(text)
    return f"“{text}”" if len(text) <= length else f"“{text[: length - 1].rstrip()}…”"
