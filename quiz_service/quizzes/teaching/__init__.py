"""The teacher's side: attempts of a quiz, manual grading with comments, regrade, release of grades."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from quiz_service.quizzes.teaching import views

    views.init_app(app)
