"""A quiz's attempts as the teacher's reports read them: statistics and the results table.

Reads the attempts, their students and answers in three queries, then hands plain values to
the pure `statistics` and `export` modules.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from auth.models import User
from builder.quizzes.model import Question
from quiz_service.core import formatting
from quiz_service.quizzes.attempts import service
from quiz_service.quizzes.models import Answer, Attempt, AttemptState
from quiz_service.quizzes.pinned import PinnedQuiz
from quiz_service.quizzes.reports.export import Cell, Table
from quiz_service.quizzes.reports.statistics import AttemptScores, ItemScore, QuizStatistics, quiz_statistics

# Times are the course's wall-clock time (`core.formatting.course_zone`), the zone named in the
# header; numbers are rounded as people write them (two decimals) and stay numbers.
DECIMALS = 2
TIMED_FIELDS = ("started", "finished")


@dataclass(frozen=True)
class LoadedAttempt:
    attempt: Attempt
    student: User
    quiz: PinnedQuiz  # the version it was taken on
    answers: Mapping[str, Answer]  # by authored question id


def load_attempts(reader: Session, course: str, quiz: str) -> list[LoadedAttempt]:
    """Every attempt at the quiz, oldest first, with its student, pinned version and answers."""
    rows = reader.execute(
        select(Attempt, User)
        .join(User, User.id == Attempt.user_id)
        .where(Attempt.course == course, Attempt.quiz == quiz)
        .order_by(Attempt.started_at, Attempt.id)
    ).all()
    answers: dict[int, dict[str, Answer]] = defaultdict(dict)
    query = (
        select(Answer)
        .join(Attempt, Attempt.id == Answer.attempt_id)
        .where(Attempt.course == course, Attempt.quiz == quiz)
    )
    for answer in reader.scalars(query):
        answers[answer.attempt_id][answer.question] = answer
    return [
        LoadedAttempt(attempt, student, service.pinned_quiz(reader, attempt), answers[attempt.id])
        for attempt, student in rows
    ]


# -- statistics ----------------------------------------------------------------------------


def statistics_of(
    loaded: Sequence[LoadedAttempt], which: str, current: PinnedQuiz | None, lang: str
) -> QuizStatistics:
    """The statistics of the finished attempts; questions in the newest version's authored order."""
    finished = [item for item in loaded if item.attempt.state == AttemptState.FINISHED]
    scores = [attempt_scores(item, lang) for item in finished]
    newest = current or (loaded[-1].quiz if loaded else None)
    reference = _questions(newest, lang) if newest is not None else ()
    return quiz_statistics(scores, which, reference, lang)


def attempt_scores(loaded: LoadedAttempt, lang: str) -> AttemptScores:
    attempt, quiz = loaded.attempt, loaded.quiz
    items = tuple(
        ItemScore(question, _in_language(quiz, question, lang), *_graded(loaded.answers.get(question.id)))
        for question in service.attempt_questions(attempt, quiz)
    )
    return AttemptScores(attempt.user_id, attempt.number, percent(attempt), items)


def _in_language(quiz: PinnedQuiz, question: Question, lang: str) -> Question:
    if lang not in quiz.questions:
        return question
    return quiz.question(lang, question.id) or question


def _graded(answer: Answer | None) -> tuple[float | None, Any]:
    """(fraction, response) of one answer: no answer is an unanswered question worth 0."""
    if answer is None:
        return 0.0, None
    response = json.loads(answer.response)
    return answer.fraction, (None if response in ("", [], {}, None) else response)


def percent(attempt: Attempt) -> float | None:
    if attempt.points is None or not attempt.max_points:
        return None
    return 100 * attempt.points / attempt.max_points


def authored_order(current: PinnedQuiz | None, loaded: Sequence[LoadedAttempt], lang: str) -> list[str]:
    """Question ids as the current version authors them, then those only older versions had."""
    versions = [current] if current is not None else []
    versions += [item.quiz for item in reversed(loaded)]
    return list(dict.fromkeys(q.id for quiz in versions for q in _questions(quiz, lang)))


def _questions(quiz: PinnedQuiz, lang: str) -> tuple[Question, ...]:
    return quiz.questions.get(lang) or next(iter(quiz.questions.values()))


# -- the results table ---------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    id: str
    points: float


def question_columns(current: PinnedQuiz | None, loaded: Sequence[LoadedAttempt], lang: str) -> list[Column]:
    """One column per graded question, in authored order, with its marks in the newest version."""
    versions = [current] if current is not None else []
    versions += [item.quiz for item in reversed(loaded)]
    points: dict[str, float] = {}
    for quiz in versions:
        for question in _questions(quiz, lang):
            points.setdefault(question.id, question.points)
    order = authored_order(current, loaded, lang)
    return [Column(qid, points[qid]) for qid in order if points[qid] > 0]


def results_tables(
    loaded: Sequence[LoadedAttempt],
    columns: Sequence[Column],
    grading: str,
    pass_mark: float,
    words: Mapping[str, str],
    zone: ZoneInfo,
    zone_text: str,
    lang: str = "kk",
) -> tuple[Table, Table]:
    """(one row per attempt, one row per student with the quiz grade by the grading method);
    times in `zone`, which `zone_text` (`UTC+5`) names in the header of their columns."""
    header = [
        *(f"{words[key]} ({zone_text})" if key in TIMED_FIELDS else words[key] for key in ATTEMPT_FIELDS),
        *(
            words["question_column"].format(number=n, points=formatting.number(c.points, lang))
            for n, c in enumerate(columns, 1)
        ),
        words["quiz_grade"],
    ]
    grades = student_grades(loaded, grading)
    ordered = sorted(loaded, key=lambda item: (_student_key(item.student), item.attempt.number))
    rows = [
        [
            *attempt_fields(item, pass_mark, words, zone),
            *question_points(item, columns),
            grades[item.student.id],
        ]
        for item in ordered
    ]
    students = {item.student.id: item.student for item in ordered}
    grade_header = [words["full_name"], words["email"], words["group"], words["quiz_grade"], words["passed"]]
    grade_rows: list[list[Cell]] = [
        [*_student_fields(student), grades[sid], _passed(grades[sid], pass_mark, words)]
        for sid, student in students.items()
    ]
    return Table(words["results"], header, rows), Table(words["grades"], grade_header, grade_rows)


ATTEMPT_FIELDS = (
    "full_name",
    "email",
    "group",
    "attempt",
    "state",
    "started",
    "finished",
    "duration",
    "points",
    "max_points",
    "percent",
    "passed",
)


def attempt_fields(
    item: LoadedAttempt, pass_mark: float, words: Mapping[str, str], zone: ZoneInfo
) -> list[Cell]:
    attempt = item.attempt
    share = percent(attempt)
    graded = attempt.state == AttemptState.FINISHED and share is not None
    return [
        *_student_fields(item.student),
        attempt.number,
        words["state." + _state(attempt)],
        _local(attempt.started_at, zone),
        _local(attempt.finished_at, zone),
        _minutes(attempt.started_at, attempt.finished_at) if attempt.state == AttemptState.FINISHED else None,
        round(attempt.points, DECIMALS) if graded and attempt.points is not None else None,
        attempt.max_points if attempt.state == AttemptState.FINISHED else None,
        round(share, DECIMALS) if graded and share is not None else None,
        _passed(share if graded else None, pass_mark, words),
    ]


def question_points(item: LoadedAttempt, columns: Sequence[Column]) -> list[Cell]:
    """The points of each question; empty when the attempt did not get it or a teacher has to grade."""
    if item.attempt.state != AttemptState.FINISHED:
        return [None] * len(columns)
    by_id = {q.id: q for q in service.attempt_questions(item.attempt, item.quiz)}
    cells: list[Cell] = []
    for column in columns:
        question = by_id.get(column.id)
        fraction, _ = _graded(item.answers.get(column.id)) if question else (None, None)
        cells.append(
            None if question is None or fraction is None else round(fraction * question.points, DECIMALS)
        )
    return cells


def student_grades(loaded: Sequence[LoadedAttempt], grading: str) -> dict[int, float | None]:
    """Each student's quiz grade in percent by the grading method (highest, last, first, average)."""
    own: dict[int, list[Attempt]] = defaultdict(list)
    for item in loaded:
        own[item.student.id].append(item.attempt)
    return {student: service.quiz_grade(attempts, grading) for student, attempts in own.items()}


def _student_key(student: User) -> tuple[str, str]:
    return (student.full_name.casefold(), student.email)


def _student_fields(student: User) -> list[Cell]:
    return [student.full_name, student.email, student.group or ""]


def _state(attempt: Attempt) -> str:
    if attempt.state == AttemptState.FINISHED and attempt.points is None:
        return "awaiting"
    return attempt.state.value


def _passed(share: float | None, pass_mark: float, words: Mapping[str, str]) -> str:
    if share is None:
        return ""
    return words["passed.yes"] if round(share, 2) >= pass_mark else words["passed.no"]


def _local(moment: datetime | None, zone: ZoneInfo) -> datetime | None:
    return moment.astimezone(zone) if moment is not None else None


def _minutes(start: datetime, end: datetime | None) -> float | None:
    return round((end - start).total_seconds() / 60, 2) if end is not None else None
