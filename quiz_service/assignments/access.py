"""Who may do what with assignments: the course's students hand in and see their own work; the
course's teachers (course.yml) and admins see and grade everyone's. Another student's work is
as missing as one that does not exist (404); a teacher of another course is refused (403)."""

from __future__ import annotations

from flask import current_app, g

from auth.access import courses
from auth.enrolment import CourseAccess, may_read, may_teach
from auth.models import Role, User
from quiz_service.assignments.content import CourseAssessment, assessment_of
from quiz_service.core import db
from quiz_service.core.domain import Forbidden, NotFound


def known_course(course: str) -> CourseAccess:
    access = courses().get(course)
    if access is None:
        raise NotFound("not_found", "There is no such course.")
    return access


def assessment(course: str) -> CourseAssessment:
    return assessment_of(current_app.config["SERVICE_DIR"], course)


def studied_course(course: str) -> CourseAssessment:
    """The course's assessment if the signed-in user may read the course (403 otherwise)."""
    access = known_course(course)
    if not may_read(db.session(), g.user, access):
        raise Forbidden("not_enrolled", "You are not enrolled in this course.")
    return assessment(course)


def taught_course(course: str) -> CourseAssessment:
    access = known_course(course)
    if not may_teach(g.get("user"), access):
        raise Forbidden("forbidden", "Only the course's teachers and admins may do this.")
    return assessment(course)


def teaches(user: User, course: str) -> bool:
    access = courses().get(course)
    return access is not None and may_teach(user, access)


def is_staff(user: User) -> bool:
    return user.role in (Role.TEACHER, Role.ADMIN)
