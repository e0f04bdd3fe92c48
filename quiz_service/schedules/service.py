"""Joining a live class, attendance and its corrections, private calendar feeds (R7.9, R10).

Who attends: a student whose study group is in the class's audience (a class without an audience
is for every student who may read its course; a staff training without one, for every teacher).
Who takes attendance: the course's teachers (or the training's) and admins. Functions take the
session and `now`; refusals are the domain's errors.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from auth.enrolment import CourseAccess, may_read
from auth.models import Enrolment, Role, User
from quiz_service.core import events
from quiz_service.core.domain import Conflict, Forbidden, Invalid, NotFound
from quiz_service.schedules.classes import LiveClass
from quiz_service.schedules.models import Attendance, AttendanceStatus, CalendarFeed
from quiz_service.schedules.plans import is_accommodated

JOIN_OPENS_BEFORE = timedelta(minutes=30)


def _group(name: str | None) -> str:
    return (name or "").strip().casefold()


def is_host(user: User, live: LiveClass) -> bool:
    if not user.is_active:
        return False
    return user.role == Role.ADMIN or (user.role == Role.TEACHER and user.email.strip().lower() in live.hosts)


def is_attendee(reader: Session, user: User, live: LiveClass, course: CourseAccess | None) -> bool:
    """The class is for this user: their group is in its audience (and they may read its course)."""
    if not user.is_active:
        return False
    wanted_role = Role.TEACHER if live.is_staff_training else Role.STUDENT
    if live.audience:
        in_group = _group(user.group) in {_group(g) for g in live.audience}
        return in_group and (
            live.is_staff_training or (course is not None and may_read(reader, user, course))
        )
    if user.role != wanted_role:
        return False
    return live.is_staff_training or (course is not None and may_read(reader, user, course))


@dataclass(frozen=True)
class Joined:
    attendance: Attendance | None  # None: a host opens the meeting, nothing is recorded
    join_url: str
    new: bool


def join(
    writer: Session, user: User, live: LiveClass, course: CourseAccess | None, now: datetime, grace: timedelta
) -> Joined:
    """Record the user's attendance once (present, or late after `grace`), give the meeting link."""
    if live.join_url is None:
        raise NotFound("no_meeting", "This class has no meeting link: it takes place in a room.")
    if is_host(user, live):
        return Joined(None, live.join_url, False)
    if not is_attendee(writer, user, live, course):
        raise Forbidden("not_in_audience", "This class is for other groups.")
    if now < live.start - JOIN_OPENS_BEFORE:
        raise Conflict("not_open_yet", "The class opens 30 minutes before its start.")
    if now > live.end:
        raise Conflict("class_over", "The class is over.")
    existing = attendance_of(writer, live, user.id)
    if existing is not None:
        return Joined(existing, live.join_url, False)
    status = AttendanceStatus.LATE if now > live.start + grace else AttendanceStatus.PRESENT
    row = Attendance(
        schedule=live.schedule, class_id=live.id, user_id=user.id, status=status, joined_at=now, marked_at=now
    )
    try:
        with writer.begin_nested():
            writer.add(row)
    except IntegrityError:  # the same student's other click, at the same moment
        again = attendance_of(writer, live, user.id)
        assert again is not None
        return Joined(again, live.join_url, False)
    _publish(writer, row, None, now)
    return Joined(row, live.join_url, True)


def attendance_of(session: Session, live: LiveClass, user_id: int) -> Attendance | None:
    return session.scalar(
        select(Attendance).where(
            Attendance.schedule == live.schedule,
            Attendance.class_id == live.id,
            Attendance.user_id == user_id,
        )
    )


def _publish(writer: Session, row: Attendance, by: int | None, now: datetime) -> None:
    events.publish(
        writer,
        events.AttendanceRecorded(
            schedule=row.schedule,
            class_id=row.class_id,
            user_id=row.user_id,
            status=row.status.value,
            joined_at=row.joined_at,
            reason=row.reason,
            by=by,
            at=now,
        ),
    )


# -- the teacher's list ---------------------------------------------------------------------


@dataclass(frozen=True)
class ListedStudent:
    user: User
    attendance: Attendance | None
    asynchronous: bool = False  # R9: accommodated on the class's day; no live attendance required


def require_host(user: User, live: LiveClass) -> None:
    if not is_host(user, live):
        raise Forbidden("not_host", "Only the class's teachers and admins take its attendance.")


def expected_people(reader: Session, live: LiveClass) -> list[User]:
    """Who the class is for: its groups' members, or the course's enrolled students (or teachers)."""
    query = select(User).where(User.is_active.is_(True))
    if live.audience:
        groups = {_group(g) for g in live.audience}
        people = [
            u for u in reader.scalars(query.where(User.group.is_not(None))) if _group(u.group) in groups
        ]
    elif live.is_staff_training:
        people = list(reader.scalars(query.where(User.role == Role.TEACHER)))
    else:
        enrolled = select(Enrolment).where(Enrolment.course_id == live.schedule)
        rows = list(reader.scalars(enrolled))
        ids = {r.user_id for r in rows if r.user_id}
        groups = {r.group for r in rows if r.group}
        people = list(
            reader.scalars(
                query.where(User.role == Role.STUDENT, or_(User.id.in_(ids), User.group.in_(groups)))
            )
        )
    wanted = Role.TEACHER if live.is_staff_training else Role.STUDENT
    return [u for u in people if u.role == wanted and u.email.strip().lower() not in live.hosts]


def attendance_list(reader: Session, live: LiveClass) -> list[ListedStudent]:
    rows = {
        row.user_id: row
        for row in reader.scalars(
            select(Attendance).where(Attendance.schedule == live.schedule, Attendance.class_id == live.id)
        )
    }
    people = {u.id: u for u in expected_people(reader, live)}
    for user_id in rows.keys() - people.keys():  # joined then left the group: still listed
        people[user_id] = reader.get_one(User, user_id)
    ordered = sorted(people.values(), key=lambda u: (_group(u.group), u.full_name or u.email, u.email))
    day = live.start.date()
    return [ListedStudent(u, rows.get(u.id), is_accommodated(reader, u.id, day)) for u in ordered]


def mark(
    writer: Session,
    live: LiveClass,
    student_id: int,
    status: AttendanceStatus,
    reason: str | None,
    by: User,
    now: datetime,
) -> ListedStudent:
    """The teacher confirms or corrects one student's attendance; `excused` needs its reason."""
    reason = (reason or "").strip() or None
    if status == AttendanceStatus.EXCUSED and reason is None:
        raise Invalid("reason_required", "Give the reason of an excused absence.")
    listed = {item.user.id: item for item in attendance_list(writer, live)}
    if student_id not in listed:
        raise NotFound("not_listed", "The student is not in this class's list.")
    row = listed[student_id].attendance
    if row is None:
        row = Attendance(schedule=live.schedule, class_id=live.id, user_id=student_id, status=status)
        writer.add(row)
    row.status = status
    row.reason = reason if status == AttendanceStatus.EXCUSED else None
    row.marked_by = by.id
    row.marked_at = now
    writer.flush()
    _publish(writer, row, by.id, now)
    return ListedStudent(listed[student_id].user, row)


# -- private calendar feeds ------------------------------------------------------------------


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_feed_token(writer: Session, user: User, now: datetime) -> str:
    """A new private feed address for `user`; the previous one stops working at once."""
    token = secrets.token_urlsafe(32)
    feed = writer.scalar(select(CalendarFeed).where(CalendarFeed.user_id == user.id))
    if feed is None:
        writer.add(CalendarFeed(user_id=user.id, token_hash=_digest(token), created_at=now))
    else:
        feed.token_hash, feed.created_at = _digest(token), now
    writer.flush()
    return token


def revoke_feed(writer: Session, user: User) -> bool:
    feed = writer.scalar(select(CalendarFeed).where(CalendarFeed.user_id == user.id))
    if feed is None:
        return False
    writer.delete(feed)
    return True


def feed_of(reader: Session, user: User) -> CalendarFeed | None:
    return reader.scalar(select(CalendarFeed).where(CalendarFeed.user_id == user.id))


def user_of_feed(reader: Session, token: str) -> User:
    feed = reader.scalar(select(CalendarFeed).where(CalendarFeed.token_hash == _digest(token)))
    user = reader.get(User, feed.user_id) if feed else None
    if user is None or not user.is_active:
        raise NotFound("no_feed", "There is no such calendar.")
    return user


def classes_of(
    reader: Session, user: User, classes: Iterable[LiveClass], courses: dict[str, CourseAccess]
) -> list[tuple[LiveClass, bool]]:
    """The user's classes, each with whether they host it (else they attend it)."""
    mine = []
    for live in classes:
        if is_host(user, live) and user.role != Role.ADMIN:
            mine.append((live, True))
        elif is_attendee(reader, user, live, courses.get(live.schedule)):
            mine.append((live, False))
    return mine
