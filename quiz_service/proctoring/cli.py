"""`oqu proctoring purge`: delete recordings past their retention now (the daily job does it too)."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app

from quiz_service.core import db, migrations
from quiz_service.core.clock import now
from quiz_service.core.commands import command_app


def register(group: click.Group) -> None:
    group.add_command(proctoring)


@click.group()
def proctoring() -> None:
    """Proctored attestation: recordings and their retention."""


@proctoring.command("purge")
@click.option(
    "--days", type=int, default=None, help="Retention in days (default: OQU_PROCTORING_RETENTION_DAYS)."
)
def purge(days: int | None) -> None:
    """Delete the recordings of decided sessions older than the retention (open appeals keep theirs)."""
    from quiz_service.proctoring import service

    with command_app().app_context():
        if not migrations.is_up_to_date(db.engine()):
            raise click.ClickException("the database is not up to date: run `oqu db upgrade`.")
        keep = days if days is not None else int(current_app.config["PROCTORING_RETENTION_DAYS"])
        with db.write_transaction() as writer:
            purged = service.purge(writer, Path(current_app.config["PROCTORING_DIR"]), now(), keep)
    click.echo(f"purged the recordings of {purged} session(s) older than {keep} days")
