"""Quizzes and exams on the service, one folder per feature on shared models:

- `attempts/`: taking a quiz (start, save, submit, review), graded on the server
- `teaching/`: the teacher's attempts, manual grading, regrade, release (API and pages)
- `overrides/`: a student's or a group's own dates, time limit or attempts
- `reports/`: statistics and the results export

`models.py` (the tables), `pinned.py` (a quiz version as the service grades it) and
`teacher.py` (access and page shell of every teacher tool) are what they share.
"""

from __future__ import annotations

from flask import Flask

from quiz_service.quizzes import attempts, overrides, reports, teaching


def init_app(app: Flask) -> None:
    attempts.init_app(app)
    reports.init_app(app)
    teaching.init_app(app)
    overrides.init_app(app)
