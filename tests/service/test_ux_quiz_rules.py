"""What the quiz page's rules panel reads from the quiz summary (issue 12, items 2 and 5): the
window in the course's zone, attempts used and left, the delay and when the next attempt may
start, and why starting is refused, computed as the start itself refuses; a description item
is text between questions, never a line of the review.

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

SUMMARY_URL = "/api/v1/quizzes/fire-safety/exam"
START_URL = SUMMARY_URL + "/attempts"
PANEL = ("timezone", "time_limit", "attempts_allowed", "attempts_used", "attempts_left", "delay",
         "next_start_at", "start_refused", "pass_mark")  # fmt: skip


def panel(client: FlaskClient, headers: dict[str, str]) -> dict[str, Any]:
    summary = client.get(SUMMARY_URL, headers=headers)
    assert summary.status_code == 200, summary.json
    return {key: summary.json[key] for key in PANEL}


def test_a_quiz_not_open_yet_says_when_and_refuses_the_start(
    client: FlaskClient, people: People, publish: Callable[..., str], clock: Clock
) -> None:
    opens, closes = START + timedelta(days=1), START + timedelta(days=2)
    publish(FIXED_KEY, opens=opens.isoformat(), closes=closes.isoformat(), time_limit=40, attempts=2,
            pass_mark=60.0, timezone="Asia/Almaty")  # fmt: skip
    summary = client.get(SUMMARY_URL, headers=people.student).json
    assert (summary["opens"], summary["closes"]) == ("2026-12-15T09:00:00Z", "2026-12-16T09:00:00Z")
    assert panel(client, people.student) == {
        "timezone": "Asia/Almaty", "time_limit": 40, "attempts_allowed": 2, "attempts_used": 0,
        "attempts_left": 2, "delay": 0, "next_start_at": None, "start_refused": "quiz_not_open",
        "pass_mark": 60.0,
    }  # fmt: skip
    refused = client.post(START_URL, json={}, headers=people.student)
    assert refused.json["error"]["code"] == "quiz_not_open"
    clock.now = opens
    assert panel(client, people.student)["start_refused"] is None
    assert client.post(START_URL, json={}, headers=people.student).status_code == 201
    clock.now = closes
    assert panel(client, people.student)["start_refused"] == "quiz_closed"


def test_the_delay_after_an_attempt_and_the_last_attempt(
    client: FlaskClient, people: People, publish: Callable[..., str], clock: Clock
) -> None:
    publish(FIXED_KEY, attempts=2, delay=10)
    take_quiz(client, people.student, {GAS: "A"})
    after_first = panel(client, people.student)
    assert (after_first["attempts_used"], after_first["attempts_left"]) == (1, 1)
    assert after_first["start_refused"] == "attempt_delay"
    assert after_first["next_start_at"] == "2026-12-14T09:10:00Z"
    assert client.post(START_URL, json={}, headers=people.student).json["error"]["code"] == "attempt_delay"
    clock.now = START + timedelta(minutes=10)
    assert panel(client, people.student)["start_refused"] is None
    take_quiz(client, people.student, {GAS: "C"})
    clock.now = START + timedelta(hours=1)
    last = panel(client, people.student)
    assert (last["attempts_used"], last["attempts_left"], last["start_refused"]) == (2, 0, "no_attempts_left")
    assert client.post(START_URL, json={}, headers=people.student).json["error"]["code"] == "no_attempts_left"
    # The classmate's panel is their own.
    assert panel(client, people.classmate)["start_refused"] is None


def test_unlimited_attempts_have_none_left_to_count(
    client: FlaskClient, people: People, publish: Callable[..., str], clock: Clock
) -> None:
    publish(FIXED_KEY)
    assert panel(client, people.student)["attempts_left"] is None


def test_a_description_is_between_questions_and_never_in_the_review(
    client: FlaskClient, people: People, publish: Callable[..., str], clock: Clock
) -> None:
    publish(FIXED_KEY + "\n::Ескерту::Тест өзіңізді тексеруге арналған.\n")
    attempt = take_quiz(client, people.student, {GAS: "C", OXYGEN: "21"})
    assert [q["type"] for q in attempt["questions"]] == ["single", "numeric", "description"]
    described = attempt["questions"][2]["id"]
    assert described not in [q["id"] for q in attempt["review"]["questions"]]
    assert len(attempt["review"]["questions"]) == 2
    assert (attempt["review"]["points"], attempt["review"]["max_points"]) == (2.0, 2.0)
