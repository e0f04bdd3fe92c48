"""Request and response bodies of the teacher's quiz API (/api/v1/teach)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from quiz_service.core.openapi import RequestBody
from quiz_service.quizzes.teaching import MAX_COMMENT


class StudentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    full_name: str
    email: str
    group: str | None


class TaughtQuiz(BaseModel):
    course: str
    course_title: dict[str, str]
    quiz: str
    title: dict[str, str]
    kind: str = Field(description="practice, current, intermediate or final")
    attempts: int
    to_grade: int = Field(description="Answers of finished attempts that wait for a teacher's grade")


class TaughtQuizzes(BaseModel):
    quizzes: list[TaughtQuiz]


class TeacherAttemptBrief(BaseModel):
    id: int
    number: int
    state: str = Field(description="open, finished or abandoned")
    version: str
    student: StudentOut
    started_at: datetime
    finished_at: datetime | None
    points: float | None = Field(description="None while an answer waits for a teacher's grade")
    max_points: float | None
    percent: float | None
    to_grade: int


class QuizAttempts(BaseModel):
    course: str
    quiz: str
    title: dict[str, str]
    kind: str
    version: str = Field(description="The service bundle's current version of the quiz")
    released_at: datetime | None = Field(description="When the grades were released, if they were")
    attempts: list[TeacherAttemptBrief]


class GradingQueue(BaseModel):
    course: str
    quiz: str
    attempts: list[TeacherAttemptBrief] = Field(description="The longest waiting first")


class TeacherQuestion(BaseModel):
    id: str
    type: str
    text: str
    format: str
    response: Any = Field(description="As the student's page saved it; null when unanswered")
    response_text: list[str] = Field(description="The response in words (option texts, not ids)")
    right_answer: list[str]
    fraction: float | None
    points: float | None
    max_points: float
    state: str = Field(description="correct, partial, wrong, unanswered, manual (waits for a grade) or open")
    comment: str | None
    graded_by: str | None = Field(description="The teacher who set the grade; null for the key's grade")
    graded_at: datetime | None


class TeacherAttempt(TeacherAttemptBrief):
    course: str
    quiz: str
    title: str
    lang: str
    questions: list[TeacherQuestion]


class GradeIn(RequestBody):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    points: float = Field(description="From 0 to the question's points")
    comment: str | None = Field(default=None, max_length=MAX_COMMENT, description="Shown to the student")


class RegradeIn(RequestBody):
    dry_run: bool = Field(default=False, description="Only list what would change")


class QuestionChangeOut(BaseModel):
    question: str
    text: str
    old_points: float | None
    new_points: float | None


class AttemptChangeOut(BaseModel):
    attempt: int
    student: StudentOut
    old_version: str
    old_points: float | None
    new_points: float | None
    old_max_points: float | None
    new_max_points: float
    questions: list[QuestionChangeOut]


class NotRegradableOut(BaseModel):
    attempt: int
    student: StudentOut
    version: str
    reason: str = Field(description="questions_missing or answer_does_not_fit")


class RegradeOut(BaseModel):
    version: str = Field(description="The version the attempts were regraded on")
    dry_run: bool
    attempts_checked: int
    attempts_changed: int
    answers_changed: int
    changes: list[AttemptChangeOut]
    not_regradable: list[NotRegradableOut]


class ReleaseOut(BaseModel):
    course: str
    quiz: str
    released_at: datetime
