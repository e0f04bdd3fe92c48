"""Teachers' quiz reports: statistics (JSON and a page) and the results export (CSV, XLSX)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from quiz_service.quizzes.reports import views

    views.init_app(app)
