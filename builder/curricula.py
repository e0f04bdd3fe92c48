"""Curricula (R5, R5.3): `content/curricula/*.yml`, one study group each, checked against the
courses (ids, modules, hours) and against the site's policy on the share of contact hours."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from builder.model import Course, Curriculum, Site
from builder.problems import Problems, did_you_mean
from builder.schema import CurriculumConfig, CurriculumCourse
from builder.validation import validate_document
from builder.yamlsource import YamlDocument, YamlSyntaxError, parse_yaml

CURRICULA = "curricula"  # under content/


def load_curricula(content_dir: Path, problems: Problems) -> list[Curriculum]:
    found = []
    for path in sorted((content_dir / CURRICULA).glob("*.yml")):
        doc = _read(path, problems)
        config = validate_document(doc, CurriculumConfig, path, problems) if doc else None
        if doc is not None and config is not None:
            found.append(Curriculum(path, config, doc))
    return found


def _read(path: Path, problems: Problems) -> YamlDocument | None:
    try:
        return parse_yaml(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        problems.error(path, 1, "file is not UTF-8 text")
    except YamlSyntaxError as exc:
        problems.error(path, exc.line, str(exc))
    return None


def hours_of(entry: CurriculumCourse, course: Course | None) -> tuple[int, int]:
    """Contact and distance hours: the curriculum's own, else the course.yml's."""
    contact = entry.contact if entry.contact is not None else (course.config.hours.contact if course else 0)
    distance = (
        entry.distance if entry.distance is not None else (course.config.hours.distance if course else 0)
    )
    return contact, distance


def check_curricula(site: Site, problems: Problems) -> None:
    courses = {course.id: course for course in site.courses}
    groups: dict[str, Path] = {}
    for curriculum in site.curricula:
        config, line_of = curriculum.config, curriculum.source.line_of
        key = config.group.casefold()
        if key in groups:
            other = problems.relative(groups[key])
            problems.error(
                curriculum.path,
                line_of(("group",)),
                f"group '{config.group}' has a curriculum in {other} too",
            )
        groups.setdefault(key, curriculum.path)
        for t_index, term in enumerate(config.terms):
            for c_index, entry in enumerate(term.courses):
                where = ("terms", t_index, "courses", c_index)
                _check_entry(curriculum, entry, courses, where, term.starts, term.ends, problems)
        _check_ratio(site, curriculum, courses, problems)


def _check_entry(
    curriculum: Curriculum,
    entry: CurriculumCourse,
    courses: dict[str, Course],
    where: tuple[str | int, ...],
    starts: dt.date,
    ends: dt.date,
    problems: Problems,
) -> None:
    line_of = curriculum.source.line_of
    course = courses.get(entry.course)
    if course is None:
        problems.error(
            curriculum.path,
            line_of((*where, "course")),
            f"unknown course '{entry.course}'{did_you_mean(entry.course, courses)}",
        )
        return
    modules = [module.id for module in course.modules]
    for d_index, deadline in enumerate(entry.deadlines):
        at = line_of((*where, "deadlines", d_index, "module"))
        if deadline.module not in modules:
            problems.error(
                curriculum.path,
                at,
                f"course '{course.id}' has no module '{deadline.module}'{did_you_mean(deadline.module, modules)}",
            )
        if not (starts <= deadline.due <= ends):
            problems.warn(
                curriculum.path, at, f"deadline {deadline.due} of '{deadline.module}' is outside its term"
            )


def contact_share(site: Site, curriculum: Curriculum) -> tuple[int, int]:
    """The group's contact and total hours over every term."""
    courses = {course.id: course for course in site.courses}
    contact = total = 0
    for term in curriculum.config.terms:
        for entry in term.courses:
            hours = hours_of(entry, courses.get(entry.course))
            contact, total = contact + hours[0], total + sum(hours)
    return contact, total


def _check_ratio(site: Site, curriculum: Curriculum, courses: dict[str, Course], problems: Problems) -> None:
    policy = site.config.curriculum
    contact, total = contact_share(site, curriculum)
    if total == 0:
        return
    percent = round(100 * contact / total)
    if policy.min_contact_percent <= percent <= policy.max_contact_percent:
        return
    report = problems.error if policy.out_of_range == "error" else problems.warn
    report(
        curriculum.path,
        curriculum.source.line_of(("group",)),
        f"group '{curriculum.config.group}': {contact} of {total} hours with direct teacher contact "
        f"({percent} %), the policy is {policy.min_contact_percent}–{policy.max_contact_percent} % (R5.3)",
    )
