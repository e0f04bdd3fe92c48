"""T20 and T22 at a small scale, through real gunicorn processes on SQLite and PostgreSQL.

T20: 200 students start one exam at once (some twice, as a double click does): one attempt
each, no error. T22: the submit spike meets the deadline and the service's own sweep: every
attempt is closed exactly once. "Exactly once" is made visible by a trigger the test adds to
the database: it logs every UPDATE that sets an attempt's state, finish time or points, so a
second close (even one writing the same values) leaves a second line.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from conftest import DATABASES
from flask import Flask
from gunicorn_services import gunicorn_services, module_app_config, service_env
from quiz_bundle import publish_gift_quiz
from sqlalchemy import select, text, update
from test_quiz_attempts import write_manifest

from auth import service as accounts
from auth.models import Role
from quiz_service.core import db
from quiz_service.quizzes.models import Answer, Attempt, AttemptState

START_URL = "/api/v1/quizzes/fire-safety/exam/attempts"
BANK = """\
// [id:class]
Тұрмыстық газдың жануы қай сыныпқа жатады? {=C}

// [id:exit]
Эвакуация кезінде лифтпен түсуге бола ма? {F}
"""

CLOSE_LOG = {
    "sqlite": [
        "CREATE TABLE close_log (attempt_id INTEGER, old_state TEXT, new_state TEXT)",
        "CREATE TRIGGER log_close AFTER UPDATE OF state, finished_at, points ON quiz_attempts "
        "BEGIN INSERT INTO close_log VALUES (NEW.id, OLD.state, NEW.state); END",
    ],
    "postgresql": [
        "CREATE TABLE close_log (attempt_id integer, old_state text, new_state text)",
        "CREATE FUNCTION log_close() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN INSERT INTO close_log VALUES (NEW.id, OLD.state, NEW.state); RETURN NEW; END $$",
        "CREATE TRIGGER log_close AFTER UPDATE OF state, finished_at, points ON quiz_attempts "
        "FOR EACH ROW EXECUTE FUNCTION log_close()",
    ],
}


@pytest.fixture(scope="module", params=DATABASES)
def database_kind(request: pytest.FixtureRequest) -> str:
    """One database of each kind for the module: both tests use one pair of processes on it."""
    kind: str = request.param
    return kind


@pytest.fixture(scope="module")
def app_config(
    request: pytest.FixtureRequest, database_kind: str, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    app_config = module_app_config(request, database_kind, tmp_path_factory.mktemp(f"spikes-{database_kind}"))
    service_dir: Path = app_config["SERVICE_DIR"]
    write_manifest(service_dir)
    publish_gift_quiz(
        service_dir,
        BANK,
        title="Аралық аттестаттау",
        kind="intermediate",
        time_limit=90,
        attempts=1,
        overdue="autosubmit",
    )
    return app_config


def make_students(app: Flask, count: int, batch: str) -> tuple[list[dict[str, str]], set[int]]:
    """`count` new students of this test (`batch` in their e-mails) with a bearer token each, in
    one transaction; their headers and user ids."""
    with app.app_context(), db.write_transaction() as writer:
        users = [
            accounts.create_user(
                writer, f"emtihan-{batch}-{n}@oqu.example.kz", Role.STUDENT, full_name="Білім алушы"
            )
            for n in range(count)
        ]
        secrets = [accounts.issue_token(writer, user)[1] for user in users]
        ids = {user.id for user in users}
    return [{"Authorization": f"Bearer {secret}"} for secret in secrets], ids


def attempts_of(app: Flask, user_ids: set[int]) -> list[Attempt]:
    """The attempts of these students (the module's tests share the database)."""
    with app.app_context():
        return list(db.session().scalars(select(Attempt).where(Attempt.user_id.in_(user_ids))))


@pytest.fixture(scope="module")
def services(app_config: dict[str, Any]) -> Iterator[list[str]]:
    """Two gunicorn processes (4 threads each) on the module's database; the sweep every 0.2 s.
    Each test has students and attempts of its own."""
    with gunicorn_services(service_env(app_config, OQU_QUIZ_SWEEP_SECONDS="0.2"), count=2) as bases:
        yield bases


def send(base: str, method: str, path: str, headers: dict[str, str], body: Any = None) -> tuple[int, Any]:
    reply = requests.request(method, base + path, headers=headers, json=body, timeout=60)
    return reply.status_code, reply.json()


def start_all(services: list[str], students: list[dict[str, str]], twice: int) -> list[tuple[int, Any]]:
    """Every student starts the exam at once; the first `twice` of them send a second start beside
    the first, to the other service (a double click)."""
    jobs = [student for n, student in enumerate(students) for _ in range(2 if n < twice else 1)]
    with ThreadPoolExecutor(32) as pool:
        return list(
            pool.map(lambda n: send(services[n % 2], "POST", START_URL, jobs[n], {}), range(len(jobs)))
        )


def test_two_hundred_students_start_one_exam_at_once(app: Flask, services: list[str]) -> None:
    """T20: 200 parallel starts (50 of them doubled): one attempt each, 0 errors."""
    students, ids = make_students(app, 200, "start")
    replies = start_all(services, students, twice=50)
    assert Counter(status for status, _ in replies) == {201: 200, 200: 50}
    attempts = attempts_of(app, ids)
    assert len(attempts) == 200
    assert len({a.user_id for a in attempts}) == 200
    assert {(a.state, a.number) for a in attempts} == {(AttemptState.OPEN, 1)}
    assert {body["id"] for _, body in replies} == {a.id for a in attempts}


def test_a_submit_spike_at_the_deadline_closes_every_attempt_exactly_once(
    app: Flask, services: list[str], database_kind: str
) -> None:
    """T22: 80 students submit around the deadline while both services sweep; 20 never submit."""
    students, ids = make_students(app, 100, "submit")
    started = start_all(services, students, twice=0)
    attempts = [body for _, body in started]

    def save(n: int) -> int:
        qid = next(q["id"] for q in attempts[n]["questions"] if q["type"] == "short")
        body = {"response": "C", "sequence": 1, "client_id": f"save-{n}"}
        return send(
            services[n % 2], "PUT", f"/api/v1/attempts/{attempts[n]['id']}/answers/{qid}", students[n], body
        )[0]

    with ThreadPoolExecutor(16) as pool:
        assert list(pool.map(save, range(100))) == [200] * 100
    deadline = log_closes_and_set_deadline(app, database_kind, ids, seconds_ahead=1.5)

    def submit(n: int) -> tuple[int, Any]:
        time.sleep(max(0.0, (deadline - datetime.now(UTC)).total_seconds() - 0.5 + n * 0.0125))
        return send(services[n % 2], "POST", f"/api/v1/attempts/{attempts[n]['id']}/submit", students[n])

    with ThreadPoolExecutor(40) as pool:
        submitted = list(pool.map(submit, range(80)))  # from 0.5 s before the deadline to 0.5 s after
    time.sleep(0.5)
    send(services[0], "GET", "/api/v1/quizzes/fire-safety/exam", students[0])  # one more sweep
    send(services[1], "GET", "/api/v1/quizzes/fire-safety/exam", students[1])

    assert Counter((status, body["state"]) for status, body in submitted) == {(200, "finished"): 80}
    with app.app_context():
        reader = db.session()
        closed = {a.id: a for a in reader.scalars(select(Attempt).where(Attempt.user_id.in_(ids)))}
        log = Counter(reader.execute(text("SELECT attempt_id, old_state, new_state FROM close_log")).all())
        graded = list(reader.scalars(select(Answer.fraction).where(Answer.attempt_id.in_(closed))))
    # once each, nothing after, and nothing else (another test's attempts are open, not due)
    assert log == {(attempt_id, "open", "finished"): 1 for attempt_id in closed}
    assert all(a.finished_at is not None and a.finished_at <= a.deadline for a in closed.values())
    never_submitted = [closed[attempts[n]["id"]] for n in range(80, 100)]
    assert {(a.finished_at, a.points) for a in never_submitted} == {(never_submitted[0].deadline, 1.0)}
    for _, body in submitted:
        assert body["review"]["points"] == closed[body["id"]].points == 1.0
    assert graded == [1.0] * 100


def log_closes_and_set_deadline(
    app: Flask, database_kind: str, user_ids: set[int], seconds_ahead: float
) -> datetime:
    """Add the close log, then move the deadline of these students' attempts to a moment just ahead."""
    deadline = datetime.now(UTC) + timedelta(seconds=seconds_ahead)
    with app.app_context(), db.write_transaction() as writer:
        for statement in CLOSE_LOG[database_kind]:
            writer.execute(text(statement))
        writer.execute(update(Attempt).where(Attempt.user_id.in_(user_ids)).values(deadline=deadline))
    return deadline
