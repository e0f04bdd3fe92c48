"""Accounts and API tokens."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, Enum, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quiz_service.db import Base, UTCDateTime, utcnow


class Role(enum.StrEnum):
    STUDENT = "student"
    TEACHER = "teacher"
    ADMIN = "admin"
    PARTNER = "partner"


class DLCategory(enum.StrEnum):
    """Why a student learns at a distance (regulation R3), or `none`."""

    SHORTENED_PROGRAMME = "shortened_programme"  # R3.1
    EMERGENCY_TRANSFER = "emergency_transfer"  # R3.2
    DISTANCE_MASTERS = "distance_masters"  # R3.3
    NONE = "none"


def _string_enum(kind: type[enum.StrEnum], name: str) -> Enum:
    # A VARCHAR with a CHECK, not a PostgreSQL ENUM type: adding a value stays a plain
    # migration on both databases.
    return Enum(
        kind,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [member.value for member in members],
    )


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # always lowercase
    full_name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[Role] = mapped_column(_string_enum(Role, "role"))
    # "group" is an SQL keyword; the column is named study_group.
    group: Mapped[str | None] = mapped_column("study_group", String(64))
    dl_category: Mapped[DLCategory] = mapped_column(
        _string_enum(DLCategory, "dl_category"), default=DLCategory.NONE
    )
    password_hash: Mapped[str | None] = mapped_column(String(255))  # None: no local sign-in
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    tokens: Mapped[list[ApiToken]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email} {self.role.value}>"


class ApiToken(Base):
    """A bearer token; only the SHA-256 of its secret is kept."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scope: Mapped[str] = mapped_column(String(255), default="api")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(back_populates="tokens")

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
