"""Server-side browser sessions: the cookie carries a random id, the database the rest.

A session ends when its row is deleted (sign-out, suspension, revocation), after
SESSION_IDLE_TIMEOUT without a request, and PERMANENT_SESSION_LIFETIME after it began,
whichever comes first. `rotate()` gives the session a new id (at sign-in), so an id
known before sign-in is worth nothing after it.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, Request, Response
from flask.sessions import SessionInterface, SessionMixin
from sqlalchemy import delete, select
from werkzeug.datastructures import CallbackDict

from auth.models import BrowserSession, User
from quiz_service.core import db

# A request updates last_seen_at at most this often: a write per page view is costly.
TOUCH_INTERVAL = timedelta(minutes=1)
# One new session in this many also deletes the expired ones (visitors who never came back).
CLEANUP_ONE_IN = 100


def hash_session_id(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("ascii", "replace")).hexdigest()


class ServerSession(CallbackDict[str, Any], SessionMixin):
    """The session's data; changes are saved at the end of the request."""

    def __init__(self, data: dict[str, Any] | None = None, session_id: str | None = None) -> None:
        def on_update(_self: CallbackDict[str, Any]) -> None:
            self.modified = True

        super().__init__(data or {}, on_update)
        self.session_id = session_id
        self.previous_id: str | None = None
        self.modified = False
        self.touch = False

    def rotate(self) -> None:
        """A new id for this session; the old row is deleted when the session is saved."""
        if self.session_id is not None and self.previous_id is None:
            self.previous_id = self.session_id
        self.session_id = None
        self.modified = True


class ServerSessionInterface(SessionInterface):
    def open_session(self, app: Flask, request: Request) -> ServerSession:
        session_id = request.cookies.get(self.get_cookie_name(app))
        if not session_id:
            return ServerSession()
        row = _live_row(app, session_id)
        if row is None:
            return ServerSession()
        session = ServerSession(json.loads(row.data), session_id)
        session.touch = row.last_seen_at < db.utcnow() - TOUCH_INTERVAL
        return session

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        assert isinstance(session, ServerSession)
        name, domain, path = self.get_cookie_name(app), self.get_cookie_domain(app), self.get_cookie_path(app)
        if not session and (session.modified or session.previous_id):
            _delete_rows(app, [session.session_id, session.previous_id])
            if session.session_id or session.previous_id:
                response.delete_cookie(name, domain=domain, path=path)
            return
        if not session:
            return
        if session.modified or session.previous_id:
            _store(app, session)
        elif session.touch:
            _touch(app, session)
            return
        else:
            return
        response.vary.add("Cookie")
        response.set_cookie(
            name,
            session.session_id or "",
            expires=self.get_expiration_time(app, session),
            httponly=self.get_cookie_httponly(app),
            domain=domain,
            path=path,
            secure=self.get_cookie_secure(app),
            samesite=self.get_cookie_samesite(app),
        )


def _live_row(app: Flask, session_id: str) -> BrowserSession | None:
    """The session's row if it has not timed out and its user may still sign in."""
    now = db.utcnow()
    with app.extensions["oqu_db"].sessions() as reader:
        row = reader.get(BrowserSession, hash_session_id(session_id))
        if row is None:
            return None
        expired = (
            row.last_seen_at < now - app.config["SESSION_IDLE_TIMEOUT"]
            or row.created_at < now - app.config["PERMANENT_SESSION_LIFETIME"]
        )
        suspended = row.user_id is not None and not _is_active(reader, row.user_id)
    if expired or suspended:
        _delete_rows(app, [session_id])
        return None
    return row


def _is_active(reader: Any, user_id: int) -> bool:
    return bool(reader.scalar(select(User.is_active).where(User.id == user_id)))


def _store(app: Flask, session: ServerSession) -> None:
    now = db.utcnow()
    with app.extensions["oqu_db"].write_transaction() as writer:
        if session.previous_id:
            writer.execute(
                delete(BrowserSession).where(BrowserSession.id_hash == hash_session_id(session.previous_id))
            )
            session.previous_id = None
        row = writer.get(BrowserSession, hash_session_id(session.session_id)) if session.session_id else None
        if row is None:
            session.session_id = secrets.token_urlsafe(32)
            row = BrowserSession(id_hash=hash_session_id(session.session_id), created_at=now)
            writer.add(row)
            if secrets.randbelow(CLEANUP_ONE_IN) == 0:  # now and then, sweep abandoned sessions
                delete_expired(
                    writer, now, app.config["SESSION_IDLE_TIMEOUT"], app.config["PERMANENT_SESSION_LIFETIME"]
                )
        row.data = json.dumps(dict(session))
        row.user_id = session.get("user_id")
        row.last_seen_at = now


def _touch(app: Flask, session: ServerSession) -> None:
    assert session.session_id is not None
    with app.extensions["oqu_db"].write_transaction() as writer:
        row = writer.get(BrowserSession, hash_session_id(session.session_id))
        if row is not None:
            row.last_seen_at = db.utcnow()


def _delete_rows(app: Flask, session_ids: list[str | None]) -> None:
    hashes = [hash_session_id(session_id) for session_id in session_ids if session_id]
    if not hashes:
        return
    with app.extensions["oqu_db"].write_transaction() as writer:
        writer.execute(delete(BrowserSession).where(BrowserSession.id_hash.in_(hashes)))


def end_sessions_of(writer: Any, user_id: int) -> int:
    """Delete every session of the user (in the caller's transaction); how many there were."""
    result = writer.execute(delete(BrowserSession).where(BrowserSession.user_id == user_id))
    return int(result.rowcount or 0)


def delete_expired(writer: Any, now: datetime, idle: timedelta, lifetime: timedelta) -> int:
    result = writer.execute(
        delete(BrowserSession).where(
            (BrowserSession.last_seen_at < now - idle) | (BrowserSession.created_at < now - lifetime)
        )
    )
    return int(result.rowcount or 0)
