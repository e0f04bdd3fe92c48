"""The service's own statements are appended on the driver's cursor (the answer save's hot path):
the rows read back through the ORM as the API's path writes them, numbered on from the head, in
the publisher's transaction (gone with its rollback), on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from flask import Flask
from sqlalchemy import select

from quiz_service.core import db, events
from quiz_service.footprint import store
from quiz_service.footprint.merkle import leaf_hash
from quiz_service.footprint.models import FootprintStatement

SITE = "https://oqu.academy.example.kz/"
SAVED = datetime(2026, 12, 7, 9, 30, 1, 250000, tzinfo=UTC)


def saved(sequence: int) -> events.AnswerSaved:
    return events.AnswerSaved(7, 3, "fire-safety", "exam", "gas", '"C"', sequence, "tab-1", SAVED)


def test_service_statements_on_the_driver_cursor_read_back_as_written(app: Flask) -> None:
    app.config["FOOTPRINT_SITE_URL"] = SITE
    app.extensions["oqu_clock"] = lambda: SAVED
    with app.app_context():
        with db.database().writer_engine.begin() as connection:  # one by the API's path first
            body = {"id": "00000000-0000-4000-8000-000000000001", "actor": store.user_agent(SITE, 3),
                    "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"},
                    "object": {"id": f"{SITE}kk/courses/fire-safety/"}}  # fmt: skip
            store.append(connection, [store.Entry(body, 3)], SAVED, SITE)
        with db.database().writer_engine.begin() as connection:
            events.publish(connection, saved(1))
            events.publish(connection, saved(2))
        with pytest.raises(RuntimeError), db.database().writer_engine.begin() as connection:
            events.publish(connection, saved(3))
            raise RuntimeError("the save failed: its statement goes with it")
        with db.database().engine.connect() as connection:
            assert store.log_size(connection) == 3
        rows = db.session().scalars(select(FootprintStatement).order_by(FootprintStatement.seq)).all()
        assert [row.seq for row in rows] == [0, 1, 2]
        for row in rows[1:]:
            assert row.stored_at == SAVED and row.user_id == 3
            assert row.verb == "http://adlnet.gov/expapi/verbs/answered"
            assert row.leaf_hash == leaf_hash(row.record.encode()).hex()
            statement = json.loads(row.record)["statement"]
            assert statement["stored"] == "2026-12-07T09:30:01.250Z" and row.statement_id == statement["id"]
        assert rows[0].stored_at == rows[1].stored_at  # the same column value by either path
