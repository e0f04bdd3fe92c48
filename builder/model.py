"""The content model: the site and its courses, parsed once, used by every later step."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from builder.schema import (
    AssignmentConfig,
    ConsultationsConfig,
    CourseConfig,
    CurriculumConfig,
    GradebookConfig,
    LessonMeta,
    ModuleConfig,
    ScheduleConfig,
    SiteConfig,
    Teacher,
)
from builder.yamlsource import YamlDocument

if TYPE_CHECKING:
    from builder.quizzes.model import Quiz


STAFF_TRAINING = "staff-training/schedule.yml"  # under content/: the site's staff training (R7.1)


@dataclass(frozen=True)
class LessonVariant:
    """One language version of a lesson: its file, front matter and Markdown body."""

    lang: str
    path: Path
    meta: LessonMeta
    body: str
    body_line: int
    meta_lines: dict[str, int] = field(default_factory=dict, compare=False)
    # the hash of the file's bytes when builder/lesson_cache.py read it (a key of the body), else b""
    digest: bytes = field(default=b"", compare=False, repr=False)


@dataclass
class Lesson:
    id: str
    order: int
    slug: str
    variants: dict[str, LessonVariant] = field(default_factory=dict)

    def variant(self, lang: str, fallback_order: list[str]) -> LessonVariant:
        """The lesson in `lang`, else in the first available of `fallback_order`."""
        if lang in self.variants:
            return self.variants[lang]
        for other in fallback_order:
            if other in self.variants:
                return self.variants[other]
        return next(iter(self.variants.values()))


@dataclass
class Module:
    id: str
    order: int
    path: Path
    config: ModuleConfig
    lessons: list[Lesson] = field(default_factory=list)
    source: YamlDocument | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class Assignment:
    """`assignments/<id>.yml` of a course: what to hand in, by when, and how it is graded."""

    id: str
    path: Path
    config: AssignmentConfig
    source: YamlDocument = field(repr=False, compare=False)


@dataclass
class Course:
    id: str
    path: Path
    config: CourseConfig
    modules: list[Module] = field(default_factory=list)
    schedule: ScheduleConfig | None = None
    source: YamlDocument | None = field(default=None, repr=False, compare=False)
    schedule_source: YamlDocument | None = field(default=None, repr=False, compare=False)
    assignments: list[Assignment] = field(default_factory=list)
    gradebook: GradebookConfig | None = None
    gradebook_source: YamlDocument | None = field(default=None, repr=False, compare=False)
    consultations: ConsultationsConfig | None = None
    consultations_source: YamlDocument | None = field(default=None, repr=False, compare=False)

    @property
    def languages(self) -> list[str]:
        return list(self.config.languages)

    def lessons(self) -> list[tuple[Module, Lesson]]:
        return [(module, lesson) for module in self.modules for lesson in module.lessons]

    def find_lesson(self, lesson_id: str) -> tuple[Module, Lesson] | None:
        for module, lesson in self.lessons():
            if lesson.id == lesson_id:
                return module, lesson
        return None

    def assignments_of(self, lesson_id: str | None) -> list[Assignment]:
        """The assignments set in a lesson (`lesson: <id>`), or those of no lesson for None."""
        return [a for a in self.assignments if a.config.lesson == lesson_id]

    def teacher(self, email: str) -> Teacher | None:
        """The teacher of course.yml with this e-mail (letter case aside)."""
        wanted = email.strip().lower()
        return next((t for t in self.config.teachers if t.email and t.email.strip().lower() == wanted), None)


@dataclass(frozen=True)
class Curriculum:
    path: Path
    config: CurriculumConfig
    source: YamlDocument = field(repr=False, compare=False)


@dataclass
class Site:
    root: Path
    config: SiteConfig
    courses: list[Course] = field(default_factory=list)
    source: YamlDocument | None = field(default=None, repr=False, compare=False)
    quizzes: list[Quiz] = field(default_factory=list)  # filled by `oqu check` (builder/quizzes)
    staff_training: ScheduleConfig | None = None  # content/staff-training/schedule.yml (R7.1)
    staff_training_source: YamlDocument | None = field(default=None, repr=False, compare=False)
    curricula: list[Curriculum] = field(default_factory=list)  # content/curricula/*.yml (R5)

    @property
    def languages(self) -> list[str]:
        return list(self.config.languages)

    @property
    def default_language(self) -> str:
        return self.config.languages[0]

    @property
    def content_dir(self) -> Path:
        return self.root / "content"

    @property
    def staff_training_path(self) -> Path:
        return self.content_dir / STAFF_TRAINING

    def staff_teacher(self, email: str) -> Teacher | None:
        """Who leads staff training, by the e-mail its schedule's `teachers` gives."""
        if self.staff_training is None:
            return None
        wanted = email.strip().lower()
        return next(
            (t for t in self.staff_training.teachers if t.email and t.email.strip().lower() == wanted), None
        )
