"""CSRF tokens: one per browser session, checked on every change made with that session.

Forms send it as the `csrf_token` field, scripts as the `X-CSRF-Token` header. Requests
with a bearer token carry no ambient authority and need none.
"""

from __future__ import annotations

import hmac
import secrets

from flask import Response, g, request, session

from quiz_service.core.errors import ApiError, error_page, is_api_request

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


# Views that check the token themselves, to show their own form again.
SELF_CHECKING = frozenset({"auth.login", "auth.logout"})


def protect_forms() -> Response | None:
    """Refuse every browser change (POST, PUT, PATCH, DELETE outside /api/) without the token."""
    if is_api_request() or request.method in SAFE_METHODS or request.endpoint in SELF_CHECKING:
        return None
    if request.routing_exception is not None:
        return None  # 404 or 405 follows: nothing would change
    if is_valid(submitted_token()):
        return None
    from auth.texts import LOGIN
    from quiz_service.core.i18n import request_language, texts_for

    texts = texts_for(LOGIN, request_language())
    return error_page(400, title=texts["title"], message=texts["expired"])
