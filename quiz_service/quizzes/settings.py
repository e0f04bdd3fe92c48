"""Settings of the quiz service: defaults, then OQU_* environment variables.

`create_app(test_config)` keys win over both, as for the service's own settings.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from flask import Flask
from pydantic import NonNegativeInt, PositiveFloat, PositiveInt

from quiz_service.core.config import OquSettings, apply_settings


class QuizServiceSettings(OquSettings):
    # Answer guessing (T19): distinct graded responses per student, quiz and question in the
    # window before a new response is refused with 429; 0 turns the limit off.
    guess_limit: NonNegativeInt = 10
    guess_window_minutes: PositiveInt = 60
    # How often each worker closes the attempts whose time ran out (at most; on a quiz request).
    quiz_sweep_seconds: PositiveFloat = 15

    def to_config(self) -> dict[str, Any]:
        return {
            "GUESS_LIMIT": self.guess_limit,
            "GUESS_WINDOW": timedelta(minutes=self.guess_window_minutes),
            "QUIZ_SWEEP_EVERY": timedelta(seconds=self.quiz_sweep_seconds),
        }


def configure(app: Flask, environ: Mapping[str, str] | None = None) -> None:
    """Fill in each setting the app does not have yet: environment, else default."""
    apply_settings(app.config, QuizServiceSettings, environ)
