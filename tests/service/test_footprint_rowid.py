"""Migration 0015: on SQLite the statements' `seq` becomes the rowid (INTEGER PRIMARY KEY); the
rows already recorded are kept in order, and the table stays append-only on both databases."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import insert, text
from sqlalchemy.exc import DBAPIError

from quiz_service.core import db, migrations
from quiz_service.footprint import store

SITE = "https://oqu.academy.example.kz/"


def rows(count: int) -> list[dict[str, object]]:
    now = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)
    made = []
    for seq in range(count):
        body = {
            "id": f"00000000-0000-4000-8000-{seq:012d}",
            "actor": store.user_agent(SITE, seq % 3 + 1),
            "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"},
            "object": {"id": f"{SITE}courses/fire-safety/{seq}/"},
        }
        entry = store.Entry(body, seq % 3 + 1)
        made.append(store.row_of(seq, entry, store.content_hash(body), now, SITE))
    return made


def test_rebuilt_table_keeps_the_rows_and_refuses_changes(empty_database_url: str) -> None:
    engine = db.make_engine(empty_database_url)
    try:
        migrations.upgrade(engine, "0014")
        before = rows(7)
        with engine.begin() as connection:
            connection.execute(insert(store.STATEMENTS), before)
        migrations.upgrade(engine)
        with engine.connect() as connection:
            kept = connection.execute(
                text("SELECT seq, statement_id, record, leaf_hash FROM footprint_statements ORDER BY seq")
            ).all()
            assert [tuple(row) for row in kept] == [
                (row["seq"], row["statement_id"], row["record"], row["leaf_hash"]) for row in before
            ]
            if engine.dialect.name == "sqlite":
                # seq is the rowid itself: no index of its own, only statement_id's and (user_id, seq)
                assert connection.execute(
                    text("SELECT rowid, seq FROM footprint_statements ORDER BY rowid")
                ).all() == [(n, n) for n in range(7)]
                indexes = {
                    row[1] for row in connection.execute(text("PRAGMA index_list(footprint_statements)"))
                }
                assert indexes == {
                    "sqlite_autoindex_footprint_statements_1",
                    "ix_footprint_statements_user_id_seq",
                }
        for change in ("UPDATE footprint_statements SET verb = 'x' WHERE seq = 3",
                       "DELETE FROM footprint_statements WHERE seq = 6"):  # fmt: skip
            with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
                connection.execute(text(change))
        # a duplicate id is still refused by its unique index
        with pytest.raises(DBAPIError), engine.begin() as connection:
            connection.execute(insert(store.STATEMENTS), [rows(1)[0] | {"seq": 7}])
        with engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM footprint_statements")).scalar_one() == 7
    finally:
        engine.dispose()
