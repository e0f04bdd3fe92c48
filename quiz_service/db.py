"""The database: one SQLAlchemy engine per app, a read session per request, write transactions.

Reads go through `session()`, which lives until the app context ends. Every change goes
through `with write_transaction() as s:`, a separate session whose transaction starts with
`BEGIN IMMEDIATE` on SQLite: a deferred transaction that later writes can fail with
"database is locked" in a way that busy_timeout does not retry.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import DateTime, Engine, MetaData, create_engine, event, exc, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.types import TypeDecorator

SQLITE_BUSY_TIMEOUT_MS = 10_000
WRITE_OPTION = "oqu_write"

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


def make_engine(url: str) -> Engine:
    """An engine for `url`, with oqu's SQLite settings and fork safety."""
    if url.startswith("sqlite"):
        engine = create_engine(url)
        _configure_sqlite(engine)
    else:
        engine = create_engine(url, pool_pre_ping=True)
    _guard_against_fork(engine)
    return engine


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def set_pragmas(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        # Let SQLAlchemy's "begin" event emit BEGIN instead of the driver.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in (
            "journal_mode = WAL",
            "foreign_keys = ON",
            f"busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}",
            "synchronous = FULL",
        ):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def begin(connection: Connection) -> None:
        writing = connection.get_execution_options().get(WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")


def _guard_against_fork(engine: Engine) -> None:
    """Never hand a pooled connection to another process (gunicorn forks workers)."""

    @event.listens_for(engine, "connect")
    def remember_pid(_dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        record.info["pid"] = os.getpid()

    @event.listens_for(engine, "checkout")
    def check_pid(_dbapi_connection: Any, record: ConnectionPoolEntry, proxy: Any) -> None:
        if record.info.get("pid") != os.getpid():
            record.dbapi_connection = proxy.dbapi_connection = None
            raise exc.DisconnectionError("connection created in another process")


class Database:
    """The engine and session factory of one app."""

    def __init__(self, url: str) -> None:
        self.engine = make_engine(url)
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
    app.extensions["oqu_db"] = Database(app.config["DATABASE_URL"])
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

    After the commit, the read session starts a new transaction (its objects reload), so
    that what the request reads next includes what it wrote.
    """
    with database().write_transaction() as writer:
        yield writer
    reader: Session | None = g.get("db_session")
    if reader is not None:
        reader.rollback()


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
