"""A second marker (issue 16, item 3): the teacher who graded a work asks another teacher of the
course to mark it. The second marker marks independently: until they submit their mark they see
neither the first mark nor the grade's history (in the queue, the submission, the gradebook).
The first teacher then sees both marks and sets the final grade (grading the version again);
every step is kept in the grade's history with who and when. The student only ever sees the
released final grade.

Rules: the second marker is a teacher listed in the course (course.yml `teachers`), not the one
who asks; the version must be graded first; one second marking per version (asking again names
another marker while no mark is in); while a second marking is open, the second marker cannot
set the grade itself.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from auth import service as accounts
from auth.access import courses
from auth.models import Role, User
from quiz_service.assignments.content import AssignmentSpec
from quiz_service.assignments.grading import FEEDBACK_LIMIT, grade_of, raw_points_of
from quiz_service.assignments.models import SUBMITTED, GradeChange, SecondMark, Submission
from quiz_service.core.domain import Conflict, Forbidden, Invalid, NotFound


def is_course_teacher(user: User, course: str) -> bool:
    """A teacher named in the course (admins teach every course but are not its markers)."""
    access = courses().get(course)
    return (
        access is not None
        and user.is_active
        and user.role == Role.TEACHER
        and user.email.strip().lower() in access.teachers
    )


def second_mark_of(reader: Session, submission_id: int) -> SecondMark | None:
    return reader.scalars(select(SecondMark).where(SecondMark.submission_id == submission_id)).one_or_none()


def is_blind(mark: SecondMark | None, viewer_id: int) -> bool:
    """True while `viewer_id` is the second marker and has not submitted: the first mark is hidden."""
    return mark is not None and mark.marker_id == viewer_id and mark.marked_at is None


def blind_students(reader: Session, course: str, assignment: str, viewer_id: int) -> set[int]:
    """The students whose work `viewer_id` still has to mark blind (their grade hidden from them)."""
    query = (
        select(Submission.user_id)
        .join(SecondMark, SecondMark.submission_id == Submission.id)
        .where(
            Submission.course == course,
            Submission.assignment == assignment,
            SecondMark.marker_id == viewer_id,
            SecondMark.marked_at.is_(None),
        )
    )
    return set(reader.scalars(query))


def blind_cells(reader: Session, course: str, viewer_id: int) -> set[tuple[int, str]]:
    """(student, `assignment:<id>`) of every gradebook cell hidden from a pending second marker."""
    query = (
        select(Submission.user_id, Submission.assignment)
        .join(SecondMark, SecondMark.submission_id == Submission.id)
        .where(Submission.course == course, SecondMark.marker_id == viewer_id, SecondMark.marked_at.is_(None))
    )
    return {(user_id, f"assignment:{assignment}") for user_id, assignment in reader.execute(query).all()}


def _history(writer: Session, grade_id: int, submission_id: int, action: str, points: float, mark: SecondMark,
             by: int, now: datetime) -> None:  # fmt: skip
    writer.add(
        GradeChange(
            grade_id=grade_id,
            submission_id=submission_id,
            action=action,
            raw_points=points,
            penalty=0.0,
            points=points,
            levels=mark.levels,
            feedback=mark.feedback,
            changed_by=by,
            changed_at=now,
        )
    )
    writer.flush()


def ask_second_marker(
    writer: Session, spec: AssignmentSpec, course: str, submission: Submission, marker_email: str,
    asked_by: User, now: datetime,
) -> SecondMark:  # fmt: skip
    if submission.state != SUBMITTED:
        raise NotFound("not_found", "The assignment has no such submission.")
    marker = accounts.find_user(writer, marker_email)
    if marker is None or not is_course_teacher(marker, course):
        raise Invalid("second_marker_teacher", "marker: name another teacher of this course.")
    if marker.id == asked_by.id:
        raise Invalid("second_marker_self", "marker: the second marker is another teacher, not you.")
    grade = grade_of(writer, submission.user_id, course, spec.id)
    if grade is None or grade.submission_id != submission.id:
        raise Conflict("grade_first", "Grade this version first, then ask for a second marker.")
    mark = second_mark_of(writer, submission.id)
    if mark is not None and mark.marked_at is not None:
        raise Conflict("second_mark_in", "The second marker has marked this version already.")
    if mark is None:
        mark = SecondMark(submission_id=submission.id, grade_id=grade.id)
        writer.add(mark)
    mark.marker_id, mark.requested_by, mark.requested_at = marker.id, asked_by.id, now
    writer.flush()
    _history(writer, grade.id, submission.id, "second_asked", grade.points, mark, asked_by.id, now)
    return mark


def give_second_mark(
    writer: Session, spec: AssignmentSpec, submission: Submission, marker: User, *,
    levels: dict[str, int] | None, points: float | None, feedback: str, now: datetime,
) -> SecondMark:  # fmt: skip
    mark = second_mark_of(writer, submission.id)
    if mark is None or mark.marker_id != marker.id:
        raise Forbidden("not_second_marker", "You are not asked to mark this work.")
    if mark.resolved_at is not None:
        raise Conflict("second_mark_closed", "The final grade is set: the second marking is closed.")
    if len(feedback) > FEEDBACK_LIMIT:
        raise Invalid("feedback_too_long", f"feedback: at most {FEEDBACK_LIMIT} characters.")
    mark.raw_points = raw_points_of(spec, levels, points)
    mark.levels = json.dumps(levels or {}, sort_keys=True)
    mark.feedback, mark.marked_at = feedback, now
    writer.flush()
    _history(writer, mark.grade_id, submission.id, "second_marked", mark.raw_points, mark, marker.id, now)
    return mark


def check_may_grade(reader: Session, submission_id: int, grader_id: int) -> SecondMark | None:
    """Before the grade is set: the open second marking, if any (its marker may not set the grade)."""
    mark = second_mark_of(reader, submission_id)
    if mark is not None and mark.resolved_at is None and mark.marker_id == grader_id:
        raise Forbidden(
            "second_marker_not_final", "The second marker marks; the first teacher sets the grade."
        )
    return mark


def resolve(writer: Session, mark: SecondMark | None, now: datetime) -> bool:
    """The grade set after the second mark came in is the final grade: True when it closes one."""
    if mark is None or mark.marked_at is None or mark.resolved_at is not None:
        return False
    mark.resolved_at = now
    return True
