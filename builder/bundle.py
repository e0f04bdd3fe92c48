"""The private bundle in `build/service/`: what the service needs and the static site must not show."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from builder.assignments import write_assessment
from builder.curricula import hours_of
from builder.model import Course, Curriculum, Site
from builder.schedules import recording_shown
from builder.schema import ScheduleConfig, ScheduledClassConfig, Text

BUNDLE_VERSION = 1
MANIFEST_KEY = ".manifest.sha256"  # beside manifest.json: the digest of its compact dump without built_at


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
        "consultations": consultations_manifest(course),
    }


def consultations_manifest(course: Course) -> list[dict[str, Any]]:
    """consultations.yml's slots for the service to publish (times zoned, teachers lower case)."""
    config = course.consultations
    if config is None:
        return []
    doc = course.consultations_source
    source = f"content/courses/{course.path.name}/consultations.yml"  # as `oqu check` names it
    return [
        {
            "key": slot.id,
            "source": f"{source}:{doc.line_of(('slots', index)) if doc is not None else 0}",
            "teacher": slot.teacher.strip().lower(),
            "start": slot.start.replace(tzinfo=slot.start.tzinfo or config.zone).isoformat(),
            "minutes": slot.minutes,
            "seats": slot.seats,
            "mode": slot.mode,
            "link": slot.link,
            "room": slot.room,
            "title": slot.title,
            "weeks": slot.weeks,
        }
        for index, slot in enumerate(config.slots)
    ]


def schedule_manifest(course: Course) -> list[dict[str, Any]]:
    if course.schedule is None:
        return []
    return classes_manifest(course.schedule, course.languages, functools.partial(recording_shown, course))


def classes_manifest(
    schedule: ScheduleConfig,
    languages: list[str],
    recorded: Callable[[ScheduledClassConfig], bool] = lambda _: False,
) -> list[dict[str, Any]]:
    """The classes as the service needs them: aware times, groups, the private meeting link, and
    whether the session's recording is its lesson's video."""
    return [
        {
            "id": item.id,
            "title": text_dict(item.title, languages),
            "start": schedule.starts_at(item).isoformat(),
            "end": schedule.ends_at(item).isoformat(),
            "duration": item.minutes,
            "kind": item.kind,
            "place": text_dict(item.place, languages),
            "audience": schedule.audience_of(item),
            "lesson": item.lesson,
            "recording": recorded(item),
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


def curriculum_manifest(site: Site, curriculum: Curriculum) -> dict[str, Any]:
    """A group's curriculum with every course's hours resolved (the curriculum's, else course.yml's)."""
    courses = {course.id: course for course in site.courses}
    config = curriculum.config
    return {
        "group": config.group,
        "programme": text_dict(config.programme, site.languages),
        "terms": [
            {
                "term": term.term,
                "starts": term.starts.isoformat(),
                "ends": term.ends.isoformat(),
                "courses": [
                    {
                        "course": entry.course,
                        "contact": hours_of(entry, courses.get(entry.course))[0],
                        "distance": hours_of(entry, courses.get(entry.course))[1],
                        "deadlines": [
                            {"module": d.module, "due": d.due.isoformat()} for d in entry.deadlines
                        ],
                    }
                    for entry in term.courses
                ],
            }
            for term in config.terms
        ],
    }


def staff_training_manifest(site: Site) -> dict[str, Any] | None:
    schedule = site.staff_training
    if schedule is None:
        return None
    return {
        "title": text_dict(schedule.title, site.languages),
        "teachers": sorted({t.email.strip().lower() for t in schedule.teachers if t.email}),
        "classes": classes_manifest(schedule, site.languages),
    }


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def write_service_bundle(site: Site, target: Path, previous: Path | None = None) -> None:
    """The manifest and the assessment files into `target`. `previous`: the last build's bundle
    folder, whose manifest text is reused (its `built_at` replaced) when the rest is unchanged."""
    target.mkdir(parents=True, exist_ok=True)
    built_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    manifest = {
        "version": BUNDLE_VERSION,
        "built_at": "",
        "languages": site.languages,
        "site": site_manifest(site),
        "courses": [course_manifest(course, site.languages) for course in site.courses],
        "staff_training": staff_training_manifest(site),
        "curricula": [curriculum_manifest(site, curriculum) for curriculum in site.curricula],
        "schedules": {"late_after_minutes": site.config.schedules.late_after_minutes},
    }
    text, key = manifest_text(manifest, built_at, previous)
    (target / "manifest.json").write_text(text, encoding="utf-8")
    (target / MANIFEST_KEY).write_text(key, encoding="utf-8")
    write_assessment(site, target)


# The manifest's top-level `built_at` line as `json.dumps(..., indent=1)` writes it (one space).
_BUILT_AT_LINE = re.compile(r'^ "built_at": "[^"\\]*"', re.MULTILINE)


def manifest_text(manifest: dict[str, Any], built_at: str, previous: Path | None) -> tuple[str, str]:
    """`json.dumps(manifest, ensure_ascii=False, indent=1)` with `built_at` set. The indented dump
    runs json's pure-Python encoder (~0.3 s of CPU at 1,000 lessons, for every build); when the
    compact dump (C encoder, milliseconds) of everything but `built_at` equals the one stored
    beside the previous manifest, the previous text is the same but for that line, which is
    replaced. The compact text determines the indented one: equal inputs, equal bytes. Returns
    the text and the digest to store (MANIFEST_KEY)."""
    compact = json.dumps(manifest, ensure_ascii=False)
    key = hashlib.sha256(compact.encode()).hexdigest()
    if previous is not None:
        try:
            if (previous / MANIFEST_KEY).read_text(encoding="utf-8") == key:
                text = (previous / "manifest.json").read_text(encoding="utf-8")
                line = f' "built_at": {json.dumps(built_at)}'
                replaced, count = _BUILT_AT_LINE.subn(lambda _: line, text, count=1)
                if count == 1:
                    return replaced, key
        except OSError:
            pass
    return json.dumps({**manifest, "built_at": built_at}, ensure_ascii=False, indent=1), key


def published_lesson_ids(service_dir: Path) -> dict[str, set[str]]:
    """Lesson ids per course in the previous build, to warn when a rename would orphan progress."""
    try:
        manifest = json.loads((service_dir / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {c["id"]: {lesson["id"] for lesson in c.get("lessons", [])} for c in manifest.get("courses", [])}
