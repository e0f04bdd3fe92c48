"""Forwarding to an external LRS (issue 13 §7) against a real HTTP LRS on loopback: every statement
stored there once, in order, after failures and retries; the cursor moves only past what was taken."""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from footprint_helpers import SITE, statement

from quiz_service.core import db
from quiz_service.footprint import forwarding, store
from quiz_service.footprint.store import Entry

NOW = datetime(2026, 12, 7, 6, 0, tzinfo=UTC)


class StubLrs:
    """The receiving side: stores statements by id (xAPI PUT), 204 for the same again, 409 for
    other content; `fail_after_storing` answers 500 to that many PUTs after storing them (a lost
    answer), `down` refuses everything with 503."""

    def __init__(self) -> None:
        self.stored: dict[str, dict[str, Any]] = {}
        self.order: list[str] = []
        self.puts: Counter[str] = Counter()
        self.fail_after_storing: set[int] = set()  # the numbers of PUTs (1-based) to answer 500
        self.down = False
        self.auth: set[str] = set()
        self.lock = threading.Lock()


@pytest.fixture
def lrs() -> Iterator[tuple[StubLrs, str]]:
    stub = StubLrs()

    class Handler(BaseHTTPRequestHandler):
        def do_PUT(self) -> None:
            parts = urlsplit(self.path)
            statement_id = parse_qs(parts.query).get("statementId", [""])[0]
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            with stub.lock:
                stub.auth.add(self.headers.get("Authorization", ""))
                if stub.down:
                    return self.answer(503)
                if parts.path != "/xapi/statements" or body.get("id") != statement_id:
                    return self.answer(400)
                if self.headers.get("X-Experience-API-Version") != "1.0.3":
                    return self.answer(400)
                stub.puts[statement_id] += 1
                number = sum(stub.puts.values())
                if statement_id in stub.stored:
                    return self.answer(204 if stub.stored[statement_id] == body else 409)
                stub.stored[statement_id] = body
                stub.order.append(statement_id)
                return self.answer(500 if number in stub.fail_after_storing else 204)

        def answer(self, status: int) -> None:
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield stub, f"http://127.0.0.1:{server.server_address[1]}/xapi/"
    server.shutdown()
    server.server_close()


@pytest.fixture
def app_config(app_config: dict[str, Any], lrs: tuple[StubLrs, str]) -> dict[str, Any]:
    return app_config | {"FOOTPRINT_SITE_URL": SITE, "FOOTPRINT_LRS_URL": lrs[1], "FOOTPRINT_LRS_KEY": "oqu",
                         "FOOTPRINT_LRS_SECRET": "құпия"}  # fmt: skip


def append(app: Flask, count: int) -> list[str]:
    ids = []
    with app.app_context(), db.database().writer_engine.begin() as connection:
        for _ in range(count):
            value = statement() | {"actor": store.user_agent(SITE, 7)}
            store.append(connection, [Entry(value, 7)], NOW, SITE)
            ids.append(value["id"])
    return ids


def test_each_statement_is_stored_once_in_order_through_failures(
    app: Flask, lrs: tuple[StubLrs, str]
) -> None:
    stub, _ = lrs
    ids = append(app, 5)
    stub.fail_after_storing = {3}  # the third is stored, but its answer is lost
    with app.app_context():
        target = forwarding.configured_target()
        assert target is not None
        with pytest.raises(forwarding.ForwardingError, match="500"):
            forwarding.forward(target, batch=2)
        with db.engine().connect() as reader:
            assert forwarding.cursor(reader, target.url) == 2  # past the two accepted ones only
        stub.down = True
        with pytest.raises(forwarding.ForwardingError, match="503"):
            forwarding.forward(target)  # the LRS is down: the job fails and is retried later
        stub.down = False
        assert forwarding.forward(target, batch=2) == 3  # the third again, the fourth, the fifth
        assert forwarding.forward(target) == 0  # nothing new: nothing sent
        more = append(app, 2)
        assert forwarding.forward(target) == 2
    assert stub.order == ids + more  # stored once each, in the log's order
    assert stub.puts[ids[2]] == 2 and all(stub.puts[i] == 1 for i in ids + more if i != ids[2])
    assert stub.stored[ids[0]]["stored"] and stub.stored[ids[0]]["actor"]["account"]["name"] == "7"
    assert stub.auth == {"Basic b3F1OtKb0rHQv9C40Y8="}  # key:secret, UTF-8, base64


def test_other_content_under_our_id_is_a_conflict(app: Flask, lrs: tuple[StubLrs, str]) -> None:
    stub, _ = lrs
    (first,) = append(app, 1)
    stub.stored[first] = {"id": first, "something": "else"}
    with app.app_context():
        target = forwarding.configured_target()
        assert target is not None
        with pytest.raises(forwarding.ForwardingError, match="409"):
            forwarding.forward(target)
        with db.engine().connect() as reader:
            assert forwarding.cursor(reader, target.url) == 0


def test_the_job_runs_and_nothing_without_a_target(app: Flask, lrs: tuple[StubLrs, str]) -> None:
    stub, _ = lrs
    ids = append(app, 3)
    with app.app_context():
        forwarding.forward_job(None)  # type: ignore[arg-type]
        app.config["FOOTPRINT_LRS_URL"] = ""
        assert forwarding.configured_target() is None
    assert stub.order == ids
