"""The footprint's statements numbered by SQLite's rowid: `seq` becomes `INTEGER PRIMARY KEY`.

On SQLite a `BIGINT PRIMARY KEY` is not the rowid: the table was a rowid B-tree plus a second
B-tree for the key, so every append wrote four B-trees (rowid, seq, statement id, user and seq).
As `INTEGER PRIMARY KEY`, `seq` *is* the rowid: three. SQLite cannot change a key in place, so
the table is rebuilt (its rows copied in order), and its index and append-only triggers are
made again. PostgreSQL keeps its table: its primary key is its one index on `seq` already.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

COLUMNS = "seq, statement_id, user_id, verb, object_id, stored_at, content_hash, record, leaf_hash"


def table_sql(name: str, seq_type: str) -> str:
    return f"""
CREATE TABLE {name} (
    seq {seq_type} NOT NULL,
    statement_id VARCHAR(36) NOT NULL,
    user_id INTEGER,
    verb TEXT NOT NULL,
    object_id TEXT NOT NULL,
    stored_at DATETIME NOT NULL,
    content_hash VARCHAR(64) NOT NULL,
    record TEXT NOT NULL,
    leaf_hash VARCHAR(64) NOT NULL,
    CONSTRAINT pk_footprint_statements PRIMARY KEY (seq),
    CONSTRAINT uq_footprint_statements_statement_id UNIQUE (statement_id)
)"""


def rebuild(seq_type: str) -> None:
    """The statements table again with `seq` of `seq_type`: rows copied in order, index and triggers anew."""
    op.execute(table_sql("footprint_statements_rebuilt", seq_type))
    op.execute(
        f"INSERT INTO footprint_statements_rebuilt ({COLUMNS}) "
        f"SELECT {COLUMNS} FROM footprint_statements ORDER BY seq"
    )
    op.execute("DROP TABLE footprint_statements")  # its index and triggers go with it (no trigger fires)
    op.execute("ALTER TABLE footprint_statements_rebuilt RENAME TO footprint_statements")
    op.execute("CREATE INDEX ix_footprint_statements_user_id_seq ON footprint_statements (user_id, seq)")
    for action in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER footprint_statements_no_{action.lower()} BEFORE {action} ON footprint_statements "
            f"BEGIN SELECT RAISE(ABORT, 'the footprint is append-only: {action} on footprint_statements refused'); END"
        )


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        rebuild("INTEGER")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        rebuild("BIGINT")
