"""The teacher's quiz tools: the API under /api/v1/teach and the pages under /teach/.

Only a course's teachers and admins (`quizzes.teacher`): 404 for an unknown course, quiz or
attempt, 403 for anyone else, 401 (API) or the sign-in page (pages) when signed out. Each
view parses, calls `grading` or the attempts' `service`, and shapes the answer.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import datetime

from flask import Blueprint, Flask, Response, current_app, g, request
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response as WerkzeugResponse  # redirect()'s type, base of Flask's

from auth.enrolment import CourseAccess
from quiz_service.core import db
from quiz_service.core.clock import now
from quiz_service.core.db import release_reader
from quiz_service.core.domain import DomainError
from quiz_service.core.i18n import request_language
from quiz_service.core.openapi import operation
from quiz_service.quizzes.attempts import service
from quiz_service.quizzes.attempts.sweep import sweep_overdue_attempts
from quiz_service.quizzes.models import Attempt, GradeRelease
from quiz_service.quizzes.pinned import PinnedQuiz, parse_quiz
from quiz_service.quizzes.teacher import (
    back_to,
    formatted,
    require_teacher_role,
    taught_course,
    taught_courses,
    taught_quiz,
    teach_page,
    teacher_page,
    version_numbers,
    words,
)
from quiz_service.quizzes.teaching import grading
from quiz_service.quizzes.teaching.schemas import (
    AttemptChangeOut,
    GradeIn,
    GradingQueue,
    NotRegradableOut,
    QuestionChangeOut,
    QuizAttempts,
    RegradeIn,
    RegradeOut,
    ReleaseOut,
    StudentOut,
    TaughtQuiz,
    TaughtQuizzes,
    TeacherAttempt,
    TeacherAttemptBrief,
    TeacherQuestion,
)

api = Blueprint("teach_api", __name__, url_prefix="/api/v1/teach")
pages = Blueprint("teach", __name__, url_prefix="/teach", template_folder="templates")
for _blueprint in (api, pages):
    _blueprint.before_request(sweep_overdue_attempts)  # teachers see attempts whose time ran out as closed


def init_app(app: Flask) -> None:
    app.register_blueprint(api)
    app.register_blueprint(pages)


# -- loading, for a teacher of the course -------------------------------------------------


def taught_attempt(
    session: Session, attempt_id: int, for_update: bool = False
) -> tuple[Attempt, grading.Student]:
    attempt, student = grading.attempt_with_student(session, attempt_id, for_update)
    taught_course(attempt.course)
    return attempt, student


def quizzes_of(course: CourseAccess) -> list[PinnedQuiz]:
    folder = current_app.config["SERVICE_DIR"] / "quizzes" / course.id
    paths = sorted(folder.glob("*.json")) if folder.is_dir() else []
    return [parse_quiz(path.read_text(encoding="utf-8")) for path in paths]


def released_at(reader: Session, course: str, quiz: str) -> datetime | None:
    release = reader.get(GradeRelease, (course, quiz))
    return release.released_at if release is not None else None


# -- shaping ------------------------------------------------------------------------------


def percent(points: float | None, max_points: float | None) -> float | None:
    return round(100 * points / max_points, 2) if points is not None and max_points else None


def brief_out(attempt: Attempt, student: grading.Student, to_grade: int) -> TeacherAttemptBrief:
    return TeacherAttemptBrief(
        id=attempt.id,
        number=attempt.number,
        state=attempt.state.value,
        version=attempt.version,
        student=StudentOut.model_validate(student, from_attributes=True),
        started_at=attempt.started_at,
        finished_at=attempt.finished_at,
        points=attempt.points,
        max_points=attempt.max_points,
        percent=percent(attempt.points, attempt.max_points),
        to_grade=to_grade,
    )


def row_out(row: grading.AttemptRow) -> TeacherAttemptBrief:
    return brief_out(row.attempt, row.student, row.to_grade)


def attempt_full(reader: Session, attempt: Attempt, student: grading.Student) -> TeacherAttempt:
    quiz = service.pinned_quiz(reader, attempt)
    answers = service.answers_of(reader, attempt.id)
    names = grading.graders(reader, answers.values())
    graded = grading.graded_questions(attempt, quiz, answers)
    waiting = sum(item.state == "manual" for item in graded)
    return TeacherAttempt(
        **brief_out(attempt, student, waiting).model_dump(),
        course=attempt.course,
        quiz=attempt.quiz,
        title=quiz.title.get(attempt.lang) or next(iter(quiz.title.values()), attempt.quiz),
        lang=attempt.lang,
        questions=[question_out(item, names) for item in graded],
    )


def question_out(item: grading.GradedQuestion, names: Mapping[int, str]) -> TeacherQuestion:
    question = item.question
    return TeacherQuestion(
        id=question.public_id,
        type=question.type,
        text=question.text,
        format=question.format,
        response=item.response,
        response_text=item.shown_response,
        right_answer=item.right_answer,
        fraction=item.fraction,
        points=item.points,
        max_points=item.max_points,
        state=item.state,
        comment=item.comment,
        graded_by=names.get(item.graded_by) if item.graded_by is not None else None,
        graded_at=item.graded_at,
    )


def regrade_out(report: grading.RegradeReport) -> RegradeOut:
    return RegradeOut(
        version=report.version,
        dry_run=report.dry_run,
        attempts_checked=report.attempts,
        attempts_changed=len(report.changed),
        answers_changed=report.answers_changed,
        changes=[
            AttemptChangeOut(
                attempt=change.attempt_id,
                student=StudentOut.model_validate(change.student, from_attributes=True),
                old_version=change.old_version,
                old_points=change.old_points,
                new_points=change.new_points,
                old_max_points=change.old_max_points,
                new_max_points=change.new_max_points,
                questions=[
                    QuestionChangeOut.model_validate(q, from_attributes=True) for q in change.questions
                ],
            )
            for change in report.changed
        ],
        not_regradable=[
            NotRegradableOut(
                attempt=item.attempt_id,
                student=StudentOut.model_validate(item.student, from_attributes=True),
                version=item.version,
                reason=item.reason,
            )
            for item in report.not_regradable
        ],
    )


# -- actions shared by the API and the pages ----------------------------------------------


def list_taught_quizzes() -> list[TaughtQuiz]:
    require_teacher_role()
    reader = db.session()
    listed = []
    for course in taught_courses():
        counts = grading.course_counts(reader, course.id)
        for quiz in quizzes_of(course):
            count = counts.get(quiz.id, grading.QuizCounts())
            listed.append(
                TaughtQuiz(
                    course=course.id,
                    course_title=course.titles,
                    quiz=quiz.id,
                    title=quiz.title,
                    kind=quiz.settings.kind,
                    attempts=count.attempts,
                    to_grade=count.to_grade,
                )
            )
    return listed


def quiz_attempts(course: str, quiz: str) -> QuizAttempts:
    pinned, _ = taught_quiz(course, quiz)
    reader = db.session()
    return QuizAttempts(
        course=course,
        quiz=quiz,
        title=pinned.title,
        kind=pinned.settings.kind,
        version=pinned.version,
        released_at=released_at(reader, course, quiz),
        attempts=[row_out(row) for row in grading.quiz_attempts(reader, course, quiz)],
    )


def run_regrade(course: str, quiz: str, dry_run: bool) -> RegradeOut:
    pinned, body = taught_quiz(course, quiz)
    if dry_run:
        report = grading.regrade(db.session(), pinned, body, g.user.id, now(), dry_run=True)
        return regrade_out(report)
    release_reader()
    with db.write_transaction() as writer:
        report = grading.regrade(writer, pinned, body, g.user.id, now(), dry_run=False)
        return regrade_out(report)


def release(course: str, quiz: str) -> ReleaseOut:
    taught_quiz(course, quiz)
    release_reader()
    with db.write_transaction() as writer:
        service.release_grades(writer, course, quiz, now())
        moment = released_at(writer, course, quiz)
    assert moment is not None
    return ReleaseOut(course=course, quiz=quiz, released_at=moment)


def grade(attempt_id: int, question: str, points: float, comment: str | None) -> TeacherAttempt:
    release_reader()
    with db.write_transaction() as writer:
        attempt, student = taught_attempt(writer, attempt_id, for_update=True)
        quiz = service.pinned_quiz(writer, attempt)
        given = grading.ManualGrade(question, points, comment, g.user.id)
        grading.grade_answer(writer, attempt, quiz, given, now())
        writer.flush()
        return attempt_full(writer, attempt, student)


# -- the API ------------------------------------------------------------------------------


@api.get("/quizzes")
@operation(
    "The quizzes of the courses the signed-in teacher teaches, with counts", response=TaughtQuizzes, auth=True
)
def my_quizzes() -> TaughtQuizzes:
    return TaughtQuizzes(quizzes=list_taught_quizzes())


@api.get("/quizzes/<course>/<quiz>/attempts")
@operation(
    "Every attempt at a quiz, with the students' names, e-mail and group", response=QuizAttempts, auth=True
)
def attempts_of_quiz(course: str, quiz: str) -> QuizAttempts:
    return quiz_attempts(course, quiz)


@api.get("/quizzes/<course>/<quiz>/grading")
@operation(
    "The manual grading queue: finished attempts with answers that wait for a grade, oldest first",
    response=GradingQueue,
    auth=True,
)
def grading_queue(course: str, quiz: str) -> GradingQueue:
    taught_quiz(course, quiz)
    rows = grading.grading_queue(db.session(), course, quiz)
    return GradingQueue(course=course, quiz=quiz, attempts=[row_out(row) for row in rows])


@api.post("/quizzes/<course>/<quiz>/regrade")
@operation(
    "Regrade every finished attempt on the quiz's current version (teachers' grades are kept)",
    body=RegradeIn,
    response=RegradeOut,
    auth=True,
)
def regrade_quiz(course: str, quiz: str, body: RegradeIn) -> RegradeOut:
    return run_regrade(course, quiz, body.dry_run)


@api.post("/quizzes/<course>/<quiz>/release")
@operation("Release the quiz's grades: reviews set to after-release open", response=ReleaseOut, auth=True)
def release_quiz(course: str, quiz: str) -> ReleaseOut:
    return release(course, quiz)


@api.get("/attempts/<int:attempt_id>")
@operation(
    "One attempt in full: each question, the response in words, the right answer, points, comment",
    response=TeacherAttempt,
    auth=True,
)
def attempt_in_full(attempt_id: int) -> TeacherAttempt:
    reader = db.session()
    attempt, student = taught_attempt(reader, attempt_id)
    return attempt_full(reader, attempt, student)


@api.put("/attempts/<int:attempt_id>/grades/<question>")
@operation(
    "Grade one question of a finished attempt (points and a comment); a teacher's grade outlasts regrades",
    body=GradeIn,
    response=TeacherAttempt,
    auth=True,
)
def grade_question(attempt_id: int, question: str, body: GradeIn) -> TeacherAttempt:
    return grade(attempt_id, question, body.points, body.comment)


# -- the pages ----------------------------------------------------------------------------


@pages.get("/")
@teacher_page
def index() -> Response:
    quizzes = list_taught_quizzes()
    courses = taught_courses()
    return teach_page("teach/index.html", title=words()["my_quizzes"], courses=courses, quizzes=quizzes)


@pages.get("/<course>/<quiz>/")
@teacher_page
def quiz_page(course: str, quiz: str) -> Response:
    listed = quiz_attempts(course, quiz)
    lang = request_language()
    return teach_page(
        "teach/quiz.html",
        title=listed.title.get(lang) or next(iter(listed.title.values()), quiz),
        listed=listed,
        versions=version_numbers(db.session(), course, quiz),
        last_regrade=grading.last_regrade(db.session(), course, quiz),
        reports=report_links(course, quiz, lang),
    )


def report_links(course: str, quiz: str, lang: str) -> dict[str, str]:
    """The statistics page and exports of the reports feature (quiz_service/quizzes/reports/views.py)."""
    return {
        "statistics": f"/teach/{course}/{quiz}/statistics?lang={lang}",
        "results_csv": f"/api/v1/teach/quizzes/{course}/{quiz}/results.csv?lang={lang}",
        "results_xlsx": f"/api/v1/teach/quizzes/{course}/{quiz}/results.xlsx?lang={lang}",
    }


@pages.post("/<course>/<quiz>/release")
@teacher_page
def release_page(course: str, quiz: str) -> WerkzeugResponse:
    release(course, quiz)
    return back_to("teach.quiz_page", "released", course=course, quiz=quiz)


@pages.get("/<course>/<quiz>/regrade")
@teacher_page
def regrade_preview(course: str, quiz: str) -> Response:
    return regrade_page(course, quiz, run_regrade(course, quiz, dry_run=True))


@pages.post("/<course>/<quiz>/regrade")
@teacher_page
def regrade_confirmed(course: str, quiz: str) -> Response:
    return regrade_page(course, quiz, run_regrade(course, quiz, dry_run=False))


def regrade_page(course: str, quiz: str, report: RegradeOut) -> Response:
    said = words()
    return teach_page(
        "teach/regrade.html",
        title=said["regrade_preview"] if report.dry_run else said["regrade"],
        course=course,
        quiz=quiz,
        report=report,
        versions=version_numbers(db.session(), course, quiz),
    )


@pages.get("/<course>/<quiz>/next")
@teacher_page
def next_to_grade(course: str, quiz: str) -> WerkzeugResponse:
    """The longest waiting attempt of the grading queue, or the quiz page when nothing waits."""
    taught_quiz(course, quiz)
    queue = grading.grading_queue(db.session(), course, quiz)
    if not queue:
        return back_to("teach.quiz_page", "nothing_to_grade", course=course, quiz=quiz)
    return back_to("teach.attempt_page", attempt_id=queue[0].attempt.id)


@pages.get("/attempts/<int:attempt_id>")
@teacher_page
def attempt_page(attempt_id: int) -> Response:
    return show_attempt(attempt_id)


def show_attempt(
    attempt_id: int, *, error: str | None = None, failed: str | None = None, status: int = 200
) -> Response:
    reader = db.session()
    attempt, student = taught_attempt(reader, attempt_id)
    full = attempt_full(reader, attempt, student)
    said = words()
    return teach_page(
        "teach/attempt.html",
        status=status,
        title=f"{said['attempt_title'].format(number=full.number)}: {student.full_name}",
        attempt=full,
        error=error,
        failed=failed,
    )


@pages.post("/attempts/<int:attempt_id>/grades/<question>")
@teacher_page
def grade_page(attempt_id: int, question: str) -> WerkzeugResponse:
    points = parse_points(request.form.get("points", ""))
    said = words()
    if points is None:
        return show_attempt(attempt_id, error=said["points_invalid"], failed=question, status=422)
    try:
        grade(attempt_id, question, points, request.form.get("comment"))
    except DomainError as error:
        if error.code != "points_out_of_range":
            raise
        most = _question_points(attempt_id, question)
        message = said["points_out_of_range"].format(max=formatted(most))
        return show_attempt(attempt_id, error=message, failed=question, status=422)
    return back_to("teach.attempt_page", "saved", anchor=f"q-{question}", attempt_id=attempt_id)


def parse_points(text: str) -> float | None:
    """Points as typed: "1,5" and "1.5" alike; None when it is not a finite number."""
    try:
        value = float(re.sub(r"[\s\u00a0\u202f]", "", text).replace(",", "."))  # "1 000,5" too
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _question_points(attempt_id: int, question: str) -> float:
    reader = db.session()
    attempt, _ = taught_attempt(reader, attempt_id)
    _, found = service.find_question(attempt, service.pinned_quiz(reader, attempt), question)
    return service.question_max_points(found)
