"""quiz_service.core.db: SQLite settings, BEGIN IMMEDIATE for writes, reads that follow writes."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import event, func, select, text
from sqlalchemy.orm import Session

from auth import service
from auth.models import Role, User
from quiz_service.core import db


def test_reads_after_a_write_see_it(app: Flask, make_user: Callable[..., User]) -> None:
    user = make_user(full_name="Айгерім")
    with app.app_context():
        assert db.session().get_one(User, user.id).full_name == "Айгерім"
        with db.write_transaction() as writer:
            writer.get_one(User, user.id).full_name = "Айгерім Сапарова"
        assert db.session().get_one(User, user.id).full_name == "Айгерім Сапарова"


def test_a_failed_write_changes_nothing(app: Flask, make_user: Callable[..., User]) -> None:
    user = make_user(full_name="Айгерім")
    with app.app_context():
        with pytest.raises(RuntimeError), db.write_transaction() as writer:
            writer.get_one(User, user.id).full_name = "changed"
            writer.flush()
            raise RuntimeError("interrupted")
        assert db.session().get_one(User, user.id).full_name == "Айгерім"


def test_sqlite_settings_and_begin_immediate(tmp_path: Path) -> None:
    database = db.Database(f"sqlite:///{tmp_path}/oqu.sqlite3")
    statements: list[str] = []
    event.listen(database.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    with database.write_transaction() as writer:
        pragmas = {
            name: writer.execute(text(f"PRAGMA {name}")).scalar()
            for name in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous")
        }
    assert pragmas == {"journal_mode": "wal", "foreign_keys": 1, "busy_timeout": 10_000, "synchronous": 2}
    assert statements[0] == "BEGIN IMMEDIATE"
    with database.sessions() as reader:
        reader.execute(text("SELECT 1"))
    assert statements[-2:] == ["BEGIN", "SELECT 1"]
    database.engine.dispose()


def test_parallel_writers_all_succeed(app: Flask) -> None:
    def add_users(worker: int) -> None:
        with app.app_context():
            for number in range(10):
                with db.write_transaction() as writer:
                    # Read, then write, in one transaction: the pattern that fails under a
                    # deferred BEGIN on SQLite.
                    writer.scalar(select(func.count()).select_from(User))
                    service.create_user(writer, f"w{worker}-{number}@oqu.example.kz", Role.STUDENT)

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(add_users, range(8)))
    with app.app_context():
        assert db.session().scalar(select(func.count()).select_from(User)) == 80


def test_sqlite_writers_queue_on_a_lock_file_other_processes_see(tmp_path: Path) -> None:
    """While a write transaction is open its process holds flock on the queue's file; COMMIT gives it back."""
    database = db.Database(f"sqlite:///{tmp_path}/oqu.sqlite3")
    lock_file = tmp_path / "oqu.sqlite3-writer.lock"

    def taken_by_another_holder() -> bool:
        descriptor = os.open(
            lock_file, os.O_RDWR | os.O_CREAT
        )  # a descriptor of its own, as another process has
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        finally:
            os.close(descriptor)
        return False

    with database.write_transaction() as writer:
        writer.execute(text("CREATE TABLE notes (text TEXT)"))
        assert taken_by_another_holder()
    assert not taken_by_another_holder()
    with pytest.raises(RuntimeError), database.write_transaction():
        raise RuntimeError("interrupted")
    assert not taken_by_another_holder()  # a rollback gives it back too
    with database.sessions() as reader:
        reader.execute(text("SELECT count(*) FROM notes"))
        assert not taken_by_another_holder()  # readers never queue
    database.engine.dispose()


def test_bookkeeping_rides_on_the_request_s_write_or_is_written_at_its_end(
    app: Flask, make_user: Callable[..., User]
) -> None:
    user = make_user(full_name="Айгерім")

    def rename(to: str) -> Callable[[Session], None]:
        return lambda writer: setattr(writer.get_one(User, user.id), "full_name", to)

    def name() -> str:
        with app.app_context():
            return db.session().get_one(User, user.id).full_name

    with app.test_request_context("/api/v1/me"):
        db.write_soon(rename("Айгерім Сапарова"))
        with db.write_transaction() as writer:
            commits = count_commits(writer)
        assert (name(), commits) == ("Айгерім Сапарова", [1])  # one commit for both
        db.write_soon(rename("Әлия"))
        with pytest.raises(RuntimeError), db.write_transaction():
            raise RuntimeError("the request's own write fails")
        assert name() == "Айгерім Сапарова"
        db.write_pending_changes()  # what the request's end does
    assert name() == "Әлия"


def count_commits(writer: Session) -> list[int]:
    commits: list[int] = []
    event.listen(writer, "after_commit", lambda _session: commits.append(1))
    return commits
