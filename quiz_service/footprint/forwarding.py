"""Forwarding to an external LRS (issue 13 §7): every statement, in order, once per target.

`oqu worker` runs `footprint.forward` every minute when `OQU_FOOTPRINT_LRS_URL` is set. It reads
the target's cursor (`footprint_forwarding.next_seq`), sends the statements from there one by
one as `PUT <url>statements?statementId=<id>` (xAPI 1.0.3 §2.1: the receiving LRS stores a
statement id once; the same statement again is 204, other content under that id 409), and
moves the cursor after each accepted batch. A failure (the LRS down, a 5xx, a timeout) raises:
the job is retried with the queue's backoff and starts again from the cursor, so a statement
accepted before the failure may be sent again, and the receiving side's idempotence by id
makes it stored once. A 409 is a real conflict (the target holds other content under our id):
the job fails and says which statement.
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from flask import current_app
from sqlalchemy import Table, insert, select, update
from sqlalchemy.engine import Connection

from quiz_service.core import db
from quiz_service.core.jobs import JobRun, periodic
from quiz_service.footprint import store
from quiz_service.footprint.models import FootprintForwarding

FORWARDING = cast(Table, FootprintForwarding.__table__)
EVERY = timedelta(minutes=1)
XAPI_VERSION = "1.0.3"


class ForwardingError(Exception):
    """The target refused a statement or could not be reached (the job is retried)."""


@dataclass(frozen=True)
class Target:
    url: str  # the LRS's endpoint, ending with "/" (statements are at <url>statements)
    key: str = ""
    secret: str = ""
    timeout: float = 10.0

    def headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "X-Experience-API-Version": XAPI_VERSION}
        if self.key or self.secret:
            token = base64.b64encode(f"{self.key}:{self.secret}".encode()).decode("ascii")
            headers["Authorization"] = f"Basic {token}"
        return headers


def configured_target() -> Target | None:
    config = current_app.config
    url = str(config.get("FOOTPRINT_LRS_URL") or "")
    if not url:
        return None
    return Target(url.rstrip("/") + "/", config.get("FOOTPRINT_LRS_KEY", ""),
                  config.get("FOOTPRINT_LRS_SECRET", ""), float(config.get("FOOTPRINT_LRS_TIMEOUT", 10)))  # fmt: skip


@periodic("footprint.forward", every=EVERY)
def forward_job(_run: JobRun) -> None:
    target = configured_target()
    if target is not None:
        forward(target, int(current_app.config.get("FOOTPRINT_LRS_BATCH", 500)))


def forward(target: Target, batch: int = 500) -> int:
    """Send what the target has not received yet, `batch` statements at a time; how many were sent.
    Raises ForwardingError at the first refusal (the cursor stays after the last accepted one)."""
    database = db.database()
    sent = 0
    while True:
        with database.engine.connect() as reader:
            start = cursor(reader, target.url)
            rows = reader.execute(
                select(store.STATEMENTS.c.seq, store.STATEMENTS.c.record)
                .where(store.STATEMENTS.c.seq >= start)
                .order_by(store.STATEMENTS.c.seq)
                .limit(batch)
            ).all()
        if not rows:
            return sent
        accepted = start
        try:
            for seq, record in rows:
                put_statement(target, json.loads(record)["statement"])
                accepted, sent = seq + 1, sent + 1
        finally:
            if accepted > start:
                with database.writer_engine.begin() as writer:
                    move_cursor(writer, target.url, accepted, db.utcnow())


def cursor(connection: Connection, target: str) -> int:
    found = connection.execute(select(FORWARDING.c.next_seq).where(FORWARDING.c.target == target)).scalar()
    return int(found or 0)


def move_cursor(writer: Connection, target: str, next_seq: int, moment: datetime) -> None:
    moved = writer.execute(
        update(FORWARDING)
        .where(FORWARDING.c.target == target, FORWARDING.c.next_seq < next_seq)
        .values(next_seq=next_seq, updated_at=moment)
    ).rowcount
    if (
        not moved
        and writer.execute(select(FORWARDING.c.target).where(FORWARDING.c.target == target)).first() is None
    ):
        writer.execute(insert(FORWARDING).values(target=target, next_seq=next_seq, updated_at=moment))


def put_statement(target: Target, statement: dict[str, Any]) -> None:
    address = f"{target.url}statements?statementId={statement['id']}"
    body = json.dumps(statement, ensure_ascii=False, separators=(",", ":")).encode()
    request = urllib.request.Request(address, data=body, method="PUT", headers=target.headers())
    try:
        with urllib.request.urlopen(request, timeout=target.timeout) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        if error.code == 409:
            raise ForwardingError(f"{address}: the LRS holds other content under this id (409)") from None
        raise ForwardingError(f"{address}: {error.code} {error.reason}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise ForwardingError(f"{address}: {error}") from None
    if status not in (200, 204):
        raise ForwardingError(f"{address}: unexpected {status}")
