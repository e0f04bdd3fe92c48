"""The quiz API: a student's attempts. Each view parses, calls the service, shapes the answer."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from flask import Blueprint, Flask, Response, current_app, g
from sqlalchemy import Row, Select, bindparam, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from auth.access import courses
from auth.enrolment import may_read
from auth.models import User
from quiz_service.core import attempt_gates, clock, db
from quiz_service.core.clock import now
from quiz_service.core.db import release_reader
from quiz_service.core.domain import DomainError, Invalid, NotFound
from quiz_service.core.openapi import operation
from quiz_service.quizzes.attempts import guessing, service, settings
from quiz_service.quizzes.attempts.schemas import (
    AttemptBrief,
    AttemptOut,
    MoveOn,
    PublicQuestion,
    QuizSummary,
    Review,
    SaveAnswer,
    SavedAnswer,
    StartAttempt,
)
from quiz_service.quizzes.attempts.sweep import sweep_overdue_attempts
from quiz_service.quizzes.models import Answer, Attempt, AttemptState
from quiz_service.quizzes.overrides import service as overrides
from quiz_service.quizzes.pinned import PinnedQuiz, bundle_file, parse_quiz

bp = Blueprint("quizzes", __name__, url_prefix="/api/v1")


def init_app(app: Flask) -> None:
    clock.init_app(app)
    settings.configure(app)
    app.register_blueprint(bp)


bp.before_request(sweep_overdue_attempts)


# -- loading and access -------------------------------------------------------------------


def current_quiz(course: str, quiz: str) -> tuple[PinnedQuiz, str]:
    """The quiz as the service bundle has it now (404 if there is none or it is not the user's to take)."""
    access = courses().get(course)
    path = bundle_file(current_app.config["SERVICE_DIR"], course, quiz)
    if access is None or path is None or not may_read(db.session(), g.user, access):
        raise NotFound("not_found", "There is no such quiz for you.")
    body = path.read_text(encoding="utf-8")
    return parse_quiz(body), body


def published_quiz(course: str, quiz: str) -> PinnedQuiz | None:
    """The quiz's version in the service bundle now, or None once it left the bundle."""
    path = bundle_file(current_app.config["SERVICE_DIR"], course, quiz)
    return parse_quiz(path.read_text(encoding="utf-8")) if path is not None else None


def quiz_for_review(session: Session, attempt: Attempt, schedule: PinnedQuiz | None = None) -> PinnedQuiz:
    """The attempt's version with the dates its student has now (`overrides.with_dates_of`);
    `schedule` is that student's quiz when the caller has it already."""
    version = service.pinned_quiz(session, attempt)
    if schedule is None:
        student = session.get(User, attempt.user_id)
        assert student is not None  # deleting a user deletes their attempts (ON DELETE CASCADE)
        schedule = overrides.quiz_for(
            session, student, published_quiz(attempt.course, attempt.quiz) or version
        )
    return overrides.with_dates_of(version, schedule)


def own_attempt(session: Session, attempt_id: int, for_update: bool = False) -> Attempt:
    """The signed-in user's attempt; another student's is as missing as one that does not exist."""
    query = _own_attempt_query(for_update)
    attempt = session.scalars(query, {"attempt_id": attempt_id, "user_id": g.user.id}).one_or_none()
    if attempt is None:
        raise NotFound("not_found", "There is no such attempt of yours.")
    return attempt


def own_attempt_row(writer: Connection, attempt_id: int) -> Row[Any]:
    """The signed-in user's attempt as a row, locked FOR UPDATE on PostgreSQL (404 as `own_attempt`)."""
    row = writer.execute(_own_attempt_row(), {"attempt_id": attempt_id, "user_id": g.user.id}).one_or_none()
    if row is None:
        raise NotFound("not_found", "There is no such attempt of yours.")
    return row


@cache
def _own_attempt_row() -> Select[Any]:
    table = Attempt.__table__
    query = select(table).where(
        table.c.id == bindparam("attempt_id"), table.c.user_id == bindparam("user_id")
    )
    return query.with_for_update()


@cache
def _own_attempt_query(for_update: bool) -> Select[Attempt]:
    """Built once: every save runs it, and building a query costs more than running it."""
    query = select(Attempt).where(
        Attempt.id == bindparam("attempt_id"), Attempt.user_id == bindparam("user_id")
    )
    return query.with_for_update() if for_update else query


# -- views --------------------------------------------------------------------------------


@bp.get("/quizzes/<course>/<quiz>")
@operation(
    "A quiz's settings and the signed-in student's attempts and grade", response=QuizSummary, auth=True
)
def quiz_summary(course: str, quiz: str) -> QuizSummary:
    pinned, _ = current_quiz(course, quiz)
    reader = db.session()
    pinned = overrides.quiz_for(reader, g.user, pinned)
    attempts = list(
        reader.scalars(
            select(Attempt)
            .where(Attempt.user_id == g.user.id, Attempt.course == course, Attempt.quiz == quiz)
            .order_by(Attempt.number)
        )
    )
    released = service.is_released(reader, course, quiz)
    visible = [a for a in attempts if _score_shown(reader, a, released, pinned)]
    settings = pinned.settings
    finished = [a.finished_at for a in attempts]
    return QuizSummary(
        course=course,
        quiz=quiz,
        title=pinned.title,
        kind=settings.kind,
        opens=pinned.opens,
        closes=pinned.closes,
        timezone=settings.timezone,
        time_limit=settings.time_limit,
        attempts_allowed=settings.attempts,
        attempts_used=len(attempts),
        attempts_left=max(settings.attempts - len(attempts), 0) if settings.attempts else None,
        delay=settings.delay,
        next_start_at=service.next_start_at(finished, pinned),
        start_refused=service.start_refusal(pinned, len(attempts), finished, now()),
        grading=settings.grading,
        pass_mark=settings.pass_mark,
        grade=service.quiz_grade(visible, settings.grading) if len(visible) == len(attempts) else None,
        open_attempt=next((a.id for a in attempts if a.state == AttemptState.OPEN), None),
        attempts=[_brief(a, a in visible) for a in attempts],
    )


def _score_shown(reader: Session, attempt: Attempt, released: bool, schedule: PinnedQuiz) -> bool:
    quiz = quiz_for_review(reader, attempt, schedule)
    if quiz.settings.proctoring.required and attempt_gates.result_withheld(reader, attempt.id):
        return False  # a proctored attempt's grade waits for the proctor's confirmation
    return service.shown(quiz.settings.review.score, attempt, quiz, released, now())


def _brief(attempt: Attempt, score_shown: bool) -> AttemptBrief:
    percent = None
    if score_shown and attempt.points is not None and attempt.max_points:
        percent = round(100 * attempt.points / attempt.max_points, 2)
    return AttemptBrief(
        id=attempt.id,
        number=attempt.number,
        state=attempt.state.value,
        started_at=attempt.started_at,
        finished_at=attempt.finished_at,
        percent=percent,
    )


@bp.post("/quizzes/<course>/<quiz>/attempts")
@operation(
    "Start an attempt, or get the open one (200)",
    body=StartAttempt,
    response=AttemptOut,
    status=201,
    auth=True,
)
def start_attempt(course: str, quiz: str, body: StartAttempt) -> AttemptOut | Response:
    pinned, text = current_quiz(course, quiz)
    pinned = overrides.quiz_for(db.session(), g.user, pinned)  # the student's own dates, time, attempts
    lang = body.lang or pinned.languages[0]
    if lang not in pinned.questions:
        raise Invalid("invalid_request", f"lang: the quiz is in {', '.join(pinned.languages)}")
    release_reader()
    with db.write_transaction() as writer:
        attempt, created = service.start_attempt(writer, g.user.id, pinned, text, lang, now())
    out = attempt_out(db.session(), attempt, pinned)  # after the commit: shaping never holds the write lock
    if not created:
        return Response(out.model_dump_json(), 200, mimetype="application/json")
    return out


@bp.get("/attempts/<int:attempt_id>")
@operation(
    "One of the signed-in student's attempts, with its review as the policy allows",
    response=AttemptOut,
    auth=True,
)
def get_attempt(attempt_id: int) -> AttemptOut:
    attempt = own_attempt(db.session(), attempt_id)
    if attempt.state == AttemptState.OPEN and attempt.deadline is not None and now() > attempt.deadline:
        release_reader()
        with db.write_transaction() as writer:  # its time ran out: close it before showing it
            attempt = own_attempt(writer, attempt_id, for_update=True)
            service.close_if_overdue(writer, attempt, now())
            return attempt_out(writer, attempt)
    return attempt_out(db.session(), attempt)


@bp.put("/attempts/<int:attempt_id>/answers/<question>")
@operation(
    "Save the answer to one question (idempotent; an older save gets 409)",
    body=SaveAnswer,
    response=SavedAnswer,
    auth=True,
)
def save_answer(attempt_id: int, question: str, body: SaveAnswer) -> SavedAnswer:
    save = service.SaveRequest(question, body.response, body.sequence, body.client_id)
    release_reader()
    try:
        with db.write_connection() as writer:  # Core: the exam's hot path holds no ORM session
            attempt = own_attempt_row(writer, attempt_id)
            answer = service.save_answer(writer, attempt, save, now(), guessing.limits())
            saved = _saved(answer, question)
    except DomainError as error:
        if error.code in ("attempt_closed", "time_over"):
            _close_in_own_transaction(attempt_id)
        raise
    return saved


def _close_in_own_transaction(attempt_id: int) -> None:
    """A refused save rolls back; a close it noticed is committed on its own."""
    with db.write_transaction() as writer:
        service.close_if_overdue(writer, own_attempt(writer, attempt_id, for_update=True), now())


@bp.post("/attempts/<int:attempt_id>/next")
@operation(
    "Move on to the next question (sequential navigation)", body=MoveOn, response=AttemptOut, auth=True
)
def move_on(attempt_id: int, body: MoveOn) -> AttemptOut:
    release_reader()
    with db.write_transaction() as writer:
        attempt = own_attempt(writer, attempt_id, for_update=True)
        service.advance(writer, attempt, body.position, now())
        return attempt_out(writer, attempt)


@bp.post("/attempts/<int:attempt_id>/submit")
@operation("Submit the attempt (a repeated submit answers the same)", response=AttemptOut, auth=True)
def submit_attempt(attempt_id: int) -> AttemptOut:
    release_reader()
    with db.write_transaction() as writer:
        attempt = own_attempt(writer, attempt_id, for_update=True)
        service.submit(writer, attempt, now())
    return attempt_out(db.session(), attempt)  # after the commit: grading the review holds no lock


# -- shaping ------------------------------------------------------------------------------


def attempt_out(session: Session, attempt: Attempt, schedule: PinnedQuiz | None = None) -> AttemptOut:
    quiz = quiz_for_review(session, attempt, schedule)
    questions = service.attempt_questions(attempt, quiz)
    answers = {a.question: a for a in session.scalars(select(Answer).where(Answer.attempt_id == attempt.id))}
    visible = questions
    if quiz.settings.navigation == "sequential" and attempt.state == AttemptState.OPEN:
        visible = questions[: attempt.position + 1]  # no looking ahead
    by_id = {q.id: q for q in questions}
    released = attempt.state != AttemptState.OPEN and service.is_released(
        session, attempt.course, attempt.quiz
    )
    withheld = quiz.settings.proctoring.required and attempt_gates.result_withheld(session, attempt.id)
    review = service.review(attempt, quiz, answers, released, now(), withheld)  # None while open
    return AttemptOut(
        id=attempt.id,
        course=attempt.course,
        quiz=attempt.quiz,
        title=quiz.title.get(attempt.lang, attempt.quiz),
        lang=attempt.lang,
        number=attempt.number,
        state=attempt.state.value,
        started_at=attempt.started_at,
        deadline=attempt.deadline,
        submit_until=service.submit_until(attempt, quiz.settings),
        server_time=now(),
        navigation=quiz.settings.navigation,
        position=attempt.position,
        question_count=len(questions),
        questions=[
            PublicQuestion(**service.public_for_attempt(q, attempt.seed, quiz.settings.shuffle_options))
            for q in visible
        ],
        answers=[_saved(a, by_id[a.question].public_id) for a in answers.values() if a.question in by_id],
        review=Review(**review) if review is not None else None,
        result_withheld=withheld,
    )


def _saved(answer: service.StoredAnswer, public_id: str) -> SavedAnswer:
    return SavedAnswer(
        question=public_id,
        response=json.loads(answer.response),
        sequence=answer.sequence,
        client_id=answer.client_id,
        saved_at=answer.saved_at,
    )
