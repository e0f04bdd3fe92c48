"""Live classes and attendance (R7.9, R10): join through the service, the teacher's list, and
each user's private calendar feed. The schedules themselves come from the service bundle.
(Orders of the head, R4: quiz_service/notices.)"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from quiz_service.core import studies
    from quiz_service.schedules import office_views, plan_views, study_panel, views

    views.init_app(app)
    plan_views.init_app(app)
    office_views.init_app(app)
    studies.add_study_panel(app, study_panel.schedule_panel)
