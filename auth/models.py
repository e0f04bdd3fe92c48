"""Accounts and API tokens."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, Enum, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quiz_service.core.db import Base, UTCDateTime, utcnow


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


class BrowserSession(Base):
    """A server-side browser session; the cookie holds only a random id, this row its hash.

    Deleting the row ends the session at once (sign-out, suspension, an admin's revocation).
    """

    __tablename__ = "browser_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    data: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class OidcIdentity(Base):
    """An account at the institution's identity provider, linked to one oqu user.

    Keyed by (issuer, subject) as OpenID Connect says; the email is kept only to show it.
    """

    __tablename__ = "oidc_identities"
    __table_args__ = (UniqueConstraint("issuer", "subject"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    issuer: Mapped[str] = mapped_column(String(255))
    subject: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    email: Mapped[str | None] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SignInEvent(Base):
    """One line of the sign-in log: sign-in, failure, sign-out or token use (R7.9)."""

    __tablename__ = "sign_in_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    event: Mapped[str] = mapped_column(String(16))  # sign_in, failure, locked, sign_out, token_use
    method: Mapped[str] = mapped_column(String(16))  # password, oidc, token, session
    address: Mapped[str] = mapped_column(String(45), default="")
    detail: Mapped[str] = mapped_column(String(254), default="")


class SignInCounter(Base):
    """Sign-in attempts of one account or address in the current window (rate limit, lockout)."""

    __tablename__ = "sign_in_counters"

    key: Mapped[str] = mapped_column(String(320), primary_key=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    window_started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Enrolment(Base):
    """A course opened to one user or to a whole study group."""

    __tablename__ = "enrolments"
    __table_args__ = (
        UniqueConstraint("course_id", "user_id", name="uq_enrolments_course_user"),
        UniqueConstraint("course_id", "study_group", name="uq_enrolments_course_group"),
        CheckConstraint("(user_id IS NULL) <> (study_group IS NULL)", name="user_or_group"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    course_id: Mapped[str] = mapped_column(String(100), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    group: Mapped[str | None] = mapped_column("study_group", String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PasswordReset(Base):
    """An admin-issued, single-use link to set a new password; only its hash is kept."""

    __tablename__ = "password_resets"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
