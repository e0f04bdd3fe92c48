"""Who may use the teacher tools of a course: its teachers (listed in course.yml) and admins."""

from __future__ import annotations

from flask import g

from auth.access import courses
from auth.enrolment import CourseAccess, may_teach
from quiz_service.core.errors import ApiError


def taught_course(course: str) -> CourseAccess:
    """The course if the signed-in user teaches it: 404 for an unknown course, 403 for another's."""
    access = courses().get(course)
    if access is None:
        raise ApiError(404, "not_found", "There is no such course.")
    if not may_teach(g.get("user"), access):
        raise ApiError(403, "forbidden", "Only the course's teachers and admins may do this.")
    return access


def taught_courses() -> list[CourseAccess]:
    """The courses the signed-in user teaches, in the manifest's order."""
    user = g.get("user")
    return [course for course in courses().values() if may_teach(user, course)]
