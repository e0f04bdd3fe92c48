"""The private bundle in `build/service/`: what the service needs and the static site must not show."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from builder.assignments import write_assessment
from builder.model import Course, Site
from builder.schema import Text

BUNDLE_VERSION = 1


def text_dict(text: Text | None, languages: list[str]) -> dict[str, str]:
    return {lang: text.get(lang, languages[0]) for lang in languages} if text else {}


def course_manifest(course: Course, site_langs: list[str]) -> dict[str, Any]:
    langs = course.languages
    lessons = []
    for module, lesson in course.lessons():
        lessons.append(
            {
                "id": lesson.id,
                "module": module.id,
                "languages": sorted(lesson.variants),
                "title": {lang: lesson.variant(lang, langs).meta.title for lang in langs},
                "type": lesson.variant(langs[0], langs).meta.type,
                "duration": lesson.variant(langs[0], langs).meta.duration,
                "due": _iso(lesson.variant(langs[0], langs).meta.due),
                "move_on": lesson.variant(langs[0], langs).meta.move_on,
                "quizzes": lesson.variant(langs[0], langs).meta.quizzes,
                "video": lesson.variant(langs[0], langs).meta.video is not None,
                "outcomes": lesson.variant(langs[0], langs).meta.outcomes,
                "urls": {lang: f"{lang}/courses/{course.id}/{module.id}/{lesson.id}/" for lang in langs},
            }
        )
    return {
        "id": course.id,
        "title": text_dict(course.config.title, langs),
        "languages": langs,
        "access": course.config.access,
        "teachers": sorted({t.email.strip().lower() for t in course.config.teachers if t.email}),
        "format": course.config.format,
        "hours": course.config.hours.model_dump(),
        "outcomes": [{"id": o.id, "text": text_dict(o.text, langs)} for o in course.config.outcomes],
        "modules": [{"id": m.id, "title": text_dict(m.config.title, langs)} for m in course.modules],
        "lessons": lessons,
        "completion": course.config.completion.model_dump(),
        "schedule": schedule_manifest(course),
        "timezone": course.schedule.timezone if course.schedule is not None else None,
    }


def schedule_manifest(course: Course) -> list[dict[str, Any]]:
    schedule = course.schedule
    if schedule is None:
        return []
    return [
        {
            "id": item.id,
            "title": text_dict(item.title, course.languages),
            "start": item.start.replace(tzinfo=item.start.tzinfo or schedule.zone).isoformat(),
            "duration": item.duration,
            "kind": item.kind,
            "lesson": item.lesson,
            "teacher": item.teacher.strip().lower() if item.teacher else None,  # as in "teachers"
            "join_url": item.join_url,
        }
        for item in schedule.classes
    ]


def site_manifest(site: Site) -> dict[str, Any]:
    """What the service's pages show of the site: its name in the header, where to get help."""
    config = site.config
    return {
        "name": text_dict(config.name, site.languages),
        "institution": text_dict(config.institution, site.languages),
        "contact_email": config.contact_email,
        "site_url": config.site_url,
    }


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def write_service_bundle(site: Site, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    manifest = {
        "version": BUNDLE_VERSION,
        "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "languages": site.languages,
        "site": site_manifest(site),
        "courses": [course_manifest(course, site.languages) for course in site.courses],
    }
    (target / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    write_assessment(site, target)


def published_lesson_ids(service_dir: Path) -> dict[str, set[str]]:
    """Lesson ids per course in the previous build, to warn when a rename would orphan progress."""
    try:
        manifest = json.loads((service_dir / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {c["id"]: {lesson["id"] for lesson in c.get("lessons", [])} for c in manifest.get("courses", [])}
