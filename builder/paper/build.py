"""The paper phase of `oqu build` and `oqu pdf`: PDFs and offline zips, cached by content hash.

Each output lands in its course's folder (`<lang>/courses/<id>/…`), so the gate that keeps an
enrolled course to its readers (auth/access.py, nginx) covers its PDF and its zip too.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

from builder.command_words import say
from builder.media.library import MediaLibrary
from builder.mkdocs_runner import build_all, shared_assets_dir
from builder.model import Course, Site
from builder.pages import Download, sorted_courses
from builder.problems import BuildError

# The documents, the offline copies and WeasyPrint's loader are imported by the functions that
# make them: a site that asks for no PDF and no offline copy (most builds, every one-lesson
# rebuild of such a site) does not load them (segno, Markdown's HTML for print, ~0.05 s).

_FILE_URI_RE = re.compile(r"""file://[^"')\s]+""")


@dataclass
class PaperResult:
    files: dict[str, Path] = field(default_factory=dict)  # site path → file in the cache
    downloads: dict[tuple[str, str], list[Download]] = field(default_factory=dict)  # (course, lang)
    pdf_pages: int = 0
    pdf_seconds: float = 0.0
    offline_seconds: float = 0.0
    made: int = 0

    def add(self, course: Course, lang: str, name: str, path: Path, label: str = "") -> None:
        self.files[f"{lang}/courses/{course.id}/{name}"] = path
        if label:
            self.downloads.setdefault((course.id, lang), []).append(
                Download(label, name, path.stat().st_size)
            )

    def copy_into(self, site_dir: Path) -> None:
        for site_path, source in self.files.items():
            target = site_dir / site_path
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)


def file_names(course: Course, lang: str) -> dict[str, str]:
    return {
        "pdf": f"{course.id}-{lang}.pdf",
        "schedule": f"{course.id}-{lang}-schedule.pdf",
        "offline": f"{course.id}-{lang}-offline.zip",
    }


def build_paper(site: Site, media: MediaLibrary, cache: Path) -> PaperResult:
    """Every PDF and offline zip `site_config.yml` asks for (`paper: {pdf, offline}`)."""
    result = PaperResult()
    settings = site.config.paper
    if not (settings.pdf or settings.offline):
        return result
    cache.mkdir(parents=True, exist_ok=True)
    used: set[str] = {"projects"}
    if settings.pdf:
        started = time.perf_counter()
        used |= build_pdfs(site, media, cache, result)
        result.pdf_seconds = time.perf_counter() - started
    if settings.offline:
        started = time.perf_counter()
        used |= build_offline_zips(site, media, cache, result)
        result.offline_seconds = time.perf_counter() - started
    _prune(cache, used)
    return result


def build_pdfs(site: Site, media: MediaLibrary, cache: Path, result: PaperResult) -> set[str]:
    """Each course's PDF and printable schedule per language; the missing ones rendered in a pool."""
    from builder.paper.document import course_document, schedule_document

    wanted: list[tuple[Course, str, str, str, str]] = []  # course, lang, name, label, html
    for course in sorted_courses(site):
        for lang in course.languages:
            names = file_names(course, lang)
            wanted.append(
                (course, lang, names["pdf"], "paper.pdf", course_document(site, course, lang, media))
            )
            if course.schedule and course.schedule.classes:
                html = schedule_document(site, course, lang)
                wanted.append((course, lang, names["schedule"], "paper.schedule", html))
    staff = staff_training_pdfs(site)
    targets = [cache / f"{pdf_key(html)}.pdf" for *_, html in wanted]
    staff_targets = {
        f"{lang}/staff-training/staff-training-{lang}-schedule.pdf": html for lang, html in staff
    }
    missing = {
        target: html for target, (*_, html) in zip(targets, wanted, strict=True) if not target.is_file()
    }
    for html in staff_targets.values():
        if not (target := cache / f"{pdf_key(html)}.pdf").is_file():
            missing[target] = html
    result.pdf_pages += render_all(missing)
    result.made += len(missing)
    for target, (course, lang, name, label, _) in zip(targets, wanted, strict=True):
        result.add(course, lang, name, target, label)
    for site_path, html in staff_targets.items():
        result.files[site_path] = cache / f"{pdf_key(html)}.pdf"
    return {target.name for target in targets} | {f"{pdf_key(html)}.pdf" for html in staff_targets.values()}


def staff_training_pdfs(site: Site) -> list[tuple[str, str]]:
    """The staff training schedule on A4 in each site language, for the information stands (R7.1)."""
    from builder.paper.document import staff_training_document

    if site.staff_training is None or not site.staff_training.classes:
        return []
    return [(lang, staff_training_document(site, lang)) for lang in site.languages]


def render_all(documents: dict[Path, str]) -> int:
    """Render PDFs, several at once (WeasyPrint's line breaking is CPU-bound); the pages written."""
    from builder.paper.pdf import load_weasyprint, render_pdf

    workers = min(len(documents), os.cpu_count() or 1)
    try:
        if workers <= 1:
            return sum(render_pdf(html, target) for target, html in documents.items())
        load_weasyprint()
        with ProcessPoolExecutor(max_workers=workers, initializer=_quiet_weasyprint) as pool:
            return sum(pool.map(render_pdf, documents.values(), documents.keys()))
    except Exception as exc:  # WeasyPrint raises many kinds; the user needs one clear line
        raise BuildError(f"cannot write a PDF: {type(exc).__name__}: {exc}") from None


def _quiet_weasyprint() -> None:
    logging.getLogger("weasyprint").setLevel(logging.ERROR)


def pdf_key(html: str) -> str:
    """Everything that decides the PDF: the HTML, the stylesheet, the tools, every file it shows."""
    from importlib.metadata import version

    from builder.paper.document import STYLESHEET

    digest = hashlib.sha256()
    for package in ("oqu", "weasyprint", "ziamath", "segno"):
        digest.update(f"{package}={version(package)};".encode())
    digest.update(STYLESHEET.read_bytes() + html.encode("utf-8"))
    for uri in sorted(set(_FILE_URI_RE.findall(html))):
        path = Path(unquote(urlparse(uri).path))
        if path.is_file():
            digest.update(uri.encode() + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:32]


def build_offline_zips(site: Site, media: MediaLibrary, cache: Path, result: PaperResult) -> set[str]:
    from builder.paper.offline import offline_project, write_offline_zip

    pairs = [(course, lang) for course in sorted_courses(site) for lang in course.languages]
    projects = [offline_project(site, course, lang, media) for course, lang in pairs]
    project_cache = cache / "projects"
    built = build_all(projects, project_cache)
    outputs = {b.dest: b.output for b in built}
    theme = shared_assets_dir(project_cache)
    used = set()
    for (course, lang), project in zip(pairs, projects, strict=True):
        target = cache / f"{project.key()}.zip"
        if not target.is_file():
            write_offline_zip(outputs[project.dest], theme, project.dest, target, f"{course.id}-{lang}")
            result.made += 1
        result.add(course, lang, file_names(course, lang)["offline"], target, "paper.offline")
        used.add(target.name)
    _prune(project_cache, {b.output.name for b in built} | {theme.name})
    return used


def _prune(folder: Path, keep: set[str]) -> None:
    for entry in folder.iterdir():
        if entry.name in keep or entry.name.startswith("."):
            continue
        if entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)


def course_pdf(site: Site, root: Path, course_id: str, langs: list[str], out: Path) -> list[Path]:
    """`oqu pdf` on a checked site: encode what the course's media need, write its PDFs into `out`."""
    from builder.media import build_media
    from builder.paper.document import course_document
    from builder.paper.pdf import render_pdf

    course = next((c for c in site.courses if c.id == course_id), None)
    if course is None:
        known = ", ".join(c.id for c in site.courses)
        raise BuildError(say("cli.pdf.no_course", course=course_id, known=known))
    missing = [lang for lang in langs if lang not in course.languages]
    if missing:
        raise BuildError(say("cli.pdf.no_language", course=course_id, langs=", ".join(missing)))
    media = build_media(site, root / "build" / "media")
    written = []
    for lang in langs or course.languages:
        target = out / file_names(course, lang)["pdf"]
        render_pdf(course_document(site, course, lang, media), target)
        written.append(target)
    return written
