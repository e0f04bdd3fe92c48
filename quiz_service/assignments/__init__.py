"""Assignments and the gradebook (R7.9, R12): students hand in work (drafts, files checked by
their content, versions that never change), teachers grade it with points or a rubric and
release the grades, and the gradebook weighs quizzes and assignments into a course total on
the institution's scale.

- `content.py`: what the build wrote for the service (assignments, gradebook, scale)
- `service.py`: drafts, files, submission, the late policy, extensions
- `uploads.py`: checking and storing files
- `grading.py`: the queue, grades and their history, release
- `gradebook.py`: cells, categories, totals, overrides and locks
- `views.py` (the API), `pages.py` (the pages), `exports.py` (CSV, XLSX)
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from quiz_service.assignments import pages, settings, study_panel, views
    from quiz_service.core import studies

    settings.configure(app)
    views.init_app(app)
    pages.init_app(app)
    studies.add_study_panel(app, study_panel.assignments_panel)
