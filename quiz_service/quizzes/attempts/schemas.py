"""Request and response bodies of the quiz API (they validate requests and describe the API)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from quiz_service.core.openapi import RequestBody


class StartAttempt(RequestBody):
    lang: str | None = Field(default=None, description="kk, ru or en; the quiz's first language if omitted")


class SaveAnswer(RequestBody):
    response: Any = Field(
        description="single: option id; multiple: list of option ids; true-false: true/false; short, numeric, "
        "essay: text; matching: {left id: right id}; ordering: item ids in order; fill-blanks: list of texts"
    )
    sequence: int = Field(
        ge=0, le=2**31 - 1, description="Grows with every save the page makes in this attempt"
    )
    client_id: str = Field(min_length=1, max_length=64, description="The page's own id of this save")


class MoveOn(RequestBody):
    position: int = Field(ge=0, description="The question the student moves on from (sequential navigation)")


class PublicOption(BaseModel):
    id: str
    text: str


class PublicQuestion(BaseModel):
    id: str
    type: str
    text: str
    format: str
    points: float
    options: list[PublicOption] | None = None
    left: list[PublicOption] | None = None
    right: list[PublicOption] | None = None
    items: list[PublicOption] | None = None
    blanks: int | None = None


class SavedAnswer(BaseModel):
    question: str
    response: Any
    sequence: int
    client_id: str
    saved_at: datetime


class ReviewedQuestion(BaseModel):
    id: str
    points: float | None = None
    max_points: float | None = None
    state: str | None = Field(default=None, description="correct, partial, wrong, unanswered or manual")
    feedback: list[str] | None = None
    comment: str | None = Field(default=None, description="The teacher's comment, shown with the feedback")
    right_answer: list[str] | None = None


class Review(BaseModel):
    state: str
    points: float | None = None
    max_points: float | None = None
    percent: float | None = None
    passed: bool | None = None
    overall_feedback: str | None = Field(
        default=None,
        description="The quiz's overall feedback for the grade's band, when score and feedback show",
    )
    questions: list[ReviewedQuestion]


class AttemptOut(BaseModel):
    id: int
    course: str
    quiz: str
    title: str
    lang: str
    number: int
    state: str = Field(description="open, finished or abandoned")
    started_at: datetime
    deadline: datetime | None = Field(description="After it, answers no longer change (server clock)")
    submit_until: datetime | None = Field(description="The last moment a submit counts")
    server_time: datetime = Field(description="The server's clock, for the page's countdown")
    navigation: str
    position: int
    question_count: int
    questions: list[PublicQuestion]
    answers: list[SavedAnswer]
    review: Review | None
    result_withheld: bool = Field(
        default=False, description="A proctored attempt's grade waits for the proctor's confirmation"
    )


class AttemptBrief(BaseModel):
    id: int
    number: int
    state: str
    started_at: datetime
    finished_at: datetime | None
    percent: float | None = Field(description="Shown as the review policy allows")


class QuizSummary(BaseModel):
    course: str
    quiz: str
    title: dict[str, str]
    kind: str
    opens: datetime | None
    closes: datetime | None
    timezone: str = Field(description="The course's time zone (IANA): pages show opens and closes in it")
    time_limit: int | None = Field(description="Minutes, or None")
    attempts_allowed: int = Field(description="0: unlimited")
    attempts_used: int
    attempts_left: int | None = Field(description="None: unlimited")
    delay: int = Field(description="Minutes from the end of one attempt to the start of the next")
    next_start_at: datetime | None = Field(description="When the delay lets the next attempt start")
    start_refused: str | None = Field(
        description="Why a new attempt may not start now: quiz_not_open, quiz_closed, "
        "no_attempts_left or attempt_delay (None: it may; an open attempt continues regardless)"
    )
    grading: str
    pass_mark: float
    grade: float | None = Field(
        description="The quiz grade by the grading method, as the review policy allows"
    )
    open_attempt: int | None
    attempts: list[AttemptBrief]
