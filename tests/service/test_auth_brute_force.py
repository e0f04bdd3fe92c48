"""T18: parallel sign-in attempts against two gunicorn processes that share one database."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from conftest import DATABASES
from flask import Flask
from gunicorn_services import gunicorn_services, module_app_config, parallel_sign_ins, service_env
from sqlalchemy import delete, func, select

from auth import throttle
from auth.models import SignInCounter, SignInEvent, User
from quiz_service.core import db

ADDRESS_LIMIT = 20


@pytest.fixture(scope="module", params=DATABASES)
def database_kind(request: pytest.FixtureRequest) -> str:
    """One database of each kind for the module (its tests share one pair of processes on it)."""
    kind: str = request.param
    return kind


@pytest.fixture(scope="module")
def app_config(
    request: pytest.FixtureRequest, database_kind: str, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    return module_app_config(request, database_kind, tmp_path_factory.mktemp(f"brute-force-{database_kind}"))


@pytest.fixture(scope="module")
def two_services(app_config: dict[str, Any]) -> Iterator[list[str]]:
    """Two gunicorn processes (4 threads each) on one database, as two hosts would be; the
    counters in the database (no Redis)."""
    with gunicorn_services(service_env(app_config, OQU_SIGN_IN_ADDRESS_LIMIT=str(ADDRESS_LIMIT))) as bases:
        yield bases


@pytest.fixture(autouse=True)
def no_attempt_counted_yet(app: Flask) -> None:
    """Each test starts with no counter and no sign-in event, as on a database of its own: the
    module's tests share the database and its two services, and all sign in from 127.0.0.1."""
    with app.app_context(), db.write_transaction() as writer:
        writer.execute(delete(SignInCounter))
        writer.execute(delete(SignInEvent))


def _count(app: Flask, *where: object) -> int:
    with app.app_context():
        return int(db.session().scalar(select(func.count()).select_from(SignInEvent).where(*where)) or 0)


def test_fifty_parallel_wrong_passwords_for_one_account(
    two_services: list[str], make_user: Callable[..., User], app: Flask
) -> None:
    user = make_user(email="target@oqu.example.kz", password="дұрыс-құпиясөз-2026")
    limit = app.config["SIGN_IN_ACCOUNT_LIMIT"]
    statuses = parallel_sign_ins(two_services, [user.email] * 50, workers=50)
    assert statuses == Counter({200: limit, 429: 50 - limit})  # the form's "failed", then "too many"
    with app.app_context():
        assert throttle.attempts(db.session(), throttle.account_key(user.email)) == 50
    assert _count(app, SignInEvent.event == "failure") == limit
    assert _count(app, SignInEvent.event == "locked", SignInEvent.detail == f"account {user.email}") == 1


# One database kind: 1,000 requests take long, and the 50-attempt test covers both.
@pytest.mark.parametrize("database_kind", ["sqlite"], indirect=True)
def test_a_thousand_attempts_from_one_address(two_services: list[str], app: Flask) -> None:
    emails = [f"nobody{number}@oqu.example.kz" for number in range(1000)]
    statuses = parallel_sign_ins(two_services, emails, workers=16)
    assert statuses == Counter({200: ADDRESS_LIMIT, 429: 1000 - ADDRESS_LIMIT})
    with app.app_context():
        assert throttle.attempts(db.session(), throttle.address_key("127.0.0.1")) == 1000
    assert _count(app, SignInEvent.event == "failure") == ADDRESS_LIMIT
    assert _count(app, SignInEvent.event == "locked", SignInEvent.detail == "address 127.0.0.1") == 1
