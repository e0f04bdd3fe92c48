"""Who is asking: a bearer token (API only) or the browser session, loaded into `g.user`.

`g.user` is the signed-in `User` or None; `g.auth_method` is "token", "session" or None.
"""

from __future__ import annotations

from flask import g, request, session
from sqlalchemy.orm import Session

from auth import csrf, events, service
from auth.models import User
from auth.sessions import ServerSession
from quiz_service.core import db
from quiz_service.core.errors import ApiError, is_api_request

SESSION_USER = "user_id"
SESSION_SIGNED_IN_AT = "signed_in_at"
SESSION_METHOD = "method"


def load_identity() -> None:
    g.user, g.auth_method = None, None
    header = request.headers.get("Authorization") if is_api_request() else None
    if header is not None:
        g.user, g.auth_method = user_from_bearer(header), "token"
    elif SESSION_USER in session:
        g.user = user_from_session()
        g.auth_method = "session" if g.user is not None else None


def user_from_bearer(header: str) -> User:
    scheme, _, secret = header.partition(" ")
    token = None
    if scheme.lower() == "bearer" and secret.strip():
        with db.statement_connection() as reader:
            token = service.token_for_secret(reader, secret.strip())
    if token is None:
        raise ApiError(
            401,
            "invalid_token",
            "The bearer token is malformed, unknown or revoked.",
            {"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )
    _record_use(token)
    return token.user


def _record_use(token: service.LiveToken) -> None:
    """Log the token's use, at most once a minute, with the request's own write if it makes one
    (an exam's start spike would otherwise commit twice per student)."""
    now = db.utcnow()
    last_used = token.last_used_at
    if last_used is not None and last_used >= now - service.TOKEN_TOUCH_INTERVAL:
        return
    token_id, user_id = token.id, token.user_id

    def record(writer: Session) -> None:
        if service.touch_token(writer, token_id, now):
            events.record(writer, "token_use", "token", user_id=user_id, detail=f"token {token_id}")

    db.write_soon(record)


def user_from_session() -> User | None:
    user = db.session().get(User, session[SESSION_USER])
    if user is None or not user.is_active:
        session.clear()
        return None
    return user


def sign_in(user: User, method: str) -> None:
    """Start a new session for `user`: a new id, nothing of the previous one survives."""
    session.clear()
    rotate_session()
    session[SESSION_USER] = user.id
    session[SESSION_SIGNED_IN_AT] = db.utcnow().isoformat()
    session[SESSION_METHOD] = method


def rotate_session() -> None:
    """A new session id and CSRF token, the rest kept: an id or token known before is worth nothing."""
    if isinstance(session, ServerSession):
        session.rotate()
    csrf.new_csrf_token()


def sign_out() -> None:
    session.clear()
