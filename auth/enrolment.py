"""Enrolment in `access: enrolled` courses: per student or by study group (from the roster).

Who may read a course: everyone for open courses; for enrolled courses, teachers and admins,
and students enrolled themselves or through their group. Partners read open courses only.
Who may teach a course (see its students' attempts, grade, export): admins, and the teachers
whose e-mail the course's `course.yml` lists.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import delete, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from auth.models import Enrolment, Role, User
from auth.service import AccountError


@dataclass(frozen=True)
class CourseAccess:
    """A course of the service bundle's manifest and who may read it."""

    id: str
    access: str  # "open" or "enrolled"
    titles: dict[str, str]
    teachers: frozenset[str] = field(default_factory=frozenset)  # e-mails, lower case

    @property
    def is_open(self) -> bool:
        return self.access != "enrolled"


def may_read(reader: Session, user: User | None, course: CourseAccess) -> bool:
    if course.is_open:
        return True
    if user is None or not user.is_active:
        return False
    if user.role in (Role.TEACHER, Role.ADMIN):
        return True
    return user.role == Role.STUDENT and is_enrolled(reader, user, course.id)


def may_teach(user: User | None, course: CourseAccess) -> bool:
    if user is None or not user.is_active:
        return False
    if user.role == Role.ADMIN:
        return True
    return user.role == Role.TEACHER and user.email.strip().lower() in course.teachers


def is_enrolled(reader: Session, user: User, course_id: str) -> bool:
    return course_id in enrolled_course_ids(reader, user)


def enrolled_course_ids(reader: Session, user: User) -> set[str]:
    whose = [Enrolment.user_id == user.id]
    if user.group:
        whose.append(Enrolment.group == user.group)
    return set(reader.scalars(select(Enrolment.course_id).where(or_(*whose))))


def enrol(writer: Session, course_id: str, *, user: User | None = None, group: str | None = None) -> bool:
    """Enrol a student or a group; False when already enrolled (nothing changes)."""
    if (user is None) == (group is None):
        raise AccountError("enrol either one user or one group")
    if user is not None and user.role != Role.STUDENT:
        raise AccountError(f"{user.email} is a {user.role.value}: only students are enrolled")
    if _existing(writer, course_id, user, group) is not None:
        return False
    try:
        with writer.begin_nested():
            writer.add(Enrolment(course_id=course_id, user_id=user.id if user else None, group=group))
    except IntegrityError:
        return False  # enrolled at the same moment by someone else
    return True


def unenrol(writer: Session, course_id: str, *, user: User | None = None, group: str | None = None) -> bool:
    """Remove an enrolment; False when there was none."""
    condition = Enrolment.user_id == user.id if user is not None else Enrolment.group == group
    result = writer.execute(delete(Enrolment).where(Enrolment.course_id == course_id, condition))
    return bool(getattr(result, "rowcount", 0))  # a DML result (CursorResult) has one


def _existing(writer: Session, course_id: str, user: User | None, group: str | None) -> Enrolment | None:
    condition = Enrolment.user_id == user.id if user is not None else Enrolment.group == group
    return writer.scalars(select(Enrolment).where(Enrolment.course_id == course_id, condition)).one_or_none()


def enrolments(reader: Session, course_id: str | None = None) -> list[Enrolment]:
    # Groups first, then students, on every database (NULLs sort differently in each).
    order = (Enrolment.course_id, Enrolment.group.is_(None), Enrolment.group, Enrolment.user_id)
    query = select(Enrolment).order_by(*order)
    if course_id is not None:
        query = query.where(Enrolment.course_id == course_id)
    return list(reader.scalars(query))
