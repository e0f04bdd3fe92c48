"""T19: scripted answer guessing is throttled per student, quiz and question, on SQLite and PostgreSQL.

The script loops start → save a guess → submit → read the review (the only place where a
student learns whether a guess was right) on a practice quiz with unlimited attempts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from gunicorn_services import gunicorn_services, service_env
from quiz_bundle import publish_gift_quiz
from test_quiz_attempts import START, Clock, write_manifest

from auth.models import User
from quiz_service.quizzes.attempts import settings

LIMIT = 3
BANK = """\
// [id:capital]
Қазақстанның астанасы? {=Астана}

// [id:river]
Ең ұзын өзен? {=Ертіс}
"""
GUESSES = ["Алматы", "Шымкент", "Қарағанды", "Ақтөбе", "Павлодар"]


def publish_quiz(service_dir: Path, quiz_id: str) -> None:
    publish_gift_quiz(service_dir, BANK, quiz_id=quiz_id, title="Жаттығу")


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    write_manifest(app_config["SERVICE_DIR"])
    for quiz_id in ("practice", "other-practice"):
        publish_quiz(app_config["SERVICE_DIR"], quiz_id)
    return app_config | {"GUESS_LIMIT": LIMIT, "GUESS_WINDOW": timedelta(minutes=60)}


@pytest.fixture
def clock(app: Flask) -> Clock:
    clock = Clock(START)
    app.extensions["oqu_clock"] = clock
    return clock


@pytest.fixture
def students(
    client: FlaskClient, make_user: Callable[..., User], make_token: Callable[..., str], clock: Clock
) -> list[dict[str, str]]:
    return [{"Authorization": f"Bearer {make_token(make_user())}"} for _ in range(2)]


@dataclass(frozen=True)
class Reply:
    status: int
    body: Any
    headers: Mapping[str, str]


Send = Callable[..., Reply]


class Script:
    """One student's guessing loop through the API (the Flask client or real HTTP)."""

    def __init__(self, send: Send, quiz: str = "practice") -> None:
        self.send, self.quiz = send, quiz
        self.attempt: dict[str, Any] = {}
        self.sequence = 0

    def start(self) -> None:
        reply = self.send("POST", f"/api/v1/quizzes/fire-safety/{self.quiz}/attempts", json={})
        assert reply.status == 201, reply.body
        self.attempt = reply.body

    def save(self, question: str, response: str) -> Reply:
        self.sequence += 1
        public_id = next(q["id"] for q in self.attempt["questions"] if q["text"].startswith(question))
        body = {"response": response, "sequence": self.sequence, "client_id": f"guess-{self.sequence}"}
        return self.send("PUT", f"/api/v1/attempts/{self.attempt['id']}/answers/{public_id}", json=body)

    def submit_and_review(self) -> list[str]:
        reply = self.send("POST", f"/api/v1/attempts/{self.attempt['id']}/submit")
        assert reply.status == 200
        return [q["state"] for q in reply.body["review"]["questions"]]

    def guess(self, response: str) -> int:
        """One turn of the loop; the status of the save."""
        self.start()
        status = self.save("Қазақстан", response).status
        self.submit_and_review()
        return status


def flask_script(client: FlaskClient, headers: dict[str, str], quiz: str = "practice") -> Script:
    def send(method: str, path: str, **kwargs: Any) -> Reply:
        reply = client.open(path, method=method, headers=headers, **kwargs)
        return Reply(reply.status_code, reply.get_json(), reply.headers)

    return Script(send, quiz)


def test_the_guessing_loop_gets_429_after_the_limit(
    client: FlaskClient, students: list[dict[str, str]], clock: Clock
) -> None:
    script = flask_script(client, students[0])
    assert [script.guess(g) for g in GUESSES[:LIMIT]] == [200] * LIMIT
    script.start()
    refused = script.save("Қазақстан", GUESSES[LIMIT])
    assert refused.status == 429
    assert refused.body == {
        "error": {
            "code": "too_many_guesses",
            "message": "3 different answers to this question were graded in the last 60 minutes; "
            "a new answer can be saved in 60 min.",
        }
    }
    assert refused.headers["Retry-After"] == "3600"
    assert script.save("Қазақстан", GUESSES[0]).status == 200  # already graded: teaches nothing new
    assert script.save("Ең ұзын", "Есіл").status == 200  # another question of the quiz
    clock.move(minutes=30)
    assert script.save("Қазақстан", GUESSES[LIMIT]).headers["Retry-After"] == "1800"
    clock.move(minutes=30)  # the first guess leaves the window
    assert script.save("Қазақстан", GUESSES[LIMIT]).status == 200


def test_another_quiz_and_another_student_are_not_affected(
    client: FlaskClient, students: list[dict[str, str]], clock: Clock
) -> None:
    guesser = flask_script(client, students[0])
    for guess in GUESSES[:LIMIT]:
        guesser.guess(guess)
    guesser.start()
    assert guesser.save("Қазақстан", GUESSES[LIMIT]).status == 429
    other_quiz = flask_script(client, students[0], "other-practice")
    assert [other_quiz.guess(g) for g in GUESSES[:LIMIT]] == [200] * LIMIT
    classmate = flask_script(client, students[1])
    assert [classmate.guess(g) for g in GUESSES[:LIMIT]] == [200] * LIMIT


def test_a_student_who_repeats_an_answer_or_retakes_a_few_times_is_never_refused(
    client: FlaskClient, students: list[dict[str, str]], clock: Clock
) -> None:
    """Only distinct graded responses count: ten retakes with the same two answers pass."""
    script = flask_script(client, students[0])
    assert [script.guess(["Алматы", "Астана"][n % 2]) for n in range(10)] == [200] * 10


@pytest.fixture
def services(app: Flask, app_config: dict[str, Any]) -> Iterator[list[str]]:
    with gunicorn_services(service_env(app_config, OQU_GUESS_LIMIT=str(LIMIT)), count=2) as bases:
        yield bases


def test_the_count_holds_across_gunicorn_services(
    services: list[str], make_user: Callable[..., User], make_token: Callable[..., str]
) -> None:
    """Each request of the loop goes to the other service: the count is the database's, not a worker's."""
    headers = {"Authorization": f"Bearer {make_token(make_user())}"}
    turn = iter(range(10_000))

    def send(method: str, path: str, **kwargs: Any) -> Reply:
        base = services[next(turn) % len(services)]
        reply = requests.request(method, base + path, headers=headers, timeout=30, **kwargs)
        return Reply(reply.status_code, reply.json(), reply.headers)

    script = Script(send)
    assert [script.guess(g) for g in GUESSES[:LIMIT]] == [200] * LIMIT
    script.start()
    refused = script.save("Қазақстан", GUESSES[LIMIT])
    assert (refused.status, refused.body["error"]["code"]) == (429, "too_many_guesses")
    assert 3500 < int(refused.headers["Retry-After"]) <= 3600


def test_the_limit_is_read_from_the_environment(app: Flask) -> None:
    app.config.pop("GUESS_LIMIT")
    app.config.pop("GUESS_WINDOW")
    settings.configure(app, {"OQU_GUESS_LIMIT": "25", "OQU_GUESS_WINDOW_MINUTES": "10"})
    assert (app.config["GUESS_LIMIT"], app.config["GUESS_WINDOW"]) == (25, timedelta(minutes=10))
