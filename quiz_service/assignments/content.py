"""What `oqu build` wrote for the service (`build/service/assignments/<course>.json`): each
assignment's dates, rules and rubric, the course's gradebook and the grading scale; and the
quiz settings the gradebook needs (`build/service/quizzes/<course>/<quiz>.json`)."""

from __future__ import annotations

import json
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict

from builder.quizzes.model import QuizSettings, settings_from_json
from quiz_service.core.domain import NotFound

FOLDER = "assignments"
ATTENDANCE = "attendance"  # the gradebook item of live-class attendance


class Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Level(Model):
    points: float
    text: dict[str, str] = {}


class Criterion(Model):
    id: str
    title: dict[str, str] = {}
    levels: list[Level]

    @property
    def max_points(self) -> float:
        return max(level.points for level in self.levels)


class FileRules(Model):
    types: list[str]
    max_size_mb: float = 10
    max_files: int = 1

    @property
    def max_bytes(self) -> int:
        return int(self.max_size_mb * 1024 * 1024)


class AssignmentSpec(Model):
    id: str
    title: dict[str, str] = {}
    instructions: dict[str, str] = {}
    lesson: str | None = None
    due: datetime
    cut_off: datetime | None = None
    late: Literal["accept_mark_late", "penalty_per_day", "refuse_after_cutoff"] = "accept_mark_late"
    penalty_per_day: float = 0
    resubmit: bool = False
    online_text: bool = False
    files: FileRules | None = None
    max_points: float
    rubric: list[Criterion] = []
    outcomes: list[str] = []
    remind_before_hours: float | None = None  # None: the service's setting
    group: bool = False  # one submission per team: the study group

    def title_in(self, lang: str) -> str:
        return self.title.get(lang) or next(iter(self.title.values()), self.id)

    def instructions_in(self, lang: str) -> str:
        return self.instructions.get(lang) or next(iter(self.instructions.values()), "")


class GradeItem(Model):
    quiz: str | None = None
    assignment: str | None = None
    attendance: bool = False
    weight: float = 1

    @property
    def key(self) -> str:
        if self.attendance:
            return ATTENDANCE
        return f"quiz:{self.quiz}" if self.quiz else f"assignment:{self.assignment}"


class Category(Model):
    category: Literal["current", "intermediate", "final"]
    weight: float
    items: list[GradeItem]


class Gradebook(Model):
    categories: list[Category] = []

    def items(self) -> list[tuple[Category, GradeItem]]:
        return [(category, item) for category in self.categories for item in category.items]


class Band(Model):
    letter: str
    min: float
    gpa: float
    word: dict[str, str] = {}
    passed: bool = True


class CourseAssessment(Model):
    course: str
    assignments: list[AssignmentSpec] = []
    gradebook: Gradebook | None = None
    scale: list[Band] = []

    def assignment(self, assignment_id: str) -> AssignmentSpec:
        found = next((a for a in self.assignments if a.id == assignment_id), None)
        if found is None:
            raise NotFound("not_found", "The course has no such assignment.")
        return found


def assessment_of(service_dir: Path, course: str) -> CourseAssessment:
    """The course's assignments and gradebook (empty when the build wrote none)."""
    path = service_dir / FOLDER / f"{course}.json"
    try:
        stamp = path.stat().st_mtime_ns
    except (FileNotFoundError, NotADirectoryError):
        return CourseAssessment(course=course)
    return _read(path, stamp)


@lru_cache(maxsize=64)
def _read(path: Path, _stamp: int) -> CourseAssessment:
    return CourseAssessment.model_validate_json(path.read_bytes())


def quiz_title(service_dir: Path, course: str, quiz: str, lang: str) -> str:
    """The quiz's title in `lang` from the service bundle (its id when it has none)."""
    path = service_dir / "quizzes" / course / f"{quiz}.json"
    try:
        stamp = path.stat().st_mtime_ns
    except (FileNotFoundError, NotADirectoryError):
        return quiz
    titles = _titles(path, stamp)
    return titles.get(lang) or next(iter(titles.values()), quiz)


@lru_cache(maxsize=256)
def _titles(path: Path, _stamp: int) -> dict[str, str]:
    title = json.loads(path.read_text(encoding="utf-8")).get("title") or {}
    return {str(k): str(v) for k, v in title.items()} if isinstance(title, dict) else {}


def quiz_settings(service_dir: Path, course: str, quiz: str) -> QuizSettings | None:
    path = service_dir / "quizzes" / course / f"{quiz}.json"
    try:
        stamp = path.stat().st_mtime_ns
    except (FileNotFoundError, NotADirectoryError):
        return None
    return _settings(path, stamp)


@lru_cache(maxsize=256)
def _settings(path: Path, _stamp: int) -> QuizSettings:
    return settings_from_json(json.loads(path.read_text(encoding="utf-8"))["settings"])
