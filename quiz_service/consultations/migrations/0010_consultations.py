"""Consultations: slots, bookings with their waitlist, students' preferences.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "consultation_slots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course", sa.String(length=64), nullable=False),
        sa.Column("teacher_id", sa.Integer(), nullable=False),
        sa.Column("seats", sa.Integer(), nullable=False),
        sa.Column("booked", sa.Integer(), nullable=False),
        sa.Column("mode", sa.String(length=10), nullable=False),
        sa.Column("link", sa.String(length=500), nullable=True),
        sa.Column("room", sa.String(length=200), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("starts_at", WHEN, nullable=False),
        sa.Column("ends_at", WHEN, nullable=False),
        sa.Column("opens_at", WHEN, nullable=False),
        sa.Column("closes_at", WHEN, nullable=False),
        sa.Column("cancel_until", WHEN, nullable=False),
        sa.Column("visible_from", WHEN, nullable=False),
        sa.Column("series", sa.String(length=32), nullable=True),
        sa.Column("cancelled_at", WHEN, nullable=True),
        sa.Column("cancel_reason", sa.Text(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.CheckConstraint("booked >= 0 AND booked <= seats", name=op.f("ck_consultation_slots_capacity")),
        sa.CheckConstraint("seats >= 1", name=op.f("ck_consultation_slots_seats")),
        sa.ForeignKeyConstraint(
            ["teacher_id"],
            ["users.id"],
            name=op.f("fk_consultation_slots_teacher_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_slots")),
    )
    op.create_index("ix_consultation_slots_teacher_start", "consultation_slots", ["teacher_id", "starts_at"])
    op.create_index("ix_consultation_slots_course_start", "consultation_slots", ["course", "starts_at"])
    op.create_table(
        "consultation_bookings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slot_id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("course", sa.String(length=64), nullable=False),
        sa.Column("starts_at", WHEN, nullable=False),
        sa.Column("ends_at", WHEN, nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("active", sa.Integer(), nullable=True),
        sa.Column("topic", sa.Text(), nullable=False),
        sa.Column("request_key", sa.String(length=64), nullable=True),
        sa.Column("lang", sa.String(length=8), nullable=False),
        sa.Column("booked_by", sa.Integer(), nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("queued_at", WHEN, nullable=False),
        sa.Column("hold_until", WHEN, nullable=True),
        sa.Column("ended_at", WHEN, nullable=True),
        sa.Column("attended", sa.Boolean(), nullable=True),
        sa.Column("private_note", sa.Text(), nullable=False),
        sa.Column("shared_note", sa.Text(), nullable=False),
        sa.CheckConstraint("active = 1", name=op.f("ck_consultation_bookings_active_one")),
        sa.ForeignKeyConstraint(
            ["slot_id"],
            ["consultation_slots.id"],
            name=op.f("fk_consultation_bookings_slot_id_consultation_slots"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["student_id"],
            ["users.id"],
            name=op.f("fk_consultation_bookings_student_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["booked_by"],
            ["users.id"],
            name=op.f("fk_consultation_bookings_booked_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_bookings")),
        sa.UniqueConstraint("slot_id", "student_id", "active", name="uq_consultation_bookings_live"),
        sa.UniqueConstraint("student_id", "request_key", name="uq_consultation_bookings_request"),
    )
    op.create_index(
        "ix_consultation_bookings_slot_state", "consultation_bookings", ["slot_id", "state", "queued_at"]
    )
    op.create_index("ix_consultation_bookings_student", "consultation_bookings", ["student_id", "starts_at"])
    op.create_table(
        "consultation_preferences",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("reminders", sa.Boolean(), nullable=False),
        sa.Column("lang", sa.String(length=8), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_consultation_preferences_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_consultation_preferences")),
    )

    op.create_table(
        "consultation_questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course", sa.String(length=64), nullable=False),
        sa.Column("lesson", sa.String(length=300), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("lang", sa.String(length=8), nullable=False),
        sa.Column("asked_at", WHEN, nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_by", sa.Integer(), nullable=True),
        sa.Column("answered_at", WHEN, nullable=True),
        sa.Column("published_at", WHEN, nullable=True),
        sa.Column("faq_text", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["student_id"],
            ["users.id"],
            name=op.f("fk_consultation_questions_student_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["answered_by"],
            ["users.id"],
            name=op.f("fk_consultation_questions_answered_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_questions")),
    )
    op.create_index(
        "ix_consultation_questions_course_answered",
        "consultation_questions",
        ["course", "answered_at", "asked_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_consultation_questions_course_answered", table_name="consultation_questions")
    op.drop_table("consultation_questions")
    op.drop_table("consultation_preferences")
    op.drop_index("ix_consultation_bookings_student", table_name="consultation_bookings")
    op.drop_index("ix_consultation_bookings_slot_state", table_name="consultation_bookings")
    op.drop_table("consultation_bookings")
    op.drop_index("ix_consultation_slots_course_start", table_name="consultation_slots")
    op.drop_index("ix_consultation_slots_teacher_start", table_name="consultation_slots")
    op.drop_table("consultation_slots")
