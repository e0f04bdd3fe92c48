"""The production topology of docs/deploy.md on loopback, with one fault at a time (T37).

nginx (docs/nginx.conf) in front of two service hosts (gunicorn, each with its own var/ and
nothing shared but the database and Redis), one PostgreSQL, one Redis, and `oqu worker`
processes on the same database (the job queue). For each fault: no
acknowledged write is lost, a dependency that is down gives a clear 503 in the error shape
(never a traceback, never a false success), and the service recovers without a restart.
"""

from __future__ import annotations

import http.client
import itertools
import json
import os
import shutil
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import job_fixtures
import pytest
import requests
from postgres_server import INSTALL_HINT, PostgresServer, find_bindir
from quiz_bundle import publish_gift_quiz
from redis_server import RedisServer
from redis_server import find_binary as find_redis
from service_launcher import Launched
from site_server import free_port
from sqlalchemy import Engine, create_engine, select
from test_auth_nginx import NGINX, nginx_config
from test_jobs import lines, wait_for, workers
from test_quiz_attempts import write_manifest
from test_quiz_crash import Service

from auth import service as accounts
from auth.models import Role, User
from quiz_service import create_app
from quiz_service.core import db, jobs, migrations
from quiz_service.core.jobs.models import Job
from quiz_service.quizzes.models import Answer

PASSWORD = "құпия-сөз-2026"
STUDENTS = 4
SECRET = "topology-secret"
SAVE_PAUSE = 0.02  # seconds between one student's saves where a test waits for something else


@pytest.fixture(scope="module")
def own_postgres() -> Iterator[PostgresServer]:
    """A PostgreSQL of this module's own: the tests stop and start it."""
    bindir = find_bindir()
    if bindir is None:
        pytest.fail(INSTALL_HINT)
    server = PostgresServer(bindir)
    server.start()
    yield server
    server.stop()


class Host(Service):
    """One service host: gunicorn (2 workers) in its own process group, with its own var/ folder."""

    def __init__(self, env: dict[str, str], var_dir: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {**env, "OQU_VAR_DIR": str(var_dir)}
        self.process: Launched | None = None


@dataclass
class Topology:
    base: str  # nginx
    hosts: list[Host]
    postgres: PostgresServer
    redis: RedisServer
    database_url: str
    tokens: list[str]
    emails: list[str]
    folder: Path  # the site and service bundle the hosts serve are in it


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (OSError, http.client.HTTPException):
        return False


def wait_until(condition: Any, message: str, seconds: float = 60) -> None:
    """Poll `condition` (an event we wait for, such as a server answering) until it holds."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(message)
        time.sleep(0.05)


def call(method: str, url: str, token: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        raw = error.read()
        try:
            return error.code, json.loads(raw or b"null")
        except ValueError:
            return error.code, raw.decode(errors="replace")


def _seed(database_url: str, folder: Path, batch: int) -> tuple[list[str], list[str]]:
    """Students with passwords and bearer tokens (as `oqu users` would), new ones for each test."""
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": SECRET, "VAR_DIR": folder / "seed-var",
                      "SITE_DIR": folder / "site", "SERVICE_DIR": folder / "service", "REDIS_URL": None})  # fmt: skip
    tokens, emails = [], []
    with app.app_context(), db.write_transaction() as writer:
        for number in range(STUDENTS):
            user = accounts.create_user(
                writer, f"kursant{batch}-{number}@oqu.example.kz", Role.STUDENT, full_name="Нұрлан Қасымов",
                group="ТҚ-21", password=PASSWORD,
            )  # fmt: skip
            tokens.append(accounts.issue_token(writer, writer.get_one(User, user.id), ())[1])
            emails.append(user.email)
    app.extensions["oqu_db"].engine.dispose()
    return tokens, emails


@dataclass
class Stack:
    """What the module's tests share: nginx, two hosts, PostgreSQL (one database), Redis."""

    base: str
    hosts: list[Host]
    postgres: PostgresServer
    redis: RedisServer
    database_url: str
    folder: Path
    batches: Iterator[int]


@pytest.fixture(scope="module")
def stack(own_postgres: PostgresServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """One topology for the module (starting nginx, two gunicorn hosts and Redis is most of a
    test's cost); each test gets it whole again from `topology` and its own students."""
    redis_binary = find_redis()
    if redis_binary is None or not Path(NGINX).exists():
        pytest.fail("redis-server and nginx are needed: make system-packages")
    folder = tmp_path_factory.mktemp("topology")
    database_url = own_postgres.url(own_postgres.create_database())
    engine = create_engine(database_url)
    migrations.upgrade(engine)
    engine.dispose()
    site, service_dir = folder / "site", folder / "service"
    (site / "kk").mkdir(parents=True)
    (site / "index.html").write_text("<h1>Оқу</h1>", encoding="utf-8")
    write_manifest(service_dir)
    publish_gift_quiz(service_dir, "Неше? {#1..1000000}")
    redis = RedisServer(redis_binary, folder)
    redis.start()
    env = {
        **os.environ,
        "OQU_DATABASE_URL": database_url,
        "OQU_REDIS_URL": redis.url,
        "OQU_SECRET_KEY": SECRET,
        "OQU_SITE_DIR": str(site),
        "OQU_SERVICE_DIR": str(service_dir),
        "OQU_PROXY_HOPS": "1",
    }
    hosts = [Host(env, folder / f"host{number}-var") for number in (1, 2)]
    nginx = None
    try:
        for host in hosts:
            host.start()
        prefix = folder / "nginx"
        prefix.mkdir()
        nginx_port = free_port()
        config = nginx_config(prefix, nginx_port, hosts[0].port, site)
        upstream = (prefix / "oqu.conf").read_text(encoding="utf-8")
        second = f"server 127.0.0.1:{hosts[0].port};\n    server 127.0.0.1:{hosts[1].port};"
        (prefix / "oqu.conf").write_text(upstream.replace(f"server 127.0.0.1:{hosts[0].port};", second, 1))
        nginx = subprocess.Popen(
            [
                NGINX,
                "-p",
                str(prefix),
                "-c",
                str(config),
                "-e",
                str(prefix / "error.log"),
                "-g",
                "daemon off;",
            ],
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{nginx_port}"
        wait_until(lambda: answers(f"{base}/api/v1/ready"), "nginx did not start")
        yield Stack(base, hosts, own_postgres, redis, database_url, folder, itertools.count(1))
    finally:
        if nginx is not None:
            nginx.terminate()
            nginx.wait(timeout=10)
        for host in hosts:
            host.stop()
        redis.stop()
        shutil.rmtree(folder / "nginx", ignore_errors=True)


@pytest.fixture
def topology(stack: Stack) -> Topology:
    """The module's topology whole again (a host a test killed, PostgreSQL it stopped, Redis it
    stopped: started again; every host ready) and four students of this test's own, so no test
    sees another's attempts, saves or sign-ins."""
    if not stack.postgres.running:
        stack.postgres.resume()
    if stack.redis.process is None or stack.redis.process.poll() is not None:
        stack.redis.start()
    for host in stack.hosts:
        if host.process is None or host.process.poll() is not None:
            host.start()
    for host in stack.hosts:
        wait_until(lambda host=host: answers(f"{host.base}/api/v1/ready"), f"{host.base} is not ready")
    tokens, emails = _seed(stack.database_url, stack.folder, next(stack.batches))
    return Topology(
        stack.base, stack.hosts, stack.postgres, stack.redis, stack.database_url, tokens, emails, stack.folder
    )


def stored_sequences(database_url: str) -> dict[int, int]:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return {row.attempt_id: row.sequence for row in connection.execute(select(Answer))}
    finally:
        engine.dispose()


def start_attempts(base: str, tokens: list[str]) -> list[dict[str, Any]]:
    attempts = []
    for token in tokens:
        status, attempt = call("POST", f"{base}/api/v1/quizzes/fire-safety/exam/attempts", token, {})
        assert status in (200, 201), attempt
        attempts.append(attempt)
    return attempts


class Savers:
    """Students saving one answer again and again through nginx; what was acknowledged is kept.
    `pause`: each student's wait between saves (0: as fast as the hosts answer). A test that
    waits for something else than a number of saves (a job, a database coming back) paces them:
    saves at full speed for that long, or 503s answered at once, burn the machine and prove nothing more."""

    def __init__(
        self, base: str, tokens: list[str], attempts: list[dict[str, Any]], pause: float = 0
    ) -> None:
        self.base, self.tokens, self.attempts, self.pause = base, tokens, attempts, pause
        self.acknowledged: dict[int, int] = {}
        self.statuses: list[int] = []
        self.bodies: list[Any] = []
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self._save, args=(i,)) for i in range(len(tokens))]

    def _save(self, index: int) -> None:
        attempt, token = self.attempts[index], self.tokens[index]
        url = f"{self.base}/api/v1/attempts/{attempt['id']}/answers/{attempt['questions'][0]['id']}"
        sequence = 0
        while not self.stop.is_set():
            sequence += 1
            body = {"response": str(sequence), "sequence": sequence, "client_id": f"s{sequence}"}
            try:
                status, answer = call("PUT", url, token, body)
            except (OSError, http.client.HTTPException):
                continue  # cut off: never acknowledged
            self.statuses.append(status)
            if status == 200:
                self.acknowledged[attempt["id"]] = sequence
            else:
                self.bodies.append(answer)
            if self.pause:
                self.stop.wait(self.pause)

    def __enter__(self) -> Savers:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join()

    def total(self) -> int:
        return sum(self.acknowledged.values())


def assert_no_acknowledged_save_lost(topology: Topology, savers: Savers) -> None:
    stored = stored_sequences(topology.database_url)
    assert set(savers.acknowledged) <= set(stored)
    assert all(stored[attempt] >= sequence for attempt, sequence in savers.acknowledged.items())


def test_a_host_killed_during_saves_loses_no_acknowledged_save(topology: Topology) -> None:
    attempts = start_attempts(topology.base, topology.tokens)
    with Savers(topology.base, topology.tokens, attempts) as savers:
        wait_until(lambda: savers.total() >= 40, "no saves were acknowledged")
        topology.hosts[0].kill()
        before = savers.total()
        wait_until(lambda: savers.total() >= before + 40, "the other host did not go on saving")
    assert_no_acknowledged_save_lost(topology, savers)
    assert 500 not in savers.statuses  # a cut-off request is a 502 from nginx, never our 500
    topology.hosts[0].start()  # the host comes back; both serve the same attempts
    for attempt, token in zip(attempts, topology.tokens, strict=True):
        for host in topology.hosts:
            status, after = call("GET", f"{host.base}/api/v1/attempts/{attempt['id']}", token)
            assert status == 200 and after["answers"][0]["sequence"] >= savers.acknowledged[attempt["id"]]


def test_postgresql_down_is_a_clear_503_and_recovers_without_a_restart(topology: Topology) -> None:
    attempts = start_attempts(topology.base, topology.tokens)
    with Savers(topology.base, topology.tokens, attempts, pause=SAVE_PAUSE) as savers:
        wait_until(lambda: savers.total() >= 20, "no saves were acknowledged")
        topology.postgres.pause()
        wait_until(lambda: 503 in savers.statuses, "saves did not get 503 while the database was down")
        acknowledged_while_down = dict(savers.acknowledged)
        for host in topology.hosts:
            ready = requests.get(f"{host.base}/api/v1/ready", timeout=10)
            assert ready.status_code == 503 and ready.json()["checks"]["database"] == "down"
            assert ready.json()["checks"]["queue"] == "down"  # the job queue lives in the database
        topology.postgres.resume()
        wait_until(lambda: answers(f"{topology.base}/api/v1/ready"), "the service did not recover")
        wait_until(
            lambda: any(savers.acknowledged.get(a, 0) > s for a, s in acknowledged_while_down.items()),
            "saves did not go on after the database came back",
        )
    assert_no_acknowledged_save_lost(topology, savers)
    refusals = [body for status, body in zip(savers.statuses, savers.bodies, strict=False) if status != 200]
    assert set(savers.statuses) <= {200, 503}, set(savers.statuses)
    assert all(
        isinstance(body, dict) and body["error"]["code"] == "database_unavailable" for body in refusals
    )
    for host in topology.hosts:  # each host recovered by itself, without a restart
        assert requests.get(f"{host.base}/api/v1/ready", timeout=10).json()["checks"]["database"] == "ok"


def sign_in(base: str, email: str) -> requests.Response:
    page = requests.get(f"{base}/auth/login", timeout=10)
    cookie = page.headers["Set-Cookie"].split(";", 1)[0]
    token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    return requests.post(
        f"{base}/auth/login", data={"email": email, "password": PASSWORD, "csrf_token": token},
        headers={"Cookie": cookie}, allow_redirects=False, timeout=10,
    )  # fmt: skip


def test_redis_down_refuses_sign_in_clearly_and_recovers(topology: Topology) -> None:
    attempts = start_attempts(topology.base, topology.tokens[:1])
    assert sign_in(topology.base, topology.emails[0]).status_code == 303
    topology.redis.stop()
    refused = sign_in(topology.base, topology.emails[1])
    assert refused.status_code == 503 and "Traceback" not in refused.text  # not signed in, and said why
    ready = requests.get(f"{topology.base}/api/v1/ready", timeout=10)
    assert ready.status_code == 503 and ready.json()["checks"] == {
        "database": "ok",
        "redis": "down",
        "queue": "ok",
    }
    # What does not need Redis goes on: a student's saves with a token.
    url = f"{topology.base}/api/v1/attempts/{attempts[0]['id']}/answers/{attempts[0]['questions'][0]['id']}"
    status, _ = call("PUT", url, topology.tokens[0], {"response": "7", "sequence": 1, "client_id": "r1"})
    assert status == 200
    topology.redis.start()  # the same port again
    wait_until(lambda: answers(f"{topology.base}/api/v1/ready"), "Redis did not come back")
    assert sign_in(topology.base, topology.emails[1]).status_code == 303


def queued_jobs(engine: Engine) -> list[tuple[str, str, int]]:
    """The blocking test job's rows (a worker also enqueues the periodic jobs it knows); polled on
    one engine (a new one per poll was a new PostgreSQL connection, 20 a second)."""
    with engine.connect() as connection:
        query = select(Job.name, Job.state, Job.attempts).where(Job.name == "test.blocking").order_by(Job.id)
        return [(row.name, row.state, row.attempts) for row in connection.execute(query)]


def effects(database_url: str) -> list[tuple[str, int]]:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return [(row.label, row.attempt) for row in connection.execute(select(job_fixtures.effects))]
    finally:
        engine.dispose()


def test_a_worker_killed_mid_job_leaves_it_to_another_worker_which_applies_it_once(
    topology: Topology, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """kill -9 of `oqu worker` in the middle of a job while students save through nginx: the job,
    asked for in a committed transaction, is run again by a worker started afterwards (its lease
    ran out) and its effect is applied once; no save is lost and the hosts stay ready throughout."""
    engine = create_engine(topology.database_url)
    job_fixtures.effects_metadata.create_all(engine)  # the test jobs' effects (tests/service/job_fixtures.py)
    request.addfinalizer(engine.dispose)
    folder = tmp_path / "jobs"
    for path in (folder, tmp_path / "workers"):
        path.mkdir()
    app = create_app(
        {"DATABASE_URL": topology.database_url, "SECRET_KEY": SECRET, "VAR_DIR": tmp_path / "app-var",
         "SITE_DIR": topology.folder / "site", "SERVICE_DIR": topology.folder / "service", "REDIS_URL": None}
    )  # fmt: skip
    with app.app_context(), db.write_transaction() as writer:  # as a request asks for a job
        jobs.enqueue(writer, "test.blocking", {"folder": str(folder), "label": "transcode"}, key="transcode")
    app.extensions["oqu_db"].engine.dispose()
    log = folder / "transcode.log"
    attempts = start_attempts(topology.base, topology.tokens)
    with (
        Savers(topology.base, topology.tokens, attempts, pause=SAVE_PAUSE) as savers,
        workers(topology.database_url, tmp_path / "workers", count=2) as pair,
    ):  # two hosts' workers: whichever claims the job first is killed in the middle of it
        first_run = wait_for(lambda: lines(log), "a worker to start the job", timeout=60)[0]
        first = next(process for process in pair if first_run == f"start 1 {process.pid}")
        second = next(process for process in pair if process is not first)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        ready = requests.get(f"{topology.base}/api/v1/ready", timeout=10)
        assert ready.status_code == 200 and ready.json()["checks"]["queue"] == "ok"
        wait_until(lambda: len(lines(log)) == 2, "the other worker did not take the job up again")
        assert queued_jobs(engine) == [("test.blocking", "running", 2)]  # cut off, not lost
        before = savers.total()
        (folder / "transcode.release").touch()
        wait_until(
            lambda: queued_jobs(engine) == [("test.blocking", "done", 2)],
            "the job was not run to its end",
        )
        wait_until(lambda: savers.total() >= before + 20, "saves did not go on while the job ran again")
        assert second.poll() is None
    assert lines(log) == [f"start 1 {first.pid}", f"start 2 {second.pid}", f"done 2 {second.pid}"]
    assert effects(topology.database_url) == [("transcode", 2)]  # applied once, by the run that finished
    assert_no_acknowledged_save_lost(topology, savers)
    assert set(savers.statuses) == {200}  # the worker's death touched no request
