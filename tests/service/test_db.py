"""quiz_service.db: SQLite settings, BEGIN IMMEDIATE for writes, reads that follow writes."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import event, func, select, text

from auth import service
from auth.models import Role, User
from quiz_service import db


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
