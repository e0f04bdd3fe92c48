"""Quizzes as the service grades them: the bundle's current version, and versions pinned by attempts."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from builder.quizzes.model import Question, QuizSettings, question_from_json, settings_from_json

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")


@dataclass(frozen=True)
class PinnedQuiz:
    course: str
    id: str
    version: str
    title: dict[str, str]
    settings: QuizSettings
    questions: dict[str, tuple[Question, ...]]  # per language, authored order

    @property
    def languages(self) -> list[str]:
        return list(self.questions)

    def question(self, lang: str, question_id: str) -> Question | None:
        return next((q for q in self.questions[lang] if q.id == question_id), None)

    @property
    def closes(self) -> datetime | None:
        return datetime.fromisoformat(self.settings.closes) if self.settings.closes else None

    @property
    def opens(self) -> datetime | None:
        return datetime.fromisoformat(self.settings.opens) if self.settings.opens else None


def parse_quiz(body: str) -> PinnedQuiz:
    """A quiz from the JSON that `oqu build` writes to build/service/quizzes/ (cached per version)."""
    return _parse(body)


@lru_cache(maxsize=256)
def _parse(body: str) -> PinnedQuiz:
    data: dict[str, Any] = json.loads(body)
    return PinnedQuiz(
        course=data["course"],
        id=data["id"],
        version=data["version"],
        title=data["title"],
        settings=settings_from_json(data["settings"]),
        questions={
            lang: tuple(question_from_json(q) for q in questions)
            for lang, questions in data["questions"].items()
        },
    )


def bundle_file(service_dir: Path, course: str, quiz: str) -> Path | None:
    """The quiz's file in the service bundle, or None (ids are slugs: nothing escapes the folder)."""
    if not SLUG.match(course) or not SLUG.match(quiz):
        return None
    path = service_dir / "quizzes" / course / f"{quiz}.json"
    return path if path.is_file() else None
