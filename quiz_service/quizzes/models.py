"""Quiz versions, attempts and answers."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Protocol

from sqlalchemy import CheckConstraint, Enum, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from quiz_service.core.db import Base, UTCDateTime, utcnow


class AttemptState(enum.StrEnum):
    OPEN = "open"
    FINISHED = "finished"  # submitted by the student or by the service at the deadline
    ABANDONED = "abandoned"  # time ran out under a policy that does not count it


class AttemptFields(Protocol):
    """What reading an attempt needs: an `Attempt`, or its row read with Core (the save's hot path)."""

    @property
    def id(self) -> int: ...
    @property
    def user_id(self) -> int: ...
    @property
    def course(self) -> str: ...
    @property
    def quiz(self) -> str: ...
    @property
    def version(self) -> str: ...
    @property
    def lang(self) -> str: ...
    @property
    def number(self) -> int: ...
    @property
    def state(self) -> AttemptState: ...
    @property
    def questions(self) -> str: ...
    @property
    def position(self) -> int: ...
    @property
    def deadline(self) -> datetime | None: ...


class QuizVersion(Base):
    """A quiz exactly as an attempt started on it: later edits of the content never change it."""

    __tablename__ = "quiz_versions"

    course: Mapped[str] = mapped_column(String(100), primary_key=True)
    quiz: Mapped[str] = mapped_column(String(100), primary_key=True)
    version: Mapped[str] = mapped_column(String(32), primary_key=True)
    body: Mapped[str] = mapped_column(Text)  # the service bundle's JSON, keys included
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Attempt(Base):
    __tablename__ = "quiz_attempts"
    __table_args__ = (
        UniqueConstraint("user_id", "course", "quiz", "number", name="uq_quiz_attempts_number"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    course: Mapped[str] = mapped_column(String(100))
    quiz: Mapped[str] = mapped_column(String(100))
    version: Mapped[str] = mapped_column(String(32))
    lang: Mapped[str] = mapped_column(String(8))
    number: Mapped[int] = mapped_column(Integer)
    # Set while the attempt is open, NULL after: a unique column allows one open attempt per
    # student and quiz on SQLite and PostgreSQL alike (NULLs never collide).
    open_key: Mapped[str | None] = mapped_column(String(250), unique=True)
    state: Mapped[AttemptState] = mapped_column(
        Enum(
            AttemptState,
            name="attempt_state",
            native_enum=False,
            create_constraint=True,
            length=16,
            values_callable=lambda members: [m.value for m in members],
        )
    )
    seed: Mapped[int] = mapped_column(Integer)
    questions: Mapped[str] = mapped_column(
        Text
    )  # JSON list of authored question ids, in this attempt's order
    position: Mapped[int] = mapped_column(Integer, default=0)  # sequential navigation: the current question
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    points: Mapped[float | None] = mapped_column(Float)  # None while a teacher has to grade
    max_points: Mapped[float | None] = mapped_column(Float)


class Answer(Base):
    """The latest saved response to one question of an attempt."""

    __tablename__ = "quiz_answers"
    __table_args__ = (UniqueConstraint("attempt_id", "question", name="uq_quiz_answers_question"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("quiz_attempts.id", ondelete="CASCADE"), index=True)
    question: Mapped[str] = mapped_column(String(100))  # authored id
    response: Mapped[str] = mapped_column(Text)  # JSON
    sequence: Mapped[int] = mapped_column(Integer)
    client_id: Mapped[str] = mapped_column(String(64))
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime)
    fraction: Mapped[float | None] = mapped_column(Float)  # set when the attempt is graded
    # A teacher's grade: `fraction` then came from the teacher and later regrades keep it.
    comment: Mapped[str | None] = mapped_column(Text)
    graded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    graded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def is_manual(self) -> bool:
        return self.graded_at is not None


class GradeRelease(Base):
    """A teacher released the grades of a quiz: reviews set to `after-release` open from then on."""

    __tablename__ = "quiz_grade_releases"

    course: Mapped[str] = mapped_column(String(100), primary_key=True)
    quiz: Mapped[str] = mapped_column(String(100), primary_key=True)
    released_at: Mapped[datetime] = mapped_column(UTCDateTime)


class QuizRegrade(Base):
    """One regrade of a quiz after a key fix: who ran it, when, onto which version, what changed."""

    __tablename__ = "quiz_regrades"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    course: Mapped[str] = mapped_column(String(100))
    quiz: Mapped[str] = mapped_column(String(100))
    from_versions: Mapped[str] = mapped_column(String(250))  # the attempts' versions before, comma-separated
    to_version: Mapped[str] = mapped_column(String(32))
    regraded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    regraded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts_changed: Mapped[int] = mapped_column(Integer)
    answers_changed: Mapped[int] = mapped_column(Integer)


class QuizOverride(Base):
    """Other dates, time limit or attempts for one student or one study group (as Moodle's
    user and group overrides): a make-up window, extra time, one more attempt. A field left
    empty keeps the quiz's own setting; a student's override wins over their group's."""

    __tablename__ = "quiz_overrides"
    __table_args__ = (
        UniqueConstraint("course", "quiz", "user_id", name="uq_quiz_overrides_user"),
        UniqueConstraint("course", "quiz", "study_group", name="uq_quiz_overrides_group"),
        CheckConstraint("(user_id IS NULL) <> (study_group IS NULL)", name="user_or_group"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    course: Mapped[str] = mapped_column(String(100))
    quiz: Mapped[str] = mapped_column(String(100))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    group: Mapped[str | None] = mapped_column("study_group", String(64))  # "group" is an SQL keyword
    opens: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closes: Mapped[datetime | None] = mapped_column(UTCDateTime)
    time_limit: Mapped[int | None] = mapped_column(Integer)  # minutes
    attempts: Mapped[int | None] = mapped_column(Integer)  # 0: unlimited
    set_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime)
