"""The YAML quiz format (docs/quizzes.md documents every key; tests/builder/test_quiz_docs.py checks)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field, model_validator

from builder.schema import Slug, StrictModel, Translatable

QuizKind = Literal["practice", "current", "intermediate", "final"]
When = Literal["immediately", "after-close", "after-release", "never"]


class ReviewConfig(StrictModel):
    score: When = "immediately"
    correctness: When = "immediately"
    feedback: When = "immediately"
    answers: When = "after-close"


BankFile = Annotated[str, Field(min_length=1)]  # relative to quizzes/, inside quizzes/banks/
BankFiles = BankFile | Annotated[list[BankFile], Field(min_length=1)]
BankSources = BankFiles | dict[str, BankFiles]  # one for every language, or one per language


ProctoringSignal = Literal[
    "faces", "presence", "head", "identity", "noise", "tab", "fullscreen", "clipboard", "screens"
]
ALL_SIGNALS: tuple[ProctoringSignal, ...] = (
    "faces",
    "presence",
    "head",
    "identity",
    "noise",
    "tab",
    "fullscreen",
    "clipboard",
    "screens",
)


class SustainedConfig(StrictModel):
    """A condition counts only when it holds this long AND in this many snapshots in a row (never one frame)."""

    seconds: int = Field(default=10, ge=1, le=600)
    frames: int = Field(default=3, ge=2, le=100)


class ProctoringConfig(StrictModel):
    """Online proctoring of an attestation (R2.10, R13); `proctoring: required` takes every default."""

    mode: Literal["required", "none"] = "required"
    signals: list[ProctoringSignal] = Field(default_factory=lambda: list(ALL_SIGNALS), min_length=1)
    snapshot_every: int = Field(default=30, ge=5, le=300)  # seconds between webcam snapshots
    sustained: SustainedConfig = SustainedConfig()
    noise_level: float = Field(default=0.1, gt=0, le=1)  # microphone RMS (0…1) counted as noise
    head_turn: float = Field(default=0.25, gt=0, le=1)  # face centre's move, as a share of the frame width


class DrawConfig(StrictModel):
    category: str = Field(min_length=1)
    count: int = Field(gt=0)


class FeedbackBandConfig(StrictModel):
    """Overall feedback (Moodle's): the text for grades from `min` percent up to the next band."""

    min: float = Field(ge=0, le=100)
    text: Translatable


class QuizConfig(StrictModel):
    title: Translatable
    kind: QuizKind = "practice"
    opens: dt.datetime | None = None
    closes: dt.datetime | None = None
    time_limit: int | None = Field(default=None, gt=0)
    grace: int = Field(default=0, ge=0)
    overdue: Literal["autosubmit", "grace", "discard"] = "autosubmit"
    attempts: int = Field(default=0, ge=0)
    delay: int = Field(default=0, ge=0)  # minutes between the end of an attempt and the next start
    grading: Literal["highest", "last", "first", "average"] = "highest"
    pass_mark: float = Field(default=50, ge=0, le=100)
    shuffle_questions: bool = False
    shuffle_options: bool = True
    navigation: Literal["free", "sequential"] = "free"
    draw: list[DrawConfig] = Field(default_factory=list)
    review: ReviewConfig = ReviewConfig()
    overall_feedback: list[FeedbackBandConfig] = Field(default_factory=list)
    proctoring: Literal["required", "none"] | ProctoringConfig = "none"
    questions_from: BankSources | None = None
    questions: list[dict[str, object]] = Field(default_factory=list)

    @model_validator(mode="after")
    def _closes_after_opens(self) -> QuizConfig:
        if self.opens and self.closes and self.closes <= self.opens:
            raise ValueError("'closes' must be after 'opens'")
        return self

    @model_validator(mode="after")
    def _proctoring_on_attestation(self) -> QuizConfig:
        if self.proctored and self.kind not in ("intermediate", "final"):
            raise ValueError("'proctoring' is for attestations: 'kind' must be intermediate or final")
        return self

    @property
    def proctored(self) -> bool:
        mode = self.proctoring if isinstance(self.proctoring, str) else self.proctoring.mode
        return mode == "required"

    @property
    def proctoring_config(self) -> ProctoringConfig | None:
        """The full proctoring settings (defaults for the shorthand `required`), None without proctoring."""
        if not self.proctored:
            return None
        return self.proctoring if isinstance(self.proctoring, ProctoringConfig) else ProctoringConfig()

    @model_validator(mode="after")
    def _bands_differ(self) -> QuizConfig:
        bounds = [band.min for band in self.overall_feedback]
        if len(set(bounds)) != len(bounds):
            raise ValueError("'overall_feedback': two bands start at the same 'min'")
        return self

    @model_validator(mode="after")
    def _has_questions(self) -> QuizConfig:
        if not self.questions and self.questions_from is None:
            raise ValueError("a quiz needs 'questions', 'questions_from' (GIFT banks) or both")
        return self


class QuestionConfig(StrictModel):
    """Keys every question has; each type adds its own."""

    type: str
    text: Translatable
    id: Slug | None = None
    format: Literal["markdown", "html", "plain"] = "markdown"
    points: float = Field(default=1, ge=0)
    category: str = ""
    outcomes: list[str] = Field(default_factory=list)
    feedback: Translatable | None = None


class OptionConfig(StrictModel):
    text: Translatable
    correct: bool = False
    credit: float | None = Field(default=None, ge=-100, le=100)
    feedback: Translatable | None = None

    @property
    def fraction(self) -> float:
        if self.credit is not None:
            return self.credit / 100
        return 1.0 if self.correct else 0.0


class ChoiceConfig(QuestionConfig):
    options: list[OptionConfig] = Field(min_length=2)


class SingleConfig(ChoiceConfig):
    @model_validator(mode="after")
    def _one_right(self) -> SingleConfig:
        if not any(o.fraction == 1 for o in self.options):
            raise ValueError(
                "a single-choice question needs an option with 'correct: true' (or 'credit: 100')"
            )
        return self


class MultipleConfig(ChoiceConfig):
    @model_validator(mode="after")
    def _credits_add_up(self) -> MultipleConfig:
        if not any(f > 0 for f in self.fractions()):
            raise ValueError("a multiple-choice question needs at least one right option")
        total = sum(f for f in self.fractions() if f > 0)
        if abs(total - 1) > 0.001:
            raise ValueError(f"the positive credits add up to {total * 100:g}%, not 100%")
        return self

    def fractions(self) -> list[float]:
        """Explicit credits as given; 'correct: true' options share what is left of 100% equally."""
        given = sum(o.credit for o in self.options if o.credit is not None and o.credit > 0) / 100
        shared = [o for o in self.options if o.credit is None and o.correct]
        share = (1 - given) / len(shared) if shared else 0.0
        return [o.credit / 100 if o.credit is not None else share if o.correct else 0.0 for o in self.options]


class TrueFalseConfig(QuestionConfig):
    answer: bool
    right_feedback: Translatable | None = None
    wrong_feedback: Translatable | None = None


class AnswerConfig(StrictModel):
    text: Translatable
    credit: float = Field(default=100, ge=0, le=100)
    feedback: Translatable | None = None


class ShortConfig(QuestionConfig):
    answers: list[AnswerConfig] = Field(min_length=1)

    @model_validator(mode="after")
    def _one_full(self) -> ShortConfig:
        if not any(a.credit == 100 for a in self.answers):
            raise ValueError("a short-answer question needs an answer with full credit (100)")
        return self


class NumberConfig(StrictModel):
    value: float | None = None
    tolerance: float = Field(default=0, ge=0)
    min: float | None = None
    max: float | None = None
    credit: float = Field(default=100, ge=0, le=100)
    feedback: Translatable | None = None

    @model_validator(mode="after")
    def _value_or_range(self) -> NumberConfig:
        has_range = self.min is not None and self.max is not None
        partial = (self.min is None) != (self.max is None)
        if partial or (self.value is not None) == has_range:
            raise ValueError("give either 'value' (with 'tolerance') or both 'min' and 'max'")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("'min' must not be greater than 'max'")
        return self


class NumericConfig(QuestionConfig):
    answers: list[NumberConfig] = Field(min_length=1)
    other_feedback: Translatable | None = None


class PairConfig(StrictModel):
    left: Translatable
    right: Translatable


class MatchingConfig(QuestionConfig):
    pairs: list[PairConfig] = Field(min_length=2)
    distractors: list[Translatable] = Field(default_factory=list)


class OrderingConfig(QuestionConfig):
    items: list[Translatable] = Field(min_length=2)


class BlankConfig(StrictModel):
    answers: list[Translatable] = Field(min_length=1)


class FillBlanksConfig(QuestionConfig):
    blanks: list[BlankConfig] = Field(min_length=1)


class EssayConfig(QuestionConfig):
    pass


class DescriptionConfig(QuestionConfig):
    points: float = Field(default=0, ge=0, le=0)
