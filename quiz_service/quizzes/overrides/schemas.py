"""The overrides API's bodies (the OpenAPI document is generated from them)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from quiz_service.core.openapi import RequestBody


class OverrideIn(RequestBody):
    student: str | None = Field(default=None, description="The student's e-mail (or give `group`)")
    group: str | None = Field(default=None, max_length=64, description="A study group (or give `student`)")
    opens: datetime | None = Field(default=None, description="ISO 8601 with its zone; empty keeps the quiz's")
    closes: datetime | None = Field(
        default=None, description="ISO 8601 with its zone; empty keeps the quiz's"
    )
    time_limit: int | None = Field(default=None, description="Minutes; empty keeps the quiz's")
    attempts: int | None = Field(default=None, description="0 = unlimited; empty keeps the quiz's")


class OverrideOut(BaseModel):
    id: int
    student: str | None = Field(description="The student's e-mail, for a student's override")
    student_name: str | None
    group: str | None
    opens: datetime | None
    closes: datetime | None
    time_limit: int | None
    attempts: int | None
    set_at: datetime


class OverridesOut(BaseModel):
    course: str
    quiz: str
    overrides: list[OverrideOut]
