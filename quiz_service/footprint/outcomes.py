"""Outcome attainment per question (R2.4): from the outcome tags the questions carry.

A quiz's questions name the course outcomes they test (`[tag:outcome]` in GIFT, `outcomes:` in
a quiz file); the quizzes keep each answer's graded fraction (`quiz_answers.fraction`) and the
quiz exactly as the attempt saw it (`quiz_versions.body`, with each question's points and
outcomes). For each quiz a student's best graded attempt counts: an outcome's attainment is the
points its questions earned there over the points they were worth (a question left unanswered
earns none). The quizzes' tables are read by name: the footprint imports no other feature.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from sqlalchemy import column, select, table, tuple_
from sqlalchemy.engine import Connection

ATTEMPTS = table(
    "quiz_attempts", column("id"), column("user_id"), column("course"), column("quiz"), column("version"),
    column("lang"), column("questions"), column("state"), column("points"), column("max_points"),
)  # fmt: skip
ANSWERS = table("quiz_answers", column("attempt_id"), column("question"), column("fraction"))
VERSIONS = table("quiz_versions", column("course"), column("quiz"), column("version"), column("body"))

QuestionMeta = dict[str, tuple[float, list[str]]]  # authored id -> (points, outcomes)


def best_attempts(connection: Connection, course_id: str, user_ids: list[int]) -> list[Any]:
    """Each student's graded attempt with the best score, per quiz of the course."""
    best: dict[tuple[int, str], Any] = {}
    for chunk in chunks(user_ids):
        rows = connection.execute(
            select(ATTEMPTS).where(
                ATTEMPTS.c.course == course_id,
                ATTEMPTS.c.state == "finished",
                ATTEMPTS.c.user_id.in_(chunk),
                ATTEMPTS.c.points.is_not(None),
                ATTEMPTS.c.max_points > 0,
            )
        )
        for row in rows:
            key, score = (row.user_id, row.quiz), row.points / row.max_points
            if key not in best or score >= best[key].points / best[key].max_points:
                best[key] = row
    return list(best.values())


def question_meta(
    connection: Connection, course_id: str, versions: set[tuple[str, str]]
) -> dict[tuple[str, str, str], QuestionMeta]:
    """(quiz, version, language) -> each question's points and outcomes, as the attempts saw them."""
    meta: dict[tuple[str, str, str], QuestionMeta] = {}
    if not versions:
        return meta
    rows = connection.execute(
        select(VERSIONS.c.quiz, VERSIONS.c.version, VERSIONS.c.body).where(
            VERSIONS.c.course == course_id, tuple_(VERSIONS.c.quiz, VERSIONS.c.version).in_(sorted(versions))
        )
    )
    for quiz, version, body in rows:
        for lang, questions in (json.loads(body).get("questions") or {}).items():
            meta[(quiz, version, lang)] = {
                q["id"]: (float(q.get("points", 1.0)), list(q.get("outcomes") or [])) for q in questions
            }
    return meta


def answer_fractions(connection: Connection, attempt_ids: list[int]) -> dict[int, dict[str, float]]:
    fractions: dict[int, dict[str, float]] = defaultdict(dict)
    for chunk in chunks(attempt_ids):
        rows = connection.execute(
            select(ANSWERS.c.attempt_id, ANSWERS.c.question, ANSWERS.c.fraction).where(
                ANSWERS.c.attempt_id.in_(chunk)
            )
        )
        for attempt_id, question, fraction in rows:
            fractions[attempt_id][question] = float(fraction or 0.0)
    return fractions


def question_attainment(
    connection: Connection, course_id: str, user_ids: list[int]
) -> dict[int, dict[str, float]]:
    """Per student, per outcome that a graded question tested: earned points / possible points."""
    attempts = best_attempts(connection, course_id, user_ids)
    meta = question_meta(connection, course_id, {(row.quiz, row.version) for row in attempts})
    fractions = answer_fractions(connection, [row.id for row in attempts])
    sums: dict[int, dict[str, list[float]]] = defaultdict(lambda: defaultdict(lambda: [0.0, 0.0]))
    for row in attempts:
        questions = meta.get((row.quiz, row.version, row.lang)) or next(
            (
                value
                for (quiz, version, _), value in meta.items()
                if (quiz, version) == (row.quiz, row.version)
            ),
            {},
        )
        for question in json.loads(row.questions or "[]"):
            points, outcomes = questions.get(question, (0.0, []))
            for outcome in outcomes:
                sums[row.user_id][outcome][0] += fractions[row.id].get(question, 0.0) * points
                sums[row.user_id][outcome][1] += points
    return {
        user: {
            outcome: earned / possible for outcome, (earned, possible) in by_outcome.items() if possible > 0
        }
        for user, by_outcome in sums.items()
    }


def chunks(values: list[int], size: int = 500) -> list[list[int]]:
    return [values[start : start + size] for start in range(0, len(values), size)]
