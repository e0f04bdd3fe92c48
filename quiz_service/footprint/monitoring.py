"""Monitoring (R7.6, R7.9): per course and student, progress, last activity, sign-in regularity,
overdue lessons, quiz results and outcome attainment, from the footprint's statements.

Who sees what: a course's teachers (course.yml) see its students; admins (the academic office)
see every course (`auth.enrolment.may_teach`). A course's students are those enrolled in it,
by themselves or through their study group; for an open course also every student with
activity in it.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import column, func, or_, select, table
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from auth.models import Enrolment, Role, User
from quiz_service.core.db import UTCDateTime
from quiz_service.core.service_bundle import CourseEntry
from quiz_service.footprint import outcomes, store
from quiz_service.footprint.progress import (
    LOGGED_IN,
    PROGRESS_VERBS,
    CourseProgress,
    Evidence,
    Learner,
    add_statement,
    course_progress,
    outcome_attainment,
)

ACTIVITY_DAYS = 14  # the activity chart and the sign-in regularity look this far back


@dataclass(frozen=True)
class StudentRow:
    user_id: int
    name: str
    email: str
    group: str
    dl_category: str
    progress: CourseProgress
    last_activity: datetime | None
    sign_in_days: int  # days with a sign-in among the last ACTIVITY_DAYS
    overdue: list[str]  # lessons past their due date and not completed
    quizzes: dict[str, float]  # quiz id -> best scaled
    outcomes: dict[str, float | None]


@dataclass(frozen=True)
class CourseReport:
    course: CourseEntry
    students: list[StudentRow]
    activity: list[tuple[date, int]]  # statements per day (Almaty days are close enough: UTC days)
    outcomes: dict[str, float | None]  # mean attainment over the students who have one
    group_outcomes: dict[str, dict[str, float | None]]  # per study group, the same

    def distribution(self) -> list[int]:
        """How many students are at 0–19 %, 20–39 %, … 80–100 % of their lessons."""
        bins = [0] * 5
        for student in self.students:
            bins[min(int(student.progress.ratio * 5), 4)] += 1
        return bins


def course_students(
    reader: Session, course_id: str, group: str | None, dl_category: str | None
) -> list[User]:
    enrolled = select(Enrolment.user_id).where(
        Enrolment.course_id == course_id, Enrolment.user_id.is_not(None)
    )
    groups = select(Enrolment.group).where(Enrolment.course_id == course_id, Enrolment.group.is_not(None))
    query = select(User).where(User.role == Role.STUDENT, or_(User.id.in_(enrolled), User.group.in_(groups)))
    if group:
        query = query.where(User.group == group)
    if dl_category:
        query = query.where(User.dl_category == dl_category)
    return list(reader.scalars(query.order_by(User.group, User.full_name, User.id)))


def open_course_students(reader: Session, group: str | None, dl_category: str | None) -> list[User]:
    query = select(User).where(User.role == Role.STUDENT)
    if group:
        query = query.where(User.group == group)
    if dl_category:
        query = query.where(User.dl_category == dl_category)
    return list(reader.scalars(query.order_by(User.group, User.full_name, User.id)))


def evidence_by_user(connection: Connection, user_ids: list[int]) -> dict[int, Evidence]:
    """The statements progress reads, per user; the quizzes' releases (the service's own)."""
    evidence: dict[int, Evidence] = defaultdict(Evidence)
    table = store.STATEMENTS
    released: list[tuple[dict[str, Any], datetime | None]] = []
    for chunk in chunks(user_ids, 500):
        rows = connection.execute(
            select(table.c.user_id, table.c.record, table.c.stored_at)
            .where(table.c.user_id.in_(chunk), table.c.verb.in_((*PROGRESS_VERBS, LOGGED_IN)))
            .order_by(table.c.seq)
        )
        for user_id, record, stored in rows:
            add_statement(evidence[user_id], json.loads(record)["statement"], stored)
        latest = connection.execute(
            select(table.c.user_id, func.max(table.c.stored_at))
            .where(table.c.user_id.in_(chunk))
            .group_by(table.c.user_id)
        )
        for user_id, moment in latest:
            evidence[user_id].last_activity = as_utc(moment)
    for record in connection.execute(
        select(table.c.record).where(table.c.user_id.is_(None), table.c.verb.like("%/verbs/released"))
    ).scalars():
        released.append((json.loads(record)["statement"], None))
    for user_evidence in evidence.values():
        for statement, _ in released:
            add_statement(user_evidence, statement)
    return evidence


def activity_per_day(connection: Connection, user_ids: list[int], today: date) -> list[tuple[date, int]]:
    first = today - timedelta(days=ACTIVITY_DAYS - 1)
    counts: Counter[date] = Counter()
    table = store.STATEMENTS
    start = datetime(first.year, first.month, first.day, tzinfo=UTC)
    for chunk in chunks(user_ids, 500):
        moments = connection.execute(
            select(table.c.stored_at).where(table.c.user_id.in_(chunk), table.c.stored_at >= start)
        ).scalars()
        counts.update(as_utc(moment).date() for moment in moments)
    return [(first + timedelta(days=n), counts[first + timedelta(days=n)]) for n in range(ACTIVITY_DAYS)]


def chunks(values: list[int], size: int) -> Iterable[list[int]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def as_utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def overdue_lessons(progress: CourseProgress, now: datetime) -> list[str]:
    late = []
    for lesson in progress.lessons:
        if lesson.due and not lesson.completed and due_moment(lesson.due) < now:
            late.append(lesson.id)
    return late


def due_moment(due: str) -> datetime:
    """A lesson's due date: a date is due at its end (UTC+5, Almaty), a date-time as written."""
    if len(due) == 10:
        return datetime.fromisoformat(due).replace(tzinfo=UTC) + timedelta(hours=24 - 5)
    moment = datetime.fromisoformat(due)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC) - timedelta(hours=5)


def course_assignments(service_dir: Path, course_id: str) -> list[tuple[str, datetime]]:
    """The course's assignments and their due dates, from the bundle (`build/service/assignments/`)."""
    try:
        data = json.loads((service_dir / "assignments" / f"{course_id}.json").read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return []
    return [(item["id"], datetime.fromisoformat(item["due"])) for item in data.get("assignments", [])
            if isinstance(item, dict) and item.get("id") and item.get("due")]  # fmt: skip


ACCOMMODATIONS = table("accommodations", column("user_id"), column("starts"), column("ends"))


def accommodations_of(
    connection: Connection, user_ids: list[int]
) -> dict[int, tuple[tuple[date, date], ...]]:
    """Each student's R9 accommodation periods (the schedules' table, read by name)."""
    found: dict[int, list[tuple[date, date]]] = defaultdict(list)
    for chunk in chunks(user_ids, 500):
        query = select(ACCOMMODATIONS.c.user_id, ACCOMMODATIONS.c.starts, ACCOMMODATIONS.c.ends)
        for user_id, starts, ends in connection.execute(query.where(ACCOMMODATIONS.c.user_id.in_(chunk))):
            found[user_id].append((as_date(starts), as_date(ends)))
    return {user_id: tuple(periods) for user_id, periods in found.items()}


def as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def learner_of(
    user: User, accommodations: dict[int, tuple[tuple[date, date], ...]], now: datetime
) -> Learner:
    return Learner(user.group, accommodations.get(user.id, ()), now)


EXTENSIONS = table(
    "assignment_extensions", column("course"), column("assignment"), column("user_id"), column("study_group"),
    column("due", UTCDateTime()),
)  # fmt: skip


@dataclass(frozen=True)
class Extensions:
    """A course's assignment extensions (the assignments' table, read by name): a student's own
    later due date wins over their study group's."""

    by_user: dict[tuple[int, str], datetime]
    by_group: dict[tuple[str, str], datetime]

    def due_for(self, user: User, assignment: str, due: datetime) -> datetime:
        own = self.by_user.get((user.id, assignment))
        if own is not None:
            return own
        return self.by_group.get((user.group or "", assignment), due) if user.group else due


def course_extensions(connection: Connection, course_id: str) -> Extensions:
    by_user: dict[tuple[int, str], datetime] = {}
    by_group: dict[tuple[str, str], datetime] = {}
    query = select(EXTENSIONS.c.assignment, EXTENSIONS.c.user_id, EXTENSIONS.c.study_group, EXTENSIONS.c.due)
    for assignment, user_id, group, due in connection.execute(query.where(EXTENSIONS.c.course == course_id)):
        if user_id is not None:
            by_user[(user_id, assignment)] = as_utc(due)
        elif group is not None:
            by_group[(group, assignment)] = as_utc(due)
    return Extensions(by_user, by_group)


def overdue_assignments(course_id: str, assignments: list[tuple[str, datetime]], evidence: Evidence,
                        now: datetime) -> list[str]:  # fmt: skip
    """Assignments past their due date (the student's own, with an extension) that the student
    has not handed in."""
    return [assignment for assignment, due in assignments
            if due < now and f"{course_id}/{assignment}" not in evidence.submitted]  # fmt: skip


def student_row(
    user: User, course: CourseEntry, evidence: Evidence, now: datetime,
    assignments: list[tuple[str, datetime]] | None = None, by_question: dict[str, float] | None = None,
    extensions: Extensions | None = None, learner: Learner | None = None,
) -> StudentRow:  # fmt: skip
    progress = course_progress(course, evidence, learner=learner)
    since = now - timedelta(days=ACTIVITY_DAYS)
    days = {as_utc(moment).date() for moment in evidence.sign_ins if as_utc(moment) >= since}
    prefix = f"{course.id}/"
    quizzes = {key[len(prefix) :]: score for key, score in evidence.quiz.items() if key.startswith(prefix)}
    dues = own_dues(user, assignments or [], extensions)
    return StudentRow(user.id, user.full_name or "", user.email, user.group or "", str(user.dl_category),
                      progress, evidence.last_activity, len(days),
                      overdue_lessons(progress, now) + overdue_assignments(course.id, dues, evidence, now),
                      quizzes,
                      attainment_of(course, evidence, by_question or {}))  # fmt: skip


def attainment_of(
    course: CourseEntry, evidence: Evidence, by_question: dict[str, float]
) -> dict[str, float | None]:
    """Per outcome: from the graded questions that test it; an outcome no graded question tags yet
    falls back to the best scores of the quizzes of the lessons that serve it."""
    by_lesson = outcome_attainment(course, evidence)
    return {outcome: by_question.get(outcome, value) for outcome, value in by_lesson.items()}


def own_dues(user: User, assignments: list[tuple[str, datetime]], extensions: Extensions | None
             ) -> list[tuple[str, datetime]]:  # fmt: skip
    if extensions is None:
        return assignments
    return [(assignment, extensions.due_for(user, assignment, due)) for assignment, due in assignments]


def has_activity(course: CourseEntry, evidence: Evidence) -> bool:
    progress = course_progress(course, evidence)
    return (
        any(lesson.criteria and any(lesson.criteria.values()) for lesson in progress.lessons)
        or any(key.startswith(f"{course.id}/") for key in evidence.quiz)
        or any(key.startswith(f"{course.id}/") for key in evidence.read | set(evidence.video))
    )


def course_report(
    reader: Session, connection: Connection, course: CourseEntry, access: str, now: datetime,
    group: str | None = None, dl_category: str | None = None, service_dir: Path | None = None,
) -> CourseReport:  # fmt: skip
    enrolled = course_students(reader, course.id, group, dl_category)
    users = enrolled
    if access == "open":
        users = open_course_students(reader, group, dl_category)
    evidence = evidence_by_user(connection, [user.id for user in users])
    known = {user.id for user in enrolled}
    users = [user for user in users if user.id in known or has_activity(course, evidence[user.id])]
    assignments = course_assignments(service_dir, course.id) if service_dir is not None else []
    by_question = outcomes.question_attainment(connection, course.id, [user.id for user in users])
    extensions = course_extensions(connection, course.id)
    accommodations = accommodations_of(connection, [user.id for user in users])
    rows = [student_row(user, course, evidence[user.id], now, assignments, by_question.get(user.id), extensions,
                        learner_of(user, accommodations, now))
            for user in users]  # fmt: skip
    means: dict[str, float | None] = {}
    for outcome in course.outcomes:
        values = [row.outcomes[outcome["id"]] for row in rows if row.outcomes.get(outcome["id"]) is not None]
        means[outcome["id"]] = sum(v for v in values if v is not None) / len(values) if values else None
    activity = activity_per_day(connection, [row.user_id for row in rows], now.astimezone(UTC).date())
    return CourseReport(course, rows, activity, means, group_outcomes(course, rows))


def group_outcomes(course: CourseEntry, rows: list[StudentRow]) -> dict[str, dict[str, float | None]]:
    """Per study group, per outcome: the mean attainment of its students who have one."""
    groups: dict[str, dict[str, float | None]] = {}
    for group in sorted({row.group for row in rows}):
        members = [row for row in rows if row.group == group]
        groups[group] = {}
        for outcome in course.outcomes:
            values = [v for row in members if (v := row.outcomes.get(outcome["id"])) is not None]
            groups[group][outcome["id"]] = sum(values) / len(values) if values else None
    return groups
