"""T18: parallel sign-in attempts against two gunicorn processes that share one database."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from gunicorn_services import gunicorn_services, parallel_sign_ins
from sqlalchemy import func, select

from auth import throttle
from auth.models import SignInEvent, User
from quiz_service.core import db

ADDRESS_LIMIT = 20


@pytest.fixture
def two_services(database_url: str, site_dir: Path, tmp_path: Path) -> Iterator[list[str]]:
    """Two gunicorn processes (4 threads each) on one database, as two hosts would be."""
    env = {
        **os.environ,
        "OQU_DATABASE_URL": database_url,
        "OQU_SECRET_KEY": "shared-secret",
        "OQU_SITE_DIR": str(site_dir),
        "OQU_SERVICE_DIR": str(tmp_path / "build" / "service"),
        "OQU_VAR_DIR": str(tmp_path / "var"),
        "OQU_SIGN_IN_ADDRESS_LIMIT": str(ADDRESS_LIMIT),
    }
    env.pop("OQU_REDIS_URL", None)  # the counters in the database
    with gunicorn_services(env) as bases:
        yield bases


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
