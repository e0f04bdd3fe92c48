"""The panels "My studies" makes from the service bundle: the next classes and the deadlines."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from sqlalchemy.orm import Session

from quiz_service.core import service_bundle
from quiz_service.core.i18n import texts_for
from quiz_service.core.service_bundle import CourseEntry
from quiz_service.core.studies import Student, StudyItem, StudyPanel
from quiz_service.studies.texts import STUDIES

ZONE = ZoneInfo("Asia/Almaty")  # Kazakhstan's one zone (UTC+5 since 1 March 2024)
CLASSES_AHEAD = timedelta(days=14)
CLASSES_SHOWN = 6
DEADLINES_AHEAD = timedelta(days=30)
DEADLINES_BEHIND = timedelta(days=14)


def student_courses(student: Student) -> list[CourseEntry]:
    manifest = service_bundle.current().manifest
    if manifest is None:
        return []
    return [course for course in manifest.courses if course.id in student.courses]


def course_title(course: CourseEntry, lang: str) -> str:
    return course.title.get(lang) or next(iter(course.title.values()), course.id)


def local_time(moment: datetime, lang: str) -> str:
    """`moment` as people read it in Kazakhstan, with the zone named."""
    words = texts_for(STUDIES, lang)
    shown = format_datetime(moment.astimezone(ZONE), "d MMMM, HH:mm", locale=lang)
    return f"{shown} ({words['zone']})"


def next_classes(_reader: Session, student: Student) -> StudyPanel | None:
    """The student's courses' classes in the next two weeks, soonest first."""
    words = texts_for(STUDIES, student.lang)
    upcoming: list[tuple[datetime, StudyItem]] = []
    for course in student_courses(student):
        for session in course.schedule:
            start = datetime.fromisoformat(session.start)
            end = start + timedelta(minutes=session.duration)
            if end < student.now or start > student.now + CLASSES_AHEAD:
                continue
            title = session.title.get(student.lang) or next(iter(session.title.values()), session.id)
            live = start <= student.now <= end
            item = StudyItem(
                text=f"{title} — {course_title(course, student.lang)}",
                url=f"/{student.lang}/courses/{course.id}/schedule/",
                detail=local_time(start, student.lang),
                state=words["now"] if live else None,
                state_kind="alert" if live else "info",
            )
            upcoming.append((start, item))
    upcoming.sort(key=lambda pair: pair[0])
    items = tuple(item for _, item in upcoming[:CLASSES_SHOWN])
    return StudyPanel(words["classes"], items, words["no_classes"], order=20)


def deadlines(_reader: Session, student: Student) -> StudyPanel | None:
    """Lessons due in the next month, and those whose date passed in the last two weeks."""
    words = texts_for(STUDIES, student.lang)
    today = student.now.astimezone(ZONE).date()
    due: list[tuple[date, StudyItem]] = []
    for course in student_courses(student):
        for lesson in course.lessons:
            when = _due_date(lesson.get("due"))
            if when is None or not today - DEADLINES_BEHIND <= when <= today + DEADLINES_AHEAD:
                continue
            passed = when < today
            titles = lesson.get("title") or {}
            urls = lesson.get("urls") or {}
            item = StudyItem(
                text=f"{titles.get(student.lang) or next(iter(titles.values()), lesson.get('id', ''))} — "
                f"{course_title(course, student.lang)}",
                url="/" + (urls.get(student.lang) or next(iter(urls.values()), "")),
                detail=format_date(when, "d MMMM y", locale=student.lang),
                state=words["passed"] if passed else (words["today"] if when == today else None),
                state_kind="alert" if passed or when == today else "info",
            )
            due.append((when, item))
    due.sort(key=lambda pair: pair[0])
    return StudyPanel(words["deadlines"], tuple(item for _, item in due), words["no_deadlines"], order=30)


def _due_date(value: object) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None
