"""One error shape on the wire: `{"error": {"code", "message"}}` under /api/, pages elsewhere.

A 4xx is the caller's mistake and says what it was; a 5xx is our bug, is logged, and shows
no stack trace.
"""

from __future__ import annotations

from flask import Blueprint, Flask, Response, current_app, jsonify, render_template, request
from sqlalchemy import exc as sqlalchemy_exc
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.exceptions import NotFound as NoRoute
from werkzeug.routing import RequestRedirect

from quiz_service.core import shell
from quiz_service.core.domain import Conflict, DomainError, Forbidden, Invalid, NotFound, TooMany
from quiz_service.core.i18n import LANGUAGE_NAMES, Words, request_language, texts_for

API_PREFIX = "/api/"

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
    429: "too_many_requests",
    500: "internal_error",
    503: "service_unavailable",
}

MESSAGES = {
    400: "The request is malformed.",
    401: "Sign in or send a bearer token.",
    403: "You may not do this.",
    404: "There is nothing at this address.",
    405: "The method {method} is not allowed here; allowed: {allowed}.",
    413: "The request body is too large.",
    415: "The request body is not in a supported format.",
    429: "Too many requests; wait and try again.",
    500: "Internal error; it has been logged.",
    503: "The service is unavailable; try again later.",
}

# The error pages' words: `errors.*` in the catalogues (core/translations/).
PAGE_TEXTS = Words("errors")


# The core's templates: `core/error.html` here, the page shell's `core/base.html` (core.pages).
templates = Blueprint("core_templates", __name__, template_folder="templates")


# The one mapping of domain errors (core.domain) to HTTP statuses.
STATUS_OF: dict[type[DomainError], int] = {
    NotFound: 404,
    Forbidden: 403,
    Conflict: 409,
    Invalid: 422,
    TooMany: 429,
}


class ApiError(DomainError):
    """A refusal decided in HTTP terms by a view or the API's plumbing: its own status and headers.

    Service code raises the domain's errors (`core.domain`) instead.
    """

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(code, message)
        self.status = status
        self.headers = headers or {}


def status_of(error: DomainError) -> int:
    """The HTTP status of a refusal: an `ApiError`'s own, else its domain class's."""
    if isinstance(error, ApiError):
        return error.status
    return next((STATUS_OF[kind] for kind in type(error).__mro__ if kind in STATUS_OF), 400)


def headers_of(error: DomainError) -> dict[str, str]:
    headers = dict(error.headers) if isinstance(error, ApiError) else {}
    if error.retry_after is not None:
        headers["Retry-After"] = str(error.retry_after)
    return headers


# A dependency that does not answer: the client may try again soon (RFC 9110 Retry-After).
RETRY_AFTER_SECONDS = "5"


def init_app(app: Flask) -> None:
    app.register_blueprint(templates)
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(sqlalchemy_exc.OperationalError, handle_database_unavailable)
    app.register_error_handler(sqlalchemy_exc.InterfaceError, handle_database_unavailable)
    app.register_error_handler(Exception, handle_unexpected_error)


def is_api_request() -> bool:
    return request.path.startswith(API_PREFIX) or request.path == API_PREFIX.rstrip("/")


def error_response(status: int, code: str, message: str) -> Response:
    response = jsonify({"error": {"code": code, "message": message}})
    response.status_code = status
    return response


def handle_domain_error(error: DomainError) -> Response:
    """Every refusal, of the domain or of a view, as the one error shape with its status."""
    response = error_response(status_of(error), error.code, error.message)
    response.headers.update(headers_of(error))
    return response


def handle_http_exception(error: HTTPException) -> Response:
    status = error.code or 500
    if isinstance(error, MethodNotAllowed) and _no_rule_takes_the_path(error):
        error, status = NoRoute(), 404
    if not is_api_request():
        return error_page(status)
    response = error_response(status, CODES.get(status, "error"), _message(error, status))
    response.headers.extend((k, v) for k, v in error.get_headers() if k == "Allow")
    return response


def _no_rule_takes_the_path(error: MethodNotAllowed) -> bool:
    """A 405 whose other methods would not match either: a converter refused the path (an id
    past the bound) after the router saw a rule of another method on the same pattern. No rule
    takes it, so it is a 404, like the same address asked with the rule's own method."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    for method in error.valid_methods or ():
        try:
            adapter.match(method=method)
        except (NoRoute, MethodNotAllowed, RequestRedirect):
            continue
        except HTTPException:
            return False
        return False
    return True


def handle_database_unavailable(error: Exception) -> Response:
    """The database is down, restarting or unreachable (or SQLite stayed locked): a clear 503,
    never a traceback and never a success; the pool reconnects by itself when it is back."""
    current_app.logger.warning("database unavailable on %s %s: %s", request.method, request.path, error)
    if is_api_request():
        response = error_response(
            503, "database_unavailable", "The database does not answer; try again shortly."
        )
    else:
        response = error_page(503)
    response.headers["Retry-After"] = RETRY_AFTER_SECONDS
    return response


def handle_unexpected_error(error: Exception) -> Response:
    current_app.logger.exception("unhandled error on %s %s", request.method, request.path)
    if not is_api_request():
        return error_page(500)
    return error_response(500, CODES[500], MESSAGES[500])


def _message(error: HTTPException, status: int) -> str:
    template = MESSAGES.get(status, error.name)
    allowed = ", ".join(sorted(getattr(error, "valid_methods", None) or ()))
    return template.format(method=request.method, allowed=allowed)


def error_page(status: int, *, title: str | None = None, message: str | None = None) -> Response:
    """An HTML error page in the asked language, in the site's page shell; the status's own
    words unless given (503: the database or another dependency is away, try again shortly)."""
    lang = request_language()
    texts = texts_for(PAGE_TEXTS, lang)
    suffix = "_404" if status == 404 else "_503" if status == 503 else "_5xx" if status >= 500 else ""
    html = render_template(
        "core/error.html",
        **shell.shell_context(lang),
        lang=lang,
        languages=LANGUAGE_NAMES,
        language_url=_language_home,
        status=status,
        title=title or texts["title" + suffix],
        message=message or texts["message" + suffix],
        home=texts["home"],
    )
    return Response(html, status=status, mimetype="text/html")


def _language_home(code: str) -> str:
    # An error page's language links lead to the site's home in that language (the failed
    # request may not be one to repeat).
    return f"/{code}/"
