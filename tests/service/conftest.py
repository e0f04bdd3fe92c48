"""Service fixtures: every test that takes `app` runs on SQLite and on a real PostgreSQL.

One PostgreSQL server per test session (see postgres_server.py); each test gets a fresh
database copied from a migrated template, or from an empty one for migration tests.
"""

from __future__ import annotations

import itertools
import re
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from click.testing import CliRunner, Result
from flask import Flask
from flask.testing import FlaskClient
from postgres_server import INSTALL_HINT, PostgresServer, find_bindir

from auth import passwords, service
from auth.models import Role, User
from quiz_service import create_app
from quiz_service.cli import main as oqu
from quiz_service.core import db, migrations

DATABASES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
MIGRATED_TEMPLATE = "oqu_migrated"
PASSWORD = "құпия-сөз-2026"
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Still argon2id, with a small cost: the production cost would dominate the run."""
    hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(passwords, "_hasher", hasher)
    passwords._dummy_hash.cache_clear()


@pytest.fixture(scope="session", autouse=True)
def service_apps_made_cheaply(apps_made_cheaply: None) -> None:
    """Every app of these tests is made with the worker's caches (tests/app_caches.py)."""


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    bindir = find_bindir()
    if bindir is None:
        pytest.fail(INSTALL_HINT, pytrace=False)
    server = PostgresServer(bindir)
    try:
        server.start()
        server.create_database(name=MIGRATED_TEMPLATE)
        _migrate(server.url(MIGRATED_TEMPLATE))
        yield server
    finally:
        server.stop()


def _migrate(url: str) -> None:
    engine = db.make_engine(url)
    try:
        migrations.upgrade(engine)
    finally:
        engine.dispose()


@pytest.fixture(params=DATABASES)
def database_kind(request: pytest.FixtureRequest) -> str:
    kind: str = request.param
    return kind


def _new_database(request: pytest.FixtureRequest, kind: str, tmp_path: Path, migrated: bool) -> str:
    if kind == "sqlite":
        path = tmp_path / "db" / "oqu.sqlite3"
        path.parent.mkdir()
        if migrated:
            template = request.getfixturevalue("sqlite_template")
            with sqlite3.connect(template) as source, sqlite3.connect(path) as target:
                source.backup(target)
        return f"sqlite:///{path}"
    server: PostgresServer = request.getfixturevalue("postgres_server")
    name = server.create_database(MIGRATED_TEMPLATE if migrated else "template0")
    request.addfinalizer(lambda: server.drop_database(name))
    return server.url(name)


@pytest.fixture
def database_url(request: pytest.FixtureRequest, database_kind: str, tmp_path: Path) -> str:
    """A fresh, migrated, empty database of the kind under test."""
    return _new_database(request, database_kind, tmp_path, migrated=True)


@pytest.fixture
def empty_database_url(request: pytest.FixtureRequest, database_kind: str, tmp_path: Path) -> str:
    """A fresh database without any table, for migration tests."""
    return _new_database(request, database_kind, tmp_path, migrated=False)


SITE_FILES = {
    "index.html": "<!doctype html><title>Басты бет</title><h1>Курстар</h1>",
    "404.html": "<!doctype html><title>404</title><h1>Бет табылмады (сайт)</h1>",
    "courses/fire-safety/index.html": "<h1>Өрт қауіпсіздігі</h1>",
    "assets/site.css": "body { color: #222; }",
    "assets/site.js": "console.log('оқу');",
    "assets/logo.svg": '<svg xmlns="http://www.w3.org/2000/svg"/>',
    ".hidden/config": "hidden",
}


@pytest.fixture
def site_dir(tmp_path: Path) -> Path:
    """A small built site (build/site) with a secret file beside it, outside the site."""
    site = tmp_path / "build" / "site"
    for name, text in SITE_FILES.items():
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_text(text, encoding="utf-8")
    (tmp_path / "build" / "secret.txt").write_text("SECRET", encoding="utf-8")
    return site


@pytest.fixture
def app_config(database_url: str, site_dir: Path, tmp_path: Path) -> dict[str, Any]:
    return {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret",
        "SITE_DIR": site_dir,
        "SERVICE_DIR": tmp_path / "build" / "service",
        "VAR_DIR": tmp_path / "var",
        "REDIS_URL": None,  # the database counters, even when OQU_REDIS_URL is exported
    }


@pytest.fixture
def app(app_config: dict[str, Any]) -> Iterator[Flask]:
    app = create_app(app_config)
    yield app
    app.extensions["oqu_db"].engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def make_user(app: Flask) -> Callable[..., User]:
    """Create a user: a student with a Kazakh name and no password unless overridden."""
    numbers = itertools.count(1)

    def make(**overrides: Any) -> User:
        fields: dict[str, Any] = {
            "email": f"student{next(numbers)}@oqu.example.kz",
            "role": Role.STUDENT,
            "full_name": "Айгерім Сапарова",
            "group": "ӨҚ-21",
        }
        fields.update(overrides)
        with app.app_context(), db.write_transaction() as writer:
            return service.create_user(writer, **fields)

    return make


@pytest.fixture
def make_token(app: Flask) -> Callable[..., str]:
    """Issue a bearer token for a user and return its secret."""

    def make(user: User, scopes: tuple[str, ...] = ()) -> str:
        with app.app_context(), db.write_transaction() as writer:
            _, secret = service.issue_token(writer, writer.get_one(User, user.id), scopes)
        return secret

    return make


def csrf_from_form(html: str) -> str:
    match = CSRF_FIELD.search(html)
    assert match, "no csrf_token field in the page"
    return match[1]


@pytest.fixture
def sign_in(client: FlaskClient) -> Callable[..., Any]:
    """Sign in through the login form; returns the response to the POST."""

    def sign_in(email: str, password: str = PASSWORD, **form: str) -> Any:
        page = client.get("/auth/login")
        fields = {"email": email, "password": password, "csrf_token": csrf_from_form(page.text)}
        return client.post("/auth/login", data=fields | form)

    return sign_in


@pytest.fixture
def site_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The current folder, as the site's root, for `oqu` commands."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def run_oqu(site_folder: Path) -> Callable[..., Result]:
    """Run `oqu ARGS...` in the site folder with the given database."""

    def run(*args: str, database_url: str, input: str | None = None) -> Result:
        environment = {"OQU_DATABASE_URL": database_url, "OQU_SECRET_KEY": "test-secret"}
        return CliRunner(env=environment).invoke(oqu, list(args), input=input)

    return run


@pytest.fixture
def bearer(make_user: Callable[..., User], make_token: Callable[..., str]) -> dict[str, str]:
    """An Authorization header for a new student."""
    return {"Authorization": f"Bearer {make_token(make_user())}"}
