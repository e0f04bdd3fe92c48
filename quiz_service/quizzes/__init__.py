"""Quizzes and exams on the service: attempts, answers, grading on the server, reviews by policy."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from quiz_service.quizzes import overrides_views, reports_views, teaching_views, views

    views.init_app(app)
    reports_views.init_app(app)
    teaching_views.init_app(app)
    overrides_views.init_app(app)
