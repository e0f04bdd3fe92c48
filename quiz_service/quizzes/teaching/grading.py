"""The teacher's side of quizzes: attempts, manual grading with comments, regrade after a key fix.

Pure of requests, as `service`: every function takes the session and, where time matters, `now`.
Who may call them is decided before (`quizzes.teacher`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from auth.models import User
from builder.quizzes.model import Question
from builder.quizzes.types import QUESTION_TYPES, ResponseError
from quiz_service.core import events
from quiz_service.core.domain import Conflict, Invalid, NotFound
from quiz_service.quizzes.attempts import service
from quiz_service.quizzes.models import Answer, Attempt, AttemptState, QuizRegrade
from quiz_service.quizzes.pinned import PinnedQuiz

MAX_COMMENT = 10_000


@dataclass(frozen=True)
class Student:
    id: int
    full_name: str
    email: str
    group: str | None

    @classmethod
    def of(cls, user: User) -> Student:
        return cls(user.id, user.full_name, user.email, user.group)


@dataclass(frozen=True)
class AttemptRow:
    attempt: Attempt
    student: Student
    to_grade: int  # answers that wait for a teacher's grade


# -- reading ------------------------------------------------------------------------------


def quiz_attempts(reader: Session, course: str, quiz: str) -> list[AttemptRow]:
    """Every attempt of the quiz with its student, newest first."""
    query = (
        select(Attempt, User)
        .join(User, User.id == Attempt.user_id)
        .where(Attempt.course == course, Attempt.quiz == quiz)
        .order_by(Attempt.started_at.desc(), Attempt.id.desc())
    )
    waiting = _answers_to_grade(reader, course, quiz)
    return [AttemptRow(a, Student.of(u), waiting.get(a.id, 0)) for a, u in reader.execute(query)]


def grading_queue(reader: Session, course: str, quiz: str) -> list[AttemptRow]:
    """Finished attempts with answers that still need a teacher's grade, the longest waiting first."""
    rows = [row for row in quiz_attempts(reader, course, quiz) if row.to_grade]
    return sorted(rows, key=lambda row: (row.attempt.finished_at, row.attempt.id))


def _answers_to_grade(reader: Session, course: str, quiz: str) -> dict[int, int]:
    """Per finished attempt of the quiz: how many of its answers wait for a teacher."""
    query = (
        select(Answer.attempt_id, func.count())
        .join(Attempt, Attempt.id == Answer.attempt_id)
        .where(Attempt.course == course, Attempt.quiz == quiz)
        .where(Attempt.state == AttemptState.FINISHED, Answer.fraction.is_(None))
        .group_by(Answer.attempt_id)
    )
    return dict(reader.execute(query).all())


@dataclass(frozen=True)
class QuizCounts:
    attempts: int = 0
    to_grade: int = 0  # answers


def course_counts(reader: Session, course: str) -> dict[str, QuizCounts]:
    """Per quiz of the course: its attempts, and the answers that wait for a teacher."""
    attempts = dict(
        reader.execute(
            select(Attempt.quiz, func.count()).where(Attempt.course == course).group_by(Attempt.quiz)
        ).all()
    )
    waiting = dict(
        reader.execute(
            select(Attempt.quiz, func.count())
            .join(Answer, Answer.attempt_id == Attempt.id)
            .where(
                Attempt.course == course, Attempt.state == AttemptState.FINISHED, Answer.fraction.is_(None)
            )
            .group_by(Attempt.quiz)
        ).all()
    )
    return {quiz: QuizCounts(count, waiting.get(quiz, 0)) for quiz, count in attempts.items()}


def attempt_with_student(
    reader: Session, attempt_id: int, for_update: bool = False
) -> tuple[Attempt, Student]:
    """Any student's attempt (the caller checks that the user teaches its course): 404 if none."""
    query = select(Attempt, User).join(User, User.id == Attempt.user_id).where(Attempt.id == attempt_id)
    row = reader.execute(query.with_for_update(of=Attempt) if for_update else query).one_or_none()
    if row is None:
        raise NotFound("not_found", "There is no such attempt.")
    return row[0], Student.of(row[1])


def graders(reader: Session, answers: Iterable[Answer]) -> dict[int, str]:
    """Names of the teachers who graded these answers, by user id."""
    ids = {a.graded_by for a in answers if a.graded_by is not None}
    if not ids:
        return {}
    users = reader.scalars(select(User).where(User.id.in_(ids)))
    return {u.id: u.full_name or u.email for u in users}


# -- one attempt as the teacher sees it ---------------------------------------------------


@dataclass(frozen=True)
class GradedQuestion:
    question: Question
    response: Any  # as saved, None when unanswered
    shown_response: list[str]  # the response in words
    right_answer: list[str]
    fraction: float | None  # None: waits for a teacher, or the attempt is open
    points: float | None
    max_points: float
    state: str  # correct, partial, wrong, unanswered, manual (waits), open
    comment: str | None
    graded_by: int | None
    graded_at: datetime | None


def graded_questions(attempt: Attempt, quiz: PinnedQuiz, answers: dict[str, Answer]) -> list[GradedQuestion]:
    return [_graded(attempt, q, answers.get(q.id)) for q in service.attempt_questions(attempt, quiz)]


def _graded(attempt: Attempt, question: Question, answer: Answer | None) -> GradedQuestion:
    response = json.loads(answer.response) if answer is not None else None
    most = service.question_max_points(question)
    finished = attempt.state == AttemptState.FINISHED
    fraction = (answer.fraction if answer is not None else 0.0) if finished else None
    return GradedQuestion(
        question=question,
        response=response,
        shown_response=response_in_words(question, response),
        right_answer=QUESTION_TYPES[question.type].right_answer(question),
        fraction=fraction,
        points=None if fraction is None else round(fraction * most, 4),
        max_points=most,
        state=_state(finished, answer, fraction),
        comment=answer.comment if answer is not None else None,
        graded_by=answer.graded_by if answer is not None else None,
        graded_at=answer.graded_at if answer is not None else None,
    )


def _state(finished: bool, answer: Answer | None, fraction: float | None) -> str:
    if not finished:
        return "open"
    if answer is None or (not answer.is_manual and json.loads(answer.response) in (None, "", [])):
        return "unanswered"
    if fraction is None:
        return "manual"
    return "correct" if fraction >= 1 else "partial" if fraction > 0 else "wrong"


def response_in_words(question: Question, response: Any) -> list[str]:
    """The student's response as a teacher reads it: option texts instead of opaque ids."""
    if response is None or response == "":
        return []
    kind = question.type
    texts = {o.id: o.text for o in (*question.options, *question.items, *question.distractors)}
    texts |= {p.right_id: p.right for p in question.pairs}
    if kind == "true-false":
        return ["true" if response else "false"]
    if kind == "single":
        return [texts.get(response, str(response))]
    if kind in ("multiple", "ordering"):
        return [texts.get(item, str(item)) for item in response]
    if kind == "matching":
        lefts = {p.left_id: p.left for p in question.pairs}
        return [f"{lefts.get(left, left)} → {texts.get(right, right)}" for left, right in response.items()]
    if kind == "fill-blanks":
        return [str(item) for item in response]
    return [str(response)]


# -- manual grading -----------------------------------------------------------------------


@dataclass(frozen=True)
class ManualGrade:
    question: str  # public id
    points: float
    comment: str | None
    grader_id: int


def grade_answer(
    writer: Session, attempt: Attempt, quiz: PinnedQuiz, given: ManualGrade, now: datetime
) -> Answer:
    """Set a teacher's points and comment for one question of a finished attempt; the attempt's
    points follow (still None while another answer waits)."""
    if attempt.state != AttemptState.FINISHED:
        raise Conflict("attempt_not_finished", "Only a finished attempt can be graded.")
    _, question = service.find_question(attempt, quiz, given.question)
    most = service.question_max_points(question)
    if not most:
        raise Invalid("not_graded", "This question carries no points.")
    if not 0 <= given.points <= most:
        raise Invalid("points_out_of_range", f"points: from 0 to {most:g} for this question.")
    answers = service.answers_of(writer, attempt.id)
    answer = answers.get(question.id) or _unanswered(writer, attempt, question, now)
    answer.fraction = given.points / most
    answer.comment = (given.comment or "").strip()[:MAX_COMMENT] or None
    answer.graded_by, answer.graded_at = given.grader_id, now
    answers[question.id] = answer
    questions = service.attempt_questions(attempt, quiz)
    attempt.points, attempt.max_points = service.attempt_score(questions, service.answers_fractions(answers))
    ids = (attempt.id, attempt.user_id, attempt.course, attempt.quiz)
    graded = events.AttemptGraded(
        *ids, attempt.points, attempt.max_points, "teacher", given.grader_id, question.id
    )
    events.publish(writer, graded)
    return answer


def _unanswered(writer: Session, attempt: Attempt, question: Question, now: datetime) -> Answer:
    """A row for a question the student left empty, so that a teacher's grade and comment have a place."""
    answer = Answer(
        attempt_id=attempt.id,
        question=question.id,
        response="null",
        sequence=0,
        client_id="teacher",
        saved_at=now,
    )
    writer.add(answer)
    return answer


# -- regrade ------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionChange:
    question: str  # public id
    text: str
    old_points: float | None
    new_points: float | None


@dataclass(frozen=True)
class AttemptChange:
    attempt_id: int
    student: Student
    old_version: str
    old_points: float | None
    new_points: float | None
    old_max_points: float | None
    new_max_points: float
    questions: tuple[QuestionChange, ...]


@dataclass(frozen=True)
class NotRegradable:
    attempt_id: int
    student: Student
    version: str
    reason: str  # questions_missing | answer_does_not_fit


@dataclass(frozen=True)
class RegradeReport:
    version: str
    dry_run: bool
    attempts: int  # finished attempts looked at
    changed: list[AttemptChange]
    not_regradable: list[NotRegradable]

    @property
    def answers_changed(self) -> int:
        return sum(len(change.questions) for change in self.changed)


@dataclass(frozen=True)
class _Plan:
    questions: list[Question]
    fractions: dict[str, float | None]
    change: AttemptChange | None


def regrade(
    session: Session,
    quiz: PinnedQuiz,
    body: str,
    by_user_id: int,
    now: datetime,
    dry_run: bool,
) -> RegradeReport:
    """Grade every finished attempt again on `quiz` (the bundle's current version), keeping
    teachers' grades. An attempt moves to this version when all its questions are in it;
    otherwise it is reported and left alone. A dry run only reports."""
    finished = _finished_attempts(session, quiz, for_update=not dry_run)
    versions_before = sorted({attempt.version for attempt, _ in finished})
    answers = _answers_by_attempt(session, [attempt.id for attempt, _ in finished])
    changed: list[AttemptChange] = []
    refused: list[NotRegradable] = []
    if not dry_run:
        service.pin_version(session, body, quiz)
    for attempt, student in finished:
        mine = answers.get(attempt.id, {})
        plan = _plan(session, attempt, student, mine, quiz)
        if isinstance(plan, str):
            refused.append(NotRegradable(attempt.id, student, attempt.version, plan))
            continue
        changed += [plan.change] if plan.change is not None else []
        if not dry_run:
            points, max_points = _apply(attempt, mine, plan, quiz)
            if plan.change is not None:
                ids = (attempt.id, attempt.user_id, attempt.course, attempt.quiz)
                regraded = events.AttemptGraded(*ids, points, max_points, "regrade", by_user_id)
                events.publish(session, regraded)
    report = RegradeReport(quiz.version, dry_run, len(finished), changed, refused)
    if not dry_run:
        _log(session, quiz, versions_before, report, by_user_id, now)
    return report


def _finished_attempts(session: Session, quiz: PinnedQuiz, for_update: bool) -> list[tuple[Attempt, Student]]:
    query = (
        select(Attempt, User)
        .join(User, User.id == Attempt.user_id)
        .where(Attempt.course == quiz.course, Attempt.quiz == quiz.id, Attempt.state == AttemptState.FINISHED)
        .order_by(Attempt.id)
    )
    if for_update:
        query = query.with_for_update(of=Attempt)
    return [(attempt, Student.of(user)) for attempt, user in session.execute(query)]


def _answers_by_attempt(session: Session, attempt_ids: list[int]) -> dict[int, dict[str, Answer]]:
    by_attempt: dict[int, dict[str, Answer]] = {}
    for start in range(0, len(attempt_ids), 500):  # bounded IN lists
        chunk = attempt_ids[start : start + 500]
        for answer in session.scalars(select(Answer).where(Answer.attempt_id.in_(chunk))):
            by_attempt.setdefault(answer.attempt_id, {})[answer.question] = answer
    return by_attempt


def _plan(
    session: Session, attempt: Attempt, student: Student, answers: dict[str, Answer], quiz: PinnedQuiz
) -> _Plan | str:
    """What regrading the attempt on `quiz` changes, or why it cannot be regraded."""
    wanted: list[str] = json.loads(attempt.questions)
    current = {q.id: q for q in quiz.questions.get(attempt.lang, ())}
    if any(question_id not in current for question_id in wanted):
        return "questions_missing"
    questions = [current[question_id] for question_id in wanted]
    fractions: dict[str, float | None] = {}
    for question in questions:
        answer = answers.get(question.id)
        if answer is None:
            continue
        try:
            fractions[question.id] = (
                answer.fraction if answer.is_manual else service.automatic_fraction(question, answer)
            )
        except ResponseError:
            return "answer_does_not_fit"
    old_questions = service.attempt_questions(attempt, service.pinned_quiz(session, attempt))
    return _Plan(
        questions, fractions, _change(attempt, student, old_questions, questions, answers, fractions)
    )


def _change(
    attempt: Attempt,
    student: Student,
    old_questions: list[Question],
    questions: list[Question],
    answers: dict[str, Answer],
    fractions: dict[str, float | None],
) -> AttemptChange | None:
    old_fractions = service.answers_fractions(answers)
    moved = tuple(
        QuestionChange(new.public_id, new.text, old_points, new_points)
        for old, new in zip(old_questions, questions, strict=True)
        if (old_points := question_points(old, old_fractions))
        != (new_points := question_points(new, fractions))
    )
    points, most = service.attempt_score(questions, fractions)
    if not moved and (_rounded(points), most) == (_rounded(attempt.points), attempt.max_points):
        return None
    return AttemptChange(
        attempt.id, student, attempt.version, attempt.points, points, attempt.max_points, most, moved
    )


def question_points(question: Question, fractions: dict[str, float | None]) -> float | None:
    """The question's points from its answer's fraction: 0 when unanswered, None while it waits."""
    if question.id not in fractions:
        return 0.0
    fraction = fractions[question.id]
    return None if fraction is None else round(fraction * service.question_max_points(question), 4)


def _rounded(points: float | None) -> float | None:
    return None if points is None else round(points, 4)


def _apply(
    attempt: Attempt, answers: dict[str, Answer], plan: _Plan, quiz: PinnedQuiz
) -> tuple[float | None, float]:
    """Move the attempt to the plan's version and score; its (points, max points)."""
    for question_id, fraction in plan.fractions.items():
        answer = answers[question_id]
        if not answer.is_manual:
            answer.fraction = fraction
    attempt.version = quiz.version
    points, max_points = service.attempt_score(plan.questions, plan.fractions)
    attempt.points, attempt.max_points = points, max_points
    return points, max_points


def _log(
    session: Session,
    quiz: PinnedQuiz,
    versions_before: list[str],
    report: RegradeReport,
    by_user_id: int,
    now: datetime,
) -> None:
    session.add(
        QuizRegrade(
            course=quiz.course,
            quiz=quiz.id,
            from_versions=",".join(versions_before)[:250],
            to_version=quiz.version,
            regraded_by=by_user_id,
            regraded_at=now,
            attempts_changed=len(report.changed),
            answers_changed=report.answers_changed,
        )
    )


def last_regrade(reader: Session, course: str, quiz: str) -> QuizRegrade | None:
    query = (
        select(QuizRegrade)
        .where(QuizRegrade.course == course, QuizRegrade.quiz == quiz)
        .order_by(QuizRegrade.regraded_at.desc(), QuizRegrade.id.desc())
        .limit(1)
    )
    return reader.scalars(query).first()
