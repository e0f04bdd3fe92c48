"""Consultations: slots teachers publish, bookings with a first-come waitlist, e-mail notices."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from quiz_service.consultations import (  # noqa: F401 (jobs: registered for enqueue)
        attendance_export,
        jobs,
        pages,
        question_views,
        settings,
        views,
    )

    settings.configure(app)
    views.init_app(app)
    pages.init_app(app)
    question_views.init_app(app)
    attendance_export.init_app(app)
