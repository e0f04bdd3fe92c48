"""The assignments API's bodies (the OpenAPI document is generated from them)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from quiz_service.core.openapi import RequestBody


class DraftIn(RequestBody):
    text: str = Field(max_length=100_000, description="The online text of the draft")


class FileOut(BaseModel):
    id: int
    name: str
    media_type: str
    size: int
    url: str


class VersionOut(BaseModel):
    id: int
    number: int
    state: str = Field(description="draft or submitted")
    text: str
    files: list[FileOut]
    submitted_at: datetime | None
    days_late: int
    late: bool


class LevelChoice(BaseModel):
    criterion: str
    level: int
    points: float


class GradeOut(BaseModel):
    submission_id: int
    number: int | None = Field(description="The graded version")
    raw_points: float
    penalty: float
    points: float
    max_points: float
    levels: list[LevelChoice]
    feedback: str
    graded_at: datetime
    released: bool
    feedback_file: FileOut | None = None


class AssignmentOut(BaseModel):
    course: str
    id: str
    title: str
    due: datetime = Field(description="The student's due date (with an extension)")
    cut_off: datetime | None
    late_policy: str
    resubmit: bool
    online_text: bool
    file_types: list[str]
    max_files: int
    max_size_mb: float
    max_points: float
    versions: list[VersionOut] = Field(description="Every version, the draft last")
    grade: GradeOut | None = Field(description="Only once released")


class QueueRowOut(BaseModel):
    submission_id: int
    number: int
    student: str
    student_name: str | None
    group: str | None
    submitted_at: datetime
    late: bool
    days_late: int
    needs_grading: bool
    points: float | None


class QueueOut(BaseModel):
    course: str
    assignment: str
    released: bool
    rows: list[QueueRowOut]


class GradeIn(RequestBody):
    levels: dict[str, int] | None = Field(default=None, description="Rubric: criterion id -> level index")
    points: float | None = Field(default=None, description="Points, for an assignment without a rubric")
    feedback: str = Field(default="", max_length=20_000)


class ChangeOut(BaseModel):
    action: str
    points: float
    penalty: float
    feedback: str
    changed_by: str | None
    changed_at: datetime


class SecondMarkOut(BaseModel):
    marker: str
    marker_name: str
    requested_by: str | None
    requested_at: datetime
    marked_at: datetime | None
    raw_points: float | None = Field(description="The second marker's points, once they marked")
    levels: list[LevelChoice]
    feedback: str
    resolved_at: datetime | None = Field(description="When the final grade was set")


class SubmissionOut(BaseModel):
    student: str
    student_name: str | None
    version: VersionOut
    grade: GradeOut | None
    history: list[ChangeOut]
    second_mark: SecondMarkOut | None = None
    blind: bool = Field(
        default=False, description="You are its second marker and have not marked: the first mark is hidden"
    )


class ReleaseIn(RequestBody):
    student: str | None = Field(default=None, description="One student's e-mail; empty: the whole assignment")


class ReleaseOut(BaseModel):
    released: int


class ExtensionIn(RequestBody):
    student: str | None = Field(default=None, description="The student's e-mail (or give `group`)")
    group: str | None = Field(default=None, max_length=64)
    due: datetime = Field(description="ISO 8601 with its zone")
    cut_off: datetime | None = None


class ExtensionOut(BaseModel):
    id: int
    student: str | None
    group: str | None
    due: datetime
    cut_off: datetime | None
    set_at: datetime


class ExtensionsOut(BaseModel):
    course: str
    assignment: str
    extensions: list[ExtensionOut]


class CellOut(BaseModel):
    item: str
    percent: float | None
    excused: bool
    overridden: bool
    locked: bool
    note: str | None = Field(
        default=None,
        description="awaiting: a proctored attestation awaits a proctor's confirmation; "
        "no_classes: no live class of the student held yet (both left out of the total)",
    )


class StudentRowOut(BaseModel):
    student: str
    student_name: str | None
    group: str | None
    cells: list[CellOut]
    categories: dict[str, float | None]
    total: float | None
    letter: str | None
    gpa: float | None
    passed: bool | None
    total_overridden: bool
    awaiting: bool = Field(default=False, description="No total until a proctor confirms an attestation")
    total_locked: bool


class ItemOut(BaseModel):
    key: str
    category: str
    weight: float
    title: str


class GradebookOut(BaseModel):
    course: str
    categories: dict[str, float] = Field(description="Category -> weight (percent of the total)")
    items: list[ItemOut]
    students: list[StudentRowOut]


class OverrideIn(RequestBody):
    student: str = Field(description="The student's e-mail")
    item: str = Field(description="quiz:<id>, assignment:<id> or total")
    percent: float | None = None
    excused: bool = False
    locked: bool = False


class MailPreferenceIn(RequestBody):
    reminders: bool | None = Field(default=None, description="E-mail before a due date (on by default)")
    grade_mail: bool | None = Field(default=None, description="E-mail when a grade is released")
    lang: Literal["kk", "ru", "en"] | None = Field(default=None, description="The e-mail's language")


class MailPreferenceOut(BaseModel):
    reminders: bool
    grade_mail: bool
    lang: str


class SecondMarkerIn(RequestBody):
    marker: str = Field(max_length=254, description="The e-mail of another teacher of the course")
