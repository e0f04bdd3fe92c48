"""Two Moodle quiz settings on SQLite and PostgreSQL: overall feedback by grade band, shown as the
review policy allows, and the enforced delay between attempts, by the server's clock.

The course, the quiz `exam` and its people are test_quiz_teaching's fixtures, imported by name
(hence F811 below: pytest passes them in as arguments of the same names).
"""
# ruff: noqa: F811

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask.testing import FlaskClient
from test_quiz_teaching import (  # noqa: F401 (fixtures, see above)
    FIXED_KEY,
    GAS,
    OXYGEN,
    START,
    Clock,
    People,
    app_config,
    clock,
    people,
    publish,
    take_quiz,
)

from builder.quizzes.model import FeedbackBand, ReviewPolicy

BANDS = (
    FeedbackBand(80, (("kk", "Өте жақсы!"),)),
    FeedbackBand(40, (("kk", "Жаман емес, бірақ қайталаңыз."),)),
    FeedbackBand(0, (("kk", "Сабақты қайта оқыңыз."),)),
)
START_URL = "/api/v1/quizzes/fire-safety/exam/attempts"


def overall(attempt: dict[str, Any]) -> str | None:
    return attempt["review"].get("overall_feedback")


def test_overall_feedback_follows_the_grade(
    client: FlaskClient, people: People, publish: Callable[..., str], clock: Clock
) -> None:
    publish(FIXED_KEY, overall_feedback=BANDS)
    best = take_quiz(client, people.student, {GAS: "C", OXYGEN: "21"})
    assert (best["review"]["percent"], overall(best)) == (100.0, "Өте жақсы!")
    half = take_quiz(client, people.classmate, {GAS: "C"})
    assert (half["review"]["percent"], overall(half)) == (50.0, "Жаман емес, бірақ қайталаңыз.")


def test_overall_feedback_waits_for_the_feedback_policy(
    client: FlaskClient, people: People, publish: Callable[..., str], clock: Clock
) -> None:
    publish(FIXED_KEY, overall_feedback=BANDS, review=ReviewPolicy(feedback="after-release"))
    attempt = take_quiz(client, people.student, {GAS: "A"})
    assert attempt["review"]["percent"] == 0.0 and overall(attempt) is None


def test_the_next_attempt_waits_for_the_delay(
    client: FlaskClient, people: People, publish: Callable[..., str], clock: Clock
) -> None:
    publish(FIXED_KEY, delay=30)
    first = take_quiz(client, people.student, {GAS: "A"})
    assert first["state"] == "finished"
    clock.now = START + timedelta(minutes=29)
    early = client.post(START_URL, json={}, headers=people.student)
    assert (early.status_code, early.json["error"]["code"]) == (409, "attempt_delay")
    assert "2026-12-14T09:30:00+00:00" in early.json["error"]["message"]
    assert early.headers["Retry-After"] == "60"
    other = client.post(START_URL, json={}, headers=people.classmate)
    assert other.status_code == 201  # the delay is the student's own
    clock.now = START + timedelta(minutes=30)
    again = client.post(START_URL, json={}, headers=people.student)
    assert again.status_code == 201 and again.json["number"] == 2
