"""Taking a quiz: start, save, navigate, submit, review; guessing limits; the overdue sweep."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from quiz_service.core import studies
    from quiz_service.quizzes.attempts import study_panel, views

    views.init_app(app)
    studies.add_study_panel(app, study_panel.quizzes_panel)
