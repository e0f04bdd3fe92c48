"""Sign-in pages under /auth/ and the account endpoints of the API."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote, urlsplit

from flask import Blueprint, Response, current_app, g, redirect, request, session, url_for
from pydantic import BaseModel, Field
from werkzeug.wrappers import Response as WerkzeugResponse  # redirect()'s type, base of Flask's

from auth import access, csrf, enrolment, events, identity, oidc, passwords, service, throttle
from auth.models import ApiToken, DLCategory, Role, User
from auth.texts import LOGIN, PAGES
from quiz_service.core import db, pages
from quiz_service.core.errors import ApiError, error_page
from quiz_service.core.i18n import request_language, texts_for
from quiz_service.core.openapi import RequestBody, operation

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


def render_page(template: str, *, status: int = 200, **context: Any) -> Response:
    """An auth page: the core's page shell with the sign-in words (`t`) and the pages' words (`p`)."""
    lang = request_language()
    return pages.render_page(
        template, status=status, t=texts_for(LOGIN, lang), p=texts_for(PAGES, lang), **context
    )


def page_context() -> dict[str, Any]:
    """What auth adds to every page of the shell: the forms' CSRF token, its language links, and
    the header's account link (the signed-in name to the profile, or a sign-in link back here)."""
    return {"csrf_token": csrf.csrf_token(), "language_url": _language_url, "account": _account_link()}


def _account_link() -> dict[str, str] | None:
    lang = request_language()
    user: User | None = g.get("user")
    if user is not None:
        return {
            "text": user.full_name or user.email,
            "url": url_for("auth.profile", lang=lang),
            "kind": "user",
        }
    if request.blueprint == "auth" or request.method != "GET":
        return None  # the sign-in pages themselves
    here = request.full_path.rstrip("?")
    sign_in = url_for("auth.login_form", next=here, lang=lang)
    return {"text": texts_for(LOGIN, lang)["title"], "url": sign_in, "kind": "sign-in"}


def _language_url(code: str) -> str:
    if request.method != "GET" or request.endpoint in {"auth.oidc_callback", "auth.oidc_start"}:
        return url_for("auth.login_form", lang=code)
    arguments: dict[str, Any] = {key: value for key, value in request.args.items() if key in {"next"}}
    return url_for(request.endpoint or "auth.login_form", **(request.view_args or {}), **arguments, lang=code)


def message_page(status: int, title: str, message: str) -> Response:
    texts = texts_for(PAGES, request_language())
    return render_page("auth/message.html", status=status, title=texts[title], message=texts[message])


def login_page(
    *, error: str | None = None, notice: str | None = None, email: str = "", status: int = 200, **values: Any
) -> Response:
    lang = request_language()
    words = {**texts_for(LOGIN, lang), **texts_for(PAGES, lang)}
    next_url = safe_next(request.values.get("next"))
    return render_page(
        "auth/login.html",
        status=status,
        error=words[error].format(**values) if error else None,
        notice=words[notice] if notice else None,
        email=email,
        next_url=next_url,
        why=_why_sign_in(next_url, lang, words),
        sso=oidc.is_configured(),
    )


def _why_sign_in(next_url: str, lang: str, words: dict[str, str]) -> str | None:
    """Why the visitor was sent here: the course its `next` address opens, named in `lang`."""
    parts = urlsplit(next_url).path.strip("/").split("/")
    if len(parts) < 3 or parts[1] != "courses":
        return None
    course = access.courses().get(parts[2])
    if course is None or course.is_open:
        return None  # an open course needs no sign-in: the visitor chose to sign in
    title = course.titles.get(lang) or next(iter(course.titles.values()), course.id)
    return words["why_course"].format(course=title)


@bp.get("/login")
def login_form() -> Response:
    return login_page()


def _limits() -> throttle.Limits:
    config = current_app.config
    return throttle.Limits(
        window=config["SIGN_IN_WINDOW"],
        per_account=config["SIGN_IN_ACCOUNT_LIMIT"],
        per_address=config["SIGN_IN_ADDRESS_LIMIT"],
    )


@bp.post("/login")
def login() -> WerkzeugResponse:
    email = request.form.get("email", "")
    password = request.form.get("password", "")
    if not csrf.is_valid(request.form.get(csrf.SESSION_KEY)):
        return login_page(error="expired", email=email, status=400)
    try:
        return _password_sign_in(email, password)
    except throttle.CountersUnavailable as error:
        # Fail closed: an attempt that cannot be counted is not let through uncounted.
        current_app.logger.error("sign-in refused, the attempt counters do not answer: %s", error)
        response = login_page(error="counters_down", email=email, status=503)
        response.headers["Retry-After"] = "60"
        return response


def _password_sign_in(email: str, password: str) -> WerkzeugResponse:
    refusal = _count_attempt(email)
    if refusal is not None:
        return refusal
    user = service.authenticate(db.session(), email, password)
    with db.write_transaction() as writer:
        if user is None:
            known = service.find_user(writer, email)
            events.record(writer, "failure", "password", user_id=known.id if known else None, detail=email)
        else:
            throttle.forget_success(throttle.counters(writer), email, events.client_address())
            events.record(writer, "sign_in", "password", user_id=user.id)
    if user is None:
        return login_page(error="failed", email=email)
    _upgrade_password_hash(user, password)
    identity.sign_in(user, "password")
    return redirect(safe_next(request.form.get("next")), code=303)


def _count_attempt(email: str) -> Response | None:
    """Count the attempt; a 429 page when the account or the address is over its limit."""
    limits, now, address = _limits(), db.utcnow(), events.client_address()
    with throttle.counting() as counters:
        verdict = throttle.count_attempt(counters, email, address, limits, now)
    # One line per lockout, when it begins; the refused attempts after it are counted only.
    if verdict.account_attempts == limits.per_account + 1:
        with db.write_transaction() as writer:
            known = service.find_user(writer, email)
            events.record(
                writer, "locked", "password", user_id=known.id if known else None, detail=f"account {email}"
            )
    if verdict.address_attempts == limits.per_address + 1:
        with db.write_transaction() as writer:
            events.record(writer, "locked", "password", detail=f"address {address}")
    if verdict.allowed:
        return None
    seconds = throttle.retry_after(throttle.counters(db.session()), email, address, limits.window, now)
    response = login_page(error="too_many", email=email, status=429, minutes=max(1, -(-seconds // 60)))
    response.headers["Retry-After"] = str(seconds)
    return response


def _upgrade_password_hash(user: User, password: str) -> None:
    if user.password_hash and passwords.needs_rehash(user.password_hash):
        with db.write_transaction() as writer:
            # Not set_password: a password that predates today's rules must still work.
            writer.get_one(User, user.id).password_hash = passwords.hash_password(password)


@bp.post("/logout")
def logout() -> WerkzeugResponse:
    if not csrf.is_valid(csrf.submitted_token()):
        texts = texts_for(LOGIN, request_language())
        return error_page(400, title=texts["sign_out"], message=texts["expired"])
    user_id = session.get(identity.SESSION_USER)
    if user_id is not None:
        with db.write_transaction() as writer:
            events.record(writer, "sign_out", "session", user_id=user_id)
    identity.sign_out()
    return redirect(safe_next(request.form.get("next")), code=303)


OIDC_NEXT = "oidc_next"


@bp.get("/oidc/start")
def oidc_start() -> Response:
    if not oidc.is_configured():
        return message_page(404, "idp_failed_title", "not_configured")
    session[OIDC_NEXT] = safe_next(request.args.get("next"))
    redirect_uri = current_app.config["OIDC_REDIRECT_URI"] or url_for("auth.oidc_callback", _external=True)
    try:
        response: Response = oidc.authorization_redirect(redirect_uri)
    except oidc.ProviderUnavailable as error:
        current_app.logger.warning("OIDC provider unavailable: %s", error)
        return login_page(error="idp_down", status=503)
    return response


@bp.get("/oidc/callback")
def oidc_callback() -> WerkzeugResponse:
    if not oidc.is_configured():
        return message_page(404, "idp_failed_title", "not_configured")
    next_url = safe_next(session.get(OIDC_NEXT))
    try:
        claims = oidc.finish_sign_in()
        with db.write_transaction() as writer:
            user = oidc.user_for_claims(writer, claims)
            events.record(writer, "sign_in", "oidc", user_id=user.id, detail=claims.issuer)
    except oidc.ProviderUnavailable as error:
        current_app.logger.warning("OIDC provider unavailable: %s", error)
        return login_page(error="idp_down", status=503)
    except oidc.SignInRefused as refusal:
        current_app.logger.warning("OIDC sign-in refused: %s", refusal.reason)
        with db.write_transaction() as writer:
            events.record(writer, "failure", "oidc", user_id=refusal.user_id, detail=refusal.reason)
        status = 403 if refusal.page in {"suspended", "not_linked"} else 400
        title = "idp_failed_title"
        return message_page(status, title, "idp_failed" if refusal.page == "oidc_failed" else refusal.page)
    identity.sign_in(db.session().get_one(User, user.id), "oidc")
    return redirect(next_url, code=303)


@bp.get("/request")
def auth_request() -> Response:
    """For nginx `auth_request`: 204 when the user may fetch X-Original-URI (the raw request
    URI), else 401 or 403. Without the header (a proxy set up wrong) nothing is open."""
    status = access.decide(_original_path())
    return Response(status=204 if status == 200 else status)


@bp.get("/request/refused")
def auth_request_refused() -> WerkzeugResponse:
    """Where nginx sends a refused request (`error_page 401 403 = /auth/request/refused`): sign
    in first, or the "enrolled students only" page, as the embedded server answers."""
    path = _original_path()
    refused = access.refusal(path)
    return refused if refused is not None else redirect(quote(path or "/"), code=303)


def _original_path() -> str | None:
    raw = request.headers.get("X-Original-URI")
    return None if raw is None else access.normalise_request_uri(raw)


def _signed_in_user() -> User | None:
    user: User | None = g.get("user")
    return user if g.get("auth_method") == "session" else None


@bp.get("/profile")
def profile() -> Response:
    user = _signed_in_user()
    return pages.to_sign_in() if user is None else profile_page(user)


def profile_page(
    user: User, notice: str | None = None, error: str | None = None, status: int = 200, minutes: int = 0
) -> Response:
    reader = db.session()
    enrolled = enrolment.enrolled_course_ids(reader, user)
    courses = [course for course in access.courses().values() if course.id in enrolled]
    texts = texts_for(PAGES, request_language())
    return render_page(
        "auth/profile.html",
        status=status,
        user=user,
        courses=courses,
        history=events.history(reader, user),
        notice=texts[notice] if notice else None,
        error=texts[error].format(minutes=minutes) if error else None,
    )


@bp.post("/password")
def change_password() -> Response:
    user = _signed_in_user()
    if user is None:
        return pages.to_sign_in()
    new = request.form.get("new_password", "")
    if len(new) < passwords.MIN_LENGTH:
        return profile_page(user, error="password_short", status=422)
    refusal = _count_password_check(user)
    if refusal is not None:
        return refusal
    try:
        with db.write_transaction() as writer:
            service.change_password(
                writer, writer.get_one(User, user.id), request.form.get("current_password", ""), new
            )
            throttle.forget_success(throttle.counters(writer), user.email, events.client_address())
    except service.AccountError:
        return profile_page(user, error="password_wrong", status=422)
    identity.rotate_session()  # every other session has ended; this one goes on under a new id
    return profile_page(db.session().get_one(User, user.id), notice="password_changed")


def _count_password_check(user: User) -> Response | None:
    """The current password is checked under the sign-in limits of the account: a stolen session
    cannot be used to guess it (429 after the limit, as on the sign-in form)."""
    limits, now, address = _limits(), db.utcnow(), events.client_address()
    with throttle.counting() as counters:
        verdict = throttle.count_attempt(counters, user.email, address, limits, now)
    if verdict.allowed:
        return None
    seconds = throttle.retry_after(throttle.counters(db.session()), user.email, address, limits.window, now)
    response = profile_page(user, error="password_too_many", status=429, minutes=max(1, -(-seconds // 60)))
    response.headers["Retry-After"] = str(seconds)
    return response


@bp.route("/reset/<secret>", methods=["GET", "POST"])
def password_reset(secret: str) -> Response:
    if service.live_password_reset(db.session(), secret) is None:
        return message_page(404, "reset_title", "reset_invalid")
    if request.method == "GET":
        return render_page("auth/reset.html", title=texts_for(PAGES, request_language())["reset_title"])
    new = request.form.get("new_password", "")
    if len(new) < passwords.MIN_LENGTH:
        error = texts_for(PAGES, request_language())["password_short"]
        return render_page("auth/reset.html", status=422, error=error)
    with db.write_transaction() as writer:
        service.use_password_reset(writer, secret, new)
    identity.sign_out()  # whoever this browser was, it now signs in afresh
    identity.rotate_session()
    return login_page(notice="reset_done")


class UserOut(BaseModel):
    id: int
    email: str
    full_name: str
    role: Role
    group: str | None
    dl_category: DLCategory

    @classmethod
    def of(cls, user: User) -> UserOut:
        return cls.model_validate(user, from_attributes=True)


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
        return cls.model_validate(token, from_attributes=True)


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
