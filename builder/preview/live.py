"""The preview's model of the site: what a change touches, rebuilt, and what the browser is told.

A change to the body of a lesson (the usual edit) takes the fast path: that file is parsed and
checked alone, its page generated and rendered again in the project of every language that shows
it (LiveProject). A new lesson file (without quizzes, video, audio or a due date) takes the
new-lesson path: its course is read again alone, checked, and only that course's projects (one
per language that shows the lesson: the navigation of every page changes) are built with MkDocs
into the build cache, as a full build would build them, and swapped into build/site; the site's
own pages (home, catalogue) and the site-wide search index catch up at the next build. Anything
else (front matter, a deleted file, course.yml, a quiz, media, site_config.yml) takes the
build's own path, `build_site`, which rebuilds only the projects whose inputs changed (content
hashes) and swaps the result in.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from builder.formulas import FormulaError, find_formulas, to_mathml
from builder.incremental import LiveProject
from builder.load import (
    check_lesson_links,
    check_lesson_media,
    check_outcomes,
    load_course,
    load_lesson_variant,
)
from builder.media.library import MediaLibrary, check_variant_media
from builder.mkdocs_runner import BuiltProject, _write_sources, build_project, shared_assets_dir
from builder.mkdocs_setup import link_or_copy
from builder.model import Course, Lesson, LessonVariant, Module, Site
from builder.pages import lesson_doc_path
from builder.pipeline import build_site
from builder.problems import BuildError, ContentError, Problem, Problems
from builder.projects import ProjectSource, course_project, lesson_doc


@dataclass
class Outcome:
    """What one change did: shown in the terminal and sent to the open pages."""

    generation: int = 0
    problems: list[Problem] = field(default_factory=list)
    rebuilt: list[str] = field(default_factory=list)  # projects built or re-rendered (their dest)
    pages: dict[str, str] = field(default_factory=dict)  # language → URL of the edited lesson
    seconds: float = 0.0
    full: bool = False  # the build's own path ran

    def as_json(self) -> dict[str, object]:
        return {
            "generation": self.generation,
            "problems": [{"path": p.path, "line": p.line, "message": p.message} for p in self.problems],
            "rebuilt": self.rebuilt,
            "pages": self.pages,
        }


@dataclass(frozen=True)
class Place:
    course: Course
    module: Module
    lesson: Lesson
    variant: LessonVariant


class LiveSite:
    """The site as last built, and the projects kept loaded for fast re-rendering."""

    def __init__(self, root: Path, out: Path) -> None:
        self.root = root
        self.out = out
        self.site: Site | None = None
        self.media = MediaLibrary()
        self.live: dict[str, LiveProject] = {}
        self.lock = threading.RLock()

    def build(self) -> Outcome:
        """The build's own path (incremental by content hash); on errors the last good site stays."""
        started = time.perf_counter()
        rebuilt: list[str] = []

        def done(project: BuiltProject) -> None:
            if not project.cached:
                rebuilt.append(project.dest)

        with self.lock:
            try:
                report = build_site(self.root, self.out, on_project=done, publication=False)
            except ContentError as exc:
                return Outcome(problems=exc.problems, seconds=time.perf_counter() - started, full=True)
            except BuildError as exc:
                return Outcome(problems=[Problem("", 1, str(exc))], full=True)
            self.site, self.media = report.site, report.media or MediaLibrary()
            self.live.clear()
        return Outcome(rebuilt=sorted(rebuilt), seconds=time.perf_counter() - started, full=True)

    def apply(self, changed: Iterable[Path]) -> Outcome:
        """Rebuild what the changed files touch."""
        started = time.perf_counter()
        changed = list(changed)
        with self.lock:
            places = [self.place_of(path) for path in changed]
            if places and all(place is not None for place in places):
                outcome = self._edit_lessons([p for p in places if p is not None])
            else:
                outcome = self._add_lessons(changed)
            if outcome is None:
                outcome = self.build()
                outcome.pages = self.pages_of(changed)
        outcome.seconds = time.perf_counter() - started
        return outcome

    def pages_of(self, changed: list[Path]) -> dict[str, str]:
        """Where the open tab should go after a build: the page of a changed (or new) lesson file."""
        for path in changed:
            place = self.place_of(path)
            if place is not None:
                return {
                    lang: f"/{lang}/courses/{place.course.id}/{place.module.id}/{place.lesson.id}/"
                    for lang in place.course.languages
                }
        return {}

    def place_of(self, path: Path) -> Place | None:
        """The lesson variant read from `path` by the last build, if it was one."""
        if self.site is None or path.suffix != ".md":
            return None
        for course in self.site.courses:
            if not path.is_relative_to(course.path):
                continue
            for module, lesson in course.lessons():
                for variant in lesson.variants.values():
                    if variant.path == path:
                        return Place(course, module, lesson, variant)
        return None

    def _edit_lessons(self, places: list[Place]) -> Outcome | None:
        """Body-only edits: check the files alone, then re-render their pages. None: take the build's path."""
        assert self.site is not None
        problems = Problems(self.root)
        edited = []
        for place in places:
            variant = load_lesson_variant(place.variant.path, place.variant.lang, problems)
            if variant is not None:
                check_lesson_variant(self.site, place.course, variant, problems)
                edited.append((place, variant))
        if problems.errors:
            return Outcome(problems=problems.errors)
        if any(new.meta != place.variant.meta for place, new in edited):
            return None  # titles, order, quizzes, media: the navigation or other projects may change
        rebuilt, pages = [], {}
        for place, new in edited:
            place.lesson.variants[new.lang] = new
            for lang in place.course.languages:
                if place.lesson.variant(lang, place.course.languages).path != new.path:
                    continue
                dest = self._render_lesson(place, lang)
                rebuilt.append(dest)
                pages[lang] = f"/{dest}/{place.module.id}/{place.lesson.id}/"
        return Outcome(rebuilt=sorted(set(rebuilt)), pages=pages)

    def _add_lessons(self, changed: list[Path]) -> Outcome | None:
        """New lesson files of one course: that course's projects only. None: take the build's path."""
        course = self._course_of_new_lessons(changed)
        if course is None or self.site is None:
            return None
        problems = Problems(self.root)
        reread = load_course(course.path, problems)
        if reread is None:
            return None
        added = [
            (place.variant, reread) for path in changed if (place := _place_in(reread, path)) is not None
        ]
        if len(added) != len(changed) or any(_needs_the_build(variant) for variant, _ in added):
            return None
        if problems.errors:
            return None  # another file of the course is wrong too: the build's path reports it whole
        for variant, _ in added:
            check_lesson_variant(self.site, reread, variant, problems)
        if problems.errors:
            return Outcome(problems=problems.errors)
        self.site.courses[self.site.courses.index(course)] = reread
        rebuilt = [self._build_course_project(reread, lang) for lang in reread.languages]
        place = _place_in(reread, changed[0])
        assert place is not None
        pages = {
            lang: f"/{lang}/courses/{reread.id}/{place.module.id}/{place.lesson.id}/"
            for lang in reread.languages
        }
        return Outcome(rebuilt=sorted(rebuilt), pages=pages)

    def _course_of_new_lessons(self, changed: list[Path]) -> Course | None:
        """The one course whose existing module folders hold all of `changed` (new .md files)."""
        if self.site is None or not changed:
            return None
        for course in self.site.courses:
            folders = {module.path for module in course.modules}
            if all(path.suffix == ".md" and path.is_file() and path.parent in folders for path in changed):
                return course
        return None

    def _build_course_project(self, course: Course, lang: str) -> str:
        """The course's project as a full build makes it (into the build cache), swapped into build/site."""
        assert self.site is not None
        project = course_project(self.site, course, lang, self.media)
        cache = self.out / ".cache" / "projects"
        output = cache / project.key()
        if not output.is_dir():
            build_project(_write_sources(project, cache), output, project.depth, shared_assets_dir(cache))
        target = self.out / "site" / project.dest
        fresh = target.with_name(f".{target.name}.new")
        stale = target.with_name(f".{target.name}.old")
        for leftover in (fresh, stale):
            shutil.rmtree(leftover, ignore_errors=True)
        shutil.copytree(output, fresh, copy_function=link_or_copy)
        if target.exists():
            os.rename(target, stale)
        os.rename(fresh, target)
        shutil.rmtree(stale, ignore_errors=True)
        self.live.pop(project.dest, None)  # loaded against the old navigation
        return project.dest

    def _render_lesson(self, place: Place, lang: str) -> str:
        assert self.site is not None
        live = self.live_project(place.course, lang)
        project = ProjectSource(live.project.dest, live.project.config, dict(live.project.pages))
        project.files = dict(live.project.files)
        doc_path = lesson_doc_path(place.module, place.lesson)
        project.pages[doc_path] = lesson_doc(
            self.site, place.course, place.module, place.lesson, lang, project, self.media
        )
        live.update(project, force=[doc_path])
        return project.dest

    def live_project(self, course: Course, lang: str) -> LiveProject:
        """The course's project in `lang`, loaded once (a full build forgets them)."""
        assert self.site is not None
        dest = f"{lang}/courses/{course.id}"
        with self.lock:
            if dest not in self.live:
                project = course_project(self.site, course, lang, self.media)
                self.live[dest] = LiveProject(project, self.out / ".preview", self.out / "site")
            return self.live[dest]

    def warm_up(self) -> None:
        """Load every course project ahead of the first edit (in a background thread)."""
        site = self.site
        for course in site.courses if site else []:
            for lang in course.languages:
                with self.lock:
                    if self.site is not site:
                        return  # a newer build came in
                    self.live_project(course, lang)


def _place_in(course: Course, path: Path) -> Place | None:
    for module, lesson in course.lessons():
        for variant in lesson.variants.values():
            if variant.path == path:
                return Place(course, module, lesson, variant)
    return None


def _needs_the_build(variant: LessonVariant) -> bool:
    """Quizzes (the service bundle), media (renditions) and due dates (calendars) are the build's."""
    meta = variant.meta
    return bool(meta.quizzes or meta.video or meta.audio or meta.due or meta.interactive)


def check_lesson_variant(site: Site, course: Course, variant: LessonVariant, problems: Problems) -> None:
    """`oqu check`'s checks of one lesson file (the cross-file ones stay with the full check)."""
    check_outcomes(variant, [outcome.id for outcome in course.config.outcomes], problems)
    check_lesson_links(site.content_dir, variant, problems)
    check_lesson_media(variant, problems)
    check_variant_media(site, variant, problems, set())
    for formula in find_formulas(variant.body, variant.body_line):
        try:
            to_mathml(formula.latex, formula.display)
        except FormulaError as exc:
            problems.error(variant.path, formula.line, str(exc))
