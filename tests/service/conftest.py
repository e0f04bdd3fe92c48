"""Service fixtures: every test that takes `app` runs on SQLite and on a real PostgreSQL.

One PostgreSQL server per test session (see postgres_server.py); each test gets a fresh
database copied from a migrated template, or from an empty one for migration tests.
"""

from __future__ import annotations

import itertools
import os
import re
import sqlite3
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from click.testing import CliRunner, Result
from flask import Flask
from flask.testing import FlaskClient
from jinja2 import BytecodeCache, Environment
from jinja2.bccache import Bucket
from postgres_server import INSTALL_HINT, PostgresServer, find_bindir
from werkzeug.routing import BaseConverter, Rule
from werkzeug.routing.rules import RulePart

from auth import passwords, service
from auth.models import Role, User
from quiz_service import create_app
from quiz_service.cli import main as oqu
from quiz_service.core import config, db, migrations

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
def route_builders_compiled_once() -> Iterator[None]:
    """Every test makes its own app, and werkzeug compiles Python source for each of its ~180
    routes' URL builders (twice): 60 % of `create_app`'s time, ~80 s of CPU over the suite. A
    builder depends only on the rule's text, its parsed parts and its argument names (converters
    are looked up on the rule when a URL is built), so one compiled per such key serves every app.
    A rule whose default fills a part of its path bakes a converted value in: compiled each time."""
    original = Rule._compile_builder
    compiled: dict[tuple[object, ...], Callable[..., tuple[str, str]]] = {}

    def compile_once(rule: Rule, append_unknown: bool = True) -> Callable[..., tuple[str, str]]:
        defaults = rule.defaults or {}
        if any(name in rule._converters for name in defaults):
            return original(rule, append_unknown)
        key = (rule.rule, tuple(rule._trace), append_unknown, tuple(sorted(defaults)))
        if key not in compiled:
            compiled[key] = original(rule, append_unknown)
        return compiled[key]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Rule, "_compile_builder", compile_once)
        yield


ParsedRule = tuple[
    list[RulePart], list[tuple[bool, str]], list[tuple[str, str, tuple[Any, ...], dict[str, Any]]]
]


@pytest.fixture(scope="session", autouse=True)
def rules_parsed_once() -> Iterator[None]:
    """Each app binds its ~200 rules to its own map, and werkzeug parses each rule's text again
    (a regular expression per part, the converters' patterns and weights): about half of
    `create_app`'s time once the builders above are shared. The parse depends only on the text
    and the map's converter classes, so it is kept per worker and replayed for the next app:
    the same parts (read only by the matcher), the same trace and arguments, and the rule's own
    converters made again for its own map, with the arguments the text gave them."""
    original = Rule._parse_rule
    parsed: dict[tuple[object, ...], ParsedRule] = {}

    def parse_once(rule: Rule, text: str) -> Iterator[RulePart]:
        assert rule.map is not None
        key = (type(rule), text, tuple(sorted(rule.map.converters.items(), key=lambda item: item[0])))
        if key not in parsed:
            made: list[tuple[str, str, tuple[Any, ...], dict[str, Any]]] = []
            make_converter = rule.get_converter

            def recorded(
                variable: str, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]
            ) -> BaseConverter:
                made.append((variable, name, args, kwargs))
                return make_converter(variable, name, args, kwargs)

            traced = len(rule._trace)
            rule.get_converter = recorded  # type: ignore[method-assign]  # this rule's parse only
            try:
                parts = list(original(rule, text))
            finally:
                del rule.get_converter
            parsed[key] = (parts, rule._trace[traced:], made)
            return iter(parts)
        parts, trace, made = parsed[key]
        for variable, name, args, kwargs in made:
            rule._converters[variable] = rule.get_converter(variable, name, args, kwargs)
            rule.arguments.add(variable)
        rule._trace.extend(trace)
        return iter(parts)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Rule, "_parse_rule", parse_once)
        yield


@pytest.fixture(scope="session", autouse=True)
def settings_read_once_per_environment() -> Iterator[None]:
    """Every app reads its ten settings models (pydantic-settings walks the environment and each
    field's type per model: ~15 % of `create_app`). Kept per worker for the same model and the same
    `OQU_*` variables (a test that sets one gets its own reading); each caller gets its own copy."""
    original = config.read_settings
    read: dict[tuple[object, ...], config.OquSettings] = {}

    def read_once(
        model: type[config.SettingsModel], environ: Mapping[str, str] | None = None
    ) -> config.SettingsModel:
        source = os.environ if environ is None else environ
        given = tuple(
            sorted((name, value) for name, value in source.items() if name.upper().startswith("OQU_"))
        )
        key = (model, environ is None, given)
        if key not in read:
            read[key] = original(model, environ)
        settings = read[key]
        assert isinstance(settings, model)
        return settings.model_copy(deep=True)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(config, "read_settings", read_once)
        yield


class TemplatesCompiledOnce(BytecodeCache):
    """Jinja's compiled templates kept in memory for every app of this worker. Each test's app
    has its own Jinja environment, which compiled every template it rendered again (parse,
    generate Python, `compile`): 16 % of a page-rendering module's CPU. A template is still
    read from its file each time and its compiled code used only while that text is the same
    (Jinja's checksum) and the environment compiles alike (its extensions and syntax options)."""

    def __init__(self) -> None:
        self.stored: dict[str, bytes] = {}

    def get_bucket(self, environment: Environment, name: str, filename: str | None, source: str) -> Bucket:
        options = (
            sorted(environment.extensions), getattr(environment, "newstyle_gettext", None),
            environment.block_start_string, environment.variable_start_string, environment.comment_start_string,
            environment.line_statement_prefix, environment.line_comment_prefix, environment.trim_blocks,
            environment.lstrip_blocks, environment.newline_sequence, environment.keep_trailing_newline,
            environment.optimized, environment.finalize is not None, environment.is_async,
            environment.autoescape(name) if callable(environment.autoescape) else environment.autoescape,
        )  # fmt: skip
        bucket = Bucket(
            environment, self.get_cache_key(f"{name}|{options!r}", filename), self.get_source_checksum(source)
        )
        self.load_bytecode(bucket)
        return bucket

    def load_bytecode(self, bucket: Bucket) -> None:
        if bucket.key in self.stored:
            bucket.bytecode_from_string(self.stored[bucket.key])

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.stored[bucket.key] = bucket.bytecode_to_string()


@pytest.fixture(scope="session", autouse=True)
def templates_compiled_once() -> Iterator[None]:
    """Every app of the worker gets the one `TemplatesCompiledOnce` (Flask passes `jinja_options`
    to each app's Jinja environment)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            Flask, "jinja_options", {**Flask.jinja_options, "bytecode_cache": TemplatesCompiledOnce()}
        )
        yield


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


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "oqu.sqlite3"
    _migrate(f"sqlite:///{path}")
    return path


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
