"""`oqu users suspend|restore|reset-link|link|sign-ins` and `oqu enrol ...`: thin commands."""

from __future__ import annotations

import click
from flask import current_app
from sqlalchemy import select

from auth import access, enrolment, events, oidc, service
from auth.models import User
from quiz_service import db
from quiz_service.cli import _accounts


def register(group: click.Group, users: click.Group) -> None:
    for command in (users_suspend, users_restore, users_reset_link, users_link, users_sign_ins):
        users.add_command(command)
    group.add_command(enrol)


def _user(session: object, email: str) -> User:
    user = service.find_user(session, email)  # type: ignore[arg-type]
    if user is None:
        raise service.AccountError(f"there is no account with the email {email!r}")
    return user


@click.command("suspend")
@click.argument("email")
def users_suspend(email: str) -> None:
    """Suspend an account: its sessions end at once, its tokens and sign-ins are refused."""
    with _accounts(), db.write_transaction() as writer:
        ended = service.set_active(writer, _user(writer, email), active=False)
    click.echo(f"{email} is suspended; {ended} session(s) ended.")


@click.command("restore")
@click.argument("email")
def users_restore(email: str) -> None:
    """Lift the suspension of an account."""
    with _accounts(), db.write_transaction() as writer:
        service.set_active(writer, _user(writer, email), active=True)
    click.echo(f"{email} may sign in again.")


@click.command("reset-link")
@click.argument("email")
@click.option("--base-url", default="", help="The service's public address, e.g. https://oqu.example.kz")
def users_reset_link(email: str, base_url: str) -> None:
    """Print a single-use link that lets EMAIL set a new password."""
    with _accounts(), db.write_transaction() as writer:
        lifetime = current_app.config["PASSWORD_RESET_LIFETIME"]
        secret = service.issue_password_reset(writer, _user(writer, email), lifetime)
    click.echo(f"{base_url.rstrip('/')}/auth/reset/{secret}")
    click.echo(f"Valid for {int(lifetime.total_seconds() // 3600)} hours, once.", err=True)


@click.command("link")
@click.argument("email")
@click.option("--issuer", required=True, help="The provider's issuer URL (the `iss` claim).")
@click.option("--subject", required=True, help="The person's `sub` claim at that provider.")
def users_link(email: str, issuer: str, subject: str) -> None:
    """Link an institution (OIDC) account to an existing oqu account."""
    with _accounts(), db.write_transaction() as writer:
        oidc.link_identity(writer, _user(writer, email), issuer, subject)
    click.echo(f"{email} signs in as {subject} at {issuer}.")


@click.command("sign-ins")
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
