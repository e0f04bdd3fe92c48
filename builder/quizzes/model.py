"""The quiz model: small frozen objects, one set of questions per language."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Option:
    """A choice, an accepted short answer or a true/false value, with its credit (-1 … 1)."""

    text: str
    fraction: float = 0.0
    feedback: str = ""
    id: str = ""


@dataclass(frozen=True)
class NumericAnswer:
    low: float
    high: float
    fraction: float = 1.0
    feedback: str = ""
    shown: str = ""  # as the teacher wrote it: '1822:5', '1820..1824'


@dataclass(frozen=True)
class Pair:
    left: str
    right: str
    left_id: str = ""
    right_id: str = ""


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    text: str
    line: int = 1
    format: str = "markdown"
    title: str = ""
    points: float = 1.0
    category: str = ""
    outcomes: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    feedback: str = ""  # general feedback, shown after the answer
    options: tuple[Option, ...] = ()  # single, multiple, true-false, short answers
    numbers: tuple[NumericAnswer, ...] = ()
    other_feedback: str = ""  # numeric: feedback for any other answer
    pairs: tuple[Pair, ...] = ()
    distractors: tuple[Option, ...] = ()  # matching: extra right-hand items
    items: tuple[Option, ...] = ()  # ordering, in the right order
    blanks: tuple[tuple[Option, ...], ...] = ()  # fill-in-the-blank: accepted answers per blank
    public_id: str = ""


BLANK = "[[{}]]"  # fill-in-the-blank marker in question text: [[1]], [[2]] …


@dataclass(frozen=True)
class FeedbackBand:
    """Overall feedback for grades from `min_percent` up to the next band's."""

    min_percent: float
    text: tuple[tuple[str, str], ...]  # (language, text) pairs: hashable, as the settings are

    def in_language(self, lang: str) -> str:
        texts = dict(self.text)
        return texts.get(lang) or next(iter(texts.values()), "")


@dataclass(frozen=True)
class ReviewPolicy:
    """When the student sees each part of a finished attempt: immediately, after-close, after-release, never."""

    score: str = "immediately"
    correctness: str = "immediately"
    feedback: str = "immediately"
    answers: str = "after-close"


@dataclass(frozen=True)
class ProctoringPolicy:
    """How an attestation is proctored; `required=False` (the default) is an unproctored quiz."""

    required: bool = False
    signals: tuple[str, ...] = ()
    snapshot_every: int = 30  # seconds
    sustained_seconds: int = 10
    sustained_frames: int = 3
    noise_level: float = 0.1
    head_turn: float = 0.25


@dataclass(frozen=True)
class Draw:
    category: str
    count: int


@dataclass(frozen=True)
class QuizSettings:
    kind: str = "practice"
    opens: str | None = None  # ISO 8601 with zone
    closes: str | None = None
    time_limit: int | None = None  # minutes
    grace: int = 0  # minutes
    overdue: str = "autosubmit"  # autosubmit | grace | discard
    attempts: int = 0  # 0: unlimited
    delay: int = 0  # minutes from the end of one attempt to the start of the next
    grading: str = "highest"
    pass_mark: float = 50.0
    shuffle_questions: bool = False
    shuffle_options: bool = True
    navigation: str = "free"
    draw: tuple[Draw, ...] = ()
    review: ReviewPolicy = ReviewPolicy()
    overall_feedback: tuple[FeedbackBand, ...] = ()  # highest band first
    timezone: str = "Asia/Almaty"  # the course's zone: pages show opens and closes in it, named
    proctoring: ProctoringPolicy = ProctoringPolicy()

    def overall_feedback_for(self, percent: float, lang: str) -> str | None:
        """The overall feedback of the band the grade falls in (None without bands or below all)."""
        band = next((b for b in self.overall_feedback if percent >= b.min_percent), None)
        return band.in_language(lang) if band is not None else None


@dataclass(frozen=True)
class Quiz:
    course: str
    id: str
    path: Path
    title: dict[str, str]
    settings: QuizSettings
    questions: dict[str, tuple[Question, ...]] = field(default_factory=dict)  # per language

    @property
    def key(self) -> str:
        return f"{self.course}/{self.id}"

    @property
    def languages(self) -> list[str]:
        return list(self.questions)


def opaque_id(*parts: str) -> str:
    """A stable id that tells nothing but what its parts already tell (never the authored order)."""
    digest = hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()
    return "x" + digest[:11]


def as_json(value: Any) -> Any:
    """Dataclasses to plain JSON values (for the service bundle)."""
    if hasattr(value, "__dataclass_fields__"):
        return {name: as_json(getattr(value, name)) for name in value.__dataclass_fields__}
    if isinstance(value, tuple | list):
        return [as_json(item) for item in value]
    if isinstance(value, dict):
        return {key: as_json(item) for key, item in value.items()}
    if isinstance(value, Path):
        return value.as_posix()
    return value


def question_from_json(data: dict[str, Any]) -> Question:
    """The inverse of `as_json` for a question (the service reads questions from the bundle)."""

    def options(items: list[dict[str, Any]]) -> tuple[Option, ...]:
        return tuple(Option(**item) for item in items)

    return Question(
        **{
            **data,
            "outcomes": tuple(data.get("outcomes", ())),
            "tags": tuple(data.get("tags", ())),
            "options": options(data.get("options", [])),
            "numbers": tuple(NumericAnswer(**item) for item in data.get("numbers", [])),
            "pairs": tuple(Pair(**item) for item in data.get("pairs", [])),
            "distractors": options(data.get("distractors", [])),
            "items": options(data.get("items", [])),
            "blanks": tuple(options(blank) for blank in data.get("blanks", [])),
        }
    )


def _proctoring_from_json(data: dict[str, Any] | None) -> ProctoringPolicy:
    if not data:
        return ProctoringPolicy()
    return ProctoringPolicy(**{**data, "signals": tuple(data.get("signals", ()))})


def settings_from_json(data: dict[str, Any]) -> QuizSettings:
    return QuizSettings(
        **{
            **data,
            "draw": tuple(Draw(**item) for item in data.get("draw", [])),
            "review": ReviewPolicy(**data.get("review", {})),
            "overall_feedback": tuple(
                FeedbackBand(band["min_percent"], tuple(tuple(pair) for pair in band["text"]))
                for band in data.get("overall_feedback", [])
            ),
            "proctoring": _proctoring_from_json(data.get("proctoring")),
        }
    )
