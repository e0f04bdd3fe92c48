"""Who may see a course's text in search results: exactly who may fetch its pages.

One rule for both (auth.enrolment.may_read): open courses for everyone; enrolled courses for
teachers, admins and the students enrolled themselves or through their group; never partners.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from auth.access import courses as course_access
from auth.enrolment import may_read
from quiz_service.core import db


def can_see_course(user: Any | None, course_id: str) -> bool:
    course = course_access().get(course_id)
    return course is not None and may_read(db.session(), user, course)


def visible_courses(user: Any | None, course_ids: Iterable[str]) -> set[str]:
    return {course_id for course_id in course_ids if can_see_course(user, course_id)}
