"""Every stylesheet closes each block it opens: a lost "}" does not break the file, it nests every
rule after it inside the open one (CSS nesting), so they silently stop applying (the leader
page's rules did, after a merge)."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHEETS = sorted(
    path
    for pattern in ("static/**/*.css", "*/static/**/*.css")
    for path in ROOT.glob(pattern)
    if "node_modules" not in path.parts and ".venv" not in path.parts
)


def test_there_are_stylesheets_to_check():
    assert any(path.name == "site.css" for path in SHEETS)


@pytest.mark.parametrize("path", SHEETS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_block_is_closed_where_it_ends(path):
    text = re.sub(r"/\*.*?\*/", "", path.read_text(), flags=re.S)
    text = re.sub(r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'', '""', text)
    depth = 0
    for number, line in enumerate(text.split("\n"), start=1):
        for char in line:
            depth += {"{": 1, "}": -1}.get(char, 0)
            assert depth >= 0, f"{path.name}:{number}: a }} with no block to close"
        # A rule starting in column 0 is a top-level rule: nothing may be open around it.
        if re.match(r"^[.#a-z:\[*]", line) and line.rstrip().endswith("{"):
            assert depth == 1, f"{path.name}:{number}: inside a block left open above"
    assert depth == 0, f"{path.name}: {depth} block(s) never closed"
