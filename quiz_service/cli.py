"""The `oqu` command: the builder's commands (check, build, search, quiz) and the service's
(serve, db, and what each package's `cli.register` adds: users, enrol, …), assembled here, at
the top, so that neither imports the other's.

Each works on the site in the current folder: `build/site`, `build/service` and `var/`
(SQLite and the secret key), unless OQU_* environment variables say otherwise.

Nothing of the service loads until one of its commands runs: `oqu --help`, `oqu check` and
`oqu build` pay for neither Flask, SQLAlchemy, Alembic nor Authlib. A package's commands are
read from its `cli.py` without importing it (`declared_commands`: the names its `register`
adds and their docstrings); a `register` that does more is imported at once, as before.
"""

from __future__ import annotations

import ast
import ipaddress
from collections.abc import Callable
from functools import partial
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from builder.cli import LazyGroup, main
from quiz_service.core import packages
from quiz_service.core.commands import ServiceCommands

if TYPE_CHECKING:
    from flask import Flask


def _shown(path: Path) -> str:
    """`path` as the user would type it: relative to the current folder when inside it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _make_app(overrides: dict[str, Any] | None = None) -> Flask:
    from quiz_service import create_app
    from quiz_service.core import config
    from quiz_service.core.service_bundle import BundleError

    try:
        return create_app(overrides)
    except (BundleError, config.SettingsError) as error:
        raise click.ClickException(str(error)) from None


def _upgrade_database(app: Flask) -> str:
    from sqlalchemy import make_url
    from sqlalchemy.exc import SQLAlchemyError

    from quiz_service.core import db, migrations

    with app.app_context():
        try:
            migrations.upgrade(db.engine())
        except SQLAlchemyError as error:
            raise click.ClickException(f"the database cannot be upgraded: {error}") from None
        return make_url(app.config["DATABASE_URL"]).render_as_string(hide_password=True)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def run_gunicorn(make_app: Callable[[], Flask], host: str, port: int, workers: int) -> None:
    from quiz_service.server import run_gunicorn as run

    run(make_app, host, port, workers)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, help="Port to listen on.")
@click.option(
    "--workers", default=2, show_default=True, type=click.IntRange(1, 64), help="Service processes."
)
def serve(host: str, port: int, workers: int) -> None:
    """Serve build/site at /, the API at /api/v1/ and sign-in at /auth/ (gunicorn)."""
    from quiz_service.core import config

    try:
        site_dir = config.load_config()["SITE_DIR"]
    except config.SettingsError as error:
        raise click.ClickException(str(error)) from None
    if not site_dir.is_dir():
        raise click.ClickException(f"{_shown(site_dir)} not found: run `oqu build` first.")
    overrides = {"SESSION_COOKIE_SECURE": not is_loopback(host)}
    app = _make_app(overrides)
    _upgrade_database(app)
    app.extensions["oqu_db"].engine.dispose()  # no connection crosses the fork into the workers
    if app.config["SESSION_COOKIE_SECURE"]:
        click.echo("Session cookies are Secure: put the service behind HTTPS.", err=True)
    click.echo(f"Serving {_shown(site_dir)} at http://{host}:{port}/ with {workers} workers (Ctrl+C to stop)")
    run_gunicorn(lambda: _make_app(overrides), host, port, workers)


@click.group("db")
def database() -> None:
    """The service's database (SQLite in var/ unless OQU_DATABASE_URL)."""


@database.command("upgrade")
def database_upgrade() -> None:
    """Apply the database migrations."""
    from quiz_service.core import migrations

    shown = _upgrade_database(_make_app())
    click.echo(f"{shown} is up to date (revision {migrations.head_revision()}).")


def _command_app() -> Flask:
    return _make_app()


def _preview_app(out: Path) -> Flask:
    """The service on `oqu preview`'s build (sign-in, quizzes), its database migrated as `oqu serve` does."""
    folders = {"SITE_DIR": out / "site", "SERVICE_DIR": out / "service", "SEARCH_DIR": out / "search"}
    app = _make_app({**folders, "SESSION_COOKIE_SECURE": False})
    _upgrade_database(app)
    return app


# -- the packages' commands, declared without importing them -------------------------------------

CLICK_SUFFIXES = {"command", "cmd", "group", "grp"}  # click drops these from a function's name


def declared_commands(source: str) -> dict[str, str] | None:
    """The commands a package's `cli.py` (its `source`) adds in `register(group)`, by name with
    their help (the docstring); None unless `register` only calls `group.add_command(name)` on
    functions of the module decorated `@click.command()` / `@click.group()` (their name as click
    derives it or given as the decorator's one argument)."""
    tree = ast.parse(source)
    functions = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}
    register = functions.get("register")
    if register is None:
        return None
    commands: dict[str, str] = {}
    for statement in register.body:
        added = _added_name(statement)
        function = functions.get(added) if added else None
        name = _click_name(function) if function else None
        if function is None or name is None:
            return None
        commands[name] = ast.get_docstring(function) or ""
    return commands


def _added_name(statement: ast.stmt) -> str | None:
    """`x` of a statement `group.add_command(x)`."""
    call = statement.value if isinstance(statement, ast.Expr) else None
    if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Attribute):
        return None
    if call.func.attr != "add_command" or call.keywords or len(call.args) != 1:
        return None
    argument = call.args[0]
    return argument.id if isinstance(argument, ast.Name) else None


def _click_name(function: ast.FunctionDef) -> str | None:
    """The command name of a function decorated `@click.command(…)` / `@click.group(…)`."""
    for decorator in function.decorator_list:
        if not (
            isinstance(decorator, ast.Call)
            and isinstance(decorator.func, ast.Attribute)
            and isinstance(decorator.func.value, ast.Name)
            and decorator.func.value.id == "click"
            and decorator.func.attr in {"command", "group"}
        ):
            continue
        if decorator.keywords or len(decorator.args) > 1:
            return None  # a help=, cls=, name=: read by importing the module
        if decorator.args:
            given = decorator.args[0]
            return given.value if isinstance(given, ast.Constant) and isinstance(given.value, str) else None
        name = function.name.lower().replace("_", "-")
        left, dash, suffix = name.rpartition("-")
        return left if dash and suffix in CLICK_SUFFIXES else name
    return None


def _register(group: click.Group, module: str) -> None:
    import_module(module).register(group)


def add_package_commands(group: LazyGroup) -> None:
    """Every package's `cli.register(group)` (auth's, each feature's), declared to load when one
    of its commands runs; a package whose commands cannot be read from its source registers now."""
    for name, folder in packages.package_folders():
        source = folder / "cli.py"
        if name == __package__ or not source.is_file():
            continue
        module = f"{name}.cli"
        commands = declared_commands(source.read_text(encoding="utf-8"))
        if commands is None:
            _register(group, module)
            continue
        for command, help_text in commands.items():
            group.declare(command, partial(_register, group, module), partial(str, help_text))


main.add_command(serve)
main.add_command(database)
add_package_commands(main)
main.context_settings["obj"] = ServiceCommands(make_app=_command_app, make_preview_app=_preview_app)
