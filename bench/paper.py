"""Paper benchmark: the course PDF and the offline copy on a synthetic course of 50 lessons.

The course comes from bench/build.py's generator (Cyrillic Kazakh and Russian text, about 500
words a lesson, headings, lists, a table, an admonition, an SVG figure in every 5th lesson, a
formula in every 10th); it has kk and ru lessons. The script measures:

1. the PDF of the course in one language, rendered in this process (WeasyPrint): pages per
   second, seconds per course, bytes per page; the print HTML's own share is shown apart;
2. `oqu build` on a fresh folder without `paper:` and with `paper: {pdf: true, offline: true}`,
   and the ratio of the two; a rebuild with nothing changed (the PDFs and zips come from the cache);
3. the offline zip: bytes per lesson.

Figures are printed, nothing is asserted. Run:

    .venv/bin/python bench/paper.py [--lessons 50] [--repeat 1] [--keep]
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import build as build_bench  # noqa: E402  (bench/build.py: the synthetic site)
from builder.load import load_site  # noqa: E402
from builder.media import build_media  # noqa: E402
from builder.paper.document import course_document  # noqa: E402
from builder.paper.pdf import render_pdf  # noqa: E402
from builder.pipeline import build_site  # noqa: E402


def make_site(root: Path, lessons: int, seed: int) -> Path:
    shape = build_bench.Shape(lessons, courses=1, modules=5, per_module=lessons // 5, bilingual=1)
    build_bench.generate_site(root, shape, build_bench.build_vocabulary(), seed)  # with a site_url
    return root


def enable_paper(root: Path) -> None:
    with (root / "site_config.yml").open("a", encoding="utf-8") as config:
        config.write("paper: {pdf: true, offline: true}\n")


def pdf_figures(root: Path, out: Path) -> dict[str, float]:
    site, problems = load_site(root)
    assert site is not None, problems.errors
    media = build_media(site, out / "media")
    course = site.courses[0]
    started = time.perf_counter()
    html = course_document(site, course, "kk", media)
    html_seconds = time.perf_counter() - started
    render_pdf(html, out / "warm.pdf")  # imports, fonts: once per process
    started = time.perf_counter()
    pages = render_pdf(html, out / "course.pdf")
    seconds = time.perf_counter() - started
    size = (out / "course.pdf").stat().st_size
    return {"pages": pages, "seconds": seconds, "html": html_seconds, "bytes": size}


def timed_build(root: Path, out: Path) -> float:
    if out.exists():
        shutil.rmtree(out)
    started = time.perf_counter()
    build_site(root, out)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--lessons", type=int, default=50, help="lessons in the course (default 50)")
    parser.add_argument("--repeat", type=int, default=1, help="builds per variant; the fastest counts")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    tmp = Path(tempfile.mkdtemp(prefix="oqu-bench-paper-"))
    print(f"oqu paper benchmark: {os.cpu_count()} CPU(s), load average {os.getloadavg()[0]:.1f}")
    root = make_site(tmp / "site", args.lessons, args.seed)
    lessons = args.lessons

    pdf = pdf_figures(root, tmp / "pdf")
    print(
        f"PDF (kk, {lessons} lessons): {pdf['pages']:.0f} pages in {pdf['seconds']:.1f} s "
        f"= {pdf['pages'] / pdf['seconds']:.1f} pages/s; print HTML {pdf['html']:.2f} s; "
        f"{pdf['bytes'] / 1e6:.2f} MB = {pdf['bytes'] / pdf['pages'] / 1000:.1f} kB/page"
    )

    plain = min(timed_build(root, tmp / "out-plain") for _ in range(args.repeat))
    enable_paper(root)
    with_paper = min(timed_build(root, tmp / f"out-paper-{i}") for i in range(args.repeat))
    out = tmp / "out-paper-0"
    started = time.perf_counter()
    build_site(root, out)
    cached = time.perf_counter() - started
    print(
        f"oqu build, fresh: {plain:.1f} s without paper, {with_paper:.1f} s with PDFs and offline copies "
        f"(kk and ru) = {with_paper / plain:.2f}x; unchanged rebuild with paper {cached:.1f} s"
    )
    course_dir = out / "site" / "kk" / "courses"
    zips = sorted(course_dir.glob("*/*-kk-offline.zip"))
    pdfs = sorted(course_dir.glob("*/*-kk.pdf"))
    for archive in zips:
        size = archive.stat().st_size
        print(f"offline zip (kk): {size / 1e6:.2f} MB = {size / lessons / 1000:.1f} kB per lesson "
              f"(theme and search included)")  # fmt: skip
    for path in pdfs:
        print(f"PDF in the site (kk): {path.stat().st_size / 1e6:.2f} MB")
    if args.keep:
        print(f"kept: {tmp}")
    else:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
