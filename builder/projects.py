"""Plan the generated MkDocs projects: one catalogue per site language, one per course and language."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import posixpath
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from builder import assignments, pages
from builder.formulas import render_formulas
from builder.i18n import LOCALES, format_date, t
from builder.links import iter_links, replace_links
from builder.load import LESSON_FILE_RE, MODULE_DIR_RE, resolve_target
from builder.media.lesson import lesson_files, lesson_player, video_seconds, with_image_attributes
from builder.media.library import MediaLibrary, shared_video_dir
from builder.model import Course, Lesson, LessonVariant, Module, Site
from builder.search.page import FIND_PAGE, find_page

if TYPE_CHECKING:
    from builder.project_cache import ProjectCache

THEME_DIR = Path(__file__).parent / "theme"
# libyaml's emitter when PyYAML has it (~20× faster than the pure-Python one; the same YAML data,
# a key over 128 characters written as `? key`), for the mkdocs.yml of every project
SAFE_DUMPER: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

MARKDOWN_EXTENSIONS = """\
markdown_extensions:
  - abbr
  - admonition
  - attr_list
  - def_list
  - footnotes:
      BACKLINK_TITLE: {footnote_back}
  - md_in_html
  - tables
  - toc:
      permalink: true
      permalink_title: {permalink_title}
      slugify: !!python/object/apply:pymdownx.slugs.slugify {kwds: {case: lower}}
  - pymdownx.details
  - pymdownx.superfences
  - pymdownx.highlight:
      anchor_linenums: true
  - pymdownx.inlinehilite
  - pymdownx.tabbed:
      alternate_style: true
  - pymdownx.tasklist:
      custom_checkbox: true
  - pymdownx.mark
  - pymdownx.caret
  - pymdownx.tilde
  - pymdownx.keys
"""

FEATURES = [
    "navigation.footer",
    "navigation.prune",
    "navigation.top",
    "navigation.indexes",
    "search.highlight",
    "search.suggest",
    "content.code.copy",
    "toc.follow",
]

# Search per language. kk: see the comment at the top of theme/partials/languages/kk.html.
# ru: lunr's Russian support with Material's default pipeline. Adding "stemmer" to the pipeline
# adds lunr's *English* stemmer and "trimmer" its English trimmer, which empties Cyrillic words
# (measured: no result at all); and Material sends prefix (wildcard) queries, which lunr never
# stems, so inflected Russian forms are left to the service's search (measured in a browser).
SEARCH: dict[str, dict[str, Any]] = {
    "kk": {},
    "ru": {"lang": "ru"},
    "en": {"lang": "en"},
}


@dataclass
class ProjectSource:
    """A generated MkDocs project: where it goes in the site, its config, its pages and files."""

    dest: str
    config: dict[str, Any]
    pages: dict[str, str] = field(default_factory=dict)
    files: dict[str, Path] = field(default_factory=dict)
    _key: str | None = field(default=None, repr=False, compare=False)
    _yml: tuple[str, str] | None = field(default=None, repr=False, compare=False)
    _texts: str | None = field(default=None, repr=False, compare=False)

    @property
    def depth(self) -> int:
        return len(self.dest.split("/"))

    def page_count(self) -> int:
        """How many pages the project has (a kept project answers without reading its pages)."""
        return len(self.pages)

    def mkdocs_yml(self) -> str:
        """The project's mkdocs.yml; kept while the config is the same (PyYAML's dump is slow, and
        a build asks for it three times: the cache key, the page manifest, the written file)."""
        config = json.dumps(self.config, default=repr)
        if self._yml is None or self._yml[0] != config:
            self._yml = (config, self._dump_mkdocs_yml())
        return self._yml[1]

    def _dump_mkdocs_yml(self) -> str:
        # The heading links' and footnote back links' titles in the page's language
        # (Python-Markdown's are English).
        lang = self.config.get("theme", {}).get("language", "kk")
        extensions = MARKDOWN_EXTENSIONS.replace(
            "{permalink_title}", json.dumps(t("permalink", lang), ensure_ascii=False)
        ).replace("{footnote_back}", json.dumps(t("footnote_back", lang), ensure_ascii=False))
        return yaml.dump(self.config, Dumper=SAFE_DUMPER, allow_unicode=True, sort_keys=False) + extensions

    def key(self) -> str:
        """Content hash of everything that decides this project's output (computed once)."""
        if self._key is None:
            self._key = self._compute_key()
        return self._key

    def texts_digest(self) -> str:
        """The hash of the project's place, mkdocs.yml and pages (computed once: a generated
        project is not changed afterwards; one kept by builder/project_cache.py carries it)."""
        if self._texts is None:
            digest = hashlib.sha256(self.dest.encode() + b"\0" + self.mkdocs_yml().encode())
            for name in sorted(self.pages):
                digest.update(name.encode() + b"\0" + self.pages[name].encode() + b"\0")
            self._texts = digest.hexdigest()
        return self._texts

    def _compute_key(self) -> str:
        digest = hashlib.sha256()
        digest.update(toolchain_fingerprint().encode())
        digest.update(self.texts_digest().encode())
        for name in sorted(self.files):
            digest.update(name.encode() + b"\0" + _file_digest(self.files[name]).encode())
        return digest.hexdigest()[:32]


_fingerprint: str | None = None


def toolchain_fingerprint() -> str:
    global _fingerprint
    if _fingerprint is None:
        digest = hashlib.sha256()
        for package in ("oqu", "mkdocs", "mkdocs-material", "pymdown-extensions", "markdown"):
            digest.update(f"{package}={version(package)};".encode())
        for path in sorted(THEME_DIR.rglob("*")):
            if path.is_file():
                digest.update(path.relative_to(THEME_DIR).as_posix().encode() + path.read_bytes())
        # the interface words (builder/locales/*.po): a changed word rebuilds the pages using it
        for path in sorted(LOCALES.rglob("*.po")):
            digest.update(path.relative_to(LOCALES).as_posix().encode() + path.read_bytes())
        _fingerprint = digest.hexdigest()
    return _fingerprint


def _file_digest(path: Path) -> str:
    stat = path.stat()
    if stat.st_size > 4 * 1024 * 1024:
        return f"{stat.st_size}:{stat.st_mtime_ns}"
    return hashlib.sha256(path.read_bytes()).hexdigest()


def plan_projects(
    site: Site,
    today: dt.date | None = None,
    media: MediaLibrary | None = None,
    downloads: dict[tuple[str, str], list[pages.Download]] | None = None,
    reuse: ProjectCache | None = None,
) -> list[ProjectSource]:
    """`downloads`: each course and language's PDF and offline copy (builder/paper), for its page;
    `reuse`: course projects generated by an earlier build from the same inputs (oqu build)."""
    today = today or dt.date.today()
    media = media or MediaLibrary()
    downloads = downloads or {}
    projects = [catalogue_project(site, lang, today) for lang in site.languages]
    for course in pages.sorted_courses(site):
        make = reuse.course_project if reuse is not None else course_project
        projects += [
            make(site, course, lang, media, downloads.get((course.id, lang), [])) for lang in course.languages
        ]
    return projects


def shared_media_files(site: Site, media: MediaLibrary) -> dict[str, Path]:
    """Site path → file of every course's shared video renditions (`media/courses/<id>/…`),
    once per course whatever the number of its languages."""
    files: dict[str, Path] = {}
    for course in site.courses:
        for _, lesson in course.lessons():
            for variant in lesson.variants.values():
                files.update(media.shared_files_for(variant, course.id))
    return files


def base_config(
    site: Site, lang: str, site_name: str, dest: str, alternates: list[dict[str, str]]
) -> dict[str, Any]:
    cfg = site.config
    config: dict[str, Any] = {
        "site_name": pages.hesc(site_name),  # templates print it raw
        "docs_dir": "docs",
        "use_directory_urls": True,
        "theme": {
            "name": "material",
            "language": lang,
            "custom_dir": str(THEME_DIR),
            "font": False,
            "features": FEATURES,
            "palette": {"primary": "deep orange", "accent": "indigo"},
        },
        "plugins": [{"search": SEARCH[lang]} if SEARCH[lang] else "search"],
        "extra_css": ["assets/oqu/oqu.css", "assets/oqu/media.css", "assets/oqu/quiz.css"],
        "extra_javascript": [
            "assets/oqu/search.js",
            "assets/oqu/media.js",
            "assets/oqu/account.js",
            "assets/oqu/notices.js",
            "assets/oqu/tracking.js",
            "assets/oqu/shell.js",
            "assets/oqu/progress.js",
        ],  # quiz.js and model-viewer.js: only on pages with a quiz or a model (main.html)
        "extra": {
            "generator": False,
            "alternate": alternates,
            "oqu": {
                "dl_banner": dl_banner(site, lang),
                "dl_order": dl_order(site, lang),
                "dl_note": pages.tr(site.config.distance_learning.note, lang),
                "service_url": cfg.service_url,
                "depth": len(dest.split("/")),
                "home": _home_link(dest),
                "home_title": t("catalogue", lang),
                "sign_in": t("sign_in", lang),
                "my_studies": t("my_studies", lang),
                "lang": lang,
            },
        },
        "copyright": pages.tr(cfg.institution, lang),
        "validation": {
            "nav": {"omitted_files": "info", "not_found": "info", "absolute_links": "info"},
            "links": {
                "not_found": "info",
                "anchors": "info",
                "absolute_links": "info",
                "unrecognized_links": "info",
            },
        },
    }
    if cfg.site_url:
        config["site_url"] = cfg.site_url.rstrip("/") + "/" + dest + "/"
    return config


def _home_link(dest: str) -> str:
    """From a project's root to its language's catalogue home (relative, works offline)."""
    depth = len(dest.split("/")) - 1
    return "../" * depth if depth else "./"


def dl_banner(site: Site, lang: str) -> str:
    text = dl_order(site, lang)
    note = pages.tr(site.config.distance_learning.note, lang)
    return f"{text} — {note}" if text and note else text


def dl_order(site: Site, lang: str) -> str:
    """The DL mode and its order, one line (the banner's summary; its note unfolds below it)."""
    mode = site.config.distance_learning
    if not mode.enabled or mode.order is None:
        return ""
    number = mode.order.number.removeprefix("№").strip()
    return t("dl_banner", lang, number=number, date=format_date(mode.order.date, lang))


def catalogue_project(site: Site, lang: str, today: dt.date) -> ProjectSource:
    alternates = [
        {"name": t("language_name." + other, other), "lang": other, "link": f"../{other}/"}
        for other in site.languages
    ]
    config = base_config(site, lang, pages.tr(site.config.name, lang), lang, alternates)
    config["extra"]["oqu"] |= {"site_search": "find/", "site_search_label": t("search.site_wide", lang)}
    config["nav"] = [
        {t("home", lang): "index.md"},
        {t("catalogue", lang): "courses/index.md"},
        {t("library", lang): "library.md"},
        {t("search", lang): FIND_PAGE},
    ]
    project = ProjectSource(dest=lang, config=config)
    project.pages = {
        "index.md": pages.home_page(site, lang, today),
        "courses/index.md": pages.catalogue_page(site, lang),
        "library.md": pages.library_page(site, lang),
        FIND_PAGE: find_page(site, lang),
    }
    if site.staff_training is not None and site.staff_training.classes:
        # at <lang>/staff-training/schedule/, beside its feed and A4 sheet in <lang>/staff-training/
        project.pages["staff-training/schedule.md"] = pages.staff_training_page(site, lang)
        config["nav"].insert(2, {t("staff_training", lang): "staff-training/schedule.md"})
    return project


def course_project(
    site: Site,
    course: Course,
    lang: str,
    media: MediaLibrary | None = None,
    downloads: list[pages.Download] | None = None,
    directory_urls: bool = True,
) -> ProjectSource:
    """`directory_urls=False`: lessons at `<module>/<lesson>.html` (the offline copy, builder/paper)."""
    media = media or MediaLibrary()
    dest = f"{lang}/courses/{course.id}"
    alternates = [
        {
            "name": t("language_name." + other, other),
            "lang": other,
            "link": f"../../../{other}/courses/{course.id}/",
        }
        for other in course.languages
    ]
    title = pages.tr(course.config.title, lang, course.languages[0])
    project = ProjectSource(dest=dest, config=base_config(site, lang, title, dest, alternates))
    durations = {
        variant.path: seconds
        for _, lesson in course.lessons()
        for variant in lesson.variants.values()
        if (seconds := video_seconds(media, variant))
    }
    project.pages["index.md"] = pages.course_home_page(
        course, lang, durations, downloads, service_url=site.config.service_url
    )
    project.pages["index.md"] += assignments.assignments_list(course, lang)
    # The way back out of the course: the portal's home and catalogue (relative: works offline).
    portal = _home_link(dest)
    nav: list[Any] = [
        {t("portal_home", lang): portal},
        {t("catalogue", lang): f"{portal}courses/"},
        {t("home", lang): "index.md"},
    ]
    for module in course.modules:
        entries = []
        for lesson in module.lessons:
            variant = lesson.variant(lang, course.languages)
            doc_path = pages.lesson_doc_path(module, lesson)
            project.pages[doc_path] = lesson_doc(
                site, course, module, lesson, lang, project, media, directory_urls
            )
            entries.append({pages.hesc(variant.meta.title): doc_path})
        nav.append({pages.hesc(pages.tr(module.config.title, lang, course.languages[0])): entries})
    if course.schedule and course.schedule.classes:
        project.pages["schedule.md"] = pages.schedule_page(
            course, lang, site.config.service_url, site.config.paper.pdf
        )
        nav.append({t("schedule", lang): "schedule.md"})
    project.pages["consultations.md"] = pages.consultations_page(course, lang, site.config.service_url)
    nav.append({t("book.title", lang): "consultations.md"})
    if course.assignments:
        project.pages["assignments.md"] = assignments.assignments_page(site, course, lang)
        nav.append({t("assignments", lang): "assignments.md"})
    project.config["nav"] = nav
    return project


def lesson_doc(
    site: Site,
    course: Course,
    module: Module,
    lesson: Lesson,
    lang: str,
    project: ProjectSource,
    media: MediaLibrary,
    directory_urls: bool = True,
) -> str:
    """The generated Markdown page of one lesson in `lang` (adds the files it uses to `project`);
    `directory_urls=False`: the page sits at `<module>/<lesson>.html` (the offline copy)."""
    variant = lesson.variant(lang, course.languages)
    page_dir = f"{module.id}/{lesson.id}" if directory_urls else module.id
    # the site's video renditions are the course's, shared by its languages; an offline copy
    # (directory_urls=False) carries its own
    shared = f"{'../' * project.depth}{shared_video_dir(course.id)}" if directory_urls else None
    body = rewrite_body(site, course, module, variant, lang, project, media, page_dir, shared is not None)
    player = lesson_player(media, variant, lang, page_dir, shared)
    page = pages.lesson_page(
        course, lesson, variant, lang, render_formulas(body), player, video_seconds(media, variant)
    )
    tasks = [assignments.assignment_section(site, course, a, lang) for a in course.assignments_of(lesson.id)]
    return "\n".join([page, *tasks]) if tasks else page


def rewrite_body(
    site: Site,
    course: Course,
    module: Module,
    variant: LessonVariant,
    lang: str,
    project: ProjectSource,
    media: MediaLibrary | None = None,
    url_dir: str | None = None,
    shared_renditions: bool = False,
) -> str:
    """Point links at generated pages and copied files; collect the files the lesson uses.
    `url_dir`: the folder of the page's URL, which raw HTML (srcset) is relative to;
    `shared_renditions`: the video renditions are in the course's shared folder, not here."""
    page_dir = module.id
    media = media or MediaLibrary()
    match = LESSON_FILE_RE.match(variant.path.name)
    lesson_id = variant.meta.id or (match.group(2) if match else variant.path.stem)
    body = with_image_attributes(media, site, variant, url_dir or f"{module.id}/{lesson_id}")
    project.files.update(lesson_files(media, site, variant, shared_renditions))
    links = [link for link in iter_links(body) if not link.is_external]
    replacements: dict[tuple[int, int], str] = {}
    for link in links:
        path, anchor = link.path_and_anchor
        target = resolve_target(site.content_dir, variant.path, path)
        if target is None:
            continue
        doc_path = lesson_target(site, course, target, lang) or media_target(course, target, project)
        if doc_path is None:
            continue
        relative = posixpath.relpath(doc_path, page_dir) if not doc_path.startswith("../") else doc_path
        replacements[(link.line_index, link.start)] = relative + (f"#{anchor}" if anchor else "")
    for key in ("video", "audio"):
        source = getattr(variant.meta, key)
        if source and variant.path not in media.lessons:  # else the media phase's renditions are used
            media_target(
                course, Path(os.path.normpath(os.path.abspath(variant.path.parent / source))), project
            )
    return replace_links(body, replacements, links)


def lesson_target(site: Site, course: Course, target: Path, lang: str) -> str | None:
    """Docs path of a linked lesson in this project, or a relative URL into another course."""
    match = LESSON_FILE_RE.match(target.name)
    module_match = MODULE_DIR_RE.match(target.parent.name)
    if not match or not module_match:
        return None
    course_dir = str(target.parent.parent)
    target_course = next((c for c in site.courses if os.path.abspath(c.path) == course_dir), None)
    if target_course is None:
        return None
    module_id = module_match.group(2)
    lesson = _lesson_by_slug(target_course, module_id, match.group(2))
    if lesson is None:
        return None
    if target_course is course:
        return f"{module_id}/{lesson.id}.md"
    shown = lang if lang in target_course.languages else target_course.languages[0]
    return f"../../../../{shown}/courses/{target_course.id}/{module_id}/{lesson.id}/"


def _lesson_by_slug(course: Course, module_id: str, slug: str) -> Lesson | None:
    for module in course.modules:
        if module.id == module_id:
            return next((lesson for lesson in module.lessons if lesson.slug == slug), None)
    return None


def media_target(course: Course, target: Path, project: ProjectSource) -> str | None:
    """Copy a file of this course into the project; its docs path (module folders lose `NN-`)."""
    try:
        relative = target.relative_to(os.path.abspath(course.path))
    except ValueError:
        return None
    parts = list(relative.parts)
    match = MODULE_DIR_RE.match(parts[0])
    if match:
        parts[0] = match.group(2)
    doc_path = "/".join(parts)
    project.files[doc_path] = target
    return doc_path
