"""Quiz overrides: a student's or a study group's own dates, time limit or number of attempts.

What Moodle teachers know as user and group overrides: a make-up window for a student who was
on duty, extra time for a student entitled to it, one more attempt for a group. A field left
empty keeps the quiz's setting. A student's own override wins over their group's; the quiz as
the student sees it (summary, start, deadline) is the quiz with the override applied, so the
deadline of an attempt is computed from it when the attempt starts.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from auth import service as accounts
from auth.models import Role, User
from quiz_service.core.domain import Invalid, NotFound
from quiz_service.quizzes.models import QuizOverride
from quiz_service.quizzes.pinned import PinnedQuiz

MAX_TIME_LIMIT = 24 * 60  # minutes
MAX_ATTEMPTS = 100


@dataclass(frozen=True)
class OverrideRequest:
    """What a teacher sets: for exactly one of `student` (e-mail) and `group`."""

    student: str | None
    group: str | None
    opens: datetime | None
    closes: datetime | None
    time_limit: int | None
    attempts: int | None


def override_for(reader: Session, user: User, course: str, quiz: str) -> QuizOverride | None:
    """The override that applies to the user: their own, else their group's, else None."""
    whose = [QuizOverride.user_id == user.id]
    if user.group:
        whose.append(QuizOverride.group == user.group)
    query = select(QuizOverride).where(QuizOverride.course == course, QuizOverride.quiz == quiz, or_(*whose))
    found = list(reader.scalars(query))
    return next((o for o in found if o.user_id is not None), found[0] if found else None)


def applied(quiz: PinnedQuiz, override: QuizOverride | None) -> PinnedQuiz:
    """The quiz with the override's fields in place of its own."""
    if override is None:
        return quiz
    own = quiz.settings
    settings = dataclasses.replace(
        own,
        opens=override.opens.isoformat() if override.opens is not None else own.opens,
        closes=override.closes.isoformat() if override.closes is not None else own.closes,
        time_limit=override.time_limit if override.time_limit is not None else own.time_limit,
        attempts=override.attempts if override.attempts is not None else own.attempts,
    )
    return dataclasses.replace(quiz, settings=settings)


def quiz_for(reader: Session, user: User, quiz: PinnedQuiz) -> PinnedQuiz:
    """The quiz as this user takes it."""
    return applied(quiz, override_for(reader, user, quiz.course, quiz.id))


def with_dates_of(version: PinnedQuiz, schedule: PinnedQuiz) -> PinnedQuiz:
    """The attempt's `version` (questions, review policy) with the opening, closing and number of
    attempts of `schedule`.

    Whatever is decided by a quiz's dates after an attempt (the review's `after-close`, the
    score in the summary) is decided by the quiz as the student may take it now: the current
    version's dates with the student's or group's override, not the dates pinned with the
    attempt. Otherwise a student whose close was extended reads the right answers of attempt 1
    and then starts attempt 2.
    """
    settings = dataclasses.replace(
        version.settings,
        opens=schedule.settings.opens,
        closes=schedule.settings.closes,
        attempts=schedule.settings.attempts,  # what `shown` asks: may another attempt come?
    )
    return dataclasses.replace(version, settings=settings)


def overrides_of(reader: Session, course: str, quiz: str) -> list[tuple[QuizOverride, User | None]]:
    """The quiz's overrides with their students (None for a group's), groups first."""
    query = (
        select(QuizOverride, User)
        .outerjoin(User, User.id == QuizOverride.user_id)
        .where(QuizOverride.course == course, QuizOverride.quiz == quiz)
        .order_by(QuizOverride.user_id.is_not(None), QuizOverride.group, User.full_name)
    )
    return [(override, user) for override, user in reader.execute(query).all()]


def set_override(
    writer: Session, quiz: PinnedQuiz, wanted: OverrideRequest, set_by: int, now: datetime
) -> QuizOverride:
    """Create or replace the override of a student or a group (422 on what cannot be)."""
    check_request(wanted)
    student = _student(writer, wanted.student) if wanted.student else None
    whose = QuizOverride.user_id == student.id if student else QuizOverride.group == wanted.group
    override = writer.scalars(
        select(QuizOverride).where(QuizOverride.course == quiz.course, QuizOverride.quiz == quiz.id, whose)
    ).one_or_none()
    if override is None:
        override = QuizOverride(
            course=quiz.course, quiz=quiz.id, user_id=student.id if student else None, group=wanted.group
        )
        writer.add(override)
    override.opens, override.closes = wanted.opens, wanted.closes
    override.time_limit, override.attempts = wanted.time_limit, wanted.attempts
    override.set_by, override.set_at = set_by, now
    writer.flush()
    return override


def check_request(wanted: OverrideRequest) -> None:
    if (wanted.student is None) == (wanted.group is None):
        raise Invalid("override_whom", "Name either one student (e-mail) or one study group.")
    if all(v is None for v in (wanted.opens, wanted.closes, wanted.time_limit, wanted.attempts)):
        raise Invalid("override_empty", "Set at least one of opens, closes, time_limit, attempts.")
    if wanted.opens and wanted.closes and wanted.opens >= wanted.closes:
        raise Invalid("override_dates", "closes: must be later than opens.")
    if wanted.time_limit is not None and not 1 <= wanted.time_limit <= MAX_TIME_LIMIT:
        raise Invalid("override_time_limit", f"time_limit: from 1 to {MAX_TIME_LIMIT} minutes.")
    if wanted.attempts is not None and not 0 <= wanted.attempts <= MAX_ATTEMPTS:
        raise Invalid("override_attempts", f"attempts: from 0 (unlimited) to {MAX_ATTEMPTS}.")


def _student(reader: Session, email: str) -> User:
    user = accounts.find_user(reader, email)
    if user is None or user.role != Role.STUDENT:
        raise Invalid("override_student", f"student: there is no student {email.strip()}.")
    return user


def remove_override(writer: Session, course: str, quiz: str, override_id: int) -> None:
    override = writer.get(QuizOverride, override_id)
    if override is None or (override.course, override.quiz) != (course, quiz):
        raise NotFound("not_found", "The quiz has no such override.")
    writer.delete(override)
