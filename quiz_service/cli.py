"""`oqu serve`, `oqu db ...` and `oqu users ...`: thin commands over the service.

Each works on the site in the current folder: `build/site`, `build/service` and `var/`
(SQLite and the secret key), unless OQU_* environment variables say otherwise.
"""

from __future__ import annotations

import ipaddress
import secrets
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from flask import Flask
from sqlalchemy import make_url
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.serving import run_simple

from auth import enrolment, service
from auth.models import DLCategory, Role
from quiz_service import config, create_app, db, migrations, service_bundle
from quiz_service.service_bundle import BundleError


def register(group: click.Group) -> None:
    from auth import cli as auth_cli
    from quiz_service.core.jobs import cli as jobs_cli

    group.add_command(serve)
    group.add_command(database)
    group.add_command(users)
    auth_cli.register(group, users)
    jobs_cli.register(group)


def _shown(path: Path) -> str:
    """`path` as the user would type it: relative to the current folder when inside it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _make_app(overrides: dict[str, Any] | None = None) -> Flask:
    try:
        return create_app(overrides)
    except BundleError as error:
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
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
def serve(host: str, port: int) -> None:
    """Serve build/site at /, the API at /api/v1/ and sign-in at /auth/."""
    site_dir = config.load_config()["SITE_DIR"]
    if not site_dir.is_dir():
        raise click.ClickException(f"{_shown(site_dir)} not found: run `oqu build` first.")
    app = _make_app({"SESSION_COOKIE_SECURE": not is_loopback(host)})
    _upgrade_database(app)
    if app.config["SESSION_COOKIE_SECURE"]:
        click.echo("Session cookies are Secure: put the service behind HTTPS.", err=True)
    click.echo(f"Serving {_shown(site_dir)} at http://{host}:{port}/ (Ctrl+C to stop)")
    run_simple(host, port, app, threaded=True)


@click.group("db")
def database() -> None:
    """The service's database (SQLite in var/ unless OQU_DATABASE_URL)."""


@database.command("upgrade")
def database_upgrade() -> None:
    """Apply the database migrations."""
    shown = _upgrade_database(_make_app())
    click.echo(f"{shown} is up to date (revision {migrations.head_revision()}).")


@click.group()
def users() -> None:
    """Accounts: students, teachers, admins and partners."""


@contextmanager
def _accounts() -> Iterator[None]:
    """An app context on an up-to-date database; account errors become clean messages."""
    app = _make_app()
    with app.app_context():
        if not migrations.is_up_to_date(db.engine()):
            raise click.ClickException("the database is not up to date: run `oqu db upgrade`.")
        try:
            yield
        except service.AccountError as error:
            raise click.ClickException(str(error)) from None


def _read_password() -> str:
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise click.ClickException("no password on standard input.")
    return password


@users.command("add")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice([role.value for role in Role]))
@click.option("--name", default="", help="Full name, as in the registrar's records.")
@click.option("--group", default=None, help="Study group.")
@click.option(
    "--dl-category",
    default=DLCategory.NONE.value,
    show_default=True,
    type=click.Choice([category.value for category in DLCategory]),
    help="Why the student learns at a distance (regulation R3).",
)
@click.option("--password-stdin", is_flag=True, help="Read a password from standard input.")
def users_add(
    email: str, role: str, name: str, group: str | None, dl_category: str, password_stdin: bool
) -> None:
    """Add an account (without --password-stdin: no local password, e.g. for SSO)."""
    password = _read_password() if password_stdin else None
    with _accounts(), db.write_transaction() as writer:
        user = service.create_user(
            writer,
            email,
            Role(role),
            full_name=name,
            group=group,
            dl_category=DLCategory(dl_category),
            password=password,
        )
    click.echo(f"Added {user.email} ({user.role.value}).")


@users.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def users_import(file: str) -> None:
    """Add or update the users of a CSV file: email, full_name, role, group, dl_category.

    Existing emails are updated (name, role, group, DL category; never passwords). If any
    row is wrong, every problem is printed as FILE:LINE: message and nothing is imported.
    """
    with _accounts(), db.write_transaction() as writer:
        report = service.import_users_csv(writer, Path(file), display_name=file)
    for problem in report.problems:
        click.echo(problem, err=True)
    if report.problems:
        raise click.ClickException(f"{len(report.problems)} problem(s); nothing imported.")
    click.echo(f"{file}: {len(report.created)} added, {len(report.updated)} updated.")


@users.command("token")
@click.argument("email")
@click.option(
    "--scope", multiple=True, help=f"What the token may do (repeatable; default {service.DEFAULT_SCOPE})."
)
def users_token(email: str, scope: tuple[str, ...]) -> None:
    """Print a new bearer token for EMAIL: shown once, stored only as a hash."""
    with _accounts(), db.write_transaction() as writer:
        user = service.find_user(writer, email)
        if user is None:
            raise service.AccountError(f"there is no account with the email {email!r}")
        token, secret = service.issue_token(writer, user, scope)
    click.echo(secret)
    click.echo(
        f"Token {token.id} for {user.email} (scope: {token.scope}) is shown only now; "
        f"revoke it with `oqu users revoke-token {token.id}`.",
        err=True,
    )


@users.command("tokens")
@click.argument("email")
def users_tokens(email: str) -> None:
    """List the API tokens of EMAIL (never their secrets)."""
    with _accounts():
        user = service.find_user(db.session(), email)
        if user is None:
            raise service.AccountError(f"there is no account with the email {email!r}")
        for token in service.user_tokens(db.session(), user):
            state = f"revoked {token.revoked_at:%Y-%m-%d %H:%M}" if token.revoked_at else "live"
            used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never"
            click.echo(
                f"{token.id}\t{token.scope}\tcreated {token.created_at:%Y-%m-%d %H:%M}"
                f"\tlast used {used}\t{state}"
            )


@users.command("revoke-token")
@click.argument("token_id", type=int)
def users_revoke_token(token_id: int) -> None:
    """Revoke the API token TOKEN_ID (see `oqu users tokens EMAIL`)."""
    with _accounts(), db.write_transaction() as writer:
        service.revoke_token(writer, token_id)
    click.echo(f"Token {token_id} is revoked.")


# The demo teacher is a teacher of both example courses (content/courses/*/course.yml).
DEMO_ACCOUNTS = (
    ("a.zhumabayeva@academy.example.kz", Role.TEACHER, "Айгерім Серікқызы Жұмабаева", None, DLCategory.NONE),
    (
        "kursant@demo.example.kz",
        Role.STUDENT,
        "Нұрлан Ерболұлы Қасымов",
        "ТҚ-21",
        DLCategory.EMERGENCY_TRANSFER,
    ),
)


@users.command("demo")
def users_demo() -> None:
    """Create (or reset) the demo teacher and student with fresh passwords, and print them."""
    lines = []
    with _accounts(), db.write_transaction() as writer:
        for email, role, name, group, category in DEMO_ACCOUNTS:
            password = secrets.token_urlsafe(9)
            user = service.find_user(writer, email)
            if user is None:
                user = service.create_user(
                    writer, email, role, full_name=name, group=group, dl_category=category, password=password
                )
            else:
                service.set_password(user, password)
            lines.append(f"  {role.value:8} {email}  password: {password}")
            if group:
                for course_id in _enrolled_courses():
                    enrolment.enrol(writer, course_id, group=group)
    click.echo("Demo sign-in (/auth/login):")
    click.echo("\n".join(lines))


def _enrolled_courses() -> list[str]:
    """The built site's `access: enrolled` courses (the demo student's group is enrolled in them)."""
    manifest = service_bundle.current().manifest or {}
    return [str(c["id"]) for c in manifest.get("courses", []) if c.get("access") == "enrolled"]
