"""GET /api/v1/health, GET /api/v1/ready and GET /api/v1/openapi.json."""

from __future__ import annotations

from typing import Literal

from flask import Blueprint, Response, current_app, jsonify
from pydantic import BaseModel

from quiz_service.core import db, readiness, service_bundle
from quiz_service.core.errors import ApiError
from quiz_service.core.openapi import build_spec, operation

bp = Blueprint("api", __name__, url_prefix="/api/v1")
OPENAPI_SPEC = "oqu_openapi_spec"  # app.extensions key of the app's described API


class Health(BaseModel):
    status: Literal["ok"]
    database: Literal["ok"]
    service_bundle: Literal["loaded", "missing"]


@bp.get("/health")
@operation("Whether the service and its database answer", response=Health)
def health() -> Health:
    if not db.check_connection():
        raise ApiError(503, "database_unavailable", "The database does not answer.")
    bundle: Literal["loaded", "missing"] = (
        "loaded" if service_bundle.current().manifest is not None else "missing"
    )
    return Health(status="ok", database="ok", service_bundle=bundle)


class Readiness(BaseModel):
    ready: bool
    checks: dict[str, Literal["ok", "down", "not_used"]]


@bp.get("/ready")
@operation(
    "Whether this host can serve now: the database, Redis and the job queue (503 if not)", response=Readiness
)
def ready() -> Response:
    states = readiness.report()
    body = Readiness(ready=readiness.is_ready(states), checks=states)
    response = jsonify(body.model_dump())
    response.status_code = 200 if body.ready else 503
    if not body.ready:
        response.headers["Retry-After"] = "5"
    return response


@bp.get("/openapi.json")
@operation("This API, described in OpenAPI 3.1")
def openapi_json() -> Response:
    """Described at the app's first request for it (~0.1 s of CPU: every rule and pydantic's
    schemas) and kept for the app: its routes and models cannot change once it serves (Flask
    refuses a route added after the first request)."""
    spec = current_app.extensions.get(OPENAPI_SPEC)
    if spec is None:
        spec = current_app.extensions[OPENAPI_SPEC] = build_spec(current_app)
    return jsonify(spec)
