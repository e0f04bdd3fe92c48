"""Quizzes in the service bundle as `oqu build` writes them, and the service's clock, for tests."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from builder.quizzes.gift import parse_gift
from builder.quizzes.model import Quiz, QuizSettings
from builder.quizzes.publish import service_quiz
from builder.quizzes.types import with_ids


def publish_gift_quiz(
    service_dir: Path,
    bank: str,
    *,
    course: str = "fire-safety",
    quiz_id: str = "exam",
    title: str = "Емтихан",
    **settings: Any,
) -> dict[str, Any]:
    """Write a Kazakh GIFT quiz into `service_dir/quizzes/` with these settings; its JSON (keys and
    version included)."""
    questions = tuple(with_ids(q, f"{course}/{quiz_id}") for q in parse_gift(bank).questions)
    quiz = Quiz(
        course, quiz_id, Path(f"{quiz_id}.gift"), {"kk": title}, QuizSettings(**settings), {"kk": questions}
    )
    body = service_quiz(quiz)
    target = service_dir / "quizzes" / course / f"{quiz_id}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    return body


class ServerClock:
    """The service's clock (`app.extensions["oqu_clock"]`), moved by setting `now`."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def move(self, **delta: float) -> None:
        self.now += timedelta(**delta)
