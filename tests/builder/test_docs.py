"""Docs as tests: every content key a teacher may write is documented in the format reference."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from builder import schema
from builder.i18n import STRINGS

REFERENCE = Path(__file__).parents[2] / "docs" / "content-format.md"
DOCUMENTED_MODELS = [
    schema.SiteConfig,
    schema.DistanceLearning,
    schema.HeadOrder,
    schema.Announcement,
    schema.Library,
    schema.CourseConfig,
    schema.Hours,
    schema.Teacher,
    schema.Outcome,
    schema.CompletionConfig,
    schema.ModuleConfig,
    schema.LessonMeta,
    schema.ScheduleConfig,
    schema.ScheduledClassConfig,
    schema.ConsultationsConfig,
    schema.ConsultationSlotConfig,
    schema.MediaConfig,
    schema.VideoRendition,
    schema.Chapter,
    schema.Embed,
    schema.PaperConfig,
    schema.GradingScale,
    schema.GradeBand,
    schema.AssignmentConfig,
    schema.FileSubmission,
    schema.AssignmentGrading,
    schema.RubricCriterion,
    schema.RubricLevel,
    schema.GradebookConfig,
    schema.GradeCategoryConfig,
    schema.GradeItemConfig,
    schema.SchedulePolicy,
    schema.CurriculumPolicy,
    schema.CurriculumConfig,
    schema.CurriculumTerm,
    schema.CurriculumCourse,
    schema.ModuleDeadline,
]


def test_every_content_key_is_documented() -> None:
    text = REFERENCE.read_text(encoding="utf-8")
    missing = [
        f"{model.__name__}.{name}"
        for model in DOCUMENTED_MODELS
        for name in model.model_fields
        if f"`{name}`" not in text and f"{name}:" not in text
    ]
    assert missing == []


def test_every_schema_model_is_in_the_documented_list() -> None:
    models = {
        value
        for value in vars(schema).values()
        if isinstance(value, type)
        and issubclass(value, BaseModel)
        and value not in (BaseModel, schema.StrictModel)
    }
    assert models == set(DOCUMENTED_MODELS)


def test_every_interface_string_exists_in_kk_ru_en() -> None:
    incomplete = [
        key
        for key, values in STRINGS.items()
        if set(values) != {"kk", "ru", "en"} or not all(values.values())
    ]
    assert incomplete == []


def test_teacher_guides_exist_in_kazakh_and_russian() -> None:
    docs = REFERENCE.parent
    assert "oqu check" in (docs / "teacher-guide.kk.md").read_text(encoding="utf-8")
    assert "oqu check" in (docs / "teacher-guide.ru.md").read_text(encoding="utf-8")
