"""`oqu footprint verify | checkpoint | export --student EMAIL | verify-export FILE | public-key`."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from flask import current_app
from sqlalchemy import Connection, func, select

from auth.models import User
from quiz_service.core import db
from quiz_service.core.commands import command_app
from quiz_service.core.domain import DomainError
from quiz_service.footprint import checkpoints, export, jobs, store
from quiz_service.footprint.verify import verify_log, verify_sqlite


def register(group: click.Group) -> None:
    group.add_command(footprint)


@click.group()
def footprint() -> None:
    """The digital footprint: a verifiable record of activity."""


def _public_key(path: Path | None) -> checkpoints.Ed25519PublicKey:
    if path is not None:
        return checkpoints.public_key_from_hex(path.read_text(encoding="ascii"))
    return checkpoints.published_key(current_app.config["FOOTPRINT_DIR"])


KEY_OPTION = click.option("--public-key", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                          help="The site's published public key (hex); default: FOOTPRINT_DIR/public-key.txt.")  # fmt: skip


@footprint.command()
@click.option("--checkpoints", "checkpoint_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A checkpoints.jsonl kept elsewhere (default: FOOTPRINT_DIR's and the database's).")  # fmt: skip
@KEY_OPTION
def verify(checkpoint_file: Path | None, public_key: Path | None) -> None:
    """Check every record against every signed checkpoint; exit 1 naming the first bad record."""
    with command_app().app_context():
        folder = current_app.config["FOOTPRINT_DIR"]
        try:
            key = _public_key(public_key)
        except FileNotFoundError:
            raise click.ClickException(
                "no public key yet: no checkpoint was ever signed (oqu footprint checkpoint)"
            ) from None
        listed = checkpoints.file_checkpoints(checkpoint_file.parent if checkpoint_file else folder)
        with db.engine().connect() as connection:
            listed += checkpoints.stored_checkpoints(connection)
            head = store.log_size(connection)
            if connection.dialect.name == "sqlite" and connection.engine.url.database:
                report = verify_sqlite(connection.engine.url.database, listed, key, head, os.cpu_count() or 1)
            else:
                report = verify_log(store.all_rows(connection), listed, key, head=head)
    for problem in report.problems:
        click.echo(f"footprint: {problem.message}", err=True)
    if not report.ok:
        sys.exit(1)
    click.echo(
        f"footprint: {report.records} records verified against {report.checkpoints} signed checkpoints"
    )


@footprint.command()
def checkpoint() -> None:
    """Sign a checkpoint now (the worker does it every five minutes)."""
    with command_app().app_context():
        made = jobs.checkpoint_now()
    click.echo(made.note if made else "footprint: the latest checkpoint already covers the log")


@footprint.command("public-key")
def public_key_command() -> None:
    """Print the site's public key (made with the key pair if there is none yet), to publish."""
    with command_app().app_context():
        key = checkpoints.signing_key(current_app.config["FOOTPRINT_DIR"]).public_key()
    click.echo(checkpoints.public_hex(key))


@footprint.command("export")
@click.option("--student", required=True, help="The student's e-mail.")
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="The file (default: standard output)."
)
def export_command(student: str, out: Path | None) -> None:
    """A student's footprint with inclusion proofs, the signed checkpoint and the public key."""
    with command_app().app_context(), db.engine().connect() as connection:
        user = db.session().scalars(select(User).where(func.lower(User.email) == student.lower())).first()
        if user is None:
            raise click.ClickException(f"there is no user {student}")
        data = student_export(connection, user.id)
    if out is None:
        sys.stdout.buffer.write(data + b"\n")
    else:
        out.write_bytes(data)
        click.echo(f"footprint: {out} written", err=True)


def student_export(connection: Connection, user_id: int) -> bytes:
    folder = current_app.config["FOOTPRINT_DIR"]
    latest = checkpoints.latest(connection)
    if latest is None:
        raise click.ClickException("no checkpoint yet: run `oqu footprint checkpoint` first")
    try:
        return export.dumps(export.export_of(connection, user_id, latest, checkpoints.published_key(folder)))
    except DomainError as error:
        raise click.ClickException(error.message) from None


@footprint.command("verify-export")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--public-key", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The site's published public key (hex); without it, the file's own key is trusted.")  # fmt: skip
def verify_export_command(file: Path, public_key: Path | None) -> None:
    """Check an exported footprint offline (no database, no service)."""
    published = (
        checkpoints.public_key_from_hex(public_key.read_text(encoding="ascii")) if public_key else None
    )
    problems = export.verify_export(file.read_bytes(), published)
    for problem in problems:
        click.echo(f"footprint: {problem}", err=True)
    if problems:
        sys.exit(1)
    click.echo(f"footprint: {file} verified")
