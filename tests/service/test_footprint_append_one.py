"""`store.append_one`, the answer save's statement: ONE statement on PostgreSQL (the head's UPDATE in
a CTE; the record and its leaf hash made by the server around the statement's canonical bytes).
Its rows are `row_of`'s byte for byte (Kazakh text, a defaulted timestamp, the service's own
statement), beside the API's path on one head; and two connections appending at once keep the
sequence gap-free and the head equal to the rows, a rolled-back number given to the next."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from footprint_helpers import SITE, statement
from sqlalchemy import Engine, select, text
from sqlalchemy.engine import Connection

from quiz_service.core import db
from quiz_service.footprint import checkpoints, store
from quiz_service.footprint.verify import verify_log

NOW = datetime(2026, 12, 7, 9, 30, 1, 250000, tzinfo=UTC)
POSTGRES_ONLY = pytest.mark.parametrize(
    "database_kind", [pytest.param("postgresql", marks=pytest.mark.postgres)]
)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = db.make_engine(database_url)
    yield engine
    engine.dispose()


def entry(user_id: int | None = 3, **changes: Any) -> store.Entry:
    actor = store.service_agent(SITE) if user_id is None else store.user_agent(SITE, user_id)
    return store.Entry(statement(**changes) | {"actor": actor}, user_id)


def stored_rows(engine: Engine) -> list[dict[str, Any]]:
    with engine.connect() as connection:
        query = select(store.STATEMENTS).order_by(store.STATEMENTS.c.seq)
        return [dict(row._mapping) for row in connection.execute(query)]


def head(engine: Engine) -> int:
    with engine.connect() as connection:
        return store.log_size(connection)


def assert_log_verifies(engine: Engine, folder: Path) -> None:
    """A checkpoint over the stored leaf hashes, then every record re-hashed against it."""
    with engine.connect() as connection:
        signed = checkpoints.make_checkpoint(connection, folder, SITE, NOW)
        connection.commit()
        assert signed is not None
        report = verify_log(store.all_rows(connection), [signed], checkpoints.published_key(folder))
    assert report.ok and report.records == head(engine), report.problems


def test_the_one_statement_row_is_row_of_byte_for_byte(engine: Engine, tmp_path: Path) -> None:
    kazakh = entry(result={"response": "Өрт сөндіргіш «ОП-4»", "completion": True})
    untimed = entry(user_id=4)
    del untimed.statement["timestamp"]  # the record's timestamp defaults to `stored`
    service = entry(user_id=None)
    by_the_api = entry(user_id=5)
    with engine.begin() as connection:
        store.append_one(connection, kazakh, NOW, SITE)
        store.append(connection, [by_the_api], NOW, SITE)
    for appended in (untimed, service):
        with engine.begin() as connection:
            store.append_one(connection, appended, NOW, SITE)
    rows = stored_rows(engine)
    expected = [
        store.row_of(seq, appended, store.content_hash(appended.statement), NOW, SITE)
        for seq, appended in enumerate([kazakh, by_the_api, untimed, service])
    ]
    assert rows == expected
    assert head(engine) == 4
    assert_log_verifies(engine, tmp_path / "footprint")


def wait_until_blocked(engine: Engine, backend: int) -> None:
    """Until the backend `backend` waits for a lock another transaction holds (read live)."""
    deadline = time.monotonic() + 60
    with engine.connect() as watcher:
        while not watcher.execute(
            text("SELECT cardinality(pg_blocking_pids(:pid)) > 0"), {"pid": backend}
        ).scalar_one():
            watcher.rollback()
            assert time.monotonic() < deadline, "the second appender never waited for the head"


def in_thread(work: Callable[[], None]) -> tuple[threading.Thread, list[BaseException]]:
    failures: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as error:  # handed to the test's thread
            failures.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, failures


@POSTGRES_ONLY
@pytest.mark.parametrize("first_ends", ["commit", "rollback"])
def test_a_second_appender_waits_for_the_head_and_numbers_on(
    engine: Engine, tmp_path: Path, first_ends: str
) -> None:
    first, second = entry(), entry(user_id=4)
    with engine.connect() as holder, engine.connect() as waiter:
        backend = waiter.execute(text("SELECT pg_backend_pid()")).scalar_one()
        waiter.rollback()
        holder.begin()
        store.append_one(holder, first, NOW, SITE)  # the head is locked until `holder` ends

        def append_second() -> None:
            with waiter.begin():
                store.append_one(waiter, second, NOW, SITE)

        thread, failures = in_thread(append_second)
        wait_until_blocked(engine, backend)
        holder.commit() if first_ends == "commit" else holder.rollback()
        thread.join(60)
        assert not thread.is_alive() and failures == []
    rows = stored_rows(engine)
    kept = [first, second] if first_ends == "commit" else [second]
    assert [(row["seq"], row["statement_id"]) for row in rows] == [
        (seq, kept_entry.statement["id"]) for seq, kept_entry in enumerate(kept)
    ]
    assert head(engine) == len(kept)
    assert_log_verifies(engine, tmp_path / "footprint")


@POSTGRES_ONLY
def test_two_connections_appending_at_once_keep_one_gap_free_sequence(engine: Engine, tmp_path: Path) -> None:
    """Two connections, 60 transactions each, at once: the answer save's path and the API's on one
    head, every fifth transaction rolled back (its number is given to the next)."""
    committed: list[list[str]] = [[], []]

    def appender(side: int) -> Callable[[], None]:
        def work() -> None:
            with engine.connect() as connection:
                for n in range(60):
                    appended = entry(user_id=side + 1)
                    transaction = connection.begin()
                    append(connection, n, appended)
                    if n % 5 == 4:
                        transaction.rollback()
                    else:
                        transaction.commit()
                        committed[side].append(appended.statement["id"])

        return work

    def append(connection: Connection, n: int, appended: store.Entry) -> None:
        if n % 3 == 2:
            store.append(connection, [appended], NOW, SITE)
        else:
            store.append_one(connection, appended, NOW, SITE)

    started = [in_thread(appender(side)) for side in (0, 1)]
    for thread, failures in started:
        thread.join(120)
        assert not thread.is_alive() and failures == []
    rows = stored_rows(engine)
    assert [row["seq"] for row in rows] == list(range(96))
    assert sorted(row["statement_id"] for row in rows) == sorted(itertools.chain(*committed))
    for side in (0, 1):  # each connection's statements in the order it committed them
        assert [row["statement_id"] for row in rows if row["user_id"] == side + 1] == committed[side]
    assert head(engine) == 96
    assert_log_verifies(engine, tmp_path / "footprint")
