"""The sign-in log: every sign-in, failure, lockout, sign-out, token use and new password (R7.9).

Each line keeps the time, the client's address and the method; it feeds the digital
footprint. Nothing secret is written: no password, no token, no session id.
"""

from __future__ import annotations

from flask import has_request_context, request
from sqlalchemy import select
from sqlalchemy.orm import Session

from auth.models import SignInEvent, User

EVENTS = ("sign_in", "failure", "locked", "sign_out", "token_use", "password_set")
METHODS = ("password", "oidc", "token", "session")


def client_address() -> str:
    if not has_request_context():
        return ""
    return (request.remote_addr or "")[:45]


def record(
    writer: Session, event: str, method: str, *, user_id: int | None = None, detail: str = ""
) -> SignInEvent:
    """Add one line to the log in the caller's transaction."""
    assert event in EVENTS and method in METHODS, (event, method)
    line = SignInEvent(
        event=event, method=method, user_id=user_id, address=client_address(), detail=detail[:254]
    )
    writer.add(line)
    return line


def history(reader: Session, user: User, limit: int = 20) -> list[SignInEvent]:
    """The user's latest log lines, newest first."""
    query = (
        select(SignInEvent)
        .where(SignInEvent.user_id == user.id)
        .order_by(SignInEvent.occurred_at.desc(), SignInEvent.id.desc())
        .limit(limit)
    )
    return list(reader.scalars(query))
