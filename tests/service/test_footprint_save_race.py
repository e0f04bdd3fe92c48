"""The answer save's statement (`store.append_one`: one SQL statement on PostgreSQL) through two
real gunicorn processes, at once with statements POSTed by the API's path: one gap-free sequence
on SQLite and PostgreSQL, one `answered` statement per save, the head equal to the rows, and
the log verifies against a checkpoint."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask
from footprint_helpers import SITE, statement
from gunicorn_services import gunicorn_services, service_env
from quiz_bundle import publish_gift_quiz
from sqlalchemy import select
from test_quiz_attempts import write_manifest

from auth.models import User
from quiz_service.core import db
from quiz_service.footprint import checkpoints, jobs, store
from quiz_service.footprint.models import FootprintStatement
from quiz_service.footprint.verify import verify_log

BANK = """\
// [id:class]
Тұрмыстық газдың жануы қай сыныпқа жатады? {=C}
"""
STUDENTS, SAVES, POSTED = 12, 8, 40
ADL = "http://adlnet.gov/expapi/verbs/"


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    service_dir: Path = app_config["SERVICE_DIR"]
    write_manifest(service_dir)
    publish_gift_quiz(service_dir, BANK, title="Жаттығу", quiz_id="practice")
    return app_config | {"FOOTPRINT_SITE_URL": SITE}


def test_answer_saves_from_two_processes_keep_one_gap_free_sequence(
    app: Flask, app_config: dict[str, Any], make_user: Callable[..., User], make_token: Callable[..., str]
) -> None:
    students = [{"Authorization": f"Bearer {make_token(make_user())}"} for _ in range(STUDENTS)]
    with gunicorn_services(service_env(app_config, OQU_FOOTPRINT_SITE_URL=SITE), count=2) as bases:

        def request(student: int, process: int, method: str, path: str, body: Any) -> requests.Response:
            return requests.request(method, bases[process % 2] + path, headers=students[student % STUDENTS],
                                    json=body, timeout=60)  # fmt: skip

        def answer(student: int) -> list[int]:
            """One student: the attempt started, then SAVES saves, each to the other process."""
            started = request(student, student, "POST", "/api/v1/quizzes/fire-safety/practice/attempts", {})
            assert started.status_code == 201, started.text
            attempt = started.json()
            question = attempt["questions"][0]["id"]
            path = f"/api/v1/attempts/{attempt['id']}/answers/{question}"
            return [
                request(student, student + n, "PUT", path, {"response": "C", "sequence": n, "client_id": "tab"}).status_code
                for n in range(1, SAVES + 1)
            ]  # fmt: skip

        def post(n: int) -> list[int]:
            return [request(n, n, "POST", "/api/v1/statements", statement()).status_code]

        work = [(answer, n) for n in range(STUDENTS)] + [(post, n) for n in range(POSTED)]
        with ThreadPoolExecutor(16) as pool:
            statuses = Counter(s for done in pool.map(lambda job: job[0](job[1]), work) for s in done)
    assert statuses == Counter({200: STUDENTS * SAVES + POSTED})
    total = STUDENTS + STUDENTS * SAVES + POSTED
    with app.app_context():
        rows = db.session().execute(select(FootprintStatement.seq, FootprintStatement.verb)).all()
        assert sorted(seq for seq, _ in rows) == list(range(total))
        assert Counter(verb for _, verb in rows) == {
            f"{ADL}attempted": STUDENTS,
            f"{ADL}answered": STUDENTS * SAVES,
            f"{ADL}experienced": POSTED,
        }
        with db.engine().connect() as connection:
            assert store.log_size(connection) == total
        signed = jobs.checkpoint_now()
        assert signed is not None and signed.tree_size == total
        with db.engine().connect() as connection:
            key = checkpoints.published_key(app.config["FOOTPRINT_DIR"])
            report = verify_log(store.all_rows(connection), checkpoints.stored_checkpoints(connection), key)
        assert report.ok and report.records == total, report.problems
