"""Handing work in: drafts, files, submission, versions, extensions and the late policy.

Every function takes the session and `now`; none reads a request or the clock. Dates:
the student's due date and cut-off are the assignment's, or their extension's (a student's
own wins over their study group's). Until the due date a work is on time; after it, late by
whole days or parts of a day; after the cut-off nothing is accepted. A new version (when the
assignment allows it) is accepted until the due date only. A submitted version never changes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from auth import service as accounts
from auth.models import Role, User
from quiz_service.assignments.content import AssignmentSpec
from quiz_service.assignments.models import (
    DRAFT,
    SUBMITTED,
    Extension,
    Submission,
    SubmissionFile,
    UploadRecord,
)
from quiz_service.assignments.uploads import CheckedFile
from quiz_service.core import events
from quiz_service.core.domain import Conflict, Invalid, NotFound, TooMany

TEXT_LIMIT = 100_000  # characters of online text
DAY = timedelta(days=1)


@dataclass(frozen=True)
class Dates:
    due: datetime
    cut_off: datetime | None


# -- dates and the late policy ---------------------------------------------------------------


def extension_for(reader: Session, user: User, course: str, assignment: str) -> Extension | None:
    whose = [Extension.user_id == user.id]
    if user.group:
        whose.append(Extension.group == user.group)
    query = select(Extension).where(
        Extension.course == course, Extension.assignment == assignment, or_(*whose)
    )
    found = list(reader.scalars(query))
    return next((e for e in found if e.user_id is not None), found[0] if found else None)


def dates_of(spec: AssignmentSpec, extension: Extension | None) -> Dates:
    if extension is None:
        return Dates(spec.due, spec.cut_off)
    cut_off = extension.cut_off or spec.cut_off
    if cut_off is not None and cut_off < extension.due:
        cut_off = extension.due  # an extension past the cut-off moves the cut-off with it
    return Dates(extension.due, cut_off)


def dates_for(reader: Session, spec: AssignmentSpec, user: User, course: str) -> Dates:
    return dates_of(spec, extension_for(reader, user, course, spec.id))


def days_late(due: datetime, moment: datetime) -> int:
    """0 until the due date (inclusive), then 1 for any part of the first day, and so on."""
    if moment <= due:
        return 0
    return math.ceil((moment - due) / DAY)


def check_open(dates: Dates, now: datetime, *, resubmission: bool) -> None:
    if dates.cut_off is not None and now > dates.cut_off:
        raise Conflict("assignment_closed", "The cut-off has passed: work is no longer accepted.")
    if resubmission and now > dates.due:
        raise Conflict("resubmit_closed", "A new version is accepted until the due date only.")


def penalty(spec: AssignmentSpec, late_days: int, raw_points: float) -> float:
    """Points taken off a late work's grade under `late: penalty_per_day` (never below zero)."""
    if spec.late != "penalty_per_day" or late_days <= 0:
        return 0.0
    return min(raw_points, round(spec.max_points * spec.penalty_per_day / 100 * late_days, 4))


# -- versions and drafts ---------------------------------------------------------------------


def team_of(spec: AssignmentSpec, user: User) -> str | None:
    """A group assignment's team: the student's study group (None for an individual assignment)."""
    if not spec.group:
        return None
    if not user.group:
        raise Conflict("no_team", "This is a group assignment, and you are in no study group.")
    return user.group


def draft_key(user_id: int, course: str, assignment: str, team: str | None = None) -> str:
    return f"team:{team}:{course}:{assignment}" if team else f"{user_id}:{course}:{assignment}"


def versions_of(
    reader: Session, user_id: int, course: str, assignment: str, team: str | None = None
) -> list[Submission]:
    """Every version, the draft included, in order: the student's, or their team's."""
    whose = Submission.team == team if team else Submission.user_id == user_id
    query = select(Submission).where(whose, Submission.course == course, Submission.assignment == assignment)
    return list(reader.scalars(query.order_by(Submission.number)))


def versions_for(reader: Session, spec: AssignmentSpec, user: User, course: str) -> list[Submission]:
    return versions_of(reader, user.id, course, spec.id, team_of(spec, user))


def files_of(reader: Session, submission_ids: list[int]) -> dict[int, list[SubmissionFile]]:
    found: dict[int, list[SubmissionFile]] = {sid: [] for sid in submission_ids}
    if submission_ids:
        query = select(SubmissionFile).where(SubmissionFile.submission_id.in_(submission_ids))
        for file in reader.scalars(query.order_by(SubmissionFile.id)):
            found[file.submission_id].append(file)
    return found


def draft_of(
    reader: Session, user_id: int, course: str, assignment: str, team: str | None = None
) -> Submission | None:
    key = draft_key(user_id, course, assignment, team)
    return reader.scalars(select(Submission).where(Submission.draft_key == key)).one_or_none()


def open_draft(writer: Session, spec: AssignmentSpec, course: str, user: User, now: datetime) -> Submission:
    """The student's draft, made when there is none (from the last version's text and files)."""
    if user.role != Role.STUDENT:
        raise Conflict("students_only", "Only students hand in work.")
    team = team_of(spec, user)
    draft = draft_of(writer, user.id, course, spec.id, team)
    if draft is not None:
        return draft
    versions = versions_of(writer, user.id, course, spec.id, team)
    if versions and not spec.resubmit:
        raise Conflict("already_submitted", "The work is handed in; this assignment takes one version.")
    check_open(dates_for(writer, spec, user, course), now, resubmission=bool(versions))
    draft = Submission(
        user_id=user.id,
        course=course,
        assignment=spec.id,
        number=(versions[-1].number + 1) if versions else 1,
        state=DRAFT,
        draft_key=draft_key(user.id, course, spec.id, team),
        team=team,
        text=versions[-1].text if versions else "",
        created_at=now,
        updated_at=now,
    )
    try:
        with writer.begin_nested():
            writer.add(draft)
    except IntegrityError:  # made at the same moment by another request of the same student
        found = draft_of(writer, user.id, course, spec.id, team)
        if found is None:
            raise
        return found
    if versions:
        _copy_files(writer, versions[-1].id, draft.id)
    return draft


def _copy_files(writer: Session, source_id: int, target_id: int) -> None:
    for file in files_of(writer, [source_id])[source_id]:
        writer.add(
            SubmissionFile(
                submission_id=target_id,
                name=file.name,
                stored=file.stored,
                media_type=file.media_type,
                size=file.size,
                sha256=file.sha256,
                uploaded_at=file.uploaded_at,
            )
        )
    writer.flush()


def save_text(
    writer: Session, spec: AssignmentSpec, course: str, user: User, text: str, now: datetime
) -> Submission:
    if not spec.online_text:
        raise Invalid("no_online_text", "This assignment takes files, not online text.")
    if len(text) > TEXT_LIMIT:
        raise Invalid("text_too_long", f"The text is longer than {TEXT_LIMIT} characters.")
    draft = open_draft(writer, spec, course, user, now)
    draft.text, draft.updated_at = text, now
    writer.flush()
    return draft


def add_file(
    writer: Session,
    spec: AssignmentSpec,
    course: str,
    user: User,
    checked: CheckedFile,
    stored: str,
    now: datetime,
    hourly_limit: int = 0,
) -> SubmissionFile:
    rules = spec.files
    if rules is None:
        raise Invalid("no_files", "This assignment takes online text, not files.")
    if checked.kind not in rules.types:
        raise Invalid("file_type", f"Allowed: {', '.join(rules.types)}.")
    draft = open_draft(writer, spec, course, user, now)
    if len(files_of(writer, [draft.id])[draft.id]) >= rules.max_files:
        raise Invalid("too_many_files", f"At most {rules.max_files} file(s): remove one first.")
    if hourly_limit and _uploads_in_last_hour(writer, user.id, course, spec.id, now) >= hourly_limit:
        raise TooMany("too_many_uploads", "Too many uploads in an hour; wait and try again.", retry_after=600)
    file = SubmissionFile(
        submission_id=draft.id,
        name=checked.name,
        stored=stored,
        media_type=checked.media_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_at=now,
    )
    writer.add(file)
    writer.add(UploadRecord(user_id=user.id, course=course, assignment=spec.id, uploaded_at=now))
    draft.updated_at = now
    writer.flush()
    return file


def _uploads_in_last_hour(reader: Session, user_id: int, course: str, assignment: str, now: datetime) -> int:
    """Uploads accepted in the last hour, those removed again included (a flood of upload and
    remove is a flood)."""
    query = select(func.count(UploadRecord.id)).where(
        UploadRecord.user_id == user_id,
        UploadRecord.course == course,
        UploadRecord.assignment == assignment,
        UploadRecord.uploaded_at > now - timedelta(hours=1),
    )
    return int(reader.scalar(query) or 0)


def remove_file(writer: Session, course: str, spec: AssignmentSpec, user: User, file_id: int) -> str | None:
    """Take a file out of the draft; the stored name when no version holds it any more."""
    draft = draft_of(writer, user.id, course, spec.id, team_of(spec, user))
    file = writer.get(SubmissionFile, file_id)
    if draft is None or file is None or file.submission_id != draft.id:
        raise NotFound("not_found", "Your draft has no such file.")
    stored = file.stored
    writer.delete(file)
    writer.flush()
    still_used = writer.scalar(select(func.count(SubmissionFile.id)).where(SubmissionFile.stored == stored))
    return None if still_used else stored


def submit(writer: Session, spec: AssignmentSpec, course: str, user: User, now: datetime) -> Submission:
    """The draft becomes a submitted version, on time or late, or is refused after the cut-off."""
    draft = draft_of(writer, user.id, course, spec.id, team_of(spec, user))
    if draft is None:
        raise Conflict("no_draft", "There is nothing to hand in: write text or upload a file first.")
    has_files = bool(files_of(writer, [draft.id])[draft.id])
    if not draft.text.strip() and not has_files:
        raise Invalid("empty_submission", "There is nothing to hand in: write text or upload a file first.")
    dates = dates_for(writer, spec, user, course)
    check_open(dates, now, resubmission=draft.number > 1)
    draft.state, draft.draft_key = SUBMITTED, None
    draft.user_id = user.id  # a team's version: the member who handed it in
    draft.submitted_at, draft.updated_at = now, now
    draft.due, draft.days_late = dates.due, days_late(dates.due, now)
    event = events.AssignmentSubmitted(
        draft.id, user.id, course, spec.id, draft.number, now, dates.due, draft.days_late
    )
    events.publish(writer, event)
    return draft


# -- extensions --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExtensionRequest:
    student: str | None  # e-mail
    group: str | None
    due: datetime
    cut_off: datetime | None


def set_extension(
    writer: Session, course: str, spec: AssignmentSpec, wanted: ExtensionRequest, set_by: int, now: datetime
) -> Extension:
    if (wanted.student is None) == (wanted.group is None):
        raise Invalid("extension_whom", "Name either one student (e-mail) or one study group.")
    if wanted.cut_off is not None and wanted.cut_off < wanted.due:
        raise Invalid("extension_dates", "cut_off: must not be earlier than due.")
    student = None
    if wanted.student:
        student = accounts.find_user(writer, wanted.student)
        if student is None or student.role != Role.STUDENT:
            raise Invalid("extension_student", f"student: there is no student {wanted.student.strip()}.")
    whose = Extension.user_id == student.id if student else Extension.group == wanted.group
    query = select(Extension).where(Extension.course == course, Extension.assignment == spec.id, whose)
    extension = writer.scalars(query).one_or_none()
    if extension is None:
        extension = Extension(
            course=course, assignment=spec.id, user_id=student.id if student else None, group=wanted.group
        )
        writer.add(extension)
    extension.due, extension.cut_off = wanted.due, wanted.cut_off
    extension.set_by, extension.set_at = set_by, now
    writer.flush()
    return extension


def extensions_of(reader: Session, course: str, assignment: str) -> list[tuple[Extension, User | None]]:
    query = (
        select(Extension, User)
        .outerjoin(User, User.id == Extension.user_id)
        .where(Extension.course == course, Extension.assignment == assignment)
        .order_by(Extension.user_id.is_not(None), Extension.group, User.full_name)
    )
    return [(extension, user) for extension, user in reader.execute(query).all()]


def remove_extension(writer: Session, course: str, assignment: str, extension_id: int) -> None:
    extension = writer.get(Extension, extension_id)
    if extension is None or (extension.course, extension.assignment) != (course, assignment):
        raise NotFound("not_found", "The assignment has no such extension.")
    writer.delete(extension)
