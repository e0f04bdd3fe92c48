"""T18 with the counters in Redis (OQU_REDIS_URL): a real redis-server, two gunicorn processes.

SQLite only: the counters under test live in Redis; the database's own counters run on
SQLite and PostgreSQL in test_auth_brute_force.py and test_auth_sessions.py.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import redis
from auth_helpers import PASSWORD
from flask import Flask
from flask.testing import FlaskClient
from gunicorn_services import gunicorn_services, parallel_sign_ins, service_env
from redis_server import INSTALL_HINT, RedisServer, find_binary
from sqlalchemy import func, select

from auth import throttle
from auth.models import SignInCounter, SignInEvent, User
from auth.texts import PAGES
from quiz_service.core import db

pytestmark = pytest.mark.parametrize("database_kind", ["sqlite"], indirect=True)

SignIn = Callable[..., Any]
EMAIL = "asqar@oqu.example.kz"
WINDOW = timedelta(milliseconds=600)


def _start_redis(directory: Path) -> RedisServer:
    binary = find_binary()
    if binary is None:
        pytest.fail(INSTALL_HINT, pytrace=False)
    server = RedisServer(binary, directory)
    server.start()
    return server


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = _start_redis(tmp_path_factory.mktemp("redis"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def store(redis_server: RedisServer) -> Iterator[redis.Redis]:
    """A client of the shared server, emptied for each test."""
    client = redis.Redis.from_url(redis_server.url)
    client.flushall()
    yield client
    client.close()


@pytest.fixture
def app_config(app_config: dict[str, Any], redis_server: RedisServer, store: redis.Redis) -> dict[str, Any]:
    return {**app_config, "REDIS_URL": redis_server.url}


@pytest.fixture
def user(make_user: Callable[..., User]) -> User:
    return make_user(email=EMAIL, full_name="Асқар Нұрланұлы", password=PASSWORD)


def in_redis(store: redis.Redis, key: str) -> int | None:
    value = store.get(throttle.REDIS_PREFIX + key)
    return None if value is None else int(value)


def events(app: Flask, *where: object) -> int:
    with app.app_context():
        return int(db.session().scalar(select(func.count()).select_from(SignInEvent).where(*where)) or 0)


def database_counters(app: Flask) -> int:
    with app.app_context():
        return int(db.session().scalar(select(func.count()).select_from(SignInCounter)) or 0)


def test_fifty_parallel_wrong_passwords_on_two_services_sharing_redis(
    redis_server: RedisServer, store: redis.Redis, app_config: dict[str, Any], user: User, app: Flask
) -> None:
    env = service_env(app_config, OQU_REDIS_URL=redis_server.url)
    limit = app.config["SIGN_IN_ACCOUNT_LIMIT"]
    with gunicorn_services(env) as bases:
        statuses = parallel_sign_ins(bases, [user.email] * 50, workers=50)
    assert statuses == Counter({200: limit, 429: 50 - limit})  # the form's "failed", then "too many"
    assert in_redis(store, throttle.account_key(user.email)) == 50
    assert in_redis(store, throttle.address_key("127.0.0.1")) == 50
    assert 0 < store.pttl(throttle.REDIS_PREFIX + throttle.account_key(user.email)) <= 15 * 60 * 1000
    with app.app_context():  # the app reads the same store through the one interface
        assert throttle.attempts(db.session(), throttle.account_key(user.email)) == 50
    assert database_counters(app) == 0
    assert events(app, SignInEvent.event == "failure") == limit
    assert events(app, SignInEvent.event == "locked", SignInEvent.detail == f"account {user.email}") == 1


@pytest.fixture
def short_window(app_config: dict[str, Any]) -> dict[str, Any]:
    app_config["SIGN_IN_WINDOW"] = WINDOW
    return app_config


def test_the_window_expires_in_redis(
    short_window: dict[str, Any], client: FlaskClient, sign_in: SignIn, user: User, store: redis.Redis
) -> None:
    limit = client.application.config["SIGN_IN_ACCOUNT_LIMIT"]
    for _ in range(limit):
        assert sign_in(user.email, "қате құпиясөз").status_code == 200
    locked = sign_in(user.email)  # even the right password waits
    assert locked.status_code == 429 and locked.headers["Retry-After"] == "1"
    account = throttle.REDIS_PREFIX + throttle.account_key(user.email)
    address = throttle.REDIS_PREFIX + throttle.address_key("127.0.0.1")
    assert 0 < store.pttl(account) <= WINDOW / timedelta(milliseconds=1)
    deadline = time.monotonic() + 10
    while store.exists(account, address) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert store.exists(account, address) == 0, "Redis kept the counters past their window"
    assert sign_in(user.email).status_code == 303
    assert store.exists(account) == 0
    assert store.get(address) == b"0" and store.pttl(address) > 0  # never a counter without expiry


def test_a_right_password_resets_the_account_counter_in_redis(
    client: FlaskClient, sign_in: SignIn, user: User, store: redis.Redis, app: Flask
) -> None:
    limit = app.config["SIGN_IN_ACCOUNT_LIMIT"]
    for _ in range(limit - 1):
        sign_in(user.email, "қате құпиясөз")
    assert in_redis(store, throttle.account_key(user.email)) == limit - 1
    assert sign_in(user.email).status_code == 303
    assert client.get("/api/v1/me").json["user"]["email"] == user.email
    assert in_redis(store, throttle.account_key(user.email)) is None
    assert in_redis(store, throttle.address_key("127.0.0.1")) == limit - 1
    assert database_counters(app) == 0


@pytest.fixture
def doomed_redis(tmp_path: Path, app_config: dict[str, Any]) -> Iterator[RedisServer]:
    """A Redis of this test's own, which the test stops."""
    server = _start_redis(tmp_path)
    app_config["REDIS_URL"] = server.url
    try:
        yield server
    finally:
        server.stop()


def test_redis_down_refuses_sign_in_with_a_clear_503(
    doomed_redis: RedisServer, client: FlaskClient, sign_in: SignIn, user: User, app: Flask
) -> None:
    assert sign_in(user.email, "қате құпиясөз").status_code == 200  # counted while Redis is up
    doomed_redis.stop()
    for password in ("қате құпиясөз", PASSWORD):  # the right password does not slip through either
        refused = sign_in(user.email, password)
        assert refused.status_code == 503
        assert PAGES["kk"]["counters_down"] in refused.text
        assert refused.headers["Retry-After"] == "60"
        assert "Traceback" not in refused.text and "redis" not in refused.text.lower()
    assert client.get("/api/v1/me").status_code == 401
    assert events(app, SignInEvent.event == "failure") == 1  # no password was checked while down
    assert events(app, SignInEvent.event == "sign_in") == 0


def test_both_stores_give_the_same_verdicts(app: Flask, store: redis.Redis) -> None:
    """The limit logic is one; the database and Redis only keep the numbers."""
    limits = throttle.Limits(window=timedelta(minutes=15), per_account=3, per_address=5)
    redis_store = throttle.RedisCounters(store)

    def run(kind: str, step: Callable[[throttle.CounterStore], Any]) -> Any:
        if kind == "redis":
            return step(redis_store)
        with db.write_transaction() as writer:
            return step(throttle.DatabaseCounters(writer))

    def scenario(kind: str) -> list[Any]:
        now = db.utcnow()

        def attempt(account: str) -> Any:
            return run(kind, lambda s: throttle.count_attempt(s, account, "10.0.0.7", limits, now))

        seen: list[Any] = [attempt("Asqar@oqu.example.kz ") for _ in range(4)]
        seen += [attempt("dana@oqu.example.kz"), attempt("dana@oqu.example.kz")]
        run(kind, lambda s: throttle.forget_success(s, "asqar@oqu.example.kz", "10.0.0.7"))
        run(kind, lambda s: throttle.forget_success(s, "nobody@oqu.example.kz", "10.9.9.9"))
        keys = ("account:asqar@oqu.example.kz", "address:10.0.0.7", "address:10.9.9.9")
        seen += [run(kind, lambda s, key=key: s.attempts(key)) for key in keys]
        seen.append(
            run(
                kind, lambda s: throttle.retry_after(s, "dana@oqu.example.kz", "10.0.0.7", limits.window, now)
            )
        )
        return seen

    with app.app_context():
        by_database, by_redis = scenario("database"), scenario("redis")
    V = throttle.Verdict
    expected_verdicts = [
        V(True, 1, 1),
        V(True, 2, 2),
        V(True, 3, 3),
        V(False, 4, 4),
        V(True, 1, 5),
        V(False, 2, 6),
    ]
    assert by_database[:6] == by_redis[:6] == expected_verdicts
    assert by_database[6:9] == by_redis[6:9] == [0, 5, 0]
    assert 15 * 60 - 5 <= by_database[9] <= 15 * 60 and 15 * 60 - 5 <= by_redis[9] <= 15 * 60
    assert store.exists(throttle.REDIS_PREFIX + "address:10.9.9.9") == 0  # giving back creates nothing
