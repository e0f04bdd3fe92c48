"""API operations described by the same pydantic models that validate them.

Every view under /api/v1/ is wrapped by `@operation(...)`: the wrapper parses and validates
the JSON body into the `body` model, refuses anonymous callers when `auth=True`, serialises
the returned `response` model, and keeps its `Operation` on the view so that `build_spec`
can describe it. What is described is what is checked, by construction.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib.metadata import version
from typing import Any, Literal, TypeVar

from flask import Flask, Response, g, request
from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic.json_schema import models_json_schema
from pydantic_core import ErrorDetails
from werkzeug.routing import Rule

from quiz_service.core.errors import MESSAGES, ApiError
from quiz_service.core.i18n import DEFAULT_LANGUAGE, LANGUAGES, catalogue, gettext
from quiz_service.core.route_ids import MAX_ROW_ID

API_ROOT = "/api/v1/"
REF_TEMPLATE = "#/components/schemas/{model}"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CONVERTER_TYPES = {"int": "integer", "float": "number"}
RULE_ARGUMENT = re.compile(r"<(?:(?P<converter>\w+)(?:\([^)]*\))?:)?(?P<name>\w+)>")

SchemaMode = Literal["validation", "serialization"]
View = Callable[..., Any]
M = TypeVar("M", bound=BaseModel)


class RequestBody(BaseModel):
    """Base of request bodies: unknown keys are errors, as in content files."""

    model_config = ConfigDict(extra="forbid")


class ErrorDetail(BaseModel):
    code: str
    message: str


class ErrorResponse(BaseModel):
    """The one error shape of the API."""

    error: ErrorDetail


@dataclass(frozen=True)
class Operation:
    summary: str
    body: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    status: int = 200
    auth: bool = False
    query: type[BaseModel] | None = None
    media_type: str = "application/json"  # of the success response: a file download names its own


def operation(
    summary: str,
    *,
    body: type[BaseModel] | None = None,
    response: type[BaseModel] | None = None,
    status: int = 200,
    auth: bool = False,
    query: type[BaseModel] | None = None,
    media_type: str = "application/json",
) -> Callable[[View], View]:
    """Validate, authorise, serialise and document one API view (`query`: its query string)."""
    described = Operation(summary, body, response, status, auth, query, media_type)

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapper(**kwargs: Any) -> Response:
            if described.auth and g.get("user") is None:
                raise ApiError(401, "unauthorized", MESSAGES[401], {"WWW-Authenticate": "Bearer"})
            if described.body is not None:
                kwargs["body"] = parse_body(described.body)
            if described.query is not None:
                kwargs["query"] = parse_query(described.query)
            return render(described, view(**kwargs))

        wrapper.openapi_operation = described  # type: ignore[attr-defined]
        return wrapper

    return decorate


def parse_body(model: type[M]) -> M:
    """The request's JSON body as `model`: 415, 400 or 422 when it is not one."""
    if not request.is_json:
        raise ApiError(415, "unsupported_media_type", "Send the body as JSON (application/json).")
    try:
        return model.model_validate_json(request.get_data())
    except ValidationError as error:
        if any(item["type"] == "json_invalid" for item in error.errors()):
            raise ApiError(400, "bad_json", "The request body is not valid JSON.") from None
        raise ApiError(422, "invalid_request", describe_validation_error(error)) from None


def parse_query(model: type[M]) -> M:
    """The query string as `model` (the first value of each parameter): 422 when it is not one."""
    try:
        return model.model_validate(request.args.to_dict())
    except ValidationError as error:
        raise ApiError(422, "invalid_request", describe_validation_error(error)) from None


def describe_validation_error(error: ValidationError) -> str:
    """What was wrong, in the language the request names (`lang` in the query or the JSON body:
    a page sends its own), else pydantic's English; the error's `code` stays the same."""
    language = asked_language()
    if language is None:
        return "; ".join(
            f"{'.'.join(str(part) for part in item['loc']) or 'body'}: {item['msg']}"
            for item in error.errors()
        )
    return " ".join(localized_problem(item, language) for item in error.errors())


# The pydantic error types the catalogues explain (`validation.<type>`); others read "invalid".
EXPLAINED = (
    "missing",
    "string_too_short",
    "string_too_long",
    "too_short",
    "too_long",
    "greater_than_equal",
    "less_than_equal",
    "int_parsing",
    "literal_error",
    "string_pattern_mismatch",
    "extra_forbidden",
)
QUOTES = {"kk": ("«", "»"), "ru": ("«", "»"), "en": ("\u201c", "\u201d")}  # CLDR's quotation marks


def asked_language() -> str | None:
    asked = request.args.get("lang")
    if asked is None and request.is_json:
        body = request.get_json(silent=True)
        asked = body.get("lang") if isinstance(body, dict) else None
    return asked if asked in LANGUAGES else None


def localized_problem(item: ErrorDetails, language: str) -> str:
    """One problem from the catalogues (`validation.<pydantic type>`), the field by its label."""
    name = str(item["loc"][-1]) if item["loc"] else "body"
    key = f"fields.{name}"
    field = gettext(key, language) if catalogue(DEFAULT_LANGUAGE).get(key) is not None else name
    kind = f"validation.{item['type'] if item['type'] in EXPLAINED else 'invalid'}"
    context = {str(k): _shown(v) for k, v in (item.get("ctx") or {}).items()}
    opening, closing = QUOTES.get(language, QUOTES["kk"])
    quoted = f"{opening}{field}{closing}"
    try:
        return gettext(kind, language, field=quoted, **context)
    except (KeyError, IndexError):  # a type the catalogues do not name, or a placeholder it lacks
        return gettext("validation.invalid", language, field=quoted)


def _shown(value: object) -> str:
    return str(value).replace("'", "") if isinstance(value, str) else str(value)


def render(described: Operation, result: Any) -> Response:
    if isinstance(result, Response):
        return result
    if result is None:
        return Response(status=described.status)
    if described.response is None or not isinstance(result, described.response):
        raise TypeError(f"{described.summary!r} returned {type(result).__name__}")
    return Response(result.model_dump_json(), described.status, mimetype="application/json")


@dataclass(frozen=True)
class _Documented:
    path: str
    method: str
    rule: Rule
    operation: Operation


def documented_operations(app: Flask) -> Iterator[_Documented]:
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        described = getattr(app.view_functions[rule.endpoint], "openapi_operation", None)
        if not rule.rule.startswith(API_ROOT) or described is None:
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            yield _Documented(openapi_path(rule.rule), method, rule, described)


def openapi_path(rule: str) -> str:
    return RULE_ARGUMENT.sub(lambda match: "{" + match["name"] + "}", rule)


def build_spec(app: Flask) -> dict[str, Any]:
    """The OpenAPI 3.1 description of every documented /api/v1/ rule of `app`."""
    operations = list(documented_operations(app))
    refs, definitions = _schemas(operations)
    paths: dict[str, dict[str, Any]] = {}
    for item in operations:
        paths.setdefault(item.path, {})[item.method.lower()] = _describe(item, refs)
    return {
        "openapi": "3.1.0",
        "info": {"title": "oqu service API", "version": version("oqu")},
        "paths": paths,
        "components": {"schemas": definitions, "securitySchemes": SECURITY_SCHEMES},
    }


SECURITY_SCHEMES = {
    "bearer": {"type": "http", "scheme": "bearer", "description": "`oqu users token EMAIL`"},
    "session": {"type": "apiKey", "in": "cookie", "name": "oqu_session"},
}


def _schemas(
    operations: list[_Documented],
) -> tuple[dict[tuple[Any, SchemaMode], Any], dict[str, Any]]:
    wanted: set[tuple[type[BaseModel], SchemaMode]] = {(ErrorResponse, "serialization")}
    for item in operations:
        if item.operation.body is not None:
            wanted.add((item.operation.body, "validation"))
        if item.operation.response is not None:
            wanted.add((item.operation.response, "serialization"))
    ordered = sorted(wanted, key=lambda pair: (pair[0].__name__, pair[1]))
    refs, top = models_json_schema(ordered, ref_template=REF_TEMPLATE)
    return refs, top.get("$defs", {})


def _describe(item: _Documented, refs: dict[Any, Any]) -> dict[str, Any]:
    described = item.operation
    result: dict[str, Any] = {
        "operationId": f"{item.rule.endpoint.replace('.', '_')}_{item.method.lower()}",
        "summary": described.summary,
        "parameters": _parameters(item),
        "responses": _responses(described, refs),
    }
    if described.body is not None:
        schema = refs[(described.body, "validation")]
        result["requestBody"] = {"required": True, "content": _json(schema)}
    if described.auth:
        result["security"] = [{"bearer": []}, {"session": []}]
    return result


def _path_schema(converter: str | None) -> dict[str, Any]:
    if converter == "int":  # bounded as the ids are (`route_ids`): a larger one is a 404
        return {"type": "integer", "minimum": 0, "maximum": MAX_ROW_ID}
    return {"type": CONVERTER_TYPES.get(converter or "", "string")}


def _parameters(item: _Documented) -> list[dict[str, Any]]:
    parameters = [
        {
            "name": match["name"],
            "in": "path",
            "required": True,
            "schema": _path_schema(match["converter"]),
        }
        for match in RULE_ARGUMENT.finditer(item.rule.rule)
    ]
    parameters += _query_parameters(item.operation.query)
    if item.operation.auth and item.method not in SAFE_METHODS:
        parameters.append(
            {
                "name": "X-CSRF-Token",
                "in": "header",
                "required": False,
                "description": "Required with a browser session: `csrf_token` of /api/v1/me.",
                "schema": {"type": "string"},
            }
        )
    return parameters


def _query_parameters(model: type[BaseModel] | None) -> list[dict[str, Any]]:
    if model is None:
        return []
    schema = model.model_json_schema()
    required = set(schema.get("required", []))
    return [
        {"name": name, "in": "query", "required": name in required, "schema": prop}
        for name, prop in schema.get("properties", {}).items()
    ]


def _responses(described: Operation, refs: dict[Any, Any]) -> dict[str, Any]:
    error = {"description": "Error", "content": _json(refs[(ErrorResponse, "serialization")])}
    responses: dict[str, Any] = {str(described.status): {"description": "Success"}}
    if described.response is not None:
        schema = refs[(described.response, "serialization")]
        responses[str(described.status)]["content"] = _json(schema)
    elif described.media_type != "application/json":
        file = {"schema": {"type": "string", "format": "binary"}}
        responses[str(described.status)]["content"] = {described.media_type: file}
    elif described.status != 204:
        responses[str(described.status)]["content"] = _json({"type": "object"})
    statuses = ["400", "415", "422"] if described.body else []
    statuses += ["422"] if described.query else []
    statuses += ["401", "403"] if described.auth else []
    responses.update({status: error for status in statuses})
    responses["default"] = error
    return responses


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}
