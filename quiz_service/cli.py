"""The `oqu` command: the builder's commands (check, build, search, quiz) and the service's
(serve, db, and what each package's `cli.register` adds: users, enrol, …), assembled here, at
the top, so that neither imports the other's.

Each works on the site in the current folder: `build/site`, `build/service` and `var/`
(SQLite and the secret key), unless OQU_* environment variables say otherwise.
"""

from __future__ import annotations

import ipaddress
from importlib import import_module
from pathlib import Path
from typing import Any

import click
from flask import Flask
from sqlalchemy import make_url
from sqlalchemy.exc import SQLAlchemyError

from builder.cli import main
from quiz_service import create_app
from quiz_service.core import config, db, migrations, packages
from quiz_service.core.commands import ServiceCommands
from quiz_service.core.service_bundle import BundleError
from quiz_service.server import run_gunicorn


def _shown(path: Path) -> str:
    """`path` as the user would type it: relative to the current folder when inside it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _make_app(overrides: dict[str, Any] | None = None) -> Flask:
    try:
        return create_app(overrides)
    except (BundleError, config.SettingsError) as error:
        raise click.ClickException(str(error)) from None


def _upgrade_database(app: Flask) -> str:
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


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, help="Port to listen on.")
@click.option(
    "--workers", default=2, show_default=True, type=click.IntRange(1, 64), help="Service processes."
)
def serve(host: str, port: int, workers: int) -> None:
    """Serve build/site at /, the API at /api/v1/ and sign-in at /auth/ (gunicorn)."""
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


main.add_command(serve)
main.add_command(database)
for _module in packages.modules_named("cli"):  # auth's and every feature's `cli.register(group)`
    if _module != __name__:
        import_module(_module).register(main)
main.context_settings["obj"] = ServiceCommands(make_app=_command_app, make_preview_app=_preview_app)
