"""What the benchmark scripts share: where things are, the targets, the showcase post's slug.
Plain constants, importing nothing of the project, so every bench module can import it."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
RESULTS = ROOT / "bench" / "results"
DOC = ROOT / "docs" / "benchmarks.md"

# What bench/run.py's report checks each run against (docs/benchmarks.md, "Targets").
TARGETS = {
    "warm_vs_floor": 0.80,
    "cold_vs_floor": 0.25,
    "cold_p99_ms": 100,
    "search_p99_ms": 150,
    "rss_mb": 150,
}

# The post generate_bench_data gives exactly 200 comments; bench/pages.py measures its page.
SHOWCASE_SLUG = "two-hundred-comments"
