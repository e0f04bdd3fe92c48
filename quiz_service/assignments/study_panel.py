"""The assignments' panel of "My studies": each assignment of the student's courses with its due
date (an extension counted), handed in on time or late, or overdue (R7.9)."""

from __future__ import annotations

from datetime import datetime

from flask import current_app, g
from pydantic import ValidationError
from sqlalchemy.orm import Session

from quiz_service.assignments.content import AssignmentSpec, assessment_of
from quiz_service.assignments.service import dates_for, versions_of
from quiz_service.core.formatting import moment, site_zone
from quiz_service.core.i18n import Words, texts_for
from quiz_service.core.studies import Student, StudyItem, StudyPanel

STUDIES = Words("studies")


def assignments_panel(reader: Session, student: Student) -> StudyPanel:
    words = texts_for(STUDIES, student.lang)
    found: list[tuple[str, AssignmentSpec]] = [
        (course, spec) for course in student.courses for spec in readable_assignments(course)
    ]
    items = [assignment_item(reader, student, course, spec) for course, spec in found]
    items.sort(key=lambda pair: pair[0])
    return StudyPanel(
        words["assignments"], tuple(item for _, item in items), words["no_assignments"], order=35
    )


def readable_assignments(course: str) -> list[AssignmentSpec]:
    """The course's assignments; none when its bundle file cannot be read (logged: the rest of
    "My studies" still shows)."""
    try:
        return assessment_of(current_app.config["SERVICE_DIR"], course).assignments
    except ValidationError:
        current_app.logger.exception("the assignments of %s in the service bundle cannot be read", course)
        return []


def assignment_item(
    reader: Session, student: Student, course: str, spec: AssignmentSpec
) -> tuple[datetime, StudyItem]:
    words = texts_for(STUDIES, student.lang)
    dates = dates_for(reader, spec, g.user, course)
    team = g.user.group if spec.group else None
    versions = versions_of(reader, student.id, course, spec.id, team) if team or not spec.group else []
    handed_in = [v for v in versions if v.state == "submitted"]
    due_text = words["due"].format(when=moment(dates.due, student.lang, site_zone()))
    if handed_in:
        last = handed_in[-1]
        state, kind = (
            (words["submitted_late"].format(days=last.days_late), "alert")
            if last.days_late
            else (words["submitted"], "ok")
        )
    elif student.now > dates.due:
        state, kind = words["overdue"], "alert"
    else:
        state, kind = None, "info"
    url = f"/assignments/{course}/{spec.id}?lang={student.lang}"
    return dates.due, StudyItem(spec.title_in(student.lang), url, due_text, state, kind)
