"""Which parser reads an export: ``parse_file()`` returns plain dataclasses, touching no
database; ``writer.write()`` stores them. Rules: docs/importing.md."""

from pathlib import Path

from .base import ImportParseError, Note, read_text
from .posts import is_comments_text, parse_post_with_comments, parse_posts
from .series import is_series_text, parse_series

__all__ = ["ImportParseError", "Note", "detect_kind", "parse_file"]


def detect_kind(text):
    """What an export holds: the interview series, one post with its responses, or posts."""
    if is_series_text(text):
        return "series"
    if is_comments_text(text):
        return "post-with-comments"
    return "posts"


def parse_file(path):
    path = Path(path)
    text = read_text(path)
    kind = detect_kind(text)
    if kind == "series":
        return parse_series(path, text)
    if kind == "post-with-comments":
        return parse_post_with_comments(path, text)
    return parse_posts(path, text)
