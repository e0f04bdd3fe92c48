"""The digital footprint: append-only statements, signed checkpoints, the sequence head.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

APPEND_ONLY = ("footprint_statements", "footprint_checkpoints")

POSTGRES_FUNCTION = """
CREATE FUNCTION footprint_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the footprint is append-only: % on % refused', TG_OP, TG_TABLE_NAME;
END
$$
"""


def upgrade() -> None:
    op.create_table(
        "footprint_statements",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("statement_id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("verb", sa.Text(), nullable=False),
        sa.Column("object_id", sa.Text(), nullable=False),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("record", sa.Text(), nullable=False),
        sa.Column("leaf_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_footprint_statements")),
        sa.UniqueConstraint("statement_id", name=op.f("uq_footprint_statements_statement_id")),
    )
    op.create_index("ix_footprint_statements_user_id_seq", "footprint_statements", ["user_id", "seq"])
    op.create_table(
        "footprint_checkpoints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tree_size", sa.BigInteger(), nullable=False),
        sa.Column("root_hash", sa.String(length=64), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("signature", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_footprint_checkpoints")),
    )
    head = op.create_table(
        "footprint_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_footprint_head")),
    )
    op.bulk_insert(head, [{"id": 1, "size": 0}])
    if op.get_bind().dialect.name == "postgresql":
        _postgres_triggers()
    else:
        _sqlite_triggers()


def _sqlite_triggers() -> None:
    for table in APPEND_ONLY:
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'the footprint is append-only: {action} on {table} refused'); END"
            )


def _postgres_triggers() -> None:
    op.execute(POSTGRES_FUNCTION)
    for table in APPEND_ONLY:
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION footprint_refuse_change()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION footprint_refuse_change()"
        )


def downgrade() -> None:
    # Dropping the tables drops their triggers on both databases.
    op.drop_table("footprint_head")
    op.drop_table("footprint_checkpoints")
    op.drop_index("ix_footprint_statements_user_id_seq", table_name="footprint_statements")
    op.drop_table("footprint_statements")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION footprint_refuse_change()")
