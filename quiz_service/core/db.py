"""The database: one SQLAlchemy engine per app, a read session per request, write transactions.

Reads go through `session()`, which lives until the app context ends. Every change goes
through `with write_transaction() as s:`, a separate session whose transaction starts with
`BEGIN IMMEDIATE` on SQLite: a deferred transaction that later writes can fail with
"database is locked" in a way that busy_timeout does not retry.

On SQLite, writers also queue on a `WriterQueue` (a thread lock plus flock on a file beside
the database) before BEGIN IMMEDIATE: SQLite's own busy handler makes a writer that finds the
lock taken sleep and poll with back-off (up to 100 ms a try), so with several gunicorn
processes most of the waiting is sleeping while the lock is already free; a writer queued
in the kernel wakes the moment the previous one commits.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import DateTime, Engine, MetaData, create_engine, event, exc, make_url, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.types import TypeDecorator

from quiz_service.core import readiness

SQLITE_BUSY_TIMEOUT_MS = 10_000
WRITE_OPTION = "oqu_write"
STATEMENT_OPTION = "oqu_statement"  # SQLite: no BEGIN, each statement its own transaction
WRITER_TURN = "oqu_writer_turn"

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """The declarative base of every model; Alembic compares against its metadata."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime on every backend (SQLite keeps no time zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def make_engine(url: str, sqlite_synchronous: str = "FULL") -> Engine:
    """An engine for `url`, with oqu's SQLite settings (writers queue on a `WriterQueue`) and fork safety."""
    if url.startswith("sqlite"):
        engine = create_engine(url)
        _configure_sqlite(engine, writer_queue(url), sqlite_synchronous)
    else:
        engine = create_engine(url, pool_pre_ping=True)
    _guard_against_fork(engine)
    return engine


def _configure_sqlite(engine: Engine, writers: WriterQueue | None, synchronous: str) -> None:
    if synchronous not in ("FULL", "NORMAL", "OFF"):
        raise ValueError(f"unknown SQLite synchronous setting {synchronous!r}")

    @event.listens_for(engine, "connect")
    def set_pragmas(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        # Let SQLAlchemy's "begin" event emit BEGIN instead of the driver.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in (
            "journal_mode = WAL",
            "foreign_keys = ON",
            f"busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}",
            f"synchronous = {synchronous}",
        ):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def begin(connection: Connection) -> None:
        options = connection.get_execution_options()
        if options.get(STATEMENT_OPTION, False):
            return  # autocommit: one SELECT is consistent on its own
        writing = options.get(WRITE_OPTION, False)
        if writing and writers is not None:
            take_turn(connection, writers)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")

    if writers is not None:

        @event.listens_for(engine, "checkin")
        def give_turn_back(_dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
            if record.info.pop(WRITER_TURN, False):
                writers.release()


def take_turn(connection: Connection, writers: WriterQueue) -> None:
    """Queue for the write lock; the connection keeps its turn until it goes back to the pool
    (right after COMMIT or ROLLBACK), so the holder never waits for a pooled connection."""
    info = connection.connection.info
    if not info.get(WRITER_TURN):
        writers.acquire()
        info[WRITER_TURN] = True


def _guard_against_fork(engine: Engine) -> None:
    """Never hand a pooled connection to another process (gunicorn forks workers)."""

    @event.listens_for(engine, "connect")
    def remember_pid(_dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        record.info["pid"] = os.getpid()

    @event.listens_for(engine, "checkout")
    def check_pid(_dbapi_connection: Any, record: ConnectionPoolEntry, proxy: Any) -> None:
        if record.info.get("pid") != os.getpid():
            record.dbapi_connection = proxy.dbapi_connection = None  # type: ignore[misc]  # SQLAlchemy's documented recipe
            raise exc.DisconnectionError("connection created in another process")


class WriterQueue:
    """One SQLite writer at a time on this host, waiting in a queue instead of SQLite's sleeps.

    A thread lock orders the threads of a process, flock on `path` the processes (each process
    opens the file itself: a descriptor inherited over fork would share the lock). The kernel
    drops the flock of a process that dies, and gunicorn kills a worker that hangs, so a
    crashed holder never blocks the others. Correctness does not rest on it: BEGIN IMMEDIATE
    and busy_timeout still guard writers that do not queue here (another tool on the file).
    """

    def __init__(self, path: str | None) -> None:
        self.path = path
        self.threads = threading.Lock()
        self._descriptor: int | None = None
        self._pid = 0

    def acquire(self) -> None:
        if not self.threads.acquire(timeout=SQLITE_BUSY_TIMEOUT_MS / 1000):
            raise exc.OperationalError("BEGIN IMMEDIATE", {}, sqlite3.OperationalError("database is locked"))
        try:
            descriptor = self._file()
            if descriptor is not None:
                fcntl.flock(descriptor, fcntl.LOCK_EX)
        except BaseException:
            self.threads.release()
            raise

    def release(self) -> None:
        try:
            if self._descriptor is not None and self._pid == os.getpid():
                fcntl.flock(self._descriptor, fcntl.LOCK_UN)
        finally:
            self.threads.release()

    def _file(self) -> int | None:
        if self.path is None:
            return None
        if self._pid != os.getpid():
            self._descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            self._pid = os.getpid()
        return self._descriptor


def writer_queue(url: str) -> WriterQueue | None:
    """The queue of an SQLite database (a file beside it; threads only in memory), None for others."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    database = parsed.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return WriterQueue(None)
    return WriterQueue(os.path.abspath(database) + "-writer.lock")


class Database:
    """The engine and session factory of one app."""

    def __init__(self, url: str, sqlite_synchronous: str = "FULL") -> None:
        self.engine = make_engine(url, sqlite_synchronous)
        self.writer_engine = self.engine.execution_options(**{WRITE_OPTION: True})
        # Single reads (the bearer token on every API request) without BEGIN and ROLLBACK.
        autocommit = (
            {STATEMENT_OPTION: True} if url.startswith("sqlite") else {"isolation_level": "AUTOCOMMIT"}
        )
        self.statement_engine = self.engine.execution_options(**autocommit)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def write_transaction(self) -> Iterator[Session]:
        with self.sessions() as writer:
            writer.connection(execution_options={WRITE_OPTION: True})
            try:
                yield writer
                writer.commit()
            except BaseException:
                writer.rollback()
                raise


def init_app(app: Flask) -> None:
    app.extensions["oqu_db"] = Database(app.config["DATABASE_URL"], app.config["SQLITE_SYNCHRONOUS"])
    readiness.register(app, "database", lambda: "ok" if check_connection() else "down")
    app.teardown_request(write_pending_changes)
    app.teardown_appcontext(close_session)


def database() -> Database:
    db: Database = current_app.extensions["oqu_db"]
    return db


def engine() -> Engine:
    return database().engine


def session() -> Session:
    """The read session of the current app context."""
    if "db_session" not in g:
        g.db_session = database().sessions()
    current: Session = g.db_session
    return current


@contextmanager
def write_transaction() -> Iterator[Session]:
    """A session in a writing transaction: committed at the end, rolled back on error.

    The changes given to `write_soon` are written in it too, just before the commit. After
    the commit, the read session starts a new transaction (its objects reload), so that what
    the request reads next includes what it wrote.
    """
    pending: list[PendingChange] = g.get(PENDING, [])
    taken = list(pending)
    with database().write_transaction() as writer:
        yield writer
        for change in taken:
            change(writer)
    for change in taken:
        pending.remove(change)
    reader: Session | None = g.get("db_session")
    if reader is not None:
        reader.rollback()


@contextmanager
def write_connection() -> Iterator[Connection]:
    """A Core connection in a writing transaction (the hot path of an answer save: no ORM session).

    The same transaction as `write_transaction` (BEGIN IMMEDIATE and the writer queue on
    SQLite), committed at the end, rolled back on error; the changes given to `write_soon`
    are written in it too (in a session joined to it, only when there are some).
    """
    pending: list[PendingChange] = g.get(PENDING, [])
    taken = list(pending)
    with database().writer_engine.begin() as connection:
        yield connection
        if taken:
            with Session(bind=connection) as joined:
                for change in taken:
                    change(joined)
                joined.flush()
    for change in taken:
        pending.remove(change)
    reader: Session | None = g.get("db_session")
    if reader is not None:
        reader.rollback()


@contextmanager
def statement_connection() -> Iterator[Connection]:
    """A Core connection in autocommit, given back at once (no ORM session, no BEGIN and ROLLBACK):
    for a single read, which is consistent on its own."""
    with database().statement_engine.connect() as connection:
        yield connection


PendingChange = Callable[[Session], None]
PENDING = "db_pending_changes"


def write_soon(change: PendingChange) -> None:
    """Write `change` with the request's next write transaction, or in one of its own when the
    request ends: bookkeeping (a token's last use) then adds no commit to a request that writes."""
    g.setdefault(PENDING, []).append(change)


def write_pending_changes(_error: BaseException | None = None) -> None:
    """At the end of a request, the changes no write transaction took (the request wrote nothing,
    or its write failed)."""
    pending: list[PendingChange] = g.pop(PENDING, [])
    if not pending:
        return
    close_session()  # one connection at a time
    try:
        with write_transaction() as writer:
            for change in pending:
                change(writer)
    except exc.SQLAlchemyError:
        current_app.logger.exception("bookkeeping changes at the end of the request were not written")


def close_session(_error: BaseException | None = None) -> None:
    current = g.pop("db_session", None)
    if current is not None:
        current.close()


def check_connection() -> bool:
    """Whether the database answers a trivial query."""
    try:
        with engine().connect() as connection:
            connection.execute(text("SELECT 1"))
    except exc.SQLAlchemyError:
        return False
    return True


def release_reader() -> None:
    """Give the read connection back before a write: a request never holds one connection while
    waiting for another (with threads sharing a pool, that is how pools deadlock)."""
    reader = g.get("db_session")
    if reader is not None:
        reader.close()
