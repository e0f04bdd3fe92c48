"""Assignments and the gradebook in the builder: cross-checks, the public section of a page,
and the private part the service reads (`build/service/assignments/<course>.json`).

The static page shows what a student must know before handing in (instructions, dates, how
work is graded); nothing of any submission or grade is ever written into the site.
"""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo
from pathlib import Path
from typing import Any

from builder.i18n import format_datetime, t, utc_offset, zone_name
from builder.model import Assignment, Course, Site
from builder.pages import esc, front_matter, hesc, tr
from builder.problems import Problems, did_you_mean
from builder.schema import AssignmentConfig, GradingScale, Text

LOCAL_ZONE = zoneinfo.ZoneInfo("Asia/Almaty")  # a date without a zone is the institution's time
SERVICE_FOLDER = "assignments"


def aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=LOCAL_ZONE)


def shown_time(moment: dt.datetime, lang: str) -> str:
    """A due date as the student reads it: Almaty time, the zone named."""
    local = aware(moment).astimezone(LOCAL_ZONE)
    return f"{format_datetime(local, lang)} ({zone_name(LOCAL_ZONE, lang)}, {utc_offset(LOCAL_ZONE, local)})"


# -- checks ---------------------------------------------------------------------------------


def check_gradebooks(site: Site, problems: Problems) -> None:
    """gradebook.yml names quizzes and assignments the course has, each once; attendance only
    where the course has live classes."""
    for course in site.courses:
        if course.gradebook is None or course.gradebook_source is None:
            continue
        quizzes = sorted({quiz.id for quiz in site.quizzes if quiz.course == course.id})
        assignments = sorted(a.id for a in course.assignments)
        path, doc = course.path / "gradebook.yml", course.gradebook_source
        seen: set[str] = set()
        for c_index, category in enumerate(course.gradebook.categories):
            for i_index, item in enumerate(category.items):
                where = ("categories", c_index, "items", i_index)
                if item.key in seen:
                    problems.error(path, doc.line_of(where), f"'{item.key}' is in the gradebook twice")
                seen.add(item.key)
                if item.quiz is not None and item.quiz not in quizzes:
                    hint = did_you_mean(item.quiz, quizzes)
                    problems.error(path, doc.line_of((*where, "quiz")), f"unknown quiz '{item.quiz}'{hint}")
                if item.assignment is not None and item.assignment not in assignments:
                    hint = did_you_mean(item.assignment, assignments)
                    problems.error(
                        path,
                        doc.line_of((*where, "assignment")),
                        f"unknown assignment '{item.assignment}'{hint}",
                    )
                if item.attendance and not (course.schedule and course.schedule.classes):
                    problems.error(
                        path,
                        doc.line_of((*where, "attendance")),
                        "'attendance: true' needs live classes in the course's schedule.yml",
                    )


# -- the static pages -------------------------------------------------------------------------


def service_link(site: Site, course: Course, assignment: Assignment, lang: str) -> str:
    root = site.config.service_url.rstrip("/")
    return f"{root}/assignments/{course.id}/{assignment.id}?lang={lang}"


def assignment_section(site: Site, course: Course, assignment: Assignment, lang: str, level: int = 2) -> str:
    """Markdown of one assignment: title, dates, how to hand in, how it is graded, instructions."""
    config, fallback = assignment.config, course.languages[0]
    facts = [(t("assignment.due", lang), shown_time(config.due, lang))]
    if config.cut_off is not None:
        facts.append((t("assignment.cut_off", lang), shown_time(config.cut_off, lang)))
    facts.append((t("assignment.late", lang), _late_words(config, lang)))
    facts.append((t("assignment.handed_in", lang), _kinds(config, lang)))
    if config.group:
        facts[-1] = (facts[-1][0], f"{facts[-1][1]}; {t('assignment.group', lang)}")
    facts.append((t("assignment.max_points", lang), f"{config.grading.max_points:g}"))
    rows = "".join(f"<dt>{hesc(k)}</dt><dd>{hesc(v)}</dd>" for k, v in facts)
    parts = [
        f"{'#' * level} {t('assignment', lang)}: {esc(tr(config.title, lang, fallback))}"
        f" {{ #assignment-{assignment.id} }}",
        "",
        f'<dl class="oqu-assignment-facts" data-assignment="{hesc(assignment.id)}">{rows}</dl>',
        "",
        tr(config.instructions, lang, fallback),  # the teacher's Markdown, rendered by MkDocs
        "",
    ]
    parts += _rubric(config, lang, fallback)
    link = service_link(site, course, assignment, lang)
    parts += [f"[{t('assignment.open', lang)}]({link}){{ .md-button .md-button--primary }}", ""]
    return "\n".join(parts)


def _late_words(config: AssignmentConfig, lang: str) -> str:
    if config.late == "penalty_per_day":
        return t("assignment.late.penalty_per_day", lang, percent=f"{config.penalty_per_day:g}")
    return t("assignment.late." + config.late, lang)


def _kinds(config: AssignmentConfig, lang: str) -> str:
    kinds = [t("assignment.online_text", lang)] if config.online_text else []
    if config.files is not None:
        files = config.files
        kinds.append(
            t(
                "assignment.files",
                lang,
                count=files.max_files,
                types=", ".join(kind.upper() for kind in files.types),
                size=f"{files.max_size_mb:g}",
            )
        )
    return "; ".join(kinds)


def _rubric(config: AssignmentConfig, lang: str, fallback: str) -> list[str]:
    if not config.grading.rubric:
        return []
    lines = [
        f"**{t('assignment.rubric', lang)}**",
        "",
        f"| {t('assignment.criterion', lang)} | |",
        "|---|---|",
    ]
    for criterion in config.grading.rubric:
        levels = "<br>".join(
            f"{level.points:g} — {esc(tr(level.text, lang, fallback))}" for level in criterion.levels
        )
        lines.append(f"| {esc(tr(criterion.title, lang, fallback))} | {levels} |")
    return [*lines, ""]


def assignments_list(course: Course, lang: str) -> str:
    """The course page's list: each assignment with its due date, linking the assignments page."""
    if not course.assignments:
        return ""
    fallback = course.languages[0]
    lines = [f"## {t('assignments', lang)}", ""]
    for assignment in sorted(course.assignments, key=lambda a: (aware(a.config.due), a.id)):
        title = esc(tr(assignment.config.title, lang, fallback))
        due = shown_time(assignment.config.due, lang)
        lines.append(
            f"- [{title}](assignments.md#assignment-{assignment.id}) — {t('assignment.due', lang)}: {due}"
        )
    return "\n".join(["", *lines, ""])


def assignments_page(site: Site, course: Course, lang: str) -> str:
    title = t("assignments", lang)
    parts = [front_matter(title), f"# {title}", ""]
    for assignment in sorted(course.assignments, key=lambda a: (aware(a.config.due), a.id)):
        parts.append(assignment_section(site, course, assignment, lang))
    return "\n".join(parts)


# -- the service's private part ---------------------------------------------------------------


def text_dict(text: Text | None, languages: list[str]) -> dict[str, str]:
    return {lang: text.get(lang, languages[0]) for lang in languages} if text else {}


def assignment_manifest(assignment: Assignment, languages: list[str]) -> dict[str, Any]:
    config = assignment.config
    return {
        "id": assignment.id,
        "title": text_dict(config.title, languages),
        "instructions": text_dict(config.instructions, languages),
        "lesson": config.lesson,
        "due": aware(config.due).isoformat(),
        "cut_off": aware(config.cut_off).isoformat() if config.cut_off else None,
        "late": config.late,
        "penalty_per_day": config.penalty_per_day,
        "resubmit": config.resubmit,
        "online_text": config.online_text,
        "files": config.files.model_dump() if config.files else None,
        "max_points": config.grading.max_points,
        "rubric": [
            {
                "id": criterion.id,
                "title": text_dict(criterion.title, languages),
                "levels": [
                    {"points": level.points, "text": text_dict(level.text, languages)}
                    for level in criterion.levels
                ],
            }
            for criterion in config.grading.rubric
        ],
        "outcomes": list(config.outcomes),
        "remind_before_hours": config.remind_before_hours,
        "group": config.group,
    }


def scale_manifest(scale: GradingScale, languages: list[str]) -> list[dict[str, Any]]:
    return [
        {
            "letter": band.letter,
            "min": band.min,
            "gpa": band.gpa,
            "word": text_dict(band.word, languages),
            "passed": band.passed,
        }
        for band in scale.bands
    ]


def course_assessment(site: Site, course: Course) -> dict[str, Any]:
    langs = course.languages
    gradebook = course.gradebook
    return {
        "course": course.id,
        "assignments": [assignment_manifest(a, langs) for a in course.assignments],
        "gradebook": gradebook.model_dump(mode="json", exclude_none=True) if gradebook else None,
        "scale": scale_manifest(site.config.grading_scale, site.languages),
    }


def write_assessment(site: Site, service_dir: Path) -> None:
    """One file per course that has assignments or a gradebook."""
    for course in site.courses:
        if not course.assignments and course.gradebook is None:
            continue
        path = service_dir / SERVICE_FOLDER / f"{course.id}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        body = json.dumps(course_assessment(site, course), ensure_ascii=False, indent=1)
        path.write_text(body, encoding="utf-8")
