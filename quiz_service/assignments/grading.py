"""Grading: the teacher's queue, points or rubric levels, feedback, release, the history of changes.

A grade belongs to a student and an assignment and names the version it graded; each change
(graded, released) is kept as it was after the change, with who and when. A grade is hidden
from the student until the teacher releases it: for the whole assignment, or for one student.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from auth.models import Role, User
from quiz_service.assignments import notify
from quiz_service.assignments.content import AssignmentSpec
from quiz_service.assignments.models import SUBMITTED, FeedbackFile, Grade, GradeChange, Release, Submission
from quiz_service.assignments.service import penalty
from quiz_service.assignments.uploads import CheckedFile
from quiz_service.core import events
from quiz_service.core.domain import Conflict, Invalid, NotFound

FEEDBACK_LIMIT = 20_000


def rubric_points(spec: AssignmentSpec, levels: dict[str, int]) -> float:
    """The sum of the chosen level of every criterion; each criterion needs exactly one level."""
    known = {criterion.id for criterion in spec.rubric}
    unknown = sorted(set(levels) - known)
    if unknown:
        raise Invalid("rubric_unknown", f"levels: the rubric has no criterion {', '.join(unknown)}.")
    total = 0.0
    for criterion in spec.rubric:
        index = levels.get(criterion.id)
        if index is None:
            raise Invalid("rubric_missing", f"levels: choose a level for '{criterion.id}'.")
        if not 0 <= index < len(criterion.levels):
            raise Invalid(
                "rubric_level", f"levels: '{criterion.id}' has levels 0 to {len(criterion.levels) - 1}."
            )
        total += criterion.levels[index].points
    return total


def raw_points_of(spec: AssignmentSpec, levels: dict[str, int] | None, points: float | None) -> float:
    if spec.rubric:
        if levels is None or points is not None:
            raise Invalid("grade_rubric", "This assignment is graded with its rubric: send levels.")
        return rubric_points(spec, levels)
    if points is None or levels:
        raise Invalid("grade_points", "This assignment is graded in points: send points.")
    if not 0 <= points <= spec.max_points:
        raise Invalid("grade_range", f"points: from 0 to {spec.max_points:g}.")
    return points


def grade_submission(
    writer: Session,
    spec: AssignmentSpec,
    course: str,
    submission_id: int,
    *,
    levels: dict[str, int] | None,
    points: float | None,
    feedback: str,
    grader_id: int,
    now: datetime,
    action: str = "graded",
) -> Grade:
    """Set the grade of a version (`action` "final" when it follows a second marker's mark)."""
    submission = writer.get(Submission, submission_id)
    if submission is None or (submission.course, submission.assignment) != (course, spec.id):
        raise NotFound("not_found", "The assignment has no such submission.")
    if submission.state != SUBMITTED:
        raise Conflict("not_submitted", "A draft is not graded: wait until it is handed in.")
    if len(feedback) > FEEDBACK_LIMIT:
        raise Invalid("feedback_too_long", f"feedback: at most {FEEDBACK_LIMIT} characters.")
    raw = raw_points_of(spec, levels, points)
    off = penalty(spec, submission.days_late, raw)
    chosen = json.dumps(levels or {}, sort_keys=True)
    grades = [
        _set_grade(
            writer, spec, course, submission, member, (raw, off, chosen, feedback), grader_id, now, action
        )
        for member in members_of(writer, submission)
    ]
    return next((g for g in grades if g.user_id == submission.user_id), grades[0])


def members_of(reader: Session, submission: Submission) -> list[int]:
    """Who a version's grade goes to: its student, or every active student of its team."""
    if submission.team is None:
        return [submission.user_id]
    query = select(User.id).where(
        User.group == submission.team, User.role == Role.STUDENT, User.is_active.is_(True)
    )
    members = set(reader.scalars(query)) | {submission.user_id}
    return sorted(members)


def _set_grade(
    writer: Session,
    spec: AssignmentSpec,
    course: str,
    submission: Submission,
    student_id: int,
    mark: tuple[float, float, str, str],
    grader_id: int,
    now: datetime,
    action: str,
) -> Grade:
    raw, off, levels, feedback = mark
    grade = writer.scalars(
        select(Grade).where(Grade.user_id == student_id, Grade.course == course, Grade.assignment == spec.id)
    ).one_or_none()
    if grade is None:
        grade = Grade(user_id=student_id, course=course, assignment=spec.id)
        writer.add(grade)
    grade.submission_id = submission.id
    grade.raw_points, grade.penalty, grade.points = raw, off, round(raw - off, 4)
    grade.levels = levels
    grade.feedback, grade.graded_by, grade.graded_at = feedback, grader_id, now
    writer.flush()
    _record(writer, grade, action, grader_id, now)
    event = events.AssignmentGraded(
        grade.id,
        submission.id,
        student_id,
        course,
        spec.id,
        grade.points,
        spec.max_points,
        grader_id,
        now,
    )
    events.publish(writer, event)
    if is_released(writer, grade):  # graded after the assignment's release: the student sees it now
        notify.grade_released(writer, spec, grade)
    return grade


def _record(writer: Session, grade: Grade, action: str, by: int, now: datetime) -> None:
    writer.add(
        GradeChange(
            grade_id=grade.id,
            submission_id=grade.submission_id,
            action=action,
            raw_points=grade.raw_points,
            penalty=grade.penalty,
            points=grade.points,
            levels=grade.levels,
            feedback=grade.feedback,
            changed_by=by,
            changed_at=now,
        )
    )
    writer.flush()


def release(
    writer: Session, course: str, spec: AssignmentSpec, *, student_id: int | None, by: int, now: datetime
) -> int:
    """Release one student's grade, or the whole assignment's (also grades given later); the count
    of grades released now. Each student whose grade shows now is told by e-mail (once per grade)."""
    assignment = spec.id
    already_released = writer.get(Release, (course, assignment)) is not None
    query = select(Grade).where(Grade.course == course, Grade.assignment == assignment)
    if student_id is not None:
        query = query.where(Grade.user_id == student_id)
    grades = [g for g in writer.scalars(query) if g.released_at is None]
    if student_id is not None and not grades and not _graded(writer, course, assignment, student_id):
        raise Conflict("nothing_to_release", "The student's work is not graded yet.")
    for grade in grades:
        grade.released_at = now
        _record(writer, grade, "released", by, now)
        if not already_released:
            notify.grade_released(writer, spec, grade)
    if student_id is None and writer.get(Release, (course, assignment)) is None:
        writer.add(Release(course=course, assignment=assignment, released_by=by, released_at=now))
    events.publish(writer, events.AssignmentGradesReleased(course, assignment, student_id, now))
    return len(grades)


def _graded(reader: Session, course: str, assignment: str, student_id: int) -> bool:
    query = select(func.count(Grade.id)).where(
        Grade.course == course, Grade.assignment == assignment, Grade.user_id == student_id
    )
    return bool(reader.scalar(query))


FEEDBACK_TYPES = ["pdf", "docx", "odt", "xlsx", "jpg", "png", "txt"]
FEEDBACK_MAX_BYTES = 10 * 1024 * 1024


def attach_feedback_file(
    writer: Session, grade: Grade, checked: CheckedFile, stored: str, by: int, now: datetime
) -> str | None:
    """Give a file back with the grade (replacing an earlier one); the replaced file's stored name."""
    file = writer.scalars(select(FeedbackFile).where(FeedbackFile.grade_id == grade.id)).one_or_none()
    replaced = file.stored if file is not None else None
    if file is None:
        file = FeedbackFile(grade_id=grade.id)
        writer.add(file)
    file.name, file.stored, file.media_type = checked.name, stored, checked.media_type
    file.size, file.sha256, file.uploaded_by, file.uploaded_at = checked.size, checked.sha256, by, now
    writer.flush()
    return replaced


def feedback_file_of(reader: Session, grade_id: int) -> FeedbackFile | None:
    return reader.scalars(select(FeedbackFile).where(FeedbackFile.grade_id == grade_id)).one_or_none()


def is_released(reader: Session, grade: Grade) -> bool:
    return grade.released_at is not None or reader.get(Release, (grade.course, grade.assignment)) is not None


def grade_of(reader: Session, user_id: int, course: str, assignment: str) -> Grade | None:
    query = select(Grade).where(
        Grade.user_id == user_id, Grade.course == course, Grade.assignment == assignment
    )
    return reader.scalars(query).one_or_none()


def released_grade(reader: Session, user_id: int, course: str, assignment: str) -> Grade | None:
    """The grade as the student may see it: None until released."""
    grade = grade_of(reader, user_id, course, assignment)
    return grade if grade is not None and is_released(reader, grade) else None


def history(reader: Session, grade_id: int) -> list[tuple[GradeChange, User | None]]:
    query = (
        select(GradeChange, User)
        .outerjoin(User, User.id == GradeChange.changed_by)
        .where(GradeChange.grade_id == grade_id)
        .order_by(GradeChange.id)
    )
    return [(change, user) for change, user in reader.execute(query).all()]


@dataclass(frozen=True)
class QueueRow:
    submission: Submission
    student: User
    grade: Grade | None

    @property
    def needs_grading(self) -> bool:
        return self.grade is None or self.grade.submission_id != self.submission.id

    @property
    def late(self) -> bool:
        return self.submission.days_late > 0


def queue(reader: Session, course: str, assignment: str) -> list[QueueRow]:
    """Each student's (or team's) latest submitted version: those to grade first, oldest first;
    then the graded."""
    latest = (
        select(Submission.user_id, func.max(Submission.number).label("number"))
        .where(
            Submission.course == course, Submission.assignment == assignment, Submission.state == SUBMITTED
        )
        .group_by(Submission.user_id)
        .subquery()
    )
    query = (
        select(Submission, User)
        .join(latest, (latest.c.user_id == Submission.user_id) & (latest.c.number == Submission.number))
        .join(User, User.id == Submission.user_id)
        .where(Submission.course == course, Submission.assignment == assignment)
    )
    grades = {
        g.user_id: g
        for g in reader.scalars(select(Grade).where(Grade.course == course, Grade.assignment == assignment))
    }
    rows = [QueueRow(s, u, grades.get(u.id)) for s, u in reader.execute(query).all()]
    by_owner: dict[str, QueueRow] = {}
    for row in rows:  # a team's latest version only (its members each made some)
        owner = f"team:{row.submission.team}" if row.submission.team else f"user:{row.student.id}"
        if owner not in by_owner or row.submission.number > by_owner[owner].submission.number:
            by_owner[owner] = row
    rows = list(by_owner.values())
    return sorted(rows, key=lambda r: (not r.needs_grading, r.submission.submitted_at, r.submission.id))
