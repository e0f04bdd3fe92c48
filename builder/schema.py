"""Declarative schemas of the content files. Unknown keys are errors everywhere."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

Lang = Literal["kk", "ru", "en"]
KNOWN_LANGUAGES: tuple[str, ...] = ("kk", "ru", "en")


def _every_language() -> list[Lang]:
    return ["kk", "ru", "en"]


SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")

LessonType = Literal["lecture", "practice", "seminar", "self-study"]
Access = Literal["open", "enrolled"]
CourseFormat = Literal["synchronous", "asynchronous", "mooc"]
ClassKind = Literal[
    "lecture", "seminar", "consultation", "staff-training", "webinar", "video-conference", "in-person"
]


@dataclass(frozen=True)
class Text:
    """Text a user sees, per language. A plain string in YAML stands for every language."""

    values: tuple[tuple[str, str], ...]

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(lang for lang, _ in self.values if lang)

    @property
    def is_universal(self) -> bool:
        return any(lang == "" for lang, _ in self.values)

    def get(self, lang: str, fallback: str = "kk") -> str:
        found = dict(self.values)
        return (
            found.get(lang)
            or found.get("")
            or found.get(fallback)
            or next((value for _, value in self.values), "")
        )

    def has(self, lang: str) -> bool:
        return self.is_universal or lang in dict(self.values)


def _to_text(value: Any) -> Text:
    if isinstance(value, Text):
        return value
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        text = str(value).strip()
        if not text:
            raise ValueError("must not be empty")
        return Text(values=(("", text),))
    if isinstance(value, dict):
        return Text(values=tuple(_text_items(value)))
    raise ValueError("must be text or a mapping of language to text, e.g. {kk: …, ru: …}")


def _text_items(value: dict[Any, Any]) -> list[tuple[str, str]]:
    items = []
    for lang, text in value.items():
        if lang not in KNOWN_LANGUAGES:
            raise ValueError(f"unknown language '{lang}' (known: {', '.join(KNOWN_LANGUAGES)})")
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"text for '{lang}' must be a non-empty string")
        items.append((str(lang), text.strip()))
    if not items:
        raise ValueError("must have text in at least one language")
    return items


def _to_slug(value: Any) -> str:
    if not isinstance(value, str) or not SLUG_RE.match(value):
        raise ValueError(f"'{value}' is not a valid id (lowercase Latin letters, digits and '-')")
    return value


Translatable = Annotated[Text, BeforeValidator(_to_text)]
Slug = Annotated[str, BeforeValidator(_to_slug)]


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class HeadOrder(StrictModel):
    number: str
    date: dt.date


class DistanceLearning(StrictModel):
    enabled: bool = False
    order: HeadOrder | None = None
    note: Translatable | None = None

    @model_validator(mode="after")
    def _order_when_enabled(self) -> DistanceLearning:
        if self.enabled and self.order is None:
            raise ValueError("'order' (number and date of the head's order) is required when enabled")
        return self


class Announcement(StrictModel):
    date: dt.date
    title: Translatable
    text: Translatable
    until: dt.date | None = None


def _check_url(value: str) -> str:
    if not re.match(r"^https?://[^\s/$.?#].[^\s]*$", value):
        raise ValueError(f"'{value}' is not an http(s) URL")
    return value


class Library(StrictModel):
    name: Translatable
    url: str
    description: Translatable | None = None
    owner: Literal["institution", "partner"] = "institution"

    _url = field_validator("url")(_check_url)


BITRATE_RE = re.compile(r"^[1-9][0-9]{1,3}k$")


def _check_bitrate(value: str) -> str:
    if not BITRATE_RE.match(value):
        raise ValueError(f"'{value}' is not a bitrate like 96k")
    return value


class VideoRendition(StrictModel):
    height: int = Field(ge=144, le=2160)
    crf: int = Field(default=26, ge=0, le=51)
    audio_bitrate: str = "96k"

    _bitrate = field_validator("audio_bitrate")(_check_bitrate)


def _default_renditions() -> list[VideoRendition]:
    return [
        VideoRendition(height=360, crf=28, audio_bitrate="64k"),
        VideoRendition(height=720, crf=25, audio_bitrate="96k"),
    ]


class MediaConfig(StrictModel):
    renditions: list[VideoRendition] = Field(default_factory=_default_renditions, min_length=1)
    preset: Literal["ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow"] = "veryfast"
    audio_format: Literal["aac", "opus"] = "aac"
    audio_bitrate: str = "96k"
    loudness: float = Field(default=-16.0, ge=-31, le=-5)
    image_widths: list[int] = Field(default_factory=lambda: [480, 960, 1600], min_length=1)
    image_quality: int = Field(default=82, ge=30, le=100)

    _bitrate = field_validator("audio_bitrate")(_check_bitrate)

    @field_validator("renditions")
    @classmethod
    def _unique_heights(cls, value: list[VideoRendition]) -> list[VideoRendition]:
        if len({r.height for r in value}) != len(value):
            raise ValueError("rendition heights must not repeat")
        return value

    @field_validator("image_widths")
    @classmethod
    def _sane_widths(cls, value: list[int]) -> list[int]:
        if any(width < 64 or width > 4096 for width in value):
            raise ValueError("image widths must be between 64 and 4096 pixels")
        return sorted(set(value))


class PaperConfig(StrictModel):
    """Paper and offline delivery (R7.3): a PDF and an offline copy of each course and language."""

    pdf: bool = False
    offline: bool = False


class GradeBand(StrictModel):
    """One band of the grading scale: a letter from `min` points (of 100) up to the next band."""

    letter: str = Field(min_length=1, max_length=3)
    min: float = Field(ge=0, le=100)
    gpa: float = Field(ge=0, le=4.5)
    word: Translatable | None = None  # the traditional grade: өте жақсы / отлично …
    passed: bool = True


def _kazakh_scale() -> list[GradeBand]:
    """The 100-point letter scale Kazakh universities publish (credit technology rules)."""
    excellent = {"kk": "өте жақсы", "ru": "отлично", "en": "excellent"}
    good = {"kk": "жақсы", "ru": "хорошо", "en": "good"}
    fair = {"kk": "қанағаттанарлық", "ru": "удовлетворительно", "en": "satisfactory"}
    poor = {"kk": "қанағаттанарлықсыз", "ru": "неудовлетворительно", "en": "unsatisfactory"}
    rows = [
        ("A", 95, 4.0, excellent), ("A-", 90, 3.67, excellent), ("B+", 85, 3.33, good),
        ("B", 80, 3.0, good), ("B-", 75, 2.67, good), ("C+", 70, 2.33, fair), ("C", 65, 2.0, fair),
        ("C-", 60, 1.67, fair), ("D+", 55, 1.33, fair), ("D", 50, 1.0, fair),
        ("FX", 25, 0.5, poor), ("F", 0, 0.0, poor),
    ]  # fmt: skip
    return [
        GradeBand(letter=letter, min=low, gpa=gpa, word=_to_text(word), passed=low >= 50)
        for letter, low, gpa, word in rows
    ]


class GradingScale(StrictModel):
    """The institution's scale (R12): bands by points of 100, highest first, the last from 0."""

    bands: list[GradeBand] = Field(default_factory=_kazakh_scale, min_length=2)

    @field_validator("bands")
    @classmethod
    def _descending_to_zero(cls, value: list[GradeBand]) -> list[GradeBand]:
        lows = [band.min for band in value]
        if lows != sorted(lows, reverse=True) or len(set(lows)) != len(lows):
            raise ValueError(
                "bands must go from the highest 'min' down, each 'min' lower than the one before"
            )
        if lows[-1] != 0:
            raise ValueError("the last band must start at 'min: 0'")
        if len({band.letter for band in value}) != len(value):
            raise ValueError("letters must not repeat")
        return value


class SchedulePolicy(StrictModel):
    """How `oqu check` treats schedules (R7.1) and how the service counts a late join (R10)."""

    publication_working_days: int = Field(default=3, ge=0, le=30)
    late_publication: Literal["error", "warning"] = "warning"
    late_after_minutes: int = Field(default=10, ge=0, le=240)


class CurriculumPolicy(StrictModel):
    """R5.3: the share of hours with direct teacher contact the institution sets, per group."""

    min_contact_percent: int = Field(default=0, ge=0, le=100)
    max_contact_percent: int = Field(default=100, ge=0, le=100)
    out_of_range: Literal["error", "warning"] = "warning"


class SiteConfig(StrictModel):
    name: Translatable
    institution: Translatable
    description: Translatable | None = None
    languages: list[Lang] = Field(default_factory=lambda: _every_language(), min_length=1)
    site_url: str | None = None
    service_url: str = "/"
    contact_email: str | None = None
    distance_learning: DistanceLearning = DistanceLearning()
    announcements: list[Announcement] = Field(default_factory=list)
    libraries: list[Library] = Field(default_factory=list)
    media: MediaConfig = MediaConfig()
    paper: PaperConfig = PaperConfig()
    grading_scale: GradingScale = GradingScale()
    schedules: SchedulePolicy = SchedulePolicy()
    curriculum: CurriculumPolicy = CurriculumPolicy()

    @field_validator("languages")
    @classmethod
    def _unique_languages(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("languages must not repeat")
        return value

    @property
    def default_language(self) -> str:
        return self.languages[0]


class Hours(StrictModel):
    contact: int = Field(ge=0)
    distance: int = Field(ge=0)


class Teacher(StrictModel):
    name: Translatable
    position: Translatable | None = None
    email: str | None = None


class Outcome(StrictModel):
    id: Slug
    text: Translatable


MoveOnCriterion = Literal["read", "video", "quiz"]


def read_only() -> list[MoveOnCriterion]:
    return ["read"]


class CompletionConfig(StrictModel):
    """When a lesson, a module and the course count as completed (cmi5-style `moveOn`)."""

    lesson: list[MoveOnCriterion] = Field(default_factory=read_only)
    video_percent: int = Field(default=90, ge=1, le=100)
    quiz_percent: int = Field(default=50, ge=1, le=100)
    attendance_percent: int | None = Field(default=None, ge=1, le=100)


class CourseConfig(StrictModel):
    title: Translatable
    summary: Translatable | None = None
    languages: list[Lang] = Field(min_length=1)
    access: Access
    format: CourseFormat
    hours: Hours
    teachers: list[Teacher] = Field(min_length=1)
    outcomes: list[Outcome] = Field(min_length=1)
    order: int | None = None
    completion: CompletionConfig = Field(default_factory=CompletionConfig)

    @field_validator("languages")
    @classmethod
    def _unique_languages(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("languages must not repeat")
        return value


class ModuleConfig(StrictModel):
    title: Translatable
    summary: Translatable | None = None


TIMESTAMP_RE = re.compile(r"^(?:(\d+):)?([0-5]?\d):([0-5]\d)$")


class Chapter(StrictModel):
    start: str
    title: str = Field(min_length=1)

    @field_validator("start", mode="before")
    @classmethod
    def _timestamp(cls, value: Any) -> str:
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            value = f"{value // 3600}:{value // 60 % 60:02d}:{value % 60:02d}"  # YAML 1.1 reads 1:05 as 65
        if not TIMESTAMP_RE.match(str(value)):
            raise ValueError(f"'{value}' is not a time like 1:05 or 1:02:03")
        return str(value)

    @property
    def seconds(self) -> int:
        match = TIMESTAMP_RE.match(self.start)
        assert match is not None
        hours, minutes, seconds = (int(part or 0) for part in match.groups())
        return hours * 3600 + minutes * 60 + seconds


class Embed(StrictModel):
    src: str = Field(min_length=1)
    title: str = Field(min_length=1)
    height: int = Field(default=480, ge=120, le=2000)


class LessonMeta(StrictModel):
    title: str = Field(min_length=1)
    type: LessonType
    duration: int = Field(gt=0)
    id: Slug | None = None
    outcomes: list[str] = Field(default_factory=list)
    video: str | None = None
    audio: str | None = None
    chapters: list[Chapter] = Field(default_factory=list)
    interactive: list[Embed] = Field(default_factory=list)
    due: dt.date | dt.datetime | None = None
    quizzes: list[Slug] = Field(default_factory=list)
    move_on: list[MoveOnCriterion] | None = None  # None: the course's `completion.lesson`


def _to_clock_time(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 24 * 60:
        return dt.time(value // 60, value % 60)  # YAML 1.1 reads 11:30 as the number 690
    return value


ClockTime = Annotated[dt.time, BeforeValidator(_to_clock_time)]


def _to_group(value: Any) -> str:
    if not isinstance(value, str | int) or isinstance(value, bool) or not str(value).strip():
        raise ValueError("a group is a non-empty name as the roster gives it, e.g. ПБ-21")
    return str(value).strip()


Group = Annotated[str, BeforeValidator(_to_group)]


class ScheduledClassConfig(StrictModel):
    id: Slug
    title: Translatable
    start: dt.datetime
    end: ClockTime | None = None  # the end on the start's day (Asia/Almaty); or give `duration`
    duration: int | None = Field(default=None, gt=0)
    kind: ClassKind = "webinar"
    place: Translatable | None = None  # a room: "Корпус 2, 305 аудитория"
    lesson: str | None = None
    # A past session's recording, a video file in the course (path from the course folder): shown
    # as its `lesson`'s video when that lesson has none (renditions, captions beside it).
    recording: str | None = None
    teacher: str | None = None  # the teacher's e-mail in course.yml: a key that survives reordering
    audience: list[Group] = Field(default_factory=list)  # study groups; empty: the schedule's audience
    join_url: str | None = None

    @field_validator("join_url")
    @classmethod
    def _join_url(cls, value: str | None) -> str | None:
        return None if value is None else _check_url(value)

    @model_validator(mode="after")
    def _length(self) -> ScheduledClassConfig:
        if self.end is None and self.duration is None:
            raise ValueError("give 'end' (e.g. 11:30) or 'duration' (minutes)")
        if self.end is not None:
            minutes = (self.end.hour * 60 + self.end.minute) - (self.start.hour * 60 + self.start.minute)
            if minutes <= 0:
                raise ValueError(f"'end' {self.end:%H:%M} is not after the start {self.start:%H:%M}")
            if self.duration is not None and self.duration != minutes:
                raise ValueError(f"'end' gives {minutes} minutes but 'duration' says {self.duration}")
            object.__setattr__(self, "duration", minutes)  # frozen: set once, while validating
        return self

    @property
    def minutes(self) -> int:
        assert self.duration is not None
        return self.duration


class ScheduleConfig(StrictModel):
    timezone: str = "Asia/Almaty"
    title: Translatable | None = None
    approved_by: Translatable | None = None  # e.g. the deputy head for academic work (R7.1)
    approved_on: dt.date | None = None
    audience: list[Group] = Field(default_factory=list)  # study groups of every class by default
    teachers: list[Teacher] = Field(default_factory=list)  # staff training only: who leads it
    classes: list[ScheduledClassConfig] = Field(default_factory=list)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone '{value}' (e.g. Asia/Almaty)") from None
        return value

    @model_validator(mode="after")
    def _approval_whole(self) -> ScheduleConfig:
        if (self.approved_by is None) != (self.approved_on is None):
            raise ValueError("give both 'approved_by' and 'approved_on', or neither")
        return self

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    def starts_at(self, item: ScheduledClassConfig) -> dt.datetime:
        """The class's start as an aware time (a naive `start` is in the schedule's zone)."""
        return item.start if item.start.tzinfo else item.start.replace(tzinfo=self.zone)

    def ends_at(self, item: ScheduledClassConfig) -> dt.datetime:
        return self.starts_at(item) + dt.timedelta(minutes=item.minutes)

    def audience_of(self, item: ScheduledClassConfig) -> list[str]:
        return list(item.audience or self.audience)


class ModuleDeadline(StrictModel):
    module: Slug
    due: dt.date


class CurriculumCourse(StrictModel):
    course: Slug
    contact: int | None = Field(default=None, ge=0)  # hours; default: the course.yml's `hours`
    distance: int | None = Field(default=None, ge=0)
    deadlines: list[ModuleDeadline] = Field(default_factory=list)


class CurriculumTerm(StrictModel):
    term: int = Field(ge=1, le=20)
    starts: dt.date
    ends: dt.date
    courses: list[CurriculumCourse] = Field(min_length=1)

    @model_validator(mode="after")
    def _order(self) -> CurriculumTerm:
        if self.ends <= self.starts:
            raise ValueError(f"term {self.term} ends ({self.ends}) before it starts ({self.starts})")
        return self


class CurriculumConfig(StrictModel):
    """content/curricula/<file>.yml: one study group's curriculum (R5): its courses per term."""

    group: Group
    programme: Translatable
    terms: list[CurriculumTerm] = Field(min_length=1)


# -- consultation slots for a term (consultations.yml) -------------------------------------

ConsultationMode = Literal["online", "in_person"]


class ConsultationSlotConfig(StrictModel):
    """One slot, or a weekly series of `weeks` slots, that the service publishes for `teacher`."""

    id: Slug | None = None  # names the entry, so that a changed `start` moves it (see docs/consultations.md)
    teacher: str  # the teacher's e-mail as course.yml gives it
    start: dt.datetime  # in the file's `timezone` unless it names its own offset
    minutes: int = Field(default=30, gt=0, le=480)
    seats: int = Field(default=1, ge=1, le=500)  # 1: an individual consultation; more: a group
    mode: ConsultationMode = "online"
    link: str | None = None  # online: the meeting link, shown only to booked students
    room: str | None = None  # in person: where
    title: str = ""
    weeks: int = Field(default=1, ge=1, le=52)

    @field_validator("link")
    @classmethod
    def _link(cls, value: str | None) -> str | None:
        return None if value is None else _check_url(value)

    @model_validator(mode="after")
    def _place(self) -> ConsultationSlotConfig:
        if self.mode == "online" and not self.link:
            raise ValueError("an online slot needs a `link`")
        if self.mode == "in_person" and not self.room:
            raise ValueError("an in-person slot needs a `room`")
        return self


class ConsultationsConfig(StrictModel):
    timezone: str = "Asia/Almaty"
    slots: list[ConsultationSlotConfig] = Field(default_factory=list)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        return ScheduleConfig._known_zone(value)

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)


# -- assignments and the gradebook (assignments/<id>.yml, gradebook.yml) -----------------

LatePolicy = Literal["accept_mark_late", "penalty_per_day", "refuse_after_cutoff"]
# What a student may upload, by the file's content (the service checks the bytes, not the name).
FileKind = Literal["pdf", "docx", "xlsx", "pptx", "odt", "jpg", "png", "txt"]
GradeCategory = Literal["current", "intermediate", "final"]


class FileSubmission(StrictModel):
    types: list[FileKind] = Field(min_length=1)
    max_size_mb: float = Field(default=10, gt=0, le=100)
    max_files: int = Field(default=1, ge=1, le=20)


class RubricLevel(StrictModel):
    points: float = Field(ge=0)
    text: Translatable


class RubricCriterion(StrictModel):
    id: Slug
    title: Translatable
    levels: list[RubricLevel] = Field(min_length=2)

    @property
    def max_points(self) -> float:
        return max(level.points for level in self.levels)


class AssignmentGrading(StrictModel):
    points: float | None = Field(default=None, gt=0, le=1000)
    rubric: list[RubricCriterion] = Field(default_factory=list)

    @model_validator(mode="after")
    def _points_or_rubric(self) -> AssignmentGrading:
        if (self.points is None) == (not self.rubric):
            raise ValueError("give either 'points' (the most a work can get) or a 'rubric', not both")
        if len({criterion.id for criterion in self.rubric}) != len(self.rubric):
            raise ValueError("rubric criterion ids must not repeat")
        return self

    @property
    def max_points(self) -> float:
        return self.points if self.points is not None else sum(c.max_points for c in self.rubric)


class AssignmentConfig(StrictModel):
    title: Translatable
    instructions: Translatable  # Markdown
    lesson: str | None = None
    due: dt.datetime
    cut_off: dt.datetime | None = None
    late: LatePolicy = "accept_mark_late"
    penalty_per_day: float = Field(default=0, ge=0, le=100)  # % of the most points, per day or part
    resubmit: bool = False  # new versions until the due date
    online_text: bool = False
    files: FileSubmission | None = None
    grading: AssignmentGrading
    outcomes: list[str] = Field(default_factory=list)
    # Hours before the due date when a student who has not handed in gets a reminder by e-mail
    # (None: the service's OQU_ASSIGNMENT_REMIND_HOURS; 0: no reminder).
    remind_before_hours: float | None = Field(default=None, ge=0, le=24 * 30)
    # One submission per team (the student's study group): any member hands in, all get the grade.
    group: bool = False

    @model_validator(mode="after")
    def _consistent(self) -> AssignmentConfig:
        if not self.online_text and self.files is None:
            raise ValueError("say how work is handed in: 'online_text: true', 'files', or both")
        if self.cut_off is not None and self.cut_off < self.due:
            raise ValueError("'cut_off' must not be earlier than 'due'")
        if self.late == "refuse_after_cutoff" and self.cut_off is None:
            raise ValueError("'late: refuse_after_cutoff' needs a 'cut_off'")
        if (self.late == "penalty_per_day") != (self.penalty_per_day > 0):
            raise ValueError("'penalty_per_day' (a percent above 0) goes with 'late: penalty_per_day' only")
        return self


class GradeItemConfig(StrictModel):
    quiz: Slug | None = None
    assignment: Slug | None = None
    # Live-class attendance: the share of the student's own classes (its audience) attended.
    attendance: bool | None = None
    weight: float = Field(default=1, gt=0)

    @model_validator(mode="after")
    def _one_source(self) -> GradeItemConfig:
        sources = [self.quiz is not None, self.assignment is not None, self.attendance is not None]
        if sum(sources) != 1 or self.attendance is False:
            raise ValueError("an item is one of 'quiz: <id>', 'assignment: <id>' or 'attendance: true'")
        return self

    @property
    def key(self) -> str:
        if self.attendance:
            return "attendance"
        return f"quiz:{self.quiz}" if self.quiz else f"assignment:{self.assignment}"


class GradeCategoryConfig(StrictModel):
    category: GradeCategory
    weight: float = Field(gt=0, le=100)  # percent of the course total
    items: list[GradeItemConfig] = Field(min_length=1)


class GradebookConfig(StrictModel):
    categories: list[GradeCategoryConfig] = Field(min_length=1)

    @field_validator("categories")
    @classmethod
    def _weights(cls, value: list[GradeCategoryConfig]) -> list[GradeCategoryConfig]:
        if len({c.category for c in value}) != len(value):
            raise ValueError("a category must not repeat")
        total = sum(c.weight for c in value)
        if abs(total - 100) > 1e-6:
            raise ValueError(f"category weights must add up to 100, not {total:g}")
        return value
