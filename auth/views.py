"""Sign-in pages under /auth/ and the account endpoints of the API."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from flask import Blueprint, Response, g, redirect, render_template, request
from pydantic import BaseModel, Field

from auth import csrf, identity, passwords, service
from auth.models import ApiToken, DLCategory, Role, User
from auth.texts import LANGUAGE_NAMES, LOGIN
from quiz_service import db
from quiz_service.errors import ApiError, error_page
from quiz_service.i18n import request_language, texts_for
from quiz_service.openapi import RequestBody, operation

bp = Blueprint("auth", __name__, url_prefix="/auth", template_folder="templates")
api_bp = Blueprint("auth_api", __name__, url_prefix="/api/v1")


def safe_next(target: str | None) -> str:
    """`target` if it is a path on this site, else `/`: never a redirect elsewhere."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/"
    if "\\" in target or any(ord(character) < 0x20 or ord(character) == 0x7F for character in target):
        return "/"
    parts = urlsplit(target)
    return "/" if parts.scheme or parts.netloc else target


def login_page(*, error: str | None = None, email: str = "", status: int = 200) -> Response:
    lang = request_language()
    texts = texts_for(LOGIN, lang)
    html = render_template(
        "auth/login.html",
        lang=lang,
        t=texts,
        languages=LANGUAGE_NAMES,
        error=texts[error] if error else None,
        email=email,
        next_url=safe_next(request.values.get("next")),
        csrf_token=csrf.csrf_token(),
    )
    return Response(html, status=status, mimetype="text/html")


@bp.get("/login")
def login_form() -> Response:
    return login_page()


@bp.post("/login")
def login() -> Response:
    email = request.form.get("email", "")
    if not csrf.is_valid(request.form.get(csrf.SESSION_KEY)):
        return login_page(error="expired", email=email, status=400)
    user = service.authenticate(db.session(), email, request.form.get("password", ""))
    if user is None:
        return login_page(error="failed", email=email)
    _upgrade_password_hash(user, request.form.get("password", ""))
    identity.sign_in(user)
    return redirect(safe_next(request.form.get("next")), code=303)


def _upgrade_password_hash(user: User, password: str) -> None:
    if user.password_hash and passwords.needs_rehash(user.password_hash):
        with db.write_transaction() as writer:
            # Not set_password: a password that predates today's rules must still work.
            writer.get_one(User, user.id).password_hash = passwords.hash_password(password)


@bp.post("/logout")
def logout() -> Response:
    if not csrf.is_valid(csrf.submitted_token()):
        texts = texts_for(LOGIN, request_language())
        return error_page(400, title=texts["sign_out"], message=texts["expired"])
    identity.sign_out()
    return redirect(safe_next(request.form.get("next")), code=303)


class UserOut(BaseModel):
    id: int
    email: str
    full_name: str
    role: Role
    group: str | None
    dl_category: DLCategory

    @classmethod
    def of(cls, user: User) -> UserOut:
        return cls(
            id=user.id,
            email=user.email,
            full_name=user.full_name,
            role=user.role,
            group=user.group,
            dl_category=user.dl_category,
        )


class Me(BaseModel):
    user: UserOut
    csrf_token: str | None = Field(
        description="Send it as X-CSRF-Token with every change made with this session; "
        "null when signed in with a bearer token."
    )


class TokenOut(BaseModel):
    id: int
    scope: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @classmethod
    def of(cls, token: ApiToken) -> TokenOut:
        return cls(
            id=token.id,
            scope=token.scope,
            created_at=token.created_at,
            last_used_at=token.last_used_at,
            revoked_at=token.revoked_at,
        )


class TokenList(BaseModel):
    tokens: list[TokenOut]


class NewToken(RequestBody):
    scope: list[str] = Field(default_factory=lambda: [service.DEFAULT_SCOPE], max_length=16)


class IssuedToken(TokenOut):
    token: str = Field(description="The bearer token; shown once, never stored.")


@api_bp.get("/me")
@operation("The signed-in user (and the session's CSRF token)", response=Me, auth=True)
def me() -> Me:
    token = csrf.csrf_token() if g.auth_method == "session" else None
    return Me(user=UserOut.of(g.user), csrf_token=token)


@api_bp.get("/me/tokens")
@operation("The signed-in user's API tokens", response=TokenList, auth=True)
def my_tokens() -> TokenList:
    tokens = service.user_tokens(db.session(), g.user)
    return TokenList(tokens=[TokenOut.of(token) for token in tokens])


@api_bp.post("/me/tokens")
@operation(
    "Issue an API token (from a browser session only)",
    body=NewToken,
    response=IssuedToken,
    status=201,
    auth=True,
)
def issue_my_token(body: NewToken) -> IssuedToken:
    if g.auth_method != "session":
        raise ApiError(403, "session_required", "Tokens are issued from a signed-in session.")
    with db.write_transaction() as writer:
        try:
            token, secret = service.issue_token(writer, writer.get_one(User, g.user.id), body.scope)
        except service.AccountError as error:
            raise ApiError(422, "invalid_request", f"scope: {error}") from None
        issued = TokenOut.of(token)
    return IssuedToken(**issued.model_dump(), token=secret)


@api_bp.delete("/me/tokens/<int:token_id>")
@operation("Revoke one of the signed-in user's API tokens", status=204, auth=True)
def revoke_my_token(token_id: int) -> None:
    with db.write_transaction() as writer:
        try:
            service.revoke_token(writer, token_id, user=g.user)
        except service.AccountError:
            raise ApiError(404, "not_found", f"There is no token {token_id}.") from None
