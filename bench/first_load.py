"""First-load weight of the example site's pages: every byte a first visit asks for before any
video or image (the HTML, its stylesheets and scripts), sent plain, gzip'd and brotli'd.

Issue 12, item 16: `quiz.js` and `model-viewer.js` were on every page; now only pages with a
quiz or a 3D model load them. The baseline in the same run is the same page with both scripts
added back, as every page had them before. Figures are printed, nothing is asserted.

    .venv/bin/python bench/first_load.py [--site build/site] [--json out.json]

Without --site it builds the example site (site_config.yml, content/) into a temporary folder.
gzip level 6 is nginx's `gzip_comp_level 6` (docs/nginx.conf); brotli quality 5 its
`brotli_comp_level 5`; `gzip -9` files are what `gzip_static` sends when made as docs/nginx.conf says.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import shutil
import tempfile
from pathlib import Path
from urllib.parse import urljoin, urlparse

import brotli

REPO = Path(__file__).resolve().parents[1]
PAGES = {
    "home (kk)": "kk/",
    "lesson with a video (kk)": "kk/courses/fire-safety/combustion/fire-triangle/",
    "lesson with a quiz (kk)": "kk/courses/fire-safety/combustion/hazard-properties/",
    "schedule (kk)": "kk/courses/fire-safety/schedule/",
}
ON_DEMAND = ("assets/oqu/quiz.js", "assets/oqu/model-viewer.js")
REFERENCE = re.compile(r"""<(?:script[^>]*\ssrc|link[^>]*rel="stylesheet"[^>]*\shref)="([^"]+)\"""")


def referenced(site: Path, page: str) -> list[Path]:
    """The page's HTML and the local stylesheets and scripts it references, in order."""
    html = site / page / "index.html"
    files = [html]
    for href in REFERENCE.findall(html.read_text(encoding="utf-8")):
        url = urlparse(urljoin("/" + page, href))
        if url.scheme or url.netloc:
            continue
        path = site / url.path.lstrip("/")
        if path.is_file() and path not in files:
            files.append(path)
    return files


def weigh(files: list[Path]) -> dict[str, int]:
    data = [path.read_bytes() for path in files]
    return {
        "requests": len(files),
        "plain": sum(len(d) for d in data),
        "gzip-6": sum(len(gzip.compress(d, 6)) for d in data),
        "gzip-9": sum(len(gzip.compress(d, 9)) for d in data),
        "brotli-5": sum(len(brotli.compress(d, quality=5)) for d in data),
    }


def measure(site: Path) -> dict[str, dict[str, dict[str, int]]]:
    out = {}
    for name, page in PAGES.items():
        now = referenced(site, page)
        before = now + [site / extra for extra in ON_DEMAND if site / extra not in now]
        out[name] = {"now": weigh(now), "every script (before)": weigh(before)}
    return out


def show(figures: dict[str, dict[str, dict[str, int]]]) -> None:
    kib = 1024
    print(
        f"{'page':28} {'load':22} {'files':>5} {'plain KiB':>10} {'gzip-6':>8} {'gzip-9':>8} {'brotli-5':>9}"
    )
    for page, loads in figures.items():
        for load, w in loads.items():
            print(f"{page:28} {load:22} {w['requests']:>5} {w['plain'] / kib:>10.1f} "
                  f"{w['gzip-6'] / kib:>8.1f} {w['gzip-9'] / kib:>8.1f} {w['brotli-5'] / kib:>9.1f}")  # fmt: skip
        now, before = loads["now"], loads["every script (before)"]
        print(f"{'':28} {'now / before':22} {'':>5} {now['plain'] / before['plain']:>10.2f} "
              f"{now['gzip-6'] / before['gzip-6']:>8.2f} {now['gzip-9'] / before['gzip-9']:>8.2f} "
              f"{now['brotli-5'] / before['brotli-5']:>9.2f}")  # fmt: skip
        print(f"{'':28} {'gzip-6 / plain (now)':22} {'':>5} {'':>10} {now['gzip-6'] / now['plain']:>8.2f}")


def build_example(folder: Path) -> Path:
    from builder.pipeline import build_site

    shutil.copy(REPO / "site_config.yml", folder / "site_config.yml")
    shutil.copytree(REPO / "content", folder / "content")
    build_site(folder, folder / "build", paper=False)
    return folder / "build" / "site"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, help="a built site (build/site); else the example is built")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="oqu-first-load-") as folder:
        site = args.site or build_example(Path(folder))
        figures = measure(site)
    show(figures)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
