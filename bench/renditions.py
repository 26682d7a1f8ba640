#!/usr/bin/env python3
"""Renditions of phone-sized photos: time and peak memory, the old way and the new.

    .venv/bin/python bench/renditions.py            # writes bench/results/renditions.json

Generates a 48 MP and an 88 MP JPEG, then measures each step in a fresh process (peak RSS is
the process's own high-water mark):
- before: what the first reader's request did (four specs, each opening and decoding the whole
  original, as editorial/renditions.py did until the image library);
- after/upload: what the editor's save does now: validation and re-encoding at most 4000 px long
  (JPEG decoded at a reduced size, images.validation);
- after/renditions: every spec from one reduced decode of the stored file (images.renditions).
Figures and what they mean: docs/benchmarks.md, "Renditions".
"""

import argparse
import io
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results" / "renditions.json"
SIZES = {"48MP": (8000, 6000), "88MP": (11480, 7656)}


def make_photo(path, size):
    """A photo-like JPEG: gradients in each channel and some grain, at quality 90."""
    from PIL import Image

    width, height = size
    grain = Image.effect_noise((width // 8, height // 8), 40).resize(size)
    across = Image.linear_gradient("L").rotate(90).resize(size)
    down = Image.linear_gradient("L").resize(size)
    Image.merge("RGB", (across, down, grain)).save(path, format="JPEG", quality=90)


def rss_mb():
    """This process's peak resident memory (VmHWM: unlike ru_maxrss, not inherited from the
    parent across fork and exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def setup_django(media_root):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socialleaders.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ["ENV_FILE"] = ""
    os.environ["MEDIA_ROOT"] = str(media_root)
    import django

    django.setup()


def before(path, media_root):
    """The old per-spec path: full decode of the original for every spec."""
    from PIL import Image, ImageOps

    from images.renditions import FORMAT_OPTIONS, SPECS, _flatten, crop_box

    for spec in SPECS.values():
        with open(path, "rb") as handle:
            original = Image.open(handle)
            original.load()
        original = ImageOps.exif_transpose(original)
        cropped = _flatten(original.crop(crop_box(original.size, spec.aspect, (0.5, 0.5))))
        widths = [w for w in spec.widths if w <= cropped.width] or [cropped.width]
        for fmt in spec.formats:
            pillow_format, options = FORMAT_OPTIONS[fmt]
            for width in widths:
                height = max(1, round(width * cropped.height / cropped.width))
                out = io.BytesIO()
                cropped.resize((width, height), Image.Resampling.LANCZOS).save(
                    out, format=pillow_format, **options
                )
        del original, cropped


def after_upload(path, media_root):
    from images.validation import clean_image_bytes, inspect_image

    data = Path(path).read_bytes()
    inspect_image(data, "photo.jpg")
    cleaned, _fmt, size = clean_image_bytes(data)
    stored = media_root / "images" / "stored.jpg"
    stored.parent.mkdir(parents=True, exist_ok=True)
    stored.write_bytes(cleaned)
    return {"stored_size": list(size), "stored_bytes": len(cleaned)}


def after_renditions(path, media_root):
    from PIL import Image as Pillow

    from images import renditions
    from images.models import Image

    with Pillow.open(media_root / "images" / "stored.jpg") as stored:
        width, height = stored.size
    image = Image(pk=1, file="images/stored.jpg", width=width, height=height)
    specs = renditions.generate(image)
    return {"files": sum(len(e) for m in specs.values() for e in m["sources"].values())}


STEPS = {"before": before, "after_upload": after_upload, "after_renditions": after_renditions}


def measure(step, path, media_root):
    setup_django(media_root)
    import PIL.Image  # noqa: F401  imported before the baseline, like the app server has

    import images.renditions  # noqa: F401
    import images.validation  # noqa: F401

    baseline = rss_mb()
    started = time.perf_counter()
    extra = STEPS[step](path, Path(media_root)) or {}
    seconds = time.perf_counter() - started
    peak = rss_mb()
    print(
        json.dumps(
            {
                "seconds": round(seconds, 2),
                "peak_rss_mb": round(peak),
                "extra_rss_mb": round(peak - baseline),
                **extra,
            }
        )
    )


def run_step(step, path, media_root):
    out = subprocess.run(
        [sys.executable, __file__, "--step", step, "--file", str(path), "--media", str(media_root)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--step", choices=STEPS)
    parser.add_argument("--file")
    parser.add_argument("--media")
    parser.add_argument("--make")
    parser.add_argument("--size")
    args = parser.parse_args()
    if args.make:
        return make_photo(args.make, tuple(int(n) for n in args.size.split("x")))
    if args.step:
        return measure(args.step, args.file, args.media)

    results = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "cases": {},
    }
    with tempfile.TemporaryDirectory() as tmp:
        for label, size in SIZES.items():
            path = Path(tmp) / f"{label}.jpg"
            subprocess.run(  # in its own process: its memory is not counted anywhere
                [sys.executable, __file__, "--make", str(path), "--size", f"{size[0]}x{size[1]}"],
                check=True,
            )
            media = Path(tmp) / f"media-{label}"
            case = {"size": list(size), "file_mb": round(path.stat().st_size / 2**20, 1)}
            for step in STEPS:
                case[step] = run_step(step, path, media)
            b, u, r = case["before"], case["after_upload"], case["after_renditions"]
            case["ratios"] = {
                "reader_wait_before_s": round(b["seconds"], 2),
                "reader_wait_after_s": 0,
                "renditions_time_before_over_after": round(b["seconds"] / r["seconds"], 1),
                "renditions_extra_rss_before_over_after": round(
                    b["extra_rss_mb"] / max(r["extra_rss_mb"], 1), 1
                ),
                "renditions_extra_rss_mb_before_after": [b["extra_rss_mb"], r["extra_rss_mb"]],
                "editor_save_s_upload_plus_renditions": round(u["seconds"] + r["seconds"], 2),
                "editor_save_extra_rss_mb": max(u["extra_rss_mb"], r["extra_rss_mb"]),
            }
            results["cases"][label] = case
            print(label, json.dumps(case["ratios"]), flush=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"written to {RESULTS.relative_to(ROOT)}")
    return None


if __name__ == "__main__":
    main()
