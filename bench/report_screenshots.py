"""Screenshots of ``formcheck report`` on generated histories of one day, one week and three
months, in English and Danish, into docs/report/ (the README links them). Needs headless
Chromium (Debian package ``chromium``).

    python bench/report_screenshots.py [--out docs/report]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests")]

WIDTH = 1100


def screenshot(html: Path, png: Path, height: int = 2600) -> Path:
    """The top ``height`` pixels of the page at a laptop's width."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("report_screenshots: headless Chromium is not installed (apt-get install chromium)")
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    f"--window-size={WIDTH},{height}", f"--screenshot={png}", html.as_uri()],
                   capture_output=True, timeout=120, check=True)
    return png


def smaller(png: Path) -> Path:
    """The screenshot in 64 colours (a third of the bytes, as readable) for the repository."""
    from PIL import Image  # (Pillow comes with matplotlib)

    with Image.open(png) as im:
        im.convert("RGB").quantize(64).save(png, optimize=True)
    return png


def main() -> int:
    from report_histories import make_history

    from formcheck.cli import main as cli

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(ROOT / "docs" / "report"))
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for name, days in (("1day", 1), ("1week", 7), ("3months", 91)):
        with tempfile.TemporaryDirectory() as tmp:
            make_history(Path(tmp), days)
            for lang in ("en", "da"):
                html = Path(tmp) / f"{name}_{lang}.html"
                t = time.perf_counter()
                cli.main(["report", "--data-dir", tmp, "--out", str(html), "--lang", lang])
                took = time.perf_counter() - t
                png = smaller(screenshot(html, out / f"{name}_{lang}.png", height=4200 if days == 1 else 3000))
                print(f"{png.relative_to(ROOT) if png.is_relative_to(ROOT) else png}: page {html.stat().st_size / 1024:.0f} kB, "
                      f"written in {took:.2f} s")
    # a replayed sample (the real pose model): the detail with a still of each repetition
    with tempfile.TemporaryDirectory() as tmp:
        cli.main(["replay", str(ROOT / "samples" / "squat_side_head_down.mp4"), "-e", "squat", "--out",
                  f"{tmp}/out", "--data-dir", tmp])
        html = Path(tmp) / "detail.html"
        cli.main(["report", "--data-dir", tmp, "--out", str(html), "--lang", "en"])
        print(smaller(screenshot(html, out / "detail_en.png", height=2200)).relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
