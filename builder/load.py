"""Gather and validate: read `site_config.yml` and `content/` into the model, collecting problems."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import unquote

from pydantic import BaseModel

from builder.curricula import check_curricula, load_curricula
from builder.links import iter_links
from builder.model import STAFF_TRAINING, Assignment, Course, Lesson, LessonVariant, Module, Site
from builder.problems import Problems, did_you_mean
from builder.schedules import attach_recordings, recording_problem
from builder.schema import (
    AssignmentConfig,
    ConsultationsConfig,
    CourseConfig,
    GradebookConfig,
    LessonMeta,
    ModuleConfig,
    ScheduleConfig,
    SiteConfig,
    Teacher,
    Text,
)
from builder.validation import validate_document
from builder.yamlsource import Loc, YamlDocument, YamlSyntaxError, parse_yaml, split_front_matter

if TYPE_CHECKING:
    from builder.lesson_cache import LessonCache

M = TypeVar("M", bound=BaseModel)

MODULE_DIR_RE = re.compile(r"^(\d+)-([a-z0-9][a-z0-9-]*)$")
LESSON_FILE_RE = re.compile(r"^(\d+)-([a-z0-9][a-z0-9-]*)(?:\.([a-z]{2}))?\.md$")
COURSE_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
COURSE_EXTRA_DIRS = {"media", "quizzes", "assignments"}
COURSE_FILES = {"course.yml", "schedule.yml", "gradebook.yml", "consultations.yml"}
ASSIGNMENT_FILE_RE = re.compile(r"^([a-z0-9][a-z0-9-]*)\.yml$")


def load_site(root: Path, cache: LessonCache | None = None) -> tuple[Site | None, Problems]:
    """Read the whole site; returns the model (None if unusable) and every problem found.
    `cache`: lesson files parsed by an earlier run, reused while their bytes are the same."""
    problems = Problems(root)
    config_path = root / "site_config.yml"
    doc = read_yaml(config_path, problems)
    config = validate_document(doc, SiteConfig, config_path, problems) if doc else None
    courses = [
        course
        for course_dir in _course_dirs(root / "content" / "courses", problems)
        if (course := load_course(course_dir, problems, cache)) is not None
    ]
    staff, staff_doc = load_schedule(root / "content" / STAFF_TRAINING, problems)
    curricula = load_curricula(root / "content", problems)
    if config is None:
        return None, problems
    site = Site(
        root=root,
        config=config,
        courses=courses,
        source=doc,
        staff_training=staff,
        staff_training_source=staff_doc,
        curricula=curricula,
    )
    check_site(site, problems)
    return site, problems


def read_yaml(path: Path, problems: Problems) -> YamlDocument | None:
    if not path.is_file():
        problems.error(path, 1, "file is missing")
        return None
    return parse_yaml_file(path, path.read_bytes(), problems)


def parse_yaml_file(path: Path, data: bytes, problems: Problems) -> YamlDocument | None:
    """A YAML file's document from its bytes (read as `read_text` would), or its problem."""
    try:
        return parse_yaml(lesson_text(data))
    except UnicodeDecodeError:
        problems.error(path, 1, "file is not UTF-8 text")
    except YamlSyntaxError as exc:
        problems.error(path, exc.line, str(exc))
    return None


def read_config(
    path: Path, model: type[M], problems: Problems, cache: LessonCache | None = None
) -> tuple[YamlDocument | None, M | None]:
    """`path` read and validated against `model`: from `cache` while the file's bytes are the same."""
    if cache is not None and path.is_file():
        return cache.config(path, model, problems)
    doc = read_yaml(path, problems)
    return doc, (validate_document(doc, model, path, problems) if doc else None)


def _course_dirs(courses_dir: Path, problems: Problems) -> list[Path]:
    if not courses_dir.is_dir():
        problems.error(courses_dir, 1, "folder is missing: courses live in content/courses/<id>/")
        return []
    dirs = []
    for path in sorted(courses_dir.iterdir()):
        if not path.is_dir() or path.name.startswith("."):
            continue
        if not COURSE_ID_RE.match(path.name):
            problems.error(path, 1, f"course folder '{path.name}' must be a slug (a-z, 0-9, '-')")
            continue
        dirs.append(path)
    return dirs


def load_course(course_dir: Path, problems: Problems, cache: LessonCache | None = None) -> Course | None:
    config_path = course_dir / "course.yml"
    doc, config = read_config(config_path, CourseConfig, problems, cache)
    modules = [
        module
        for module_dir in _module_dirs(course_dir, problems)
        if (module := load_module(module_dir, config, problems, cache))
    ]
    schedule, schedule_doc = load_schedule(course_dir / "schedule.yml", problems)
    assignments = load_assignments(course_dir / "assignments", problems)
    gradebook, gradebook_doc = load_gradebook(course_dir / "gradebook.yml", problems)
    consultations, consultations_doc = load_consultations(course_dir / "consultations.yml", problems)
    if config is None:
        content_dir = course_dir.parent.parent
        for module in modules:
            for lesson in module.lessons:
                for variant in lesson.variants.values():
                    check_lesson_links(content_dir, variant, problems)
                    check_lesson_media(variant, problems)
        return None
    course = Course(
        id=course_dir.name,
        path=course_dir,
        config=config,
        modules=modules,
        schedule=schedule,
        source=doc,
        schedule_source=schedule_doc,
        assignments=assignments,
        gradebook=gradebook,
        gradebook_source=gradebook_doc,
        consultations=consultations,
        consultations_source=consultations_doc,
    )
    attach_recordings(course)  # past sessions' recordings as their lessons' videos
    return course


def _module_dirs(course_dir: Path, problems: Problems) -> list[Path]:
    dirs = []
    for path in sorted(course_dir.iterdir()):
        if path.name.startswith(".") or path.name in COURSE_FILES:
            continue
        if path.is_dir() and MODULE_DIR_RE.match(path.name):
            dirs.append(path)
        elif path.is_dir() and path.name not in COURSE_EXTRA_DIRS:
            problems.error(path, 1, f"folder '{path.name}' is not a module: name it NN-slug (e.g. 01-basics)")
        elif path.is_file():
            problems.warn(
                path, 1, "file is not part of the course (expected course.yml, schedule.yml, NN-module/)"
            )
    return dirs


def load_module(
    module_dir: Path, course: CourseConfig | None, problems: Problems, cache: LessonCache | None = None
) -> Module:
    match = MODULE_DIR_RE.match(module_dir.name)
    assert match is not None
    config_path = module_dir / "module.yml"
    doc, config = read_config(config_path, ModuleConfig, problems, cache)
    lessons = load_lessons(module_dir, course, problems, cache)
    if config is None:  # keep the lessons so that their own problems are reported too
        config = ModuleConfig.model_construct(title=Text(values=(("", module_dir.name),)), summary=None)
    return Module(
        id=match.group(2),
        order=int(match.group(1)),
        path=module_dir,
        config=config,
        lessons=lessons,
        source=doc,
    )


def load_lessons(
    module_dir: Path, course: CourseConfig | None, problems: Problems, cache: LessonCache | None = None
) -> list[Lesson]:
    default_lang = course.languages[0] if course else "kk"
    lessons: dict[str, Lesson] = {}
    # the names pathlib's glob("*.md") gives, sorted, without its per-name Path work
    for path in [module_dir / name for name in sorted(os.listdir(module_dir)) if name.endswith(".md")]:
        match = LESSON_FILE_RE.match(path.name)
        if not match:
            problems.error(path, 1, "lesson file name must look like NN-slug.kk.md or NN-slug.md")
            continue
        lang = match.group(3) or default_lang
        variant = cache.variant(path, lang, problems) if cache else load_lesson_variant(path, lang, problems)
        if variant is None:
            continue
        if course and variant.lang not in course.languages:
            problems.error(
                path,
                1,
                f"lesson language '{variant.lang}' is not one of the course's languages "
                f"({', '.join(course.languages)})",
            )
            continue
        lesson_id = variant.meta.id or match.group(2)
        lesson = lessons.setdefault(
            lesson_id, Lesson(id=lesson_id, order=int(match.group(1)), slug=match.group(2))
        )
        if variant.lang in lesson.variants:
            other = problems.relative(lesson.variants[variant.lang].path)
            problems.error(
                path,
                variant.meta_lines.get("id", 1),
                f"duplicate lesson '{lesson_id}' in '{variant.lang}' (also {other})",
            )
            continue
        lesson.variants[variant.lang] = variant
    return sorted(lessons.values(), key=lambda lesson: (lesson.order, lesson.id))


def load_lesson_variant(path: Path, lang: str, problems: Problems) -> LessonVariant | None:
    return parse_lesson_variant(path, path.read_bytes(), lang, problems)


def parse_lesson_variant(path: Path, data: bytes, lang: str, problems: Problems) -> LessonVariant | None:
    """One lesson file's front matter and body from its bytes (read as `read_text` would:
    UTF-8, universal newlines)."""
    try:
        text = lesson_text(data)
    except UnicodeDecodeError:
        problems.error(path, 1, "file is not UTF-8 text")
        return None
    parts = split_front_matter(text)
    if parts is None:
        problems.error(path, 1, "lesson has no front matter (a YAML block between '---' lines at the top)")
        return None
    front, body, body_line = parts
    try:
        doc = parse_yaml(front, first_line=2)
    except YamlSyntaxError as exc:
        problems.error(path, exc.line, str(exc))
        return None
    meta = validate_document(doc, LessonMeta, path, problems)
    if meta is None:
        return None
    lines = {str(loc[0]): line for loc, line in doc.lines.items() if len(loc) == 1}
    return LessonVariant(lang=lang, path=path, meta=meta, body=body, body_line=body_line, meta_lines=lines)


def lesson_text(data: bytes) -> str:
    """A lesson file's text as `Path.read_text` reads it: UTF-8, universal newlines."""
    return data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")


def load_schedule(path: Path, problems: Problems) -> tuple[ScheduleConfig | None, YamlDocument | None]:
    if not path.exists():
        return None, None
    doc = read_yaml(path, problems)
    return (validate_document(doc, ScheduleConfig, path, problems) if doc else None), doc


def load_assignments(folder: Path, problems: Problems) -> list[Assignment]:
    """`assignments/<id>.yml`, each validated at its lines; a file with errors is left out."""
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith("."):
            continue
        match = ASSIGNMENT_FILE_RE.match(path.name)
        if not match or not path.is_file():
            problems.error(path, 1, "not an assignment file: name it <assignment-id>.yml (a-z, 0-9, '-')")
            continue
        doc = read_yaml(path, problems)
        config = validate_document(doc, AssignmentConfig, path, problems) if doc else None
        if doc is not None and config is not None:
            found.append(Assignment(id=match.group(1), path=path, config=config, source=doc))
    return found


def load_gradebook(path: Path, problems: Problems) -> tuple[GradebookConfig | None, YamlDocument | None]:
    if not path.exists():
        return None, None
    doc = read_yaml(path, problems)
    return (validate_document(doc, GradebookConfig, path, problems) if doc else None), doc


def load_consultations(
    path: Path, problems: Problems
) -> tuple[ConsultationsConfig | None, YamlDocument | None]:
    if not path.exists():
        return None, None
    doc = read_yaml(path, problems)
    return (validate_document(doc, ConsultationsConfig, path, problems) if doc else None), doc


# -- cross-file checks ---------------------------------------------------------------------


def check_site(site: Site, problems: Problems) -> None:
    if site.source is not None:
        check_texts(site.config, site.source, site.root / "site_config.yml", site.default_language, problems)
    for course in site.courses:
        check_course(site, course, problems)
    check_staff_training(site, problems)
    check_curricula(site, problems)


def check_course(site: Site, course: Course, problems: Problems) -> None:
    course_yml = course.path / "course.yml"
    doc = course.source
    if doc is not None:
        check_texts(course.config, doc, course_yml, course.languages[0], problems)
        for index, lang in enumerate(course.languages):
            if lang not in site.languages:
                problems.error(
                    course_yml,
                    doc.line_of(("languages", index)),
                    f"course language '{lang}' is not a site language ({', '.join(site.languages)})",
                )
    for module in course.modules:
        if module.source is not None:
            check_texts(
                module.config, module.source, module.path / "module.yml", course.languages[0], problems
            )
    check_lessons(site, course, problems)
    check_course_format(course, problems)
    check_schedule(course, problems)
    check_consultations(course, problems)
    check_assignments(course, problems)


def check_course_format(course: Course, problems: Problems) -> None:
    """The regulation's course formats: a MOOC is open (R2.9); asynchronous delivery is for MOOC
    disciplines and students with a health accommodation (R9)."""
    doc = course.source
    if doc is None:
        return
    path = course.path / "course.yml"
    config = course.config
    if config.format == "mooc" and config.access == "enrolled":
        problems.error(
            path,
            doc.line_of(("access",)),
            "a MOOC is open by definition (R2.9): 'format: mooc' needs 'access: open'",
        )
    if config.format == "asynchronous" and config.access == "enrolled":
        problems.warn(
            path,
            doc.line_of(("format",)),
            "asynchronous delivery is for MOOC disciplines and students with a health accommodation "
            "(R9): an enrolled course runs synchronous classes (webinars, video conferences)",
        )


def check_texts(model: BaseModel, doc: YamlDocument, path: Path, lang: str, problems: Problems) -> None:
    """Every translatable text needs the default language (a plain string counts for all)."""
    for loc, text in _texts(model, ()):
        if not text.has(lang):
            key = next(part for part in reversed(loc) if isinstance(part, str))
            problems.error(path, doc.line_of(loc), f"'{key}' has no text in '{lang}', the first language")


def _texts(value: Any, loc: Loc) -> list[tuple[Loc, Text]]:
    if isinstance(value, Text):
        return [(loc, value)]
    if isinstance(value, BaseModel):
        found = []
        for name in type(value).model_fields:
            found += _texts(getattr(value, name), (*loc, name))
        return found
    if isinstance(value, list):
        return [item for index, element in enumerate(value) for item in _texts(element, (*loc, index))]
    return []


def check_lessons(site: Site, course: Course, problems: Problems) -> None:
    outcome_ids = [outcome.id for outcome in course.config.outcomes]
    content_dir = site.content_dir
    seen: dict[str, Path] = {}
    for _module, lesson in course.lessons():
        first = next(iter(lesson.variants.values()))
        if lesson.id in seen and seen[lesson.id].parent != first.path.parent:
            problems.error(
                first.path,
                first.meta_lines.get("id", 1),
                f"duplicate lesson id '{lesson.id}' (also {problems.relative(seen[lesson.id])})",
            )
        seen.setdefault(lesson.id, first.path)
        for variant in lesson.variants.values():
            check_outcomes(variant, outcome_ids, problems)
            check_lesson_links(content_dir, variant, problems)
            check_lesson_media(variant, problems)
        for lang in course.languages:
            if lang not in lesson.variants:
                problems.warn(
                    first.path,
                    1,
                    f"lesson '{lesson.id}' has no '{lang}' version; the '{first.lang}' text is shown with a notice",
                )


def check_outcomes(variant: LessonVariant, outcome_ids: list[str], problems: Problems) -> None:
    for outcome in variant.meta.outcomes:
        if outcome not in outcome_ids:
            problems.error(
                variant.path,
                variant.meta_lines.get("outcomes", 1),
                f"unknown outcome '{outcome}'{did_you_mean(outcome, outcome_ids)} "
                f"(course outcomes: {', '.join(outcome_ids)})",
            )


def check_lesson_media(variant: LessonVariant, problems: Problems) -> None:
    for key in ("video", "audio"):
        target = getattr(variant.meta, key)
        if target and not (variant.path.parent / target).is_file():
            problems.error(variant.path, variant.meta_lines.get(key, 1), f"missing {key} file '{target}'")


def check_lesson_links(content_dir: Path, variant: LessonVariant, problems: Problems) -> None:
    for link in iter_links(variant.body, variant.body_line):
        if link.is_external:
            if link.is_image and not link.alt:
                problems.error(variant.path, link.line, f"image '{link.target}' has no alt text")
            continue
        target, _ = link.path_and_anchor
        found = target_exists(content_dir, variant.path, target)
        if link.is_image and not found:
            problems.error(variant.path, link.line, f"missing image '{target}'")
        elif not found:
            problems.error(variant.path, link.line, f"broken link '{target}': no such file or lesson")
        if link.is_image and not link.alt:
            problems.error(variant.path, link.line, f"image '{target}' has no alt text")


# Within `content_unchanged()`: each link's answer and each folder's listing, asked once.
# (an answer kept by an earlier run is its path's text until asked: builder/lesson_cache.py)
_RESOLVED: ContextVar[dict[tuple[str, str, str], Path | str | None] | None] = ContextVar(
    "resolved", default=None
)
_LISTINGS: ContextVar[dict[str, list[str] | None] | None] = ContextVar("listings", default=None)


@contextmanager
def content_unchanged() -> Iterator[None]:
    """While content/ does not change (one check or build: it reads the tree as it stands),
    `resolve_target` answers each (folder, link) once and lists each folder once: a build
    resolves every lesson link three or four times (the check, media, images, rewriting),
    ~3,600 file tests and folder listings at 1,000 lessons. Nested scopes share the outer one."""
    if _RESOLVED.get() is not None:
        yield
        return
    resolved, listings = _RESOLVED.set({}), _LISTINGS.set({})
    try:
        yield
    finally:
        _RESOLVED.reset(resolved)
        _LISTINGS.reset(listings)


def resolved_links() -> dict[tuple[str, str, str], Path | str | None] | None:
    """The answers of `resolve_target` in this `content_unchanged()` scope (None outside one):
    builder/lesson_cache.py keeps them for the next run while content/ has the same tree."""
    return _RESOLVED.get()


def tree_signature(content_dir: Path) -> str | None:
    """A hash of every folder's and file's name under `content_dir` (what `resolve_target`'s
    answers depend on); None when the tree holds a symbolic link (the answers then depend on
    where it points) or cannot be read."""
    digest = hashlib.blake2b(digest_size=20)
    folders = [os.path.abspath(content_dir)]
    while folders:
        folder = folders.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
        except OSError:
            return None
        digest.update(folder.encode(errors="surrogateescape") + b"\0")
        for entry in entries:
            if entry.is_symlink():
                return None
            kind = "d" if entry.is_dir() else "f" if entry.is_file() else "o"
            digest.update(f"{kind}{entry.name}\0".encode(errors="surrogateescape"))
            if kind == "d":
                folders.append(entry.path)
    return digest.hexdigest()


def resolve_target(content_dir: Path, source: Path, target: str) -> Path | None:
    """The file a relative link points at, inside content/; a lesson link may omit the language."""
    memo = _RESOLVED.get()
    if memo is None:
        return _resolve_target(content_dir, source, target)
    key = (str(content_dir), os.path.dirname(source), target)  # no Path made: ~3,600 a build
    if key not in memo:
        memo[key] = _resolve_target(content_dir, source, target)
    found = memo[key]
    if isinstance(found, str):  # an answer kept by the last run, made a Path when first asked
        found = memo[key] = Path(found)
    return found


def resolved_text(content_dir: Path, source: Path, target: str) -> str | None:
    """`resolve_target`'s answer as text (without making a Path of a kept answer)."""
    memo = _RESOLVED.get()
    found = (
        memo.get((str(content_dir), os.path.dirname(source), target), False) if memo is not None else False
    )
    if found is False:
        found = resolve_target(content_dir, source, target)
    return None if found is None else str(found)


def target_exists(content_dir: Path, source: Path, target: str) -> bool:
    """Whether `resolve_target` finds a file (without making its Path: the check asks this of
    every link)."""
    memo = _RESOLVED.get()
    key = (str(content_dir), os.path.dirname(source), target)
    if memo is not None and memo.get(key) is not None:
        return True
    return resolve_target(content_dir, source, target) is not None


def _resolve_target(content_dir: Path, source: Path, target: str) -> Path | None:
    if not target:
        return None
    content = os.path.abspath(content_dir)
    candidate = os.path.normpath(os.path.join(os.path.abspath(source.parent), unquote(target)))
    if not candidate.startswith(content + os.sep):
        return None
    if os.path.isfile(candidate):
        return Path(candidate)
    folder, name = os.path.split(candidate)
    match = LESSON_FILE_RE.match(name)
    if match:
        stem = f"{match.group(1)}-{match.group(2)}"
        names = _listing(folder)
        if names is None:
            return None
        variants = [
            name
            for name in names
            if (name == stem + ".md" or (name.startswith(stem + ".") and name.endswith(".md")))
            and LESSON_FILE_RE.match(name)
        ]
        return Path(folder) / variants[0] if variants else None
    return None


def _listing(folder: str) -> list[str] | None:
    """The folder's names, sorted (a listing, not pathlib's glob: this runs for lesson links)."""
    listings = _LISTINGS.get()
    if listings is not None and folder in listings:
        return listings[folder]
    try:
        names: list[str] | None = sorted(os.listdir(folder))
    except OSError:
        names = None
    if listings is not None:
        listings[folder] = names
    return names


def check_schedule(course: Course, problems: Problems) -> None:
    schedule, doc = course.schedule, course.schedule_source
    if schedule is None or doc is None:
        return
    path = course.path / "schedule.yml"
    if schedule.teachers:
        problems.error(
            path, doc.line_of(("teachers",)), "a course's teachers are in course.yml, not in its schedule"
        )
    emails = [teacher.email for teacher in course.config.teachers if teacher.email]
    lesson_ids = [lesson.id for _, lesson in course.lessons()]
    check_schedule_classes(schedule, doc, path, course.languages[0], problems, lesson_ids=lesson_ids)
    check_schedule_teachers(schedule, doc, path, course.teacher, emails, problems)
    for index, item in enumerate(schedule.classes):
        if found := recording_problem(course, item):
            error, message = found
            line = doc.line_of(("classes", index, "recording"))
            (problems.error if error else problems.warn)(path, line, message)


def check_staff_training(site: Site, problems: Problems) -> None:
    """content/staff-training/schedule.yml: training of teachers and staff, approved by the deputy
    head for academic work (R7.1); its leaders are named in its own `teachers`."""
    schedule, doc = site.staff_training, site.staff_training_source
    if schedule is None or doc is None:
        return
    path = site.staff_training_path
    if schedule.approved_on is None:
        problems.error(path, 1, "staff training needs its approval: 'approved_by' and 'approved_on' (R7.1)")
    if schedule.title is None:
        problems.error(path, 1, "staff training needs a 'title'")
    emails = [teacher.email for teacher in schedule.teachers if teacher.email]
    check_schedule_classes(schedule, doc, path, site.default_language, problems, lesson_ids=None)
    check_schedule_teachers(schedule, doc, path, site.staff_teacher, emails, problems)


def check_schedule_classes(
    schedule: ScheduleConfig,
    doc: YamlDocument,
    path: Path,
    lang: str,
    problems: Problems,
    lesson_ids: list[str] | None,
) -> None:
    """Ids unique, lessons known (a course's schedule), a place or a meeting link for each class."""
    check_texts(schedule, doc, path, lang, problems)
    line_of = doc.line_of
    seen: set[str] = set()
    for index, item in enumerate(schedule.classes):
        if item.id in seen:
            problems.error(path, line_of(("classes", index, "id")), f"duplicate class id '{item.id}'")
        seen.add(item.id)
        if item.lesson and lesson_ids is None:
            problems.error(path, line_of(("classes", index, "lesson")), "staff training has no lessons")
        if item.recording and lesson_ids is None:
            problems.error(
                path,
                line_of(("classes", index, "recording")),
                "staff training has no lessons to show a recording in",
            )
        elif item.lesson and lesson_ids is not None and item.lesson not in lesson_ids:
            problems.error(
                path,
                line_of(("classes", index, "lesson")),
                f"unknown lesson '{item.lesson}'{did_you_mean(item.lesson, lesson_ids)}",
            )
        if item.place is None and item.join_url is None:
            problems.warn(
                path,
                line_of(("classes", index, "id")),
                f"class '{item.id}' has neither a 'place' (room) nor a 'join_url' (meeting link)",
            )


def check_schedule_teachers(
    schedule: ScheduleConfig,
    doc: YamlDocument,
    path: Path,
    find: Callable[[str], Teacher | None],
    emails: list[str],
    problems: Problems,
) -> None:
    for index, item in enumerate(schedule.classes):
        if item.teacher is not None and find(item.teacher) is None:
            where = (
                "course.yml"
                if path.name == "schedule.yml" and path.parent.name != "staff-training"
                else ("the schedule's 'teachers'")
            )
            problems.error(
                path,
                doc.line_of(("classes", index, "teacher")),
                f"unknown teacher '{item.teacher}': name a teacher by the e-mail {where} gives"
                f"{did_you_mean(item.teacher, emails) or ' (' + ', '.join(emails) + ')' if emails else ''}",
            )


def check_consultations(course: Course, problems: Problems) -> None:
    """Each slot's teacher is one of course.yml's (by e-mail); a teacher's slots do not overlap."""
    config, doc = course.consultations, course.consultations_source
    if config is None or doc is None:
        return
    path = course.path / "consultations.yml"
    emails = [teacher.email for teacher in course.config.teachers if teacher.email]
    taken: dict[str, list[tuple[dt.datetime, dt.datetime, int]]] = {}
    named: set[str] = set()
    for index, slot in enumerate(config.slots):
        if slot.id is not None:
            if slot.id in named:
                problems.error(
                    path, doc.line_of(("slots", index, "id")), f"a second slot with the id '{slot.id}'"
                )
            named.add(slot.id)
        if course.teacher(slot.teacher) is None:
            problems.error(
                path,
                doc.line_of(("slots", index, "teacher")),
                f"unknown teacher '{slot.teacher}': name a teacher by the e-mail course.yml gives"
                f"{did_you_mean(slot.teacher, emails) or ' (' + ', '.join(emails) + ')' if emails else ''}",
            )
            continue
        start = slot.start if slot.start.tzinfo else slot.start.replace(tzinfo=config.zone)
        mine = taken.setdefault(slot.teacher.strip().lower(), [])
        for week in range(slot.weeks):
            begin = start + dt.timedelta(weeks=week)
            end = begin + dt.timedelta(minutes=slot.minutes)
            clash = next((other for other in mine if other[0] < end and begin < other[1]), None)
            if clash is not None:
                problems.error(
                    path,
                    doc.line_of(("slots", index, "start")),
                    f"overlaps slot {clash[2] + 1} of the same teacher ({begin:%Y-%m-%d %H:%M})",
                )
                break
            mine.append((begin, end, index))


def check_assignments(course: Course, problems: Problems) -> None:
    """Each assignment's texts, lesson and outcomes name what the course has."""
    lesson_ids = [lesson.id for _, lesson in course.lessons()]
    outcome_ids = [outcome.id for outcome in course.config.outcomes]
    for assignment in course.assignments:
        config, doc, path = assignment.config, assignment.source, assignment.path
        check_texts(config, doc, path, course.languages[0], problems)
        if config.lesson is not None and config.lesson not in lesson_ids:
            problems.error(
                path,
                doc.line_of(("lesson",)),
                f"unknown lesson '{config.lesson}'{did_you_mean(config.lesson, lesson_ids)}",
            )
        for index, outcome in enumerate(config.outcomes):
            if outcome not in outcome_ids:
                problems.error(
                    path,
                    doc.line_of(("outcomes", index)),
                    f"unknown outcome '{outcome}'{did_you_mean(outcome, outcome_ids)} "
                    f"(course outcomes: {', '.join(outcome_ids)})",
                )
