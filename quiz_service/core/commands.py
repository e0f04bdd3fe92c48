"""What the service's `oqu` commands share: the app they work in.

The `oqu` command (quiz_service.cli) puts a `ServiceCommands` into click's context; a command
of any layer (auth's `oqu users …`, a feature's) asks `command_app()` for the app, made once
per invocation, without importing the app factory itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:  # the `oqu` command makes this object before it knows whether the service will run
    from flask import Flask

APP_KEY = "oqu.app"


@dataclass(frozen=True)
class ServiceCommands:
    """How a service command makes its app (installed by the `oqu` command group); `oqu preview`
    (the builder's) asks `preview_app` for the service beside the site it builds."""

    make_app: Callable[[], Flask]
    make_preview_app: Callable[[Path], Flask]

    def preview_app(self, out: Path) -> Flask:
        return self.make_preview_app(out)


def command_app() -> Flask:
    """The app of the running `oqu` command, made on first use."""
    context = click.get_current_context()
    root = context.find_root()
    if APP_KEY not in root.meta:
        commands = context.find_object(ServiceCommands)
        if commands is None:
            raise RuntimeError("no ServiceCommands in the click context: run it through the `oqu` command")
        root.meta[APP_KEY] = commands.make_app()
    app: Flask = root.meta[APP_KEY]
    return app


def database_up_to_date() -> None:
    """In the command app's context: the database at the newest schema, or a clean refusal.

    The embedded SQLite default is brought up to date here, as `oqu serve` does, so that
    `oqu users add` works in a fresh site folder; a PostgreSQL database is shared by several
    hosts and upgraded on purpose, with `oqu db upgrade`.
    """
    from sqlalchemy import make_url
    from sqlalchemy.exc import SQLAlchemyError

    from quiz_service.core import db, migrations

    engine = db.engine()
    if migrations.is_up_to_date(engine):
        return
    if engine.dialect.name != "sqlite":
        raise click.ClickException("the database is not up to date: run `oqu db upgrade`.")
    try:
        migrations.upgrade(engine)
    except SQLAlchemyError as error:
        raise click.ClickException(f"the database cannot be upgraded: {error}") from None
    shown = make_url(str(engine.url)).render_as_string(hide_password=True)
    click.echo(f"{shown} brought up to date (revision {migrations.head_revision()}).", err=True)
