"""Consultations: slots teachers publish, bookings with a first-come waitlist, e-mail notices."""

from __future__ import annotations

from flask import Flask

from quiz_service.core.calendar_feed import add_feed_contributor


def init_app(app: Flask) -> None:
    from quiz_service.consultations import (  # noqa: F401 (jobs: registered for enqueue)
        attendance_export,
        calendar,
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
    add_feed_contributor(app, "consultations", calendar.feed_events_of)
