"""POST /api/v1/statements (one or a list) and GET /api/v1/statements (the caller's own)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, current_app, g, jsonify

from quiz_service.core import db
from quiz_service.core.clock import now
from quiz_service.core.domain import Conflict, NotFound
from quiz_service.core.openapi import operation
from quiz_service.footprint import checkpoints, export, service, store
from quiz_service.footprint.schemas import StatementIdsOut, StatementResultOut, StatementsIn, StatementsQuery

api = Blueprint("footprint", __name__, url_prefix="/api/v1")


def init_app(app: Flask) -> None:
    from quiz_service.footprint import pages

    app.register_blueprint(api)
    pages.init_app(app)


@api.post("/statements")
@operation("Record xAPI statements of the signed-in user (one or a list; idempotent by id)",
           body=StatementsIn, response=StatementIdsOut, auth=True)  # fmt: skip
def post_statements(body: StatementsIn) -> StatementIdsOut:
    sender = service.Sender(g.user.id, g.user.email)
    config = current_app.config
    db.release_reader()
    with db.write_connection() as connection:
        ids = service.record(connection, body.root, sender, now(), config["FOOTPRINT_SITE_URL"],
                             config["FOOTPRINT_MAX_BATCH"])  # fmt: skip
    return StatementIdsOut(ids)


@api.get("/statements")
@operation("The signed-in user's own statements, oldest first (or one by statementId)",
           query=StatementsQuery, response=StatementResultOut, auth=True)  # fmt: skip
def get_statements(query: StatementsQuery) -> StatementResultOut | Response:
    with db.statement_connection() as connection:
        if query.statementId is not None:
            return jsonify(one_statement(connection, query.statementId))
        rows = store.statements_of(connection, g.user.id, query.after, query.limit)
    more = f"/api/v1/statements?after={rows[-1][0]}&limit={query.limit}" if len(rows) == query.limit else ""
    return StatementResultOut(statements=[statement for _, statement in rows], more=more)


def one_statement(connection: Any, statement_id: str) -> dict[str, Any]:
    found = store.statement_of(connection, g.user.id, statement_id.lower())
    if found is None:
        raise NotFound("statement_not_found", "You have no statement with this id.")
    return found


@api.get("/me/footprint")
@operation("Download your own footprint: statements, inclusion proofs, the signed checkpoint and the public key",
           auth=True, media_type="application/json")  # fmt: skip
def download_footprint() -> Response:
    folder = current_app.config["FOOTPRINT_DIR"]
    db.release_reader()
    with db.engine().connect() as connection:  # one transaction: rows read in batches (a cursor)
        latest = checkpoints.latest(connection)
        if latest is None:
            raise Conflict(
                "footprint_not_signed", "No checkpoint has been signed yet; try again in a few minutes."
            )
        data = export.dumps(
            export.export_of(connection, g.user.id, latest, checkpoints.published_key(folder))
        )
    response = Response(data, mimetype="application/json")
    response.headers["Content-Disposition"] = 'attachment; filename="footprint.json"'
    return response
