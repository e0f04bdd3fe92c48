"""The statements store: append in one gap-free sequence, read back; never change or delete.

Every append locks the head row first (`SELECT … FOR UPDATE` on PostgreSQL, or the head's
`UPDATE` itself in `append_one`'s single statement; SQLite's writers are one at a time already),
then numbers its statements from the head's size: a transaction that rolls back gives its
numbers back with the head, so the sequence has no gap whichever process appends. A
statement id seen before is accepted once when its content is the same, refused (409) when it
is not.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.engine import Connection, Dialect

from quiz_service.core.domain import Conflict
from quiz_service.footprint.merkle import leaf_hash
from quiz_service.footprint.models import FootprintHead, FootprintStatement

STATEMENTS = cast(Table, FootprintStatement.__table__)
HEAD = cast(Table, FootprintHead.__table__)
XAPI_VERSION = "1.0.3"
# What the specification leaves out when it compares two statements of one id.
NOT_COMPARED = ("stored", "authority", "version")

Json = Any
# Built once: an answer save runs them, and building a statement costs more than running it.
MOVE_HEAD = (
    update(HEAD).where(HEAD.c.id == 1).values(size=HEAD.c.size + bindparam("count")).returning(HEAD.c.size)
)
SET_HEAD = update(HEAD).where(HEAD.c.id == 1).values(size=bindparam("size"))
INSERT_STATEMENTS = insert(STATEMENTS)


def canonical(value: Json) -> bytes:
    """One byte string per JSON value: keys sorted, no spaces, UTF-8 (what the leaf hashes)."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode()


def content_hash(statement: dict[str, Json]) -> str:
    compared = {key: value for key, value in statement.items() if key not in NOT_COMPARED}
    return hashlib.sha256(canonical(compared)).hexdigest()


def xapi_time(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def service_agent(site_url: str) -> dict[str, Json]:
    """The record store itself, as the authority of every statement (and the actor of its own)."""
    return {"objectType": "Agent", "account": {"homePage": site_url, "name": "oqu"}}


def user_agent(site_url: str, user_id: int) -> dict[str, Json]:
    """A user as an actor: an account on the site by the user's id (no name or e-mail is kept)."""
    return {"objectType": "Agent", "account": {"homePage": site_url, "name": str(user_id)}}


@dataclass(frozen=True)
class Entry:
    """A statement to append: complete (id, actor), as the client or the service gave it."""

    statement: dict[str, Json]
    user_id: int | None


@dataclass(frozen=True)
class Appended:
    ids: list[str]  # of every statement given, in order (a repeated one included)
    new: int  # how many were new


COLUMNS = (
    "seq",
    "statement_id",
    "user_id",
    "verb",
    "object_id",
    "stored_at",
    "content_hash",
    "record",
    "leaf_hash",
)
# SQLite's hot path: two statements on the driver's cursor (sqlite3 runs them in this process).
SQLITE_MOVE_HEAD = "UPDATE footprint_head SET size = size + 1 WHERE id = 1 RETURNING size"
SQLITE_INSERT = (
    f"INSERT INTO footprint_statements ({', '.join(COLUMNS)}) VALUES ({', '.join(':' + c for c in COLUMNS)})"
)
# PostgreSQL's: ONE statement, one round trip. The head is moved (and locked) by the CTE's
# UPDATE; the row takes its number from it, and the server puts the record together around the
# statement's canonical bytes exactly as `row_of` does — `{"seq":N,"statement":…}` is what
# `canonical` makes of that dict, its keys sorted — and hashes it as `merkle.leaf_hash` does:
# SHA-256(0x00 || the record's UTF-8 bytes), hex. A test compares the row with `row_of`'s.
POSTGRES_APPEND_ONE = (
    "WITH head AS (UPDATE footprint_head SET size = size + 1 WHERE id = 1 RETURNING size - 1 AS seq), "
    "made AS (SELECT seq, '{\"seq\":' || seq || ',\"statement\":' || %(statement)s::text || '}' AS record "
    "FROM head) "
    f"INSERT INTO footprint_statements ({', '.join(COLUMNS)}) "
    "SELECT seq, %(statement_id)s::text, %(user_id)s::integer, %(verb)s::text, %(object_id)s::text, "
    "%(stored_at)s::timestamptz, %(content_hash)s::text, record, "
    "encode(sha256('\\x00'::bytea || convert_to(record, 'UTF8')), 'hex') FROM made"
)


def append_one(connection: Connection, entry: Entry, now: datetime, site_url: str) -> None:
    """Append a statement the service has just made (a fresh id: it cannot be known already), in
    the caller's transaction: the hot path of an answer save. On the driver's own cursor
    (SQLAlchemy's execution machinery cost as much as the rest of the statement,
    bench/footprint.py); on PostgreSQL one statement, a round trip less than the head's UPDATE
    and the INSERT apart; the head row stays locked until the caller's transaction ends, so the
    numbers stay gap-free whichever process appends."""
    name = connection.dialect.name
    if name not in ("sqlite", "postgresql"):  # pragma: no cover - the service runs on these two
        start = int(connection.execute(MOVE_HEAD, {"count": 1}).scalar_one()) - 1
        connection.execute(
            INSERT_STATEMENTS, [row_of(start, entry, content_hash(entry.statement), now, site_url)]
        )
        return
    driver = connection.connection.driver_connection
    assert driver is not None
    cursor = driver.cursor()
    try:
        if name == "postgresql":
            values = postgres_values(entry, now, site_url, stored_value(connection, now))
            # prepared by psycopg from its fifth run on a connection (`prepare_threshold`), not
            # forced: a pooler that cannot keep prepared statements turns that off
            cursor.execute(POSTGRES_APPEND_ONE, values)
        else:
            cursor.execute(SQLITE_MOVE_HEAD)
            row = row_of(int(cursor.fetchone()[0]) - 1, entry, content_hash(entry.statement), now, site_url)
            cursor.execute(SQLITE_INSERT, row | {"stored_at": stored_value(connection, now)})
    finally:
        cursor.close()


def postgres_values(entry: Entry, now: datetime, site_url: str, stored_at: Any) -> dict[str, Json]:
    """The parameters of `POSTGRES_APPEND_ONE`: `row_of`'s columns but the three the server makes
    from the number it takes (seq, record, leaf_hash), and the statement's canonical text."""
    statement = stored_statement(entry, now, site_url)
    return {
        "statement": canonical(statement).decode(),
        "statement_id": statement["id"],
        "user_id": entry.user_id,
        "verb": statement["verb"]["id"],
        "object_id": statement["object"].get("id", ""),
        "stored_at": stored_at,
        "content_hash": content_hash(entry.statement),
    }


def stored_value(connection: Connection, now: datetime) -> Any:
    """`stored_at` as the column's type gives it to the driver (UTCDateTime: naive UTC text on SQLite)."""
    processor = stored_at_processor(connection.dialect)
    return processor(now) if processor is not None else now


@lru_cache(maxsize=8)  # one per dialect: an engine or two in a process
def stored_at_processor(dialect: Dialect) -> Callable[[Any], Any] | None:
    return STATEMENTS.c.stored_at.type.dialect_impl(dialect).bind_processor(dialect)


def append(connection: Connection, entries: Sequence[Entry], now: datetime, site_url: str) -> Appended:
    """Append the new statements at the end of the sequence, in the caller's transaction."""
    size = lock_head(connection)
    known = recorded_hashes(connection, [entry.statement["id"] for entry in entries])
    rows: list[dict[str, Json]] = []
    for position, entry in enumerate(entries):
        statement_id, compared = entry.statement["id"], content_hash(entry.statement)
        if statement_id in known:
            if known[statement_id] != compared:
                where = f"[{position}].id" if len(entries) > 1 else "id"
                raise Conflict(
                    "statement_conflict",
                    f"{where}: the statement {statement_id} was recorded with other content",
                )
            continue
        known[statement_id] = compared
        rows.append(row_of(size + len(rows), entry, compared, now, site_url))
    if rows:
        connection.execute(INSERT_STATEMENTS, rows)
        connection.execute(SET_HEAD, {"size": size + len(rows)})
    return Appended([entry.statement["id"] for entry in entries], len(rows))


def lock_head(connection: Connection) -> int:
    """The log's size, with its head row locked until the transaction ends."""
    query = select(HEAD.c.size).where(HEAD.c.id == 1)
    if connection.dialect.name == "postgresql":
        query = query.with_for_update()
    return int(connection.execute(query).scalar_one())


def recorded_hashes(connection: Connection, ids: list[str]) -> dict[str, str]:
    query = select(STATEMENTS.c.statement_id, STATEMENTS.c.content_hash).where(
        STATEMENTS.c.statement_id.in_(ids)
    )
    return {row.statement_id: row.content_hash for row in connection.execute(query)}


def stored_statement(entry: Entry, now: datetime, site_url: str) -> dict[str, Json]:
    """The statement as the record keeps it: stored now, by the service's authority, version 1.0.3."""
    statement = entry.statement | {
        "stored": xapi_time(now),
        "authority": service_agent(site_url),
        "version": XAPI_VERSION,
    }
    statement.setdefault("timestamp", statement["stored"])
    return statement


def row_of(seq: int, entry: Entry, compared: str, now: datetime, site_url: str) -> dict[str, Json]:
    statement = stored_statement(entry, now, site_url)
    record = canonical({"seq": seq, "statement": statement})
    return {
        "seq": seq,
        "statement_id": statement["id"],
        "user_id": entry.user_id,
        "verb": statement["verb"]["id"],
        "object_id": statement["object"].get("id", ""),
        "stored_at": now,
        "content_hash": compared,
        "record": record.decode(),
        "leaf_hash": leaf_hash(record).hex(),
    }


# -- reading ------------------------------------------------------------------------------


def statements_of(
    connection: Connection, user_id: int, after: int, limit: int
) -> list[tuple[int, dict[str, Json]]]:
    """The user's statements after the sequence number `after` (-1: from the first), oldest first."""
    query = (
        select(STATEMENTS.c.seq, STATEMENTS.c.record)
        .where(STATEMENTS.c.user_id == user_id, STATEMENTS.c.seq > after)
        .order_by(STATEMENTS.c.seq)
        .limit(limit)
    )
    return [(row.seq, json.loads(row.record)["statement"]) for row in connection.execute(query)]


def statement_of(connection: Connection, user_id: int, statement_id: str) -> dict[str, Json] | None:
    query = select(STATEMENTS.c.record).where(
        STATEMENTS.c.statement_id == statement_id, STATEMENTS.c.user_id == user_id
    )
    record = connection.execute(query).scalar_one_or_none()
    return None if record is None else cast(dict[str, Json], json.loads(record)["statement"])


Row = tuple[int, bytes, str]  # seq, the record's bytes, the stored leaf hash (hex)

ALL_ROWS = {
    "sqlite": "SELECT seq, CAST(record AS BLOB), leaf_hash FROM footprint_statements ORDER BY seq",
    "postgresql": "SELECT seq, convert_to(record, 'UTF8'), leaf_hash FROM footprint_statements ORDER BY seq",
}


def all_rows(connection: Connection, batch: int = 10_000) -> Iterator[Row]:
    """Every row in sequence order, as stored (nothing is trusted here): read with the driver's
    own cursor in batches (a server-side cursor on PostgreSQL), the record as its bytes, because
    verifying a million records is mostly this loop."""
    driver = connection.connection.driver_connection
    assert driver is not None
    postgres = connection.dialect.name == "postgresql"
    cursor = driver.cursor(name="footprint_rows") if postgres else driver.cursor()
    try:
        cursor.execute(ALL_ROWS["postgresql" if postgres else "sqlite"])
        while rows := cursor.fetchmany(batch):
            yield from rows
    finally:
        cursor.close()


def leaf_hashes(connection: Connection, size: int, batch: int = 50_000) -> Iterator[bytes]:
    """The stored leaf hashes of the first `size` records, in order, as bytes."""
    driver = connection.connection.driver_connection
    assert driver is not None
    postgres = connection.dialect.name == "postgresql"
    cursor = driver.cursor(name="footprint_leaves") if postgres else driver.cursor()
    try:
        cursor.execute(
            f"SELECT leaf_hash FROM footprint_statements WHERE seq >= 0 AND seq < {int(size)} ORDER BY seq"
        )
        while rows := cursor.fetchmany(batch):
            yield from (bytes.fromhex(row[0]) for row in rows)
    finally:
        cursor.close()


ROWS_FROM = "SELECT seq, CAST(record AS BLOB), leaf_hash FROM footprint_statements WHERE seq >= ? ORDER BY seq LIMIT ?"


def read_only(path: str) -> sqlite3.Connection:
    """A read-only connection of this process's own to the SQLite file at `path` (any characters)."""
    return sqlite3.connect(Path(path).resolve().as_uri() + "?mode=ro", uri=True)


def sqlite_rows(path: str, start: int = 0, limit: int = -1, batch: int = 10_000) -> Iterator[Row]:
    """`all_rows` of a SQLite file through a connection of its own (read-only: a verifying worker
    process's), from `start` (all rows when it is 0 and `limit` -1, a negative number included)."""
    with closing(read_only(path)) as connection:
        if start == 0 and limit < 0:
            cursor = connection.execute(ALL_ROWS["sqlite"])
        else:
            cursor = connection.execute(ROWS_FROM, (start, limit))
        while rows := cursor.fetchmany(batch):
            yield from rows


def log_size(connection: Connection) -> int:
    return int(connection.execute(select(HEAD.c.size).where(HEAD.c.id == 1)).scalar_one())
