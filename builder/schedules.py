"""Schedules as the reader sees them: the page, the A4 sheet for the information stands and the
static iCalendar feed, all from one `ScheduleView` of a course's schedule or the staff training;
and the recordings of past sessions, which become their lessons' videos.

A meeting link never appears here: "Join" points at the service (`/schedules/join/…`), which
checks the reader's group, records attendance and only then redirects (R10)."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

from builder.i18n import format_date, t, utc_offset, zone_name
from builder.ical import CalendarEvent, calendar_bytes
from builder.model import Course, Lesson, Site
from builder.schema import ScheduleConfig, ScheduledClassConfig, Teacher, Text

STAFF_TRAINING_KEY = "staff-training"


@dataclass(frozen=True)
class ScheduleView:
    key: str  # the course id, or "staff-training"
    title: Text | None
    schedule: ScheduleConfig
    languages: list[str]
    find_teacher: Callable[[str], Teacher | None]
    site_dir: str  # where its files go under <lang>/: "courses/<id>" or "staff-training"

    def sorted_classes(self) -> list[ScheduledClassConfig]:
        return sorted(self.schedule.classes, key=self.schedule.starts_at)

    def text(self, text: Text | None, lang: str) -> str:
        return text.get(lang, self.languages[0]) if text else ""

    def teacher_name(self, item: ScheduledClassConfig, lang: str) -> str:
        named = self.find_teacher(item.teacher) if item.teacher else None
        return self.text(named.name, lang) if named else ""

    def ics_name(self, lang: str) -> str:
        return f"{self.key}-{lang}.ics"

    def ics_path(self, lang: str) -> str:
        return f"{lang}/{self.site_dir}/{self.ics_name(lang)}"


def course_view(course: Course) -> ScheduleView:
    assert course.schedule is not None
    return ScheduleView(
        course.id,
        course.config.title,
        course.schedule,
        course.languages,
        course.teacher,
        f"courses/{course.id}",
    )


def staff_view(site: Site) -> ScheduleView:
    assert site.staff_training is not None
    return ScheduleView(
        STAFF_TRAINING_KEY,
        site.staff_training.title,
        site.staff_training,
        site.languages,
        site.staff_teacher,
        STAFF_TRAINING_KEY,
    )


def site_views(site: Site) -> list[ScheduleView]:
    views = [course_view(c) for c in site.courses if c.schedule is not None and c.schedule.classes]
    if site.staff_training is not None and site.staff_training.classes:
        views.append(staff_view(site))
    return views


# -- the words of a row ---------------------------------------------------------------------


def zone_note(view: ScheduleView, lang: str) -> str:
    """The zone as people name it, with its offset at the first class: "Астана уақыты (UTC+5)"."""
    zone = view.schedule.zone
    first = min((view.schedule.starts_at(item) for item in view.schedule.classes), default=None)
    return f"{zone_name(zone, lang)} ({utc_offset(zone, first or dt.datetime.now(dt.UTC))})"


def when(view: ScheduleView, item: ScheduledClassConfig, lang: str) -> str:
    start, end = view.schedule.starts_at(item), view.schedule.ends_at(item)
    return f"{format_date(start.date(), lang)}, {start:%H:%M}–{end:%H:%M}"


def approval_line(view: ScheduleView, lang: str) -> str:
    schedule = view.schedule
    if schedule.approved_on is None:
        return ""
    return t(
        "schedule.approved",
        lang,
        by=view.text(schedule.approved_by, lang),
        date=format_date(schedule.approved_on, lang),
    )


def row_cells(view: ScheduleView, item: ScheduledClassConfig, lang: str) -> list[str]:
    """When, topic, kind, place, teacher, groups: plain text (the caller escapes)."""
    place = view.text(item.place, lang) or (t("schedule.online", lang) if item.join_url else "")
    return [
        when(view, item, lang),
        view.text(item.title, lang),
        t("class_kind." + item.kind, lang),
        place,
        view.teacher_name(item, lang),
        ", ".join(view.schedule.audience_of(item)),
    ]


HEADER = [
    "schedule.date",
    "schedule.topic",
    "schedule.kind",
    "schedule.place",
    "schedule.teacher",
    "schedule.audience",
]


def join_href(service_url: str, view: ScheduleView, item: ScheduledClassConfig) -> str:
    return f"{service_url.rstrip('/')}/schedules/join/{view.key}/{item.id}"


# -- the static iCalendar feed ------------------------------------------------------------


def schedule_events(view: ScheduleView, lang: str, site_url: str | None) -> list[CalendarEvent]:
    host = urlsplit(site_url).hostname if site_url else None
    events = []
    for item in view.sorted_classes():
        description = [t("class_kind." + item.kind, lang)]
        if teacher := view.teacher_name(item, lang):
            description.append(f"{t('schedule.teacher', lang)}: {teacher}")
        if groups := view.schedule.audience_of(item):
            description.append(f"{t('schedule.audience', lang)}: {', '.join(groups)}")
        place = view.text(item.place, lang) or (t("schedule.online", lang) if item.join_url else "")
        events.append(
            CalendarEvent(
                uid=f"{view.key}.{item.id}@{host or 'oqu'}",
                summary=view.text(item.title, lang),
                start=view.schedule.starts_at(item),
                end=view.schedule.ends_at(item),
                location=place,
                description="\n".join(description),
                categories=(item.kind,),
            )
        )
    return events


def schedule_ics(view: ScheduleView, lang: str, site_url: str | None) -> bytes:
    name = f"{t('schedule', lang)}: {view.text(view.title, lang)}" if view.title else t("schedule", lang)
    stamp = dt.datetime.combine(
        view.schedule.approved_on or dt.date(2000, 1, 1), dt.time(), tzinfo=dt.UTC
    )  # fixed, so an unchanged schedule rebuilds to the same bytes
    return calendar_bytes(name, schedule_events(view, lang, site_url), stamp)


def write_calendars(site: Site, site_dir: Path) -> list[str]:
    """Every schedule's feed in each of its languages; the paths written, relative to the site."""
    written = []
    for view in site_views(site):
        for lang in view.languages:
            target = site_dir / view.ics_path(lang)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(schedule_ics(view, lang, site.config.site_url))
            written.append(view.ics_path(lang))
    return written


# -- recordings of past sessions ------------------------------------------------------------
# A session's `recording:` names a video file in the course and its `lesson:` the lesson it
# belongs to. Loading the course makes it that lesson's `video` (each language's file names it
# from its own folder) when the lesson has none, so everything a lesson video gets follows:
# renditions, captions beside the file, the player, the "video" completion rule. The schedule
# page links the session to its lesson as "Recording". `oqu check` reports what cannot be
# attached (load.check_schedule_classes).


def recording_source(course: Course, item: ScheduledClassConfig) -> Path | None:
    return (course.path / item.recording).resolve() if item.recording else None


def lesson_videos(lesson: Lesson) -> set[Path]:
    return {(v.path.parent / v.meta.video).resolve() for v in lesson.variants.values() if v.meta.video}


def attach_recordings(course: Course) -> None:
    """Each usable recording becomes its lesson's video (the first session's, by start)."""
    if course.schedule is None:
        return
    lessons = {lesson.id: lesson for _, lesson in course.lessons()}
    for item in sorted(course.schedule.classes, key=course.schedule.starts_at):
        lesson = lessons.get(item.lesson or "")
        source = recording_source(course, item)
        if lesson is None or source is None or lesson_videos(lesson) or not usable_recording(course, source):
            continue
        for lang, variant in list(lesson.variants.items()):
            video = Path(os.path.relpath(source, variant.path.parent)).as_posix()
            lesson.variants[lang] = replace(variant, meta=variant.meta.model_copy(update={"video": video}))


def usable_recording(course: Course, source: Path) -> bool:
    inside = course.path.resolve() in source.parents
    return inside and source.is_file() and source.suffix.lower() in VIDEO_SUFFIXES


def find_lesson(course: Course, lesson_id: str | None) -> Lesson | None:
    return next((lesson for _, lesson in course.lessons() if lesson.id == lesson_id), None)


def recording_shown(course: Course, item: ScheduledClassConfig) -> bool:
    """The session's recording is its lesson's video (attached, or the same file named by the lesson)."""
    source = recording_source(course, item)
    lesson = find_lesson(course, item.lesson)
    return source is not None and lesson is not None and source in lesson_videos(lesson)


def recording_problem(course: Course, item: ScheduledClassConfig) -> tuple[bool, str] | None:
    """What keeps a session's recording from its lesson: (an error?, the message); None: nothing."""
    source = recording_source(course, item)
    if source is None or item.recording is None:
        return None
    if not item.lesson:
        return True, "a recording belongs to a lesson: name the session's 'lesson'"
    if course.path.resolve() not in source.parents:
        return True, f"recording '{item.recording}' is outside the course folder"
    if not source.is_file():
        return True, f"recording '{item.recording}' is missing (a path from the course folder)"
    if source.suffix.lower() not in VIDEO_SUFFIXES:
        return True, f"recording '{item.recording}' is not a video ({', '.join(VIDEO_SUFFIXES)})"
    if find_lesson(course, item.lesson) is not None and not recording_shown(course, item):
        return False, f"lesson '{item.lesson}' already has a video: this recording is not shown"
    return None


VIDEO_SUFFIXES = (".mp4", ".mov", ".mkv", ".webm")
