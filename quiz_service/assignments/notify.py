"""The assignments' e-mail through the core's outbox: due-date reminders and released grades.

- A reminder goes to each student of a course who has not handed the work in, once their own
  due date (an extension counted) is nearer than the lead time (`remind_before_hours` of the
  assignment, else `OQU_ASSIGNMENT_REMIND_HOURS`). Its message key names the student, the
  assignment and that due date: a rerun of the sweep, a second worker or a retry adds nothing,
  and a later due date (a new extension) is a new reminder.
- A grade's release goes to its student once per grade (`assign:grade:<id>:released`), whether
  it was released for that student, for the whole assignment, or graded after the assignment's
  release.
- The language is the student's choice (their preference), else the language of their last
  page of assignments, else the site's first (kk). A student may turn either kind off.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from auth.access import courses
from auth.models import User
from quiz_service.assignments.content import AssignmentSpec, CourseAssessment, assessment_of
from quiz_service.assignments.gradebook import course_students
from quiz_service.assignments.models import SUBMITTED, Extension, Grade, MailPreference, Submission
from quiz_service.assignments.service import dates_of
from quiz_service.core.formatting import course_zone, moment, number
from quiz_service.core.i18n import gettext
from quiz_service.core.mail import Message, queue_mail
from quiz_service.core.mail.outbox import MAX_KEY

LANGUAGES = ("kk", "ru", "en")
DEFAULT_LANGUAGE = "kk"


# -- preferences ---------------------------------------------------------------------------------


def preference_of(reader: Session, user_id: int) -> MailPreference:
    """The student's choices (the defaults, not stored, when they made none)."""
    found = reader.get(MailPreference, user_id)
    return found or MailPreference(user_id=user_id, reminders=True, grade_mail=True, lang=None)


def set_preference(
    writer: Session, user_id: int, *, reminders: bool | None, grade_mail: bool | None, lang: str | None
) -> MailPreference:
    chosen = writer.get(MailPreference, user_id)
    if chosen is None:
        chosen = MailPreference(user_id=user_id, reminders=True, grade_mail=True)
        writer.add(chosen)
    if reminders is not None:
        chosen.reminders = reminders
    if grade_mail is not None:
        chosen.grade_mail = grade_mail
    if lang is not None:
        chosen.lang = lang if lang in LANGUAGES else None
    writer.flush()
    return chosen


def remember_language(writer: Session, user_id: int, lang: str) -> None:
    """The language of the student's page, kept for their e-mail until they choose one."""
    if lang not in LANGUAGES:
        return
    chosen = writer.get(MailPreference, user_id)
    if chosen is None:
        writer.add(MailPreference(user_id=user_id, reminders=True, grade_mail=True, lang=lang))
        writer.flush()
    elif chosen.lang is None:
        chosen.lang = lang


def language_of(preference: MailPreference | None) -> str:
    return preference.lang if preference is not None and preference.lang else DEFAULT_LANGUAGE


# -- the messages -----------------------------------------------------------------------------------


def course_title(course: str, lang: str) -> str:
    access = courses().get(course)
    if access is None or not access.titles:
        return course
    return access.titles.get(lang) or next(iter(access.titles.values()))


def message_key(*parts: str) -> str:
    """`assign:...` from its parts; a key longer than the outbox takes keeps its start and a hash."""
    key = ":".join(("assign", *parts))
    if len(key) <= MAX_KEY:
        return key
    return f"{key[: MAX_KEY - 41]}#{hashlib.sha256(key.encode()).hexdigest()[:40]}"


def reminder_message(student: User, course: str, spec: AssignmentSpec, due: datetime, lang: str) -> Message:
    values = {
        "name": student.full_name or student.email,
        "title": spec.title_in(lang),
        "course": course_title(course, lang),
        "when": moment(due, lang, course_zone(course)),
    }
    return Message(
        key=message_key("remind", str(student.id), course, spec.id, f"{due.astimezone(UTC):%Y%m%dT%H%M%SZ}"),
        to=student.email,
        subject=gettext("assign_mail.reminder_subject", lang, **values),
        body=gettext("assign_mail.reminder_body", lang, **values),
        lang=lang,
    )


def grade_message(student: User, course: str, spec: AssignmentSpec, grade: Grade, lang: str) -> Message:
    values = {
        "name": student.full_name or student.email,
        "title": spec.title_in(lang),
        "course": course_title(course, lang),
        "points": number(grade.points, lang),
        "max_points": number(spec.max_points, lang),
    }
    return Message(
        key=message_key("grade", str(grade.id), "released"),
        to=student.email,
        subject=gettext("assign_mail.released_subject", lang, **values),
        body=gettext("assign_mail.released_body", lang, **values),
        lang=lang,
    )


# -- released grades ----------------------------------------------------------------------------------


def grade_released(writer: Session, spec: AssignmentSpec, grade: Grade) -> bool:
    """Queue the message that `grade` can be seen now (once per grade); False when not queued."""
    preference = writer.get(MailPreference, grade.user_id)
    if preference is not None and not preference.grade_mail:
        return False
    student = writer.get(User, grade.user_id)
    if student is None or not student.is_active:
        return False
    lang = language_of(preference)
    return queue_mail(writer, grade_message(student, grade.course, spec, grade, lang))


# -- due-date reminders ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Due:
    student: User
    due: datetime


def lead_of(spec: AssignmentSpec, default: timedelta) -> timedelta:
    return default if spec.remind_before_hours is None else timedelta(hours=spec.remind_before_hours)


def course_assessments(service_dir: Path) -> Iterator[CourseAssessment]:
    """Each course with assignments in the service bundle (a file that cannot be read is skipped)."""
    folder = service_dir / "assignments"
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            found = assessment_of(service_dir, path.stem)
        except ValidationError:
            continue
        if found.assignments:
            yield found


def due_soon(
    reader: Session, course: str, spec: AssignmentSpec, students: list[User], now: datetime, lead: timedelta
) -> list[Due]:
    """The students whose own due date is after `now` and within `lead`, and who have not handed in."""
    if lead <= timedelta(0) or not students:
        return []
    whose = Submission.team if spec.group else Submission.user_id
    handed_in = set(
        reader.scalars(
            select(whose).where(
                Submission.course == course, Submission.assignment == spec.id, Submission.state == SUBMITTED
            )
        )
    )
    extensions = list(
        reader.scalars(select(Extension).where(Extension.course == course, Extension.assignment == spec.id))
    )
    own = {e.user_id: e for e in extensions if e.user_id is not None}
    of_group = {e.group: e for e in extensions if e.group is not None}
    found = []
    for student in students:
        if (student.group if spec.group else student.id) in handed_in or not student.is_active:
            continue  # handed in (by the student, or by their team for a group assignment)
        if spec.group and not student.group:
            continue  # in no team: cannot hand group work in (the page says why)
        extension = own.get(student.id) or (of_group.get(student.group) if student.group else None)
        due = dates_of(spec, extension).due
        if now < due <= now + lead:
            found.append(Due(student, due))
    return found


def remind(writer: Session, service_dir: Path, now: datetime, default_lead: timedelta) -> int:
    """Queue the reminders due now; the count of messages queued by this call (0 on a rerun)."""
    preferences = {chosen.user_id: chosen for chosen in writer.scalars(select(MailPreference))}
    queued = 0
    for assessment in course_assessments(service_dir):
        students = course_students(writer, assessment.course)
        for spec in assessment.assignments:
            for due in due_soon(writer, assessment.course, spec, students, now, lead_of(spec, default_lead)):
                chosen = preferences.get(due.student.id)
                if chosen is not None and not chosen.reminders:
                    continue
                message = reminder_message(due.student, assessment.course, spec, due.due, language_of(chosen))
                queued += queue_mail(writer, message)
    return queued
