"""T11: kill -9 the service (gunicorn, 2 workers) while students save answers; every acknowledged save survives."""

from __future__ import annotations

import http.client
import json
import os
import signal
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from gunicorn_services import service_env, start_gunicorn, wait_until_serving
from quiz_bundle import publish_gift_quiz
from service_launcher import Launched
from site_server import STARTUP_SECONDS, free_port
from sqlalchemy import select
from test_quiz_attempts import write_manifest

from auth.models import User
from quiz_service.core import db
from quiz_service.quizzes.models import Answer

STUDENTS = 4


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    service_dir: Path = app_config["SERVICE_DIR"]
    write_manifest(service_dir)
    publish_gift_quiz(service_dir, "Неше? {#1..1000000}")
    return app_config


class Service:
    """gunicorn as in production, in its own process group so that kill -9 takes every worker."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = service_env(config)
        self.process: Launched | None = None

    def start(self) -> None:
        self.process = start_gunicorn(self.env, self.port, workers=2, threads=1, new_session=True)
        wait_until_serving(f"{self.base}/api/v1/health", self.process)

    def kill(self) -> None:
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=STARTUP_SECONDS)


@pytest.fixture
def service(app_config: dict[str, Any], app: Flask) -> Iterator[Service]:
    running = Service(app_config)
    running.start()
    yield running
    running.stop()


def call(method: str, url: str, token: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def test_kill_minus_nine_loses_no_acknowledged_save(
    app: Flask, service: Service, make_user: Callable[..., User], make_token: Callable[..., str]
) -> None:
    tokens = [make_token(make_user()) for _ in range(STUDENTS)]
    attempts = [
        call("POST", f"{service.base}/api/v1/quizzes/fire-safety/exam/attempts", t, {})[1] for t in tokens
    ]
    acknowledged: dict[int, int] = {}
    stop = threading.Event()

    def student(index: int) -> None:
        attempt, token, sequence = attempts[index], tokens[index], 0
        url = f"{service.base}/api/v1/attempts/{attempt['id']}/answers/{attempt['questions'][0]['id']}"
        while not stop.is_set():
            sequence += 1
            try:
                status, _ = call(
                    "PUT",
                    url,
                    token,
                    {"response": str(sequence), "sequence": sequence, "client_id": f"s{sequence}"},
                )
            except (OSError, http.client.HTTPException):
                return  # the service is gone (maybe mid-answer): this save was never acknowledged
            if status == 200:
                acknowledged[attempt["id"]] = sequence

    threads = [threading.Thread(target=student, args=(i,)) for i in range(STUDENTS)]
    for thread in threads:
        thread.start()
    while sum(acknowledged.values()) < 60:
        time.sleep(0.05)
    service.kill()
    stop.set()
    for thread in threads:
        thread.join()
    with app.app_context():
        stored = {a.attempt_id: a.sequence for a in db.session().scalars(select(Answer))}
    assert set(stored) == set(acknowledged)
    assert all(stored[attempt] >= sequence for attempt, sequence in acknowledged.items())
    service.start()
    for attempt, token in zip(attempts, tokens, strict=True):
        status, after = call("GET", f"{service.base}/api/v1/attempts/{attempt['id']}", token)
        assert status == 200
        assert after["answers"][0]["sequence"] == stored[attempt["id"]]
        assert after["answers"][0]["response"] == str(stored[attempt["id"]])
