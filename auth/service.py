"""Accounts: creating and importing users, issuing and checking tokens, signing in.

Functions take the SQLAlchemy session to work in; the caller decides the transaction
(`quiz_service.core.db.write_transaction()` for anything that writes).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import Select, Update, bindparam, or_, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, make_transient_to_detached

from auth import events, passwords
from auth.models import ApiToken, DLCategory, PasswordReset, Role, User
from auth.roster import EmailError, RosterRow, normalize_email, read_roster
from auth.sessions import end_sessions_of
from quiz_service.core.db import utcnow

DEFAULT_SCOPE = "api"
SCOPE_PATTERN = re.compile(r"[a-z][a-z0-9_.:-]{0,63}")
TOKEN_TOUCH_INTERVAL = timedelta(minutes=1)


class AccountError(Exception):
    """A request about accounts that cannot be done; the message says why."""


def find_user(session: Session, email: str) -> User | None:
    try:
        normalized = normalize_email(email)
    except EmailError:
        return None
    return session.scalars(select(User).where(User.email == normalized)).one_or_none()


def create_user(
    session: Session,
    email: str,
    role: Role,
    *,
    full_name: str = "",
    group: str | None = None,
    dl_category: DLCategory = DLCategory.NONE,
    password: str | None = None,
) -> User:
    """A new account; without a password it cannot sign in locally (SSO later)."""
    try:
        normalized = normalize_email(email)
    except EmailError as error:
        raise AccountError(str(error)) from None
    user = User(email=normalized, role=role, full_name=full_name, group=group, dl_category=dl_category)
    if password is not None:
        user.password_hash = _new_password_hash(password)  # a new account: nothing to end yet
    session.add(user)
    try:
        session.flush()
    except IntegrityError:
        raise AccountError(f"an account with the email {normalized!r} already exists") from None
    return user


def _new_password_hash(password: str) -> str:
    if len(password) < passwords.MIN_LENGTH:
        raise AccountError(f"the password is shorter than {passwords.MIN_LENGTH} characters")
    return passwords.hash_password(password)


@dataclass(frozen=True)
class PasswordReplaced:
    """What a new password ended: what a thief holding the old one (or a session) had."""

    sessions_ended: int
    tokens_revoked: int


def replace_password(session: Session, user: User, password: str) -> PasswordReplaced:
    """Give an existing account a new password: the one way every path sets one (T39).

    Every browser session of the account ends, every live API token is revoked and every
    unused reset link is spent, in the caller's transaction. A caller acting in the user's
    own browser session keeps it with `identity.rotate_session()` (a new id, the old row gone).
    """
    user.password_hash = _new_password_hash(password)
    now = utcnow()
    revoked = session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(PasswordReset)
        .where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    replaced = PasswordReplaced(end_sessions_of(session, user.id), int(getattr(revoked, "rowcount", 0) or 0))
    detail = f"{replaced.sessions_ended} session(s) ended, {replaced.tokens_revoked} token(s) revoked"
    events.record(session, "password_set", "password", user_id=user.id, detail=detail)
    return replaced


@dataclass
class ImportReport:
    """Either problems (and nothing imported) or the users created and updated."""

    problems: list[str] = field(default_factory=list)
    created: list[User] = field(default_factory=list)
    updated: list[User] = field(default_factory=list)


def import_users_csv(session: Session, path: Path, display_name: str | None = None) -> ImportReport:
    """Create or update every user of the roster at `path`, or none if any row is bad.

    An existing email is updated (name, role, group, DL category): the registrar's list is
    the source of truth and importing it again is harmless. Passwords, tokens and
    suspensions are never touched.
    """
    rows, problems = read_roster(path.read_bytes(), display_name or str(path))
    if problems:
        return ImportReport(problems=problems)
    existing = _users_by_email(session, [row.email for row in rows])
    report = ImportReport()
    for row in rows:
        user = existing.get(row.email)
        if user is None:
            report.created.append(_user_from_row(session, row))
        else:
            _update_from_row(user, row)
            report.updated.append(user)
    session.flush()
    return report


def _users_by_email(session: Session, emails: list[str]) -> dict[str, User]:
    if not emails:
        return {}
    return {user.email: user for user in session.scalars(select(User).where(User.email.in_(emails)))}


def _user_from_row(session: Session, row: RosterRow) -> User:
    user = User(email=row.email)
    _update_from_row(user, row)
    session.add(user)
    return user


def _update_from_row(user: User, row: RosterRow) -> None:
    user.full_name = row.full_name
    user.role = row.role
    user.group = row.group
    user.dl_category = row.dl_category


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def normalize_scope(scopes: Iterable[str]) -> str:
    """Scopes as one space-separated string; they narrow a token, never widen a role."""
    words = [word for scope in scopes for word in scope.split()] or [DEFAULT_SCOPE]
    bad = [word for word in words if not SCOPE_PATTERN.fullmatch(word)]
    if bad:
        raise AccountError(f"{bad[0]!r} is not a scope (lowercase letters, digits, _ . : -)")
    return " ".join(dict.fromkeys(words))


def issue_token(session: Session, user: User, scopes: Iterable[str] = ()) -> tuple[ApiToken, str]:
    """A new token for `user` and its secret, which is shown once and never stored."""
    secret = secrets.token_urlsafe(32)
    token = ApiToken(user=user, token_hash=hash_token(secret), scope=normalize_scope(scopes))
    session.add(token)
    session.flush()
    return token, secret


def revoke_token(session: Session, token_id: int, user: User | None = None) -> ApiToken:
    """Revoke a token (of `user`, when given); revoking twice changes nothing."""
    token = session.get(ApiToken, token_id)
    if token is None or (user is not None and token.user_id != user.id):
        raise AccountError(f"there is no token {token_id}")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
    return token


def user_tokens(session: Session, user: User) -> list[ApiToken]:
    return list(session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)))


@dataclass(frozen=True)
class LiveToken:
    """A live token and its active user, read with Core (no ORM session on the hot path)."""

    id: int
    last_used_at: datetime | None
    user: User  # detached: every column loaded, nothing to lazy-load

    @property
    def user_id(self) -> int:
        return self.user.id


def token_for_secret(connection: Connection, secret: str) -> LiveToken | None:
    """The live token whose secret this is, with its active user; else None (read on every request:
    a revoked token or a suspended user is refused at once)."""
    row = connection.execute(_token_by_hash(), {"token_hash": hash_token(secret)}).one_or_none()
    if row is None or row.revoked_at is not None or not row.is_active:
        return None
    fields = row._mapping
    user = User(**{key: fields[column] for key, column in _USER_COLUMNS})
    make_transient_to_detached(user)
    return LiveToken(id=row.token_id, last_used_at=row.last_used_at, user=user)


_USER_COLUMNS = [(prop.key, prop.columns[0]) for prop in User.__mapper__.column_attrs]


@cache
def _token_by_hash() -> Select[Any]:
    """Built once: on the hot path of every API request, building the query cost more than running it."""
    return (
        select(
            ApiToken.id.label("token_id"),
            ApiToken.last_used_at,
            ApiToken.revoked_at,
            *[column for _, column in _USER_COLUMNS],
        )
        .join_from(ApiToken, User, ApiToken.user_id == User.id)
        .where(ApiToken.token_hash == bindparam("token_hash"))
    )


def touch_token(session: Session, token_id: int, now: datetime) -> bool:
    """Record a use of the token, at most once a minute (a write per request is costly).

    True when this call recorded it (another worker may have done so a moment before).
    """
    result = session.execute(
        _touch(), {"token_id": token_id, "now": now, "stale": now - TOKEN_TOUCH_INTERVAL}
    )
    return bool(getattr(result, "rowcount", 0))


@cache
def _touch() -> Update:
    """Built once: the first request of every student in an exam's start spike runs it."""
    return (
        update(ApiToken)
        .where(ApiToken.id == bindparam("token_id"))
        .where(or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at < bindparam("stale")))
        .values(last_used_at=bindparam("now"))
    )


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active user with this email and password, else None, whatever was wrong."""
    user = find_user(session, email)
    if user is None or not user.is_active or user.password_hash is None:
        passwords.spend_verification_time(password)
        return None
    if not passwords.verify_password(user.password_hash, password):
        return None
    return user


def set_active(session: Session, user: User, active: bool) -> int:
    """Suspend or restore an account; a suspension ends its sessions and tokens' use at once.

    Returns how many browser sessions were ended.
    """
    user.is_active = active
    return 0 if active else end_sessions_of(session, user.id)


def change_password(session: Session, user: User, current: str, new: str) -> PasswordReplaced:
    """The profile's change: the current password first, then as `replace_password`."""
    if user.password_hash is None or not passwords.verify_password(user.password_hash, current):
        raise AccountError("the current password is wrong")
    return replace_password(session, user, new)


def issue_password_reset(session: Session, user: User, lifetime: timedelta) -> str:
    """A single-use secret for a reset link; only its hash is stored."""
    secret = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        PasswordReset(
            token_hash=hash_token(secret), user_id=user.id, created_at=now, expires_at=now + lifetime
        )
    )
    session.flush()
    return secret


def live_password_reset(session: Session, secret: str) -> PasswordReset | None:
    reset = session.get(PasswordReset, hash_token(secret))
    if reset is None or reset.used_at is not None or reset.expires_at <= utcnow():
        return None
    return reset


def use_password_reset(session: Session, secret: str, new_password: str) -> PasswordReplaced:
    """Set the password of the link's user as `replace_password` does (which spends the link)."""
    reset = live_password_reset(session, secret)
    if reset is None:
        raise AccountError("the reset link is invalid or has expired")
    return replace_password(session, session.get_one(User, reset.user_id), new_password)
