"""Settings of the quiz service: defaults, then OQU_* environment variables.

`create_app(test_config)` keys win over both, as for the service's own settings.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from flask import Flask

from quiz_service.core.config import Settings, apply_settings

# setting: (environment variable, default, parser)
SETTINGS: Settings = {
    # Answer guessing (T19): distinct graded responses per student, quiz and question in the
    # window before a new response is refused with 429; 0 turns the limit off.
    "GUESS_LIMIT": ("OQU_GUESS_LIMIT", 10, int),
    "GUESS_WINDOW": (
        "OQU_GUESS_WINDOW_MINUTES",
        timedelta(hours=1),
        lambda text: timedelta(minutes=int(text)),
    ),
    # How often each worker closes the attempts whose time ran out (at most; on a quiz request).
    "QUIZ_SWEEP_EVERY": (
        "OQU_QUIZ_SWEEP_SECONDS",
        timedelta(seconds=15),
        lambda text: timedelta(seconds=float(text)),
    ),
}


def configure(app: Flask, environ: Mapping[str, str] | None = None) -> None:
    """Fill in each setting the app does not have yet: environment, else default."""
    apply_settings(app.config, SETTINGS, environ)
