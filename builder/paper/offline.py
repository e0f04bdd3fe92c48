"""The offline copy of a course and language: a zip that works from `file://` with the network off.

It is the course's own MkDocs project built once more for files: `.html` links (Material's
built-in `offline` plugin, which also inlines the search index into a script), the search worker
run through the vendored iframe-worker shim (a worker cannot start from `file://`; the plugin would
otherwise load the shim from a CDN), one video rendition (the one nearest 360p) with its captions,
and no links out of the course that would lead nowhere inside the zip.
"""

from __future__ import annotations

import base64
import dataclasses
import html
import posixpath
import re
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote

from builder.media.library import LessonMedia, MediaLibrary
from builder.model import Course, Site
from builder.projects import ProjectSource, course_project

VENDOR = Path(__file__).parent / "vendor"
SHIM = "_offline/iframe-worker-shim.js"  # the name must contain "iframe-worker" (see the plugin)
OFFLINE_HEIGHT = 360
# Files only a web server uses (the offline search reads search/search_index.js).
SERVER_ONLY = {"search/search_index.json", "sitemap.xml", "sitemap.xml.gz"}
# The thumbnail strip names its images relative to its track's URL, which a data: URL does not have.
_THUMBS_TRACK_RE = re.compile(r'<track kind="metadata" label="thumbnails"[^>]*>')
_TRACK_SRC_RE = re.compile(r'(<track [^>]*src=")([^"]+)(")')
_FIXED_TIME = (2020, 1, 1, 0, 0, 0)  # the same input makes the same zip, byte for byte


def offline_project(site: Site, course: Course, lang: str, media: MediaLibrary) -> ProjectSource:
    project = course_project(site, course, lang, offline_media(media), directory_urls=False)
    inline_tracks(project)
    config = project.config
    config["use_directory_urls"] = False
    config["plugins"] = [*config["plugins"], "offline"]
    config["extra"]["polyfills"] = [SHIM]
    config["extra"]["alternate"] = []  # the other languages are other zips
    home = site.config.site_url.rstrip("/") + f"/{lang}/" if site.config.site_url else "index.html"
    config["extra"]["oqu"]["home"] = home
    config.pop("site_url", None)  # canonical links would point at the site, not at the files
    project.files[SHIM] = VENDOR / "iframe-worker-shim.js"
    project.files["_offline/iframe-worker.LICENSE.txt"] = VENDOR / "iframe-worker.LICENSE"
    return project


def inline_tracks(project: ProjectSource) -> None:
    """Captions and thumbnails as data: URLs: Chromium gives every file:// page an opaque origin and
    refuses to load a <track> file from it ("Unsafe attempt to load URL"), but data: is same-origin."""
    for doc_path, text in project.pages.items():
        folder = posixpath.dirname(doc_path)

        def inline(match: re.Match[str], folder: str = folder) -> str:
            site_path = posixpath.normpath(posixpath.join(folder, unquote(html.unescape(match.group(2)))))
            source = project.files.get(site_path)
            if source is None:
                return match.group(0)
            data = base64.b64encode(source.read_bytes()).decode("ascii")
            return f"{match.group(1)}data:text/vtt;base64,{data}{match.group(3)}"

        project.pages[doc_path] = _TRACK_SRC_RE.sub(inline, _THUMBS_TRACK_RE.sub("", text))


def offline_media(media: MediaLibrary) -> MediaLibrary:
    """The same media with one rendition per video: the one nearest 360p, small enough to carry."""
    lessons = {path: _one_rendition(lesson) for path, lesson in media.lessons.items()}
    return dataclasses.replace(media, lessons=lessons)


def _one_rendition(lesson: LessonMedia) -> LessonMedia:
    if lesson.video is None or len(lesson.video.renditions) <= 1:
        return lesson
    nearest = min(lesson.video.renditions, key=lambda r: abs(r.height - OFFLINE_HEIGHT))
    return dataclasses.replace(lesson, video=dataclasses.replace(lesson.video, renditions=[nearest]))


def write_offline_zip(built: Path, theme: Path, dest: str, target: Path, folder: str) -> None:
    """Zip the built project at `dest` with the shared theme assets, under one top folder."""
    partial = target.with_name(target.name + ".partial")
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        _write_text(archive, f"{folder}/index.html", _redirect(f"{dest}/index.html"))
        _add_tree(archive, theme, f"{folder}/assets", skip=lambda name: name.endswith(".map"))
        _add_tree(archive, built, f"{folder}/{dest}", skip=SERVER_ONLY.__contains__)
    shutil.move(partial, target)


def _add_tree(archive: zipfile.ZipFile, root: Path, prefix: str, skip: Callable[[str], bool]) -> None:
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        name = path.relative_to(root).as_posix()
        if skip(name):
            continue
        info = zipfile.ZipInfo(f"{prefix}/{name}", _FIXED_TIME)
        stored = path.suffix in (".mp4", ".m4a", ".ogg", ".jpg", ".webp", ".png", ".glb")
        info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        with path.open("rb") as source, archive.open(info, "w") as sink:
            shutil.copyfileobj(source, sink, 1024 * 1024)


def _write_text(archive: zipfile.ZipFile, name: str, text: str) -> None:
    info = zipfile.ZipInfo(name, _FIXED_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    archive.writestr(info, text.encode("utf-8"))


def _redirect(href: str) -> str:
    return (
        f'<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="refresh" content="0; url={href}">'
        f'<title>oqu</title></head><body><p><a href="{href}">{href}</a></p></body></html>\n'
    )
