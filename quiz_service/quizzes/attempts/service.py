"""Attempts: start, save, navigate, submit, close at the deadline, review. Time is always passed in.

Every function takes the writing session and `now` (the server's clock, injected in tests);
nothing here reads a request.
"""

from __future__ import annotations

import dataclasses
import json
import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any, Protocol, cast

from sqlalchemy import Select, Table, bindparam, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from builder.quizzes.model import Question, QuizSettings
from builder.quizzes.types import QUESTION_TYPES, Grade, ResponseError, grade, public_question
from quiz_service.core import attempt_gates, events
from quiz_service.core.domain import Conflict, Invalid, NotFound
from quiz_service.quizzes.attempts import guessing
from quiz_service.quizzes.models import (
    Answer,
    Attempt,
    AttemptFields,
    AttemptState,
    GradeRelease,
    QuizVersion,
)
from quiz_service.quizzes.pinned import PinnedQuiz, parse_quiz

NO_GUESS_LIMIT = guessing.GuessLimits(limit=0, window=timedelta(0))


class StoredAnswer(Protocol):
    """A saved answer as the save returns it: an `Answer`, or its row."""

    @property
    def response(self) -> str: ...
    @property
    def sequence(self) -> int: ...
    @property
    def client_id(self) -> str: ...
    @property
    def saved_at(self) -> datetime: ...


def open_key(user_id: int, course: str, quiz: str) -> str:
    return f"{user_id}:{course}/{quiz}"


# -- versions -----------------------------------------------------------------------------


def pin_version(writer: Session, body: str, quiz: PinnedQuiz) -> None:
    """Keep this version of the quiz for the attempts that start on it (once per version)."""
    key = (quiz.course, quiz.id, quiz.version)
    if key in _PINNED or writer.get(QuizVersion, key) is not None:
        return  # _PINNED holds only versions read back from the database
    try:
        with writer.begin_nested():
            writer.add(QuizVersion(course=quiz.course, quiz=quiz.id, version=quiz.version, body=body))
    except IntegrityError:
        pass  # pinned at the same moment by another start


_PINNED: dict[tuple[str, str, str], PinnedQuiz] = {}


def pinned_quiz(reader: Session | Connection, attempt: AttemptFields) -> PinnedQuiz:
    """The version the attempt started on (a pinned version never changes: cached per process)."""
    key = (attempt.course, attempt.quiz, attempt.version)
    if key not in _PINNED:
        if len(_PINNED) > 512:
            _PINNED.clear()
        body = reader.execute(_version_body(), dict(zip(("course", "quiz", "version"), key, strict=True)))
        _PINNED[key] = parse_quiz(body.scalar_one())
    return _PINNED[key]


@cache
def _version_body() -> Select[str]:
    return select(QuizVersion.body).where(
        QuizVersion.course == bindparam("course"),
        QuizVersion.quiz == bindparam("quiz"),
        QuizVersion.version == bindparam("version"),
    )


# -- starting -----------------------------------------------------------------------------


def deadline_for(settings: QuizSettings, started_at: datetime, closes: datetime | None) -> datetime | None:
    """The earlier of start + time limit and the quiz's close."""
    candidates = [started_at + timedelta(minutes=settings.time_limit)] if settings.time_limit else []
    candidates += [closes] if closes else []
    return min(candidates) if candidates else None


def draw_questions(questions: tuple[Question, ...], settings: QuizSettings, seed: int) -> list[str]:
    """This attempt's questions: N per drawn category, all others; shuffled if the quiz says so."""
    rng = random.Random(seed)
    drawn = {d.category for d in settings.draw}
    picked = {q.id for q in questions if q.category not in drawn}
    for draw in settings.draw:
        pool = [q.id for q in questions if q.category == draw.category]
        picked |= set(rng.sample(pool, min(draw.count, len(pool))))
    order = [q.id for q in questions if q.id in picked]
    if settings.shuffle_questions:
        rng.shuffle(order)
    return order


def start_attempt(
    writer: Session, user_id: int, quiz: PinnedQuiz, body: str, lang: str, now: datetime
) -> tuple[Attempt, bool]:
    """The student's open attempt, or a new one on the current version; (attempt, created)."""
    existing = open_attempt(writer, user_id, quiz.course, quiz.id)
    if existing is not None and not close_if_overdue(writer, existing, now):
        return existing, False
    check_window(quiz, now)
    check_delay(writer, user_id, quiz, now)
    used = writer.scalar(_attempts_used(), {"user_id": user_id, "course": quiz.course, "quiz": quiz.id}) or 0
    if quiz.settings.attempts and used >= quiz.settings.attempts:
        # A parallel start may have committed its attempt between the two reads above
        # (PostgreSQL, read committed): that one is the student's open attempt, not a refusal.
        raced = open_attempt(writer, user_id, quiz.course, quiz.id)
        if raced is not None:
            return raced, False
        raise Conflict("no_attempts_left", f"All {quiz.settings.attempts} attempts of this quiz are used.")
    if quiz.settings.proctoring.required:
        attempt_gates.check_proctored_start(writer, user_id, quiz.course, quiz.id, now)
    pin_version(writer, body, quiz)
    seed = random.SystemRandom().randrange(2**31)
    attempt = Attempt(
        user_id=user_id,
        course=quiz.course,
        quiz=quiz.id,
        version=quiz.version,
        lang=lang,
        number=used + 1,
        open_key=open_key(user_id, quiz.course, quiz.id),
        state=AttemptState.OPEN,
        seed=seed,
        questions=json.dumps(draw_questions(quiz.questions[lang], quiz.settings, seed)),
        position=0,
        started_at=now,
        deadline=deadline_for(quiz.settings, now, quiz.closes),
    )
    try:
        with writer.begin_nested():
            writer.add(attempt)
    except IntegrityError:
        # Another request of the same student started it a moment ago (PostgreSQL; SQLite
        # serialises writers): answer with that attempt.
        raced = open_attempt(writer, user_id, quiz.course, quiz.id)
        if raced is None:
            raise Conflict("conflict", "The attempt was started by another request; try again.") from None
        return raced, False
    events.publish(writer, attempt_started(attempt))
    return attempt, True


def attempt_started(attempt: Attempt) -> events.AttemptStarted:
    return events.AttemptStarted(
        attempt.id, attempt.user_id, attempt.course, attempt.quiz, attempt.version, attempt.number,
        attempt.lang, attempt.started_at, attempt.deadline,
    )  # fmt: skip


def check_window(quiz: PinnedQuiz, now: datetime) -> None:
    if quiz.opens and now < quiz.opens:
        raise Conflict("quiz_not_open", f"The quiz opens at {quiz.opens.isoformat()}.")
    if quiz.closes and now >= quiz.closes:
        raise Conflict("quiz_closed", f"The quiz closed at {quiz.closes.isoformat()}.")


def check_delay(reader: Session, user_id: int, quiz: PinnedQuiz, now: datetime) -> None:
    """The quiz's enforced delay: the next attempt starts `delay` minutes after the last one ended."""
    if not quiz.settings.delay:
        return
    last = reader.scalar(
        select(func.max(Attempt.finished_at)).where(
            Attempt.user_id == user_id, Attempt.course == quiz.course, Attempt.quiz == quiz.id
        )
    )
    if last is None:
        return
    allowed = last + timedelta(minutes=quiz.settings.delay)
    if now < allowed:
        wait = max(1, math.ceil((allowed - now).total_seconds()))
        raise Conflict(
            "attempt_delay",
            f"The next attempt may start at {allowed.isoformat()}.",
            retry_after=wait,
        )


def next_start_at(finished: list[datetime | None], quiz: PinnedQuiz) -> datetime | None:
    """When the quiz's delay lets the next attempt start (None: no delay, or no finished attempt)."""
    ended = [moment for moment in finished if moment is not None]
    if not quiz.settings.delay or not ended:
        return None
    return max(ended) + timedelta(minutes=quiz.settings.delay)


def start_refusal(quiz: PinnedQuiz, used: int, finished: list[datetime | None], now: datetime) -> str | None:
    """Why a new attempt may not start now, as `start_attempt` would refuse it (None: it may).
    The rules panel of the quiz page shows it beside a disabled start button."""
    if quiz.opens and now < quiz.opens:
        return "quiz_not_open"
    if quiz.closes and now >= quiz.closes:
        return "quiz_closed"
    if quiz.settings.attempts and used >= quiz.settings.attempts:
        return "no_attempts_left"
    allowed = next_start_at(finished, quiz)
    if allowed is not None and now < allowed:
        return "attempt_delay"
    return None


def open_attempt(reader: Session, user_id: int, course: str, quiz: str) -> Attempt | None:
    return reader.scalars(_open_attempt(), {"key": open_key(user_id, course, quiz)}).one_or_none()


# The start spike runs these once per student: built once (building costs more than running).
@cache
def _open_attempt() -> Select[Attempt]:
    return select(Attempt).where(Attempt.open_key == bindparam("key"))


@cache
def _attempts_used() -> Select[int]:
    return (
        select(func.count())
        .select_from(Attempt)
        .where(
            Attempt.user_id == bindparam("user_id"),
            Attempt.course == bindparam("course"),
            Attempt.quiz == bindparam("quiz"),
        )
    )


# -- time ---------------------------------------------------------------------------------


def answers_until(attempt: AttemptFields) -> datetime | None:
    return attempt.deadline


def submit_until(attempt: AttemptFields, settings: QuizSettings) -> datetime | None:
    """The last moment a submission counts: the deadline, plus the grace period under `overdue: grace`."""
    if attempt.deadline is None:
        return None
    if settings.overdue == "grace":
        return attempt.deadline + timedelta(minutes=settings.grace)
    return attempt.deadline


def close_if_overdue(writer: Session, attempt: Attempt, now: datetime) -> bool:
    """Close an open attempt whose time is over, as its quiz's policy says; True if it is closed now."""
    if attempt.state != AttemptState.OPEN or attempt.deadline is None or now <= attempt.deadline:
        return attempt.state != AttemptState.OPEN
    quiz = pinned_quiz(writer, attempt)
    policy = quiz.settings.overdue
    if policy == "autosubmit":
        finish(writer, attempt, quiz, at=attempt.deadline, by="deadline")
        return True
    last = submit_until(attempt, quiz.settings)
    assert last is not None
    if policy == "grace" and now <= last:
        return False  # may still be submitted, no more answered
    abandon(attempt, at=last)
    return True


def is_closed_at(attempt: AttemptFields, quiz: PinnedQuiz, now: datetime) -> bool:
    """Whether the attempt is closed at `now`, or `close_if_overdue` would close it (it changes nothing)."""
    if attempt.state != AttemptState.OPEN or attempt.deadline is None or now <= attempt.deadline:
        return attempt.state != AttemptState.OPEN
    if quiz.settings.overdue == "grace":
        last = submit_until(attempt, quiz.settings)
        return last is not None and now > last
    return True  # autosubmit and not-counted close at the deadline


def close_overdue(writer: Session, now: datetime, limit: int = 500) -> int:
    """Close every open attempt whose time ran out (the service's own sweep); how many closed."""
    candidates = writer.scalars(
        select(Attempt)
        .where(Attempt.state == AttemptState.OPEN, Attempt.deadline < now)
        .order_by(Attempt.deadline)
        .limit(limit)
        .with_for_update(skip_locked=True)  # PostgreSQL: an attempt being submitted is left to its submit
    )
    return sum(close_if_overdue(writer, attempt, now) for attempt in list(candidates))


def abandon(attempt: Attempt, at: datetime) -> None:
    attempt.state = AttemptState.ABANDONED
    attempt.open_key = None
    attempt.finished_at = at


# -- answering ----------------------------------------------------------------------------


def attempt_questions(attempt: AttemptFields, quiz: PinnedQuiz) -> list[Question]:
    by_id = {q.id: q for q in quiz.questions[attempt.lang]}
    return [by_id[qid] for qid in json.loads(attempt.questions)]


def find_question(attempt: AttemptFields, quiz: PinnedQuiz, public_id: str) -> tuple[int, Question]:
    for index, question in enumerate(attempt_questions(attempt, quiz)):
        if question.public_id == public_id:
            return index, question
    raise NotFound("not_found", "This attempt has no such question.")


@dataclass(frozen=True)
class SaveRequest:
    question: str  # public id
    response: Any
    sequence: int
    client_id: str


def save_answer(
    writer: Connection,
    attempt: AttemptFields,
    save: SaveRequest,
    now: datetime,
    guesses: guessing.GuessLimits = NO_GUESS_LIMIT,
) -> StoredAnswer:
    """Store one answer. The same save again returns the stored one; an older save is refused (409);
    a new response to a question guessed at too often is refused (429, see `guessing`).

    Core only (the hot path of an exam): `attempt` is its row, read FOR UPDATE in `writer`'s
    transaction. A refused save changes nothing: the caller closes an overdue attempt
    (`close_if_overdue`) in a transaction of its own.
    """
    quiz = pinned_quiz(writer, attempt)
    if is_closed_at(attempt, quiz, now):
        raise Conflict("attempt_closed", "The attempt is closed; answers can no longer change.")
    if attempt.deadline is not None and now > attempt.deadline:
        raise Conflict(
            "time_over", "Time is over: the attempt may be submitted, answers can no longer change."
        )
    index, question = find_question(attempt, quiz, save.question)
    if quiz.settings.navigation == "sequential" and index != attempt.position:
        raise Conflict(
            "sequential",
            "This quiz goes question by question: only the current question can be answered.",
        )
    try:
        response = QUESTION_TYPES[question.type].check_response(question, save.response)
    except ResponseError as error:
        raise Invalid("invalid_response", f"The answer does not fit the question: {error}.") from None
    text = json.dumps(response, ensure_ascii=False)
    if QUESTION_TYPES[question.type].graded:
        guessing.check_guess(writer, attempt, question.id, text, guesses, now)
    stored = _store_if_newer(writer, attempt.id, question.id, save, text, now)
    if stored is not None:
        events.publish(writer, events.AnswerSaved(
            attempt.id, attempt.user_id, attempt.course, attempt.quiz, question.id, text, save.sequence,
            save.client_id, now,
        ))  # fmt: skip
        return stored
    stored = _stored_answer(writer, attempt.id, question.id)
    assert stored is not None
    if stored.client_id == save.client_id and stored.sequence == save.sequence:
        return stored  # a retry of the save that is already stored
    raise Conflict(
        "stale_save", f"A newer answer (sequence {stored.sequence}) is already saved for this question."
    )


def _store_if_newer(
    writer: Connection, attempt_id: int, question_id: str, save: SaveRequest, response: str, now: datetime
) -> StoredAnswer | None:
    """Insert the answer, or replace the stored one if this save's sequence is higher; None if not.

    One statement (INSERT … ON CONFLICT DO UPDATE … WHERE, on SQLite and PostgreSQL alike):
    the common save costs no read before its write.
    """
    values = {
        "attempt_id": attempt_id,
        "question": question_id,
        "response": response,
        "sequence": save.sequence,
        "client_id": save.client_id,
        "saved_at": now,
    }
    row: StoredAnswer | None = writer.execute(_upsert_answer(writer.dialect.name), values).one_or_none()
    return row


@cache
def _upsert_answer(dialect: str) -> Any:
    """The statement, built once per dialect (building it costs more than running it)."""
    table = cast(Table, Answer.__table__)
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    new = insert(table).values({name: bindparam(name) for name in ANSWER_FIELDS})
    return new.on_conflict_do_update(
        index_elements=[table.c.attempt_id, table.c.question],
        set_={name: new.excluded[name] for name in ANSWER_FIELDS[2:]},
        where=table.c.sequence < new.excluded.sequence,
    ).returning(*table.c)


ANSWER_FIELDS = ("attempt_id", "question", "response", "sequence", "client_id", "saved_at")


def _stored_answer(reader: Connection, attempt_id: int, question_id: str) -> StoredAnswer | None:
    table = Answer.__table__
    query = select(table).where(table.c.attempt_id == attempt_id, table.c.question == question_id)
    row: StoredAnswer | None = reader.execute(query).one_or_none()
    return row


def advance(writer: Session, attempt: Attempt, position: int, now: datetime) -> None:
    """Sequential navigation: move on from question `position` (a repeated move is a no-op)."""
    if close_if_overdue(writer, attempt, now) or attempt.state != AttemptState.OPEN:
        raise Conflict("attempt_closed", "The attempt is closed.")
    quiz = pinned_quiz(writer, attempt)
    if quiz.settings.navigation != "sequential":
        raise Conflict("free_navigation", "This quiz has free navigation: answer the questions in any order.")
    if position == attempt.position - 1:
        return
    if position != attempt.position:
        raise Conflict("sequential", f"The current question is {attempt.position}, not {position}.")
    attempt.position = min(attempt.position + 1, len(json.loads(attempt.questions)) - 1)


# -- submitting and grading ---------------------------------------------------------------


def submit(writer: Session, attempt: Attempt, now: datetime) -> None:
    """Finish the attempt (a repeated submit changes nothing); late submits follow the overdue policy."""
    if close_if_overdue(writer, attempt, now) or attempt.state != AttemptState.OPEN:
        return
    finish(writer, attempt, pinned_quiz(writer, attempt), at=now)


def finish(writer: Session, attempt: Attempt, quiz: PinnedQuiz, at: datetime, by: str = "student") -> None:
    answers = answers_of(writer, attempt.id)
    questions = attempt_questions(attempt, quiz)
    for question in questions:
        answer = answers.get(question.id)
        if answer is not None and not answer.is_manual:
            answer.fraction = automatic_fraction(question, answer)
    attempt.points, attempt.max_points = attempt_score(questions, answers_fractions(answers))
    attempt.state = AttemptState.FINISHED
    attempt.open_key = None
    attempt.finished_at = at
    ids = (attempt.id, attempt.user_id, attempt.course, attempt.quiz)
    events.publish(writer, events.AttemptSubmitted(*ids, finished_at=at, by=by))
    events.publish(writer, events.AttemptGraded(*ids, attempt.points, attempt.max_points, by="key"))


def answers_of(reader: Session, attempt_id: int) -> dict[str, Answer]:
    """The attempt's saved answers by authored question id."""
    return {a.question: a for a in reader.scalars(select(Answer).where(Answer.attempt_id == attempt_id))}


def automatic_fraction(question: Question, answer: Answer) -> float | None:
    """The fraction the question's key gives the answer (None: waits for a teacher)."""
    return grade(question, json.loads(answer.response)).fraction


def answers_fractions(answers: dict[str, Answer]) -> dict[str, float | None]:
    return {question_id: answer.fraction for question_id, answer in answers.items()}


def question_max_points(question: Question) -> float:
    return question.points if QUESTION_TYPES[question.type].graded else 0.0


def attempt_score(
    questions: list[Question], fractions: dict[str, float | None]
) -> tuple[float | None, float]:
    """(points, max points) of an attempt from its answers' fractions; points are None while any
    answer waits for a teacher. The one rule for finishing, manual grading and regrading."""
    total, maximum, pending = 0.0, 0.0, False
    for question in questions:
        most = question_max_points(question)
        maximum += most
        if question.id not in fractions:
            continue  # not answered: no points
        fraction = fractions[question.id]
        if fraction is None:
            pending = True
        else:
            total += round(fraction * most, 4)
    return (None if pending else max(total, 0.0)), maximum


def release_grades(writer: Session, course: str, quiz: str, now: datetime) -> None:
    if writer.get(GradeRelease, (course, quiz)) is None:
        writer.add(GradeRelease(course=course, quiz=quiz, released_at=now))
        events.publish(writer, events.GradesReleased(course, quiz, now))


def is_released(reader: Session, course: str, quiz: str) -> bool:
    return reader.get(GradeRelease, (course, quiz)) is not None


# -- what the student sees ----------------------------------------------------------------


def shown(when: str, attempt: Attempt, quiz: PinnedQuiz, released: bool, now: datetime) -> bool:
    """Whether a part of the review set to `when` is visible now (never while the attempt is open).

    `quiz` carries the student's own dates and attempts (`overrides.with_dates_of`). A release
    opens its parts to a student once no further attempt can come: their own window is over, or
    this was their last attempt. Released before a student's extended close with attempts left,
    they would read the answers and start another attempt.
    """
    if attempt.state == AttemptState.OPEN:
        return False
    closes = quiz.closes
    last_attempt = 0 < quiz.settings.attempts <= attempt.number
    window_over = closes is None or now >= closes or last_attempt
    return {
        "immediately": True,
        "after-close": closes is not None and now >= closes,
        "after-release": released and window_over,
        "never": False,
    }[when]


def public_for_attempt(question: Question, seed: int, shuffle: bool) -> dict[str, Any]:
    """The question as the page shows it in this attempt: options in the attempt's own order."""
    public = public_question(question)
    rng = random.Random(f"{seed}/{question.id}")
    for key in ("options", "right", "items"):
        if key in public and (shuffle or key == "items"):
            rng.shuffle(public[key])
    return public


def review(
    attempt: Attempt,
    quiz: PinnedQuiz,
    answers: dict[str, Answer],
    released: bool,
    now: datetime,
    withheld: bool = False,
) -> dict[str, Any] | None:
    """The finished attempt as the review policy allows now, or None while it is open
    (`withheld`: a proctored attempt not yet confirmed shows nothing of its grade)."""
    if attempt.state == AttemptState.OPEN:
        return None
    policy = quiz.settings.review
    see_score = not withheld and shown(policy.score, attempt, quiz, released, now)
    see_correct = not withheld and shown(policy.correctness, attempt, quiz, released, now)
    see_feedback = not withheld and shown(policy.feedback, attempt, quiz, released, now)
    see_answers = not withheld and shown(policy.answers, attempt, quiz, released, now)
    questions = []
    for question in attempt_questions(attempt, quiz):
        if not QUESTION_TYPES[question.type].graded:
            continue  # a description is text between questions, never a line of the results
        answer = answers.get(question.id)
        result = reviewed_grade(question, answer)
        item: dict[str, Any] = {"id": question.public_id}
        if see_score:
            item["points"], item["max_points"] = result.points, result.max_points
        if see_correct:
            item["state"] = result.state
        if see_feedback:
            item["feedback"] = [*result.feedback, *([question.feedback] if question.feedback else [])]
            item["comment"] = answer.comment if answer is not None else None
        if see_answers:
            item["right_answer"] = QUESTION_TYPES[question.type].right_answer(question)
        questions.append(item)
    out: dict[str, Any] = {"state": attempt.state.value, "questions": questions}
    if see_score and attempt.state == AttemptState.FINISHED:
        out |= score_summary(attempt, quiz.settings)
        if see_feedback and out["percent"] is not None:
            out["overall_feedback"] = quiz.settings.overall_feedback_for(out["percent"], attempt.lang)
    return out


def reviewed_grade(question: Question, answer: Answer | None) -> Grade:
    """The answer's grade by the key, or as the teacher set it (a teacher's grade wins)."""
    result = grade(question, json.loads(answer.response) if answer else None)
    if answer is None or not answer.is_manual:
        return result
    return dataclasses.replace(result, fraction=answer.fraction, answered=True)


def score_summary(attempt: Attempt, settings: QuizSettings) -> dict[str, Any]:
    if attempt.points is None or not attempt.max_points:
        return {"points": attempt.points, "max_points": attempt.max_points, "percent": None, "passed": None}
    percent = round(100 * attempt.points / attempt.max_points, 2)
    return {
        "points": round(attempt.points, 4),
        "max_points": attempt.max_points,
        "percent": percent,
        "passed": percent >= settings.pass_mark,
    }


def quiz_grade(attempts: list[Attempt], method: str) -> float | None:
    """The quiz grade in percent by the grading method, from finished, graded attempts."""
    graded = [
        100 * a.points / a.max_points
        for a in sorted(attempts, key=lambda a: a.number)
        if a.state == AttemptState.FINISHED and a.points is not None and a.max_points
    ]
    if not graded:
        return None
    chosen = {
        "highest": max(graded),
        "last": graded[-1],
        "first": graded[0],
        "average": sum(graded) / len(graded),
    }[method]
    return round(chosen, 2)
