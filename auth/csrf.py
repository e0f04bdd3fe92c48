"""CSRF tokens: one per browser session, checked on every change made with that session.

Forms send it as the `csrf_token` field, scripts as the `X-CSRF-Token` header. Requests
with a bearer token carry no ambient authority and need none.
"""

from __future__ import annotations

import hmac
import secrets

from flask import g, request, session

from quiz_service.errors import ApiError, is_api_request

SESSION_KEY = "csrf_token"
HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def csrf_token() -> str:
    """The session's token, created on first use."""
    if SESSION_KEY not in session:
        session[SESSION_KEY] = secrets.token_urlsafe(32)
    token: str = session[SESSION_KEY]
    return token


def new_csrf_token() -> str:
    session[SESSION_KEY] = secrets.token_urlsafe(32)
    return csrf_token()


def is_valid(submitted: str | None) -> bool:
    expected = session.get(SESSION_KEY)
    if not submitted or not expected:
        return False
    return hmac.compare_digest(submitted.encode("utf-8"), expected.encode("utf-8"))


def submitted_token() -> str | None:
    return request.form.get(SESSION_KEY) or request.headers.get(HEADER)


def protect_api() -> None:
    """Refuse a change to the API made with a browser session but without the header."""
    if not is_api_request() or request.method in SAFE_METHODS:
        return
    if g.get("auth_method") == "session" and not is_valid(request.headers.get(HEADER)):
        raise ApiError(
            403,
            "csrf_failed",
            f"Send the {HEADER} header with the csrf_token of GET /api/v1/me.",
        )
