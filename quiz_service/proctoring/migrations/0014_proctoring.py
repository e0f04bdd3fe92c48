"""Proctoring: sessions, media, uploads in progress, incidents.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"  # the brief said 0006; this branch's head is 0011 (notices). The lead re-chains.
branch_labels = None
depends_on = None


def _when(name: str, nullable: bool = True) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "proctoring_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("course", sa.String(length=100), nullable=False),
        sa.Column("quiz", sa.String(length=100), nullable=False),
        sa.Column("pending_key", sa.String(length=250), nullable=True),
        sa.Column("attempt_id", sa.Integer(), nullable=True),
        sa.Column("policy", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        _when("consent_at"),
        _when("ready_at"),
        sa.Column("let_by", sa.Integer(), nullable=True),
        _when("room_scan_requested_at"),
        sa.Column("bytes_used", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("identity_confirmed", sa.Boolean(), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        _when("decided_at"),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("appeal", sa.Text(), nullable=True),
        _when("appealed_at"),
        sa.Column("appeal_decided_by", sa.Integer(), nullable=True),
        _when("appeal_decided_at"),
        sa.Column("risk", sa.Text(), nullable=True),
        _when("created_at", nullable=False),
        _when("purged_at"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_proctoring_sessions_user_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["attempt_id"],
            ["quiz_attempts.id"],
            name=op.f("fk_proctoring_sessions_attempt_id_quiz_attempts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["let_by"], ["users.id"], name=op.f("fk_proctoring_sessions_let_by_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"],
            ["users.id"],
            name=op.f("fk_proctoring_sessions_decided_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["appeal_decided_by"],
            ["users.id"],
            name=op.f("fk_proctoring_sessions_appeal_decided_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proctoring_sessions")),
        sa.UniqueConstraint("pending_key", name=op.f("uq_proctoring_sessions_pending_key")),
        sa.UniqueConstraint("attempt_id", name=op.f("uq_proctoring_sessions_attempt_id")),
    )
    op.create_index(op.f("ix_proctoring_sessions_user_id"), "proctoring_sessions", ["user_id"])
    op.create_table(
        "proctoring_media",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        _when("taken_at", nullable=False),
        sa.Column("analysis", sa.Text(), nullable=True),
        sa.Column("identity_score", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["proctoring_sessions.id"],
            name=op.f("fk_proctoring_media_session_id_proctoring_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proctoring_media")),
        sa.UniqueConstraint("name", name=op.f("uq_proctoring_media_name")),
    )
    op.create_index(op.f("ix_proctoring_media_session_id"), "proctoring_media", ["session_id"])
    op.create_table(
        "proctoring_uploads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("received", sa.Integer(), nullable=False),
        _when("created_at", nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["proctoring_sessions.id"],
            name=op.f("fk_proctoring_uploads_session_id_proctoring_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proctoring_uploads")),
        sa.UniqueConstraint("token", name=op.f("uq_proctoring_uploads_token")),
    )
    op.create_index(op.f("ix_proctoring_uploads_session_id"), "proctoring_uploads", ["session_id"])
    op.create_table(
        "proctoring_incidents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        _when("started_at", nullable=False),
        _when("ended_at", nullable=False),
        sa.Column("frames", sa.Integer(), nullable=False),
        sa.Column("flagged", sa.Boolean(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["proctoring_sessions.id"],
            name=op.f("fk_proctoring_incidents_session_id_proctoring_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proctoring_incidents")),
    )
    op.create_index(op.f("ix_proctoring_incidents_session_id"), "proctoring_incidents", ["session_id"])


def downgrade() -> None:
    op.drop_table("proctoring_incidents")
    op.drop_table("proctoring_uploads")
    op.drop_table("proctoring_media")
    op.drop_table("proctoring_sessions")
