"""The assignments API: a student's own work under /api/v1/assignments, files under
/api/v1/assignment-files, the teacher's tools under /api/v1/teach/assignments and
/api/v1/teach/gradebook, a student's grades under /api/v1/grades."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

from flask import Blueprint, Flask, Response, current_app, g, request, send_file, url_for
from sqlalchemy.orm import Session

from auth import service as accounts
from auth.models import Role, User
from quiz_service.assignments import gradebook as book
from quiz_service.assignments import grading, marking, notify, service, uploads
from quiz_service.assignments.access import assessment, known_course, studied_course, taught_course, teaches
from quiz_service.assignments.content import ATTENDANCE, AssignmentSpec, CourseAssessment, quiz_title
from quiz_service.assignments.exports import csv_response, xlsx_response
from quiz_service.assignments.models import (
    Extension,
    FeedbackFile,
    Grade,
    MailPreference,
    Release,
    SecondMark,
    Submission,
    SubmissionFile,
)
from quiz_service.assignments.schemas import (
    AssignmentOut,
    CellOut,
    ChangeOut,
    DraftIn,
    ExtensionIn,
    ExtensionOut,
    ExtensionsOut,
    FileOut,
    GradebookOut,
    GradeIn,
    GradeOut,
    ItemOut,
    LevelChoice,
    MailPreferenceIn,
    MailPreferenceOut,
    OverrideIn,
    QueueOut,
    QueueRowOut,
    ReleaseIn,
    ReleaseOut,
    SecondMarkerIn,
    SecondMarkOut,
    StudentRowOut,
    SubmissionOut,
    VersionOut,
)
from quiz_service.assignments.texts import ASSIGN
from quiz_service.core import db
from quiz_service.core.clock import now
from quiz_service.core.db import release_reader
from quiz_service.core.domain import Conflict, Forbidden, Invalid, NotFound
from quiz_service.core.errors import ApiError
from quiz_service.core.i18n import request_language, texts_for
from quiz_service.core.openapi import operation

api = Blueprint("assignments", __name__, url_prefix="/api/v1")
UPLOAD_MARGIN = 64 * 1024  # the multipart envelope around the file


def init_app(app: Flask) -> None:
    app.register_blueprint(api)
    app.before_request(allow_upload_size)


def allow_upload_size() -> None:
    """An upload may be larger than the service's 1 MB body limit, up to what its assignment
    allows (set before anything reads the body, the CSRF check of forms included)."""
    if request.method != "POST" or request.endpoint not in UPLOAD_ENDPOINTS:
        return
    args = request.view_args or {}
    try:
        spec = _spec_quietly(str(args.get("course", "")), str(args.get("assignment", "")))
    except NotFound:
        return
    if request.endpoint == "assignment_pages.grade_form":
        request.max_content_length = grading.FEEDBACK_MAX_BYTES + UPLOAD_MARGIN
    elif spec is not None and spec.files is not None:
        request.max_content_length = spec.files.max_bytes + UPLOAD_MARGIN


UPLOAD_ENDPOINTS = {"assignments.upload_file", "assignment_pages.upload_form", "assignment_pages.grade_form"}


def _spec_quietly(course: str, assignment: str) -> AssignmentSpec | None:
    return assessment(course).assignment(assignment)


# -- shaping ----------------------------------------------------------------------------------


def file_out(file: SubmissionFile) -> FileOut:
    url = url_for("assignments.download_file", file_id=file.id)
    return FileOut(id=file.id, name=file.name, media_type=file.media_type, size=file.size, url=url)


def version_out(version: Submission, files: list[SubmissionFile]) -> VersionOut:
    return VersionOut(
        id=version.id,
        number=version.number,
        state=version.state,
        text=version.text,
        files=[file_out(f) for f in files],
        submitted_at=version.submitted_at,
        days_late=version.days_late,
        late=version.days_late > 0,
    )


def grade_out(reader: Session, spec: AssignmentSpec, grade: Grade) -> GradeOut:
    chosen = json.loads(grade.levels or "{}")
    levels = [
        LevelChoice(criterion=c.id, level=chosen[c.id], points=c.levels[chosen[c.id]].points)
        for c in spec.rubric
        if c.id in chosen and 0 <= chosen[c.id] < len(c.levels)
    ]
    graded = reader.get(Submission, grade.submission_id)
    return GradeOut(
        submission_id=grade.submission_id,
        number=graded.number if graded else None,
        raw_points=grade.raw_points,
        penalty=grade.penalty,
        points=grade.points,
        max_points=spec.max_points,
        levels=levels,
        feedback=grade.feedback,
        graded_at=grade.graded_at,
        released=grading.is_released(reader, grade),
        feedback_file=feedback_file_out(reader, grade.id),
    )


def feedback_file_out(reader: Session, grade_id: int) -> FileOut | None:
    file = grading.feedback_file_of(reader, grade_id)
    if file is None:
        return None
    url = url_for("assignment_pages.feedback_file_page", file_id=file.id)
    return FileOut(id=file.id, name=file.name, media_type=file.media_type, size=file.size, url=url)


def assignment_out(reader: Session, course: str, spec: AssignmentSpec, user: User) -> AssignmentOut:
    dates = service.dates_for(reader, spec, user, course)
    versions = service.versions_for(reader, spec, user, course)
    files = service.files_of(reader, [v.id for v in versions])
    grade = grading.released_grade(reader, user.id, course, spec.id)
    rules = spec.files
    return AssignmentOut(
        course=course,
        id=spec.id,
        title=spec.title_in(request_language()),
        due=dates.due,
        cut_off=dates.cut_off,
        late_policy=spec.late,
        resubmit=spec.resubmit,
        online_text=spec.online_text,
        file_types=list(rules.types) if rules else [],
        max_files=rules.max_files if rules else 0,
        max_size_mb=rules.max_size_mb if rules else 0,
        max_points=spec.max_points,
        versions=[version_out(v, files[v.id]) for v in versions],
        grade=grade_out(reader, spec, grade) if grade else None,
    )


# -- a student's own work -----------------------------------------------------------------------


def student_spec(course: str, assignment: str) -> AssignmentSpec:
    return studied_course(course).assignment(assignment)


@api.get("/assignments/<course>/<assignment>")
@operation(
    "The assignment as the signed-in student has it: dates, versions, released grade",
    response=AssignmentOut,
    auth=True,
)
def show_assignment(course: str, assignment: str) -> AssignmentOut:
    spec = student_spec(course, assignment)
    return assignment_out(db.session(), course, spec, g.user)


@api.put("/assignments/<course>/<assignment>/draft")
@operation(
    "Save the draft's online text (a draft is made when there is none)",
    body=DraftIn,
    response=AssignmentOut,
    auth=True,
)
def save_draft(course: str, assignment: str, body: DraftIn) -> AssignmentOut:
    spec = student_spec(course, assignment)
    release_reader()
    with db.write_transaction() as writer:
        user = writer.get_one(User, g.user.id)
        service.save_text(writer, spec, course, user, body.text, now())
        notify.remember_language(writer, user.id, request_language())
        return assignment_out(writer, course, spec, user)


def receive_upload(course: str, spec: AssignmentSpec) -> SubmissionFile:
    """Check the uploaded file by its content, store it, add it to the draft (413 when too large)."""
    upload = request.files.get("file")
    if upload is None:
        raise Invalid("file_missing", "Send the file as the multipart field 'file'.")
    if spec.files is None:
        raise Invalid("no_files", "This assignment takes online text, not files.")
    data = upload.stream.read(spec.files.max_bytes + 1)
    try:
        checked = uploads.check_file(data, upload.filename or "", spec.files.types, spec.files.max_bytes)
    except uploads.FileTooLarge as error:
        raise ApiError(413, error.code, error.message) from None
    folder = Path(current_app.config["UPLOAD_DIR"])
    stored = uploads.store(folder, data)
    release_reader()
    try:
        with db.write_transaction() as writer:
            user = writer.get_one(User, g.user.id)
            limit = int(current_app.config["UPLOAD_LIMIT_PER_HOUR"])
            file = service.add_file(writer, spec, course, user, checked, stored, now(), limit)
            writer.expunge(file)
            return file
    except BaseException:
        uploads.remove(folder, stored)
        raise


@api.post("/assignments/<course>/<assignment>/draft/files")
@operation(
    "Upload a file into the draft (multipart field `file`); checked by its content",
    response=FileOut,
    status=201,
    auth=True,
)
def upload_file(course: str, assignment: str) -> FileOut:
    spec = student_spec(course, assignment)
    return file_out(receive_upload(course, spec))


def drop_file(course: str, assignment: str, file_id: int) -> None:
    spec = student_spec(course, assignment)
    release_reader()
    with db.write_transaction() as writer:
        unused = service.remove_file(writer, course, spec, writer.get_one(User, g.user.id), file_id)
    if unused:
        uploads.remove(Path(current_app.config["UPLOAD_DIR"]), unused)


@api.delete("/assignments/<course>/<assignment>/draft/files/<int:file_id>")
@operation("Remove a file from the draft", status=204, auth=True)
def delete_file(course: str, assignment: str, file_id: int) -> None:
    drop_file(course, assignment, file_id)


@api.post("/assignments/<course>/<assignment>/submit")
@operation("Hand the draft in: it becomes a version that never changes", response=AssignmentOut, auth=True)
def submit(course: str, assignment: str) -> AssignmentOut:
    spec = student_spec(course, assignment)
    release_reader()
    with db.write_transaction() as writer:
        user = writer.get_one(User, g.user.id)
        service.submit(writer, spec, course, user, now())
        notify.remember_language(writer, user.id, request_language())
        return assignment_out(writer, course, spec, user)


def mail_preference_out(chosen: MailPreference) -> MailPreferenceOut:
    return MailPreferenceOut(
        reminders=chosen.reminders, grade_mail=chosen.grade_mail, lang=notify.language_of(chosen)
    )


@api.get("/assignments/mail-preferences")
@operation("The signed-in user's e-mail choices for assignments", response=MailPreferenceOut, auth=True)
def show_mail_preferences() -> MailPreferenceOut:
    return mail_preference_out(notify.preference_of(db.session(), g.user.id))


def change_mail_preferences(reminders: bool | None, grade_mail: bool | None, lang: str | None) -> None:
    release_reader()
    with db.write_transaction() as writer:
        notify.set_preference(writer, g.user.id, reminders=reminders, grade_mail=grade_mail, lang=lang)


@api.put("/assignments/mail-preferences")
@operation(
    "Turn due-date reminders or released-grade e-mail on or off; choose their language",
    body=MailPreferenceIn,
    response=MailPreferenceOut,
    auth=True,
)
def update_mail_preferences(body: MailPreferenceIn) -> MailPreferenceOut:
    change_mail_preferences(body.reminders, body.grade_mail, body.lang)
    return mail_preference_out(notify.preference_of(db.session(), g.user.id))


def readable_file(file_id: int) -> tuple[SubmissionFile, Submission]:
    """The file if it is the signed-in user's own, or of a course they teach (403 for a teacher of
    another course; 404 for anyone else, as if it did not exist)."""
    reader = db.session()
    file = reader.get(SubmissionFile, file_id)
    submission = reader.get(Submission, file.submission_id) if file else None
    if file is None or submission is None:
        raise NotFound("not_found", "There is no such file.")
    user = g.user
    own_team = submission.team is not None and user.role == Role.STUDENT and submission.team == user.group
    if submission.user_id == user.id or own_team or teaches(user, submission.course):
        return file, submission
    if user.role in (Role.TEACHER, Role.ADMIN):
        raise Forbidden("forbidden", "Only the course's teachers and admins may do this.")
    raise NotFound("not_found", "There is no such file.")


def give_feedback_file(course: str, spec: AssignmentSpec, submission_id: int) -> None:
    """The grade form's `feedback_file`, checked by content and kept with the student's grade."""
    upload = request.files.get("feedback_file")
    if upload is None or not upload.filename:
        return
    data = upload.stream.read(grading.FEEDBACK_MAX_BYTES + 1)
    try:
        checked = uploads.check_file(
            data, upload.filename, grading.FEEDBACK_TYPES, grading.FEEDBACK_MAX_BYTES
        )
    except uploads.FileTooLarge as error:
        raise ApiError(413, error.code, error.message) from None
    folder = Path(current_app.config["UPLOAD_DIR"])
    stored = uploads.store(folder, data)
    release_reader()
    try:
        with db.write_transaction() as writer:
            submission = submission_in(writer, course, spec, submission_id)
            grade = grading.grade_of(writer, submission.user_id, course, spec.id)
            if grade is None:
                raise Conflict("not_graded", "Grade the work first, then add a file.")
            replaced = grading.attach_feedback_file(writer, grade, checked, stored, g.user.id, now())
    except BaseException:
        uploads.remove(folder, stored)
        raise
    if replaced:
        uploads.remove(folder, replaced)


def readable_feedback_file(file_id: int) -> FeedbackFile:
    """The course's teachers, and the graded student once the grade is released (else 404;
    403 for a teacher of another course)."""
    reader = db.session()
    file = reader.get(FeedbackFile, file_id)
    grade = reader.get(Grade, file.grade_id) if file else None
    if file is None or grade is None:
        raise NotFound("not_found", "There is no such file.")
    user = g.user
    if teaches(user, grade.course):
        return file
    if grade.user_id == user.id and grading.is_released(reader, grade):
        return file
    if user.role in (Role.TEACHER, Role.ADMIN):
        raise Forbidden("forbidden", "Only the course's teachers and admins may do this.")
    raise NotFound("not_found", "There is no such file.")


def file_response(file: SubmissionFile | FeedbackFile) -> Response:
    path = uploads.stored_path(Path(current_app.config["UPLOAD_DIR"]), file.stored)
    if not path.is_file():
        raise NotFound("file_gone", "The file is missing from the storage.")
    response = send_file(path, mimetype=file.media_type, conditional=True, max_age=0)
    ascii_name = file.name.encode("ascii", "replace").decode("ascii").replace('"', "_").replace("?", "_")
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(file.name)}"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@api.get("/assignment-files/<int:file_id>")
@operation(
    "A submitted file (its student and the course's teachers only)",
    auth=True,
    media_type="application/octet-stream",
)
def download_file(file_id: int) -> Response:
    file, _ = readable_file(file_id)
    return file_response(file)


# -- the teacher's tools ---------------------------------------------------------------------------


def taught_spec(course: str, assignment: str) -> tuple[CourseAssessment, AssignmentSpec]:
    found = taught_course(course)
    return found, found.assignment(assignment)


def queue_out(course: str, spec: AssignmentSpec) -> QueueOut:
    reader = db.session()
    rows = grading.queue(reader, course, spec.id)
    blind = marking.blind_students(reader, course, spec.id, g.user.id)
    return QueueOut(
        course=course,
        assignment=spec.id,
        released=reader.get(Release, (course, spec.id)) is not None,
        rows=[
            QueueRowOut(
                submission_id=row.submission.id,
                number=row.submission.number,
                student=row.student.email,
                student_name=row.student.full_name,
                group=row.student.group,
                submitted_at=row.submission.submitted_at or row.submission.updated_at,
                late=row.late,
                days_late=row.submission.days_late,
                needs_grading=row.needs_grading,
                points=row.grade.points if row.grade and row.student.id not in blind else None,
            )
            for row in rows
        ],
    )


@api.get("/teach/assignments/<course>/<assignment>/queue")
@operation(
    "The submissions to grade, oldest first, late ones marked (teachers of the course)",
    response=QueueOut,
    auth=True,
)
def teacher_queue(course: str, assignment: str) -> QueueOut:
    _, spec = taught_spec(course, assignment)
    return queue_out(course, spec)


def submission_in(reader: Session, course: str, spec: AssignmentSpec, submission_id: int) -> Submission:
    submission = reader.get(Submission, submission_id)
    if submission is None or (submission.course, submission.assignment) != (course, spec.id):
        raise NotFound("not_found", "The assignment has no such submission.")
    if submission.state != "submitted":
        raise NotFound("not_found", "The assignment has no such submission.")  # a draft is the student's
    return submission


def submission_out(
    reader: Session, course: str, spec: AssignmentSpec, submission: Submission
) -> SubmissionOut:
    student = reader.get_one(User, submission.user_id)
    mark = marking.second_mark_of(reader, submission.id)
    # blind on every version of the work: the grade (and its history) is the student's, not a version's
    blind = marking.is_blind(mark, g.user.id) or student.id in marking.blind_students(
        reader, course, spec.id, g.user.id
    )
    grade = None if blind else grading.grade_of(reader, student.id, course, spec.id)
    changes = grading.history(reader, grade.id) if grade else []
    files = service.files_of(reader, [submission.id])[submission.id]
    return SubmissionOut(
        student=student.email,
        student_name=student.full_name,
        version=version_out(submission, files),
        grade=grade_out(reader, spec, grade) if grade else None,
        second_mark=second_mark_out(reader, spec, mark) if mark else None,
        blind=blind,
        history=[
            ChangeOut(
                action=c.action,
                points=c.points,
                penalty=c.penalty,
                feedback=c.feedback,
                changed_by=u.email if u else None,
                changed_at=c.changed_at,
            )
            for c, u in changes
        ],
    )


@api.get("/teach/assignments/<course>/<assignment>/submissions/<int:submission_id>")
@operation(
    "A submitted version with its grade and the grade's history (teachers of the course)",
    response=SubmissionOut,
    auth=True,
)
def teacher_submission(course: str, assignment: str, submission_id: int) -> SubmissionOut:
    _, spec = taught_spec(course, assignment)
    reader = db.session()
    return submission_out(reader, course, spec, submission_in(reader, course, spec, submission_id))


def levels_out(spec: AssignmentSpec, levels_json: str) -> list[LevelChoice]:
    chosen = json.loads(levels_json or "{}")
    return [
        LevelChoice(criterion=c.id, level=chosen[c.id], points=c.levels[chosen[c.id]].points)
        for c in spec.rubric
        if c.id in chosen and 0 <= chosen[c.id] < len(c.levels)
    ]


def second_mark_out(reader: Session, spec: AssignmentSpec, mark: SecondMark) -> SecondMarkOut:
    marker = reader.get(User, mark.marker_id)
    asked_by = reader.get(User, mark.requested_by) if mark.requested_by else None
    return SecondMarkOut(
        marker=marker.email if marker else "",
        marker_name=marker.full_name if marker else "",
        requested_by=asked_by.email if asked_by else None,
        requested_at=mark.requested_at,
        marked_at=mark.marked_at,
        raw_points=mark.raw_points,
        levels=levels_out(spec, mark.levels),
        feedback=mark.feedback,
        resolved_at=mark.resolved_at,
    )


def ask_second_marker(course: str, spec: AssignmentSpec, submission_id: int, marker: str) -> SecondMarkOut:
    release_reader()
    with db.write_transaction() as writer:
        submission = submission_in(writer, course, spec, submission_id)
        asker = writer.get_one(User, g.user.id)
        mark = marking.ask_second_marker(writer, spec, course, submission, marker, asker, now())
        return second_mark_out(writer, spec, mark)


@api.post("/teach/assignments/<course>/<assignment>/submissions/<int:submission_id>/second-marker")
@operation(
    "Ask another teacher of the course to mark this graded version independently",
    body=SecondMarkerIn,
    response=SecondMarkOut,
    status=201,
    auth=True,
)
def request_second_marker(
    course: str, assignment: str, submission_id: int, body: SecondMarkerIn
) -> SecondMarkOut:
    _, spec = taught_spec(course, assignment)
    return ask_second_marker(course, spec, submission_id, body.marker)


def give_second_mark(
    course: str, spec: AssignmentSpec, submission_id: int, levels: dict[str, int] | None,
    points: float | None, feedback: str,
) -> SecondMarkOut:  # fmt: skip
    release_reader()
    with db.write_transaction() as writer:
        submission = submission_in(writer, course, spec, submission_id)
        marker = writer.get_one(User, g.user.id)
        mark = marking.give_second_mark(
            writer, spec, submission, marker, levels=levels, points=points, feedback=feedback, now=now()
        )
        return second_mark_out(writer, spec, mark)


@api.put("/teach/assignments/<course>/<assignment>/submissions/<int:submission_id>/second-mark")
@operation(
    "The second marker's own mark (rubric levels or points, feedback); the first mark shows after",
    body=GradeIn,
    response=SecondMarkOut,
    auth=True,
)
def put_second_mark(course: str, assignment: str, submission_id: int, body: GradeIn) -> SecondMarkOut:
    _, spec = taught_spec(course, assignment)
    return give_second_mark(course, spec, submission_id, body.levels, body.points, body.feedback)


def give_grade(
    course: str,
    spec: AssignmentSpec,
    submission_id: int,
    levels: dict[str, int] | None,
    points: float | None,
    feedback: str,
) -> GradeOut:
    release_reader()
    with db.write_transaction() as writer:
        submission_in(writer, course, spec, submission_id)
        mark = marking.check_may_grade(writer, submission_id, g.user.id)
        final = marking.resolve(writer, mark, now())
        grade = grading.grade_submission(
            writer,
            spec,
            course,
            submission_id,
            levels=levels,
            points=points,
            feedback=feedback,
            grader_id=g.user.id,
            now=now(),
            action="final" if final else "graded",
        )
        return grade_out(writer, spec, grade)


@api.put("/teach/assignments/<course>/<assignment>/submissions/<int:submission_id>/grade")
@operation(
    "Grade a submitted version: rubric levels or points, and feedback",
    body=GradeIn,
    response=GradeOut,
    auth=True,
)
def grade_submission(course: str, assignment: str, submission_id: int, body: GradeIn) -> GradeOut:
    _, spec = taught_spec(course, assignment)
    return give_grade(course, spec, submission_id, body.levels, body.points, body.feedback)


def student_by_email(reader: Session, email: str) -> User:
    user = accounts.find_user(reader, email)
    if user is None or user.role != Role.STUDENT:
        raise Invalid("no_such_student", f"student: there is no student {email.strip()}.")
    return user


def release_grades(course: str, spec: AssignmentSpec, student: str | None) -> int:
    release_reader()
    with db.write_transaction() as writer:
        student_id = student_by_email(writer, student).id if student else None
        return grading.release(writer, course, spec, student_id=student_id, by=g.user.id, now=now())


@api.post("/teach/assignments/<course>/<assignment>/release")
@operation(
    "Release the grades: of one student, or of the whole assignment",
    body=ReleaseIn,
    response=ReleaseOut,
    auth=True,
)
def release(course: str, assignment: str, body: ReleaseIn) -> ReleaseOut:
    _, spec = taught_spec(course, assignment)
    return ReleaseOut(released=release_grades(course, spec, body.student or None))


def extension_out(extension: Extension, student: User | None) -> ExtensionOut:
    return ExtensionOut(
        id=extension.id,
        student=student.email if student else None,
        group=extension.group,
        due=extension.due,
        cut_off=extension.cut_off,
        set_at=extension.set_at,
    )


def list_extensions_of(course: str, spec: AssignmentSpec) -> ExtensionsOut:
    rows = service.extensions_of(db.session(), course, spec.id)
    return ExtensionsOut(course=course, assignment=spec.id, extensions=[extension_out(e, u) for e, u in rows])


def extend(course: str, spec: AssignmentSpec, wanted: service.ExtensionRequest) -> ExtensionOut:
    release_reader()
    with db.write_transaction() as writer:
        extension = service.set_extension(writer, course, spec, wanted, g.user.id, now())
        student = writer.get(User, extension.user_id) if extension.user_id else None
        return extension_out(extension, student)


def remove_extension(course: str, spec: AssignmentSpec, extension_id: int) -> None:
    release_reader()
    with db.write_transaction() as writer:
        service.remove_extension(writer, course, spec.id, extension_id)


@api.get("/teach/assignments/<course>/<assignment>/extensions")
@operation("The assignment's extensions for students and study groups", response=ExtensionsOut, auth=True)
def list_extensions(course: str, assignment: str) -> ExtensionsOut:
    _, spec = taught_spec(course, assignment)
    return list_extensions_of(course, spec)


@api.put("/teach/assignments/<course>/<assignment>/extensions")
@operation(
    "Set (or replace) a student's or a study group's due date and cut-off",
    body=ExtensionIn,
    response=ExtensionOut,
    auth=True,
)
def set_extension(course: str, assignment: str, body: ExtensionIn) -> ExtensionOut:
    _, spec = taught_spec(course, assignment)
    for moment in (body.due, body.cut_off):
        if moment is not None and moment.tzinfo is None:
            raise Invalid("extension_zone", "due, cut_off: give the time zone (…+05:00 or …Z).")
    wanted = service.ExtensionRequest(body.student or None, body.group or None, body.due, body.cut_off)
    return extend(course, spec, wanted)


@api.delete("/teach/assignments/<course>/<assignment>/extensions/<int:extension_id>")
@operation("Remove an extension", status=204, auth=True)
def delete_extension(course: str, assignment: str, extension_id: int) -> None:
    _, spec = taught_spec(course, assignment)
    remove_extension(course, spec, extension_id)


def known_course_title(course: str, lang: str) -> str:
    access = known_course(course)
    return access.titles.get(lang) or next(iter(access.titles.values()), course)


# -- the gradebook ------------------------------------------------------------------------------


def item_title(found: CourseAssessment, key: str, lang: str) -> str:
    if key == ATTENDANCE:
        return texts_for(ASSIGN, lang)["attendance"]
    kind, _, ref = key.partition(":")
    if kind == "assignment":
        spec = next((a for a in found.assignments if a.id == ref), None)
        return spec.title_in(lang) if spec else ref
    return quiz_title(current_app.config["SERVICE_DIR"], found.course, ref, lang)


def gradebook_out(found: CourseAssessment, sheet: book.Sheet) -> GradebookOut:
    lang = request_language()
    items = [
        ItemOut(
            key=item.key,
            category=category.category,
            weight=item.weight,
            title=item_title(found, item.key, lang),
        )
        for category, item in sheet.gradebook.items()
    ]
    rows = []
    for student in sheet.students:
        total = sheet.totals[student.id]
        rows.append(
            StudentRowOut(
                student=student.email,
                student_name=student.full_name,
                group=student.group,
                cells=[
                    CellOut(
                        item=key,
                        percent=cell.percent,
                        excused=cell.excused,
                        overridden=cell.overridden,
                        locked=cell.locked,
                        note=cell.note,
                    )
                    for key, cell in sheet.cells[student.id].items()
                ],
                categories=total.categories,
                total=total.percent,
                letter=total.band.letter if total.band else None,
                gpa=total.band.gpa if total.band else None,
                passed=total.band.passed if total.band else None,
                total_overridden=total.overridden,
                total_locked=total.locked,
                awaiting=total.awaiting,
            )
        )
    weights: dict[str, float] = {c.category: c.weight for c in sheet.gradebook.categories}
    return GradebookOut(course=found.course, categories=weights, items=items, students=rows)


def teacher_sheet(course: str) -> tuple[CourseAssessment, book.Sheet]:
    """The grid as the signed-in teacher may see it: a pending second marker's cells not graded."""
    found = taught_course(course)
    reader = db.session()
    students = book.course_students(reader, course)
    hidden = frozenset(marking.blind_cells(reader, course, g.user.id))
    service_dir = current_app.config["SERVICE_DIR"]
    return found, book.build_sheet(reader, service_dir, found, students, now(), hidden=hidden)


@api.get("/teach/gradebook/<course>")
@operation(
    "The course's gradebook: every student's items, categories and total (teachers of the course)",
    response=GradebookOut,
    auth=True,
)
def gradebook(course: str) -> GradebookOut:
    return gradebook_out(*teacher_sheet(course))


def override_cell(course: str, body: OverrideIn) -> None:
    found, sheet = teacher_sheet(course)
    release_reader()
    with db.write_transaction() as writer:
        student = student_by_email(writer, body.student)
        if (student.id, body.item) in marking.blind_cells(writer, course, g.user.id):
            raise Forbidden("second_marker_blind", "Mark the work as its second marker first.")
        current = sheet.cells.get(student.id, {}).get(body.item)
        if body.item == book.TOTAL and student.id in sheet.totals:
            current = book.Cell(sheet.totals[student.id].percent)
        book.set_override(
            writer, found, student, body.item, percent=body.percent, excused=body.excused,
            locked=body.locked, current=current, set_by=g.user.id, now=now(),
        )  # fmt: skip


@api.put("/teach/gradebook/<course>/overrides")
@operation(
    "Override, excuse or lock one cell of the gradebook (empty values remove the override)",
    body=OverrideIn,
    status=204,
    auth=True,
)
def set_override(course: str, body: OverrideIn) -> None:
    override_cell(course, body)


@api.get("/teach/gradebook/<course>/export.csv")
@operation(
    "The gradebook as UTF-8 CSV, formulas neutralised (teachers of the course)",
    auth=True,
    media_type="text/csv",
)
def export_csv(course: str) -> Response:
    return csv_response(*teacher_sheet(course))


@api.get("/teach/gradebook/<course>/export.xlsx")
@operation(
    "The gradebook as an XLSX workbook (teachers of the course)",
    auth=True,
    media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)
def export_xlsx(course: str) -> Response:
    return xlsx_response(*teacher_sheet(course))


@api.get("/grades/<course>")
@operation(
    "The signed-in student's own grades in the course (released ones only)", response=GradebookOut, auth=True
)
def my_grades(course: str) -> GradebookOut:
    return student_grades(course)


def student_grades(course: str) -> GradebookOut:
    """The student's own row: released grades only; the total once every item is visible."""
    found = studied_course(course)
    if g.user.role != Role.STUDENT:
        raise Forbidden("students_only", "This is a student's own page.")
    sheet = book.build_sheet(
        db.session(), current_app.config["SERVICE_DIR"], found, [g.user], now(), for_student=True
    )
    shown = gradebook_out(found, sheet)
    if not book.student_sees_whole_total(sheet, g.user.id):
        for row in shown.students:
            row.total = row.letter = row.gpa = row.passed = None
            row.categories = {key: None for key in row.categories}
    return shown
