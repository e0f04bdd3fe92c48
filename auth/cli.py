"""`oqu users …` and `oqu enrol …`: every command about accounts, in one place; thin commands.

They work in the app of the running `oqu` command (quiz_service.core.commands).
"""

from __future__ import annotations

import secrets
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from flask import current_app
from sqlalchemy import select

from auth import access, enrolment, events, oidc, service
from auth.models import DLCategory, Role, User
from quiz_service.core import db, service_bundle
from quiz_service.core.commands import command_app, database_up_to_date
from quiz_service.core.route_ids import MAX_ROW_ID


def register(group: click.Group) -> None:
    group.add_command(users)
    group.add_command(enrol)


@click.group()
def users() -> None:
    """Accounts: students, teachers, admins and partners."""


@contextmanager
def _accounts() -> Iterator[None]:
    """An app context on an up-to-date database; account errors become clean messages."""
    with command_app().app_context():
        database_up_to_date()
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
@click.argument("token_id", type=click.IntRange(0, MAX_ROW_ID))
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
                service.replace_password(writer, user, password)
            lines.append(f"  {role.value:8} {email}  password: {password}")
            if group:
                for course_id in _enrolled_courses():
                    enrolment.enrol(writer, course_id, group=group)
    click.echo("Demo sign-in (/auth/login):")
    click.echo("\n".join(lines))


def _enrolled_courses() -> list[str]:
    """The built site's `access: enrolled` courses (the demo student's group is enrolled in them)."""
    manifest = service_bundle.current().manifest
    return [course.id for course in manifest.courses if course.access == "enrolled"] if manifest else []


def _user(session: object, email: str) -> User:
    user = service.find_user(session, email)  # type: ignore[arg-type]
    if user is None:
        raise service.AccountError(f"there is no account with the email {email!r}")
    return user


@users.command("suspend")
@click.argument("email")
def users_suspend(email: str) -> None:
    """Suspend an account: its sessions end at once, its tokens and sign-ins are refused."""
    with _accounts(), db.write_transaction() as writer:
        ended = service.set_active(writer, _user(writer, email), active=False)
    click.echo(f"{email} is suspended; {ended} session(s) ended.")


@users.command("restore")
@click.argument("email")
def users_restore(email: str) -> None:
    """Lift the suspension of an account."""
    with _accounts(), db.write_transaction() as writer:
        service.set_active(writer, _user(writer, email), active=True)
    click.echo(f"{email} may sign in again.")


@users.command("reset-link")
@click.argument("email")
@click.option("--base-url", default="", help="The service's public address, e.g. https://oqu.example.kz")
def users_reset_link(email: str, base_url: str) -> None:
    """Print a single-use link that lets EMAIL set a new password."""
    with _accounts(), db.write_transaction() as writer:
        lifetime = current_app.config["PASSWORD_RESET_LIFETIME"]
        secret = service.issue_password_reset(writer, _user(writer, email), lifetime)
    click.echo(f"{base_url.rstrip('/')}/auth/reset/{secret}")
    click.echo(f"Valid for {int(lifetime.total_seconds() // 3600)} hours, once.", err=True)


@users.command("link")
@click.argument("email")
@click.option("--issuer", required=True, help="The provider's issuer URL (the `iss` claim).")
@click.option("--subject", required=True, help="The person's `sub` claim at that provider.")
def users_link(email: str, issuer: str, subject: str) -> None:
    """Link an institution (OIDC) account to an existing oqu account."""
    with _accounts(), db.write_transaction() as writer:
        oidc.link_identity(writer, _user(writer, email), issuer, subject)
    click.echo(f"{email} signs in as {subject} at {issuer}.")


@users.command("sign-ins")
@click.argument("email")
@click.option("--limit", default=20, show_default=True)
def users_sign_ins(email: str, limit: int) -> None:
    """The latest lines of the sign-in log of EMAIL: time, event, method, address."""
    with _accounts():
        for line in events.history(db.session(), _user(db.session(), email), limit):
            click.echo(f"{line.occurred_at:%Y-%m-%d %H:%M:%S}\t{line.event}\t{line.method}\t{line.address}")


@click.group()
def enrol() -> None:
    """Enrolment in `access: enrolled` courses, per student or by study group."""


def _course(course_id: str) -> None:
    known = access.courses()
    if course_id not in known:
        listed = ", ".join(sorted(known)) or "none (run `oqu build`)"
        raise service.AccountError(f"there is no course {course_id!r}; courses: {listed}")


def _target(writer: object, user: str | None, group: str | None) -> dict[str, object]:
    if (user is None) == (group is None):
        raise service.AccountError("give either --user EMAIL or --group GROUP")
    return {"user": _user(writer, user)} if user else {"group": group}


@enrol.command("add")
@click.argument("course_id")
@click.option("--user", "user", help="A student's email.")
@click.option("--group", "group", help="A study group, as in the roster.")
def enrol_add(course_id: str, user: str | None, group: str | None) -> None:
    """Enrol a student or a whole group in COURSE_ID."""
    with _accounts(), db.write_transaction() as writer:
        _course(course_id)
        added = enrolment.enrol(writer, course_id, **_target(writer, user, group))  # type: ignore[arg-type]
    click.echo(f"{user or group} {'is now' if added else 'was already'} enrolled in {course_id}.")


@enrol.command("remove")
@click.argument("course_id")
@click.option("--user", "user", help="A student's email.")
@click.option("--group", "group", help="A study group.")
def enrol_remove(course_id: str, user: str | None, group: str | None) -> None:
    """Remove an enrolment of a student or a group from COURSE_ID."""
    with _accounts(), db.write_transaction() as writer:
        removed = enrolment.unenrol(writer, course_id, **_target(writer, user, group))  # type: ignore[arg-type]
    click.echo(f"{user or group} {'is no longer' if removed else 'was not'} enrolled in {course_id}.")


@enrol.command("list")
@click.argument("course_id", required=False)
def enrol_list(course_id: str | None) -> None:
    """List enrolments (of COURSE_ID, or all)."""
    with _accounts():
        reader = db.session()
        emails = {user.id: user.email for user in reader.scalars(select(User))}
        for item in enrolment.enrolments(reader, course_id):
            who = f"group {item.group}" if item.group else emails.get(item.user_id or 0, "?")
            click.echo(f"{item.course_id}\t{who}")
