"""Answer guessing (T19): a script that loops start → save a guess → submit → read the review.

A student learns whether a response is right only from the review of a finished attempt, so
what is counted is what the student could learn from: per (student, course, quiz, question),
the distinct responses graded in finished attempts within the last GUESS_WINDOW. Once GUESS_LIMIT
distinct responses were graded, a save of a new response to that question is refused with
429 until the oldest leave the window; a response already graded may still be saved (it
teaches nothing new), and every other question, quiz and student is unaffected.

The count is read from the attempts and answers themselves, so it is exact across attempts,
gunicorn workers and hosts, on SQLite and PostgreSQL, with no counter to keep. It costs the
save nothing until the attempt's number exceeds the limit: a student who finished fewer
attempts than the limit cannot have reached it, so a real student never pays the query.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from quiz_service.core.domain import TooMany
from quiz_service.quizzes.models import Answer, Attempt, AttemptFields, AttemptState


@dataclass(frozen=True)
class GuessLimits:
    limit: int  # distinct graded responses per question and window; 0: no limit
    window: timedelta


def limits() -> GuessLimits:
    return GuessLimits(current_app.config["GUESS_LIMIT"], current_app.config["GUESS_WINDOW"])


def check_guess(
    reader: Session | Connection,
    attempt: AttemptFields,
    question_id: str,
    response: str,
    limits: GuessLimits,
    now: datetime,
) -> None:
    """Refuse (429) a new response to a question whose graded responses reached the limit.

    `response` is the response as stored (JSON text).
    """
    if limits.limit <= 0 or attempt.number <= limits.limit:
        return  # fewer finished attempts than the limit: it cannot have been reached
    graded = graded_responses(reader, attempt, question_id, now - limits.window)
    if len(graded) < limits.limit or response in graded:
        return
    wait = seconds_until_below_limit(sorted(graded.values()), limits, now)
    raise TooMany(
        "too_many_guesses",
        f"{len(graded)} different answers to this question were graded in the last "
        f"{_minutes(limits.window)} minutes; a new answer can be saved in {math.ceil(wait / 60)} min.",
        retry_after=wait,
    )


def graded_responses(
    reader: Session | Connection, attempt: AttemptFields, question_id: str, since: datetime
) -> dict[str, datetime]:
    """The student's distinct responses to the question graded since `since`, each with its latest grading."""
    query = (
        select(Answer.response, func.max(Attempt.finished_at))
        .join(Attempt, Answer.attempt_id == Attempt.id)
        .where(
            Attempt.user_id == attempt.user_id,
            Attempt.course == attempt.course,
            Attempt.quiz == attempt.quiz,
            Attempt.state == AttemptState.FINISHED,
            Attempt.finished_at > since,
            Answer.question == question_id,
        )
        .group_by(Answer.response)
    )
    rows = reader.execute(query).all()
    # max(finished_at) is never NULL here (the query keeps finished_at > since), but it is typed so.
    return {response: finished_at for response, finished_at in rows if finished_at is not None}


def seconds_until_below_limit(gradings: list[datetime], limits: GuessLimits, now: datetime) -> int:
    """Seconds until enough of the oldest gradings leave the window for one more response (at least 1)."""
    leaving = gradings[len(gradings) - limits.limit]
    return max(1, math.ceil((leaving + limits.window - now).total_seconds()))


def _minutes(window: timedelta) -> int:
    return max(1, round(window.total_seconds() / 60))
