"""Submissions (each version kept), their files, extensions, grades with their history, releases,
and the gradebook's overrides."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from quiz_service.core.db import Base, UTCDateTime

DRAFT = "draft"
SUBMITTED = "submitted"


class Submission(Base):
    """One version of a student's work. A draft (at most one per student and assignment, held by
    `draft_key`) becomes a submitted version and never changes after."""

    __tablename__ = "assignment_submissions"
    __table_args__ = (
        UniqueConstraint(
            "user_id", "course", "assignment", "number", name="uq_assignment_submissions_number"
        ),
        CheckConstraint("state IN ('draft', 'submitted')", name="state"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    course: Mapped[str] = mapped_column(String(100))
    assignment: Mapped[str] = mapped_column(String(100))
    number: Mapped[int] = mapped_column(Integer)  # the version: 1, 2, …
    state: Mapped[str] = mapped_column(String(16))
    # Set while a draft, NULL once submitted: one draft per student and assignment on any database.
    draft_key: Mapped[str | None] = mapped_column(String(250), unique=True)
    text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    due: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the student's due date when submitted
    days_late: Mapped[int] = mapped_column(Integer, default=0)  # 0: on time; else days or parts late
    # A group assignment's team (the study group): the draft and versions are the team's; `user_id`
    # is the member who made the version.
    team: Mapped[str | None] = mapped_column(String(64), index=True)


class SubmissionFile(Base):
    """A file of a version: shown by its cleaned name, stored under a server-made one."""

    __tablename__ = "assignment_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("assignment_submissions.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    stored: Mapped[str] = mapped_column(String(64), index=True)  # shared by the copies in later versions
    media_type: Mapped[str] = mapped_column(String(100))  # found from the content
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class UploadRecord(Base):
    """One accepted upload (kept when the file is removed again): the flood limit counts these."""

    __tablename__ = "assignment_uploads"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    course: Mapped[str] = mapped_column(String(100))
    assignment: Mapped[str] = mapped_column(String(100))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Extension(Base):
    """A later due date or cut-off for one student or one study group (a student's own wins)."""

    __tablename__ = "assignment_extensions"
    __table_args__ = (
        UniqueConstraint("course", "assignment", "user_id", name="uq_assignment_extensions_user"),
        UniqueConstraint("course", "assignment", "study_group", name="uq_assignment_extensions_group"),
        CheckConstraint("(user_id IS NULL) <> (study_group IS NULL)", name="user_or_group"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    course: Mapped[str] = mapped_column(String(100))
    assignment: Mapped[str] = mapped_column(String(100))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    group: Mapped[str | None] = mapped_column("study_group", String(64))
    due: Mapped[datetime] = mapped_column(UTCDateTime)
    cut_off: Mapped[datetime | None] = mapped_column(UTCDateTime)
    set_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Grade(Base):
    """A student's current grade for an assignment (the graded version named); hidden until released."""

    __tablename__ = "assignment_grades"
    __table_args__ = (
        UniqueConstraint("user_id", "course", "assignment", name="uq_assignment_grades_student"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    course: Mapped[str] = mapped_column(String(100))
    assignment: Mapped[str] = mapped_column(String(100))
    submission_id: Mapped[int] = mapped_column(ForeignKey("assignment_submissions.id", ondelete="CASCADE"))
    raw_points: Mapped[float] = mapped_column(Float)
    penalty: Mapped[float] = mapped_column(Float, default=0.0)
    points: Mapped[float] = mapped_column(Float)
    levels: Mapped[str] = mapped_column(Text, default="{}")  # JSON: criterion id -> level index
    feedback: Mapped[str] = mapped_column(Text, default="")
    graded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    graded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # released to this student


class FeedbackFile(Base):
    """A file the teacher gives back with a grade (a marked-up copy); shown once the grade is."""

    __tablename__ = "assignment_feedback_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    grade_id: Mapped[int] = mapped_column(ForeignKey("assignment_grades.id", ondelete="CASCADE"), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    stored: Mapped[str] = mapped_column(String(64))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class GradeChange(Base):
    """Every change of a grade, as it was after the change: who, when, what."""

    __tablename__ = "assignment_grade_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    grade_id: Mapped[int] = mapped_column(ForeignKey("assignment_grades.id", ondelete="CASCADE"), index=True)
    submission_id: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(16))  # "graded" or "released"
    raw_points: Mapped[float] = mapped_column(Float)
    penalty: Mapped[float] = mapped_column(Float)
    points: Mapped[float] = mapped_column(Float)
    levels: Mapped[str] = mapped_column(Text)
    feedback: Mapped[str] = mapped_column(Text)
    changed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Release(Base):
    """The grades of an assignment were released to all its students."""

    __tablename__ = "assignment_releases"

    course: Mapped[str] = mapped_column(String(100), primary_key=True)
    assignment: Mapped[str] = mapped_column(String(100), primary_key=True)
    released_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    released_at: Mapped[datetime] = mapped_column(UTCDateTime)


class GradebookOverride(Base):
    """A teacher's value for one cell of the gradebook (an item or `total`): a percent, excused,
    and/or locked (a locked cell keeps its value when the grades under it change)."""

    __tablename__ = "gradebook_overrides"
    __table_args__ = (UniqueConstraint("course", "user_id", "item", name="uq_gradebook_overrides_cell"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    course: Mapped[str] = mapped_column(String(100))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    item: Mapped[str] = mapped_column(String(210))  # "quiz:<id>", "assignment:<id>" or "total"
    percent: Mapped[float | None] = mapped_column(Float)
    excused: Mapped[bool] = mapped_column(Boolean, default=False)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    set_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime)


class MailPreference(Base):
    """A student's choices about the assignments' e-mail: due-date reminders and released grades
    on or off, and the language of the messages (kept from the student's last page when unset)."""

    __tablename__ = "assignment_mail_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    reminders: Mapped[bool] = mapped_column(Boolean, default=True)
    grade_mail: Mapped[bool] = mapped_column(Boolean, default=True)
    lang: Mapped[str | None] = mapped_column(String(8))


class SecondMark(Base):
    """A second marker asked for a submitted version: another teacher of the course marks it
    without seeing the first mark; the first teacher then sees both and sets the final grade.
    Every step is also a row of the grade's history (`assignment_grade_changes`)."""

    __tablename__ = "assignment_second_marks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("assignment_submissions.id", ondelete="CASCADE"), unique=True
    )
    grade_id: Mapped[int] = mapped_column(ForeignKey("assignment_grades.id", ondelete="CASCADE"), index=True)
    marker_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    raw_points: Mapped[float | None] = mapped_column(Float)  # None until the second marker submits
    levels: Mapped[str] = mapped_column(Text, default="{}")
    feedback: Mapped[str] = mapped_column(Text, default="")
    marked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the final grade was set
