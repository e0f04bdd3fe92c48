"""A student's or a study group's own dates, time limit or attempts (Moodle's user and group overrides)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from quiz_service.quizzes.overrides import views

    views.init_app(app)
