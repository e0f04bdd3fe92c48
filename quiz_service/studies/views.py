""" "My studies" at /my/: a page for signed-in users (students above all)."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, g

from auth.access import courses
from auth.enrolment import enrolled_course_ids, may_teach
from auth.models import Role, User
from quiz_service.core import db, studies
from quiz_service.core.clock import now
from quiz_service.core.domain import DomainError
from quiz_service.core.errors import error_page, status_of
from quiz_service.core.i18n import request_language, texts_for
from quiz_service.core.pages import render_page, signed_in_page
from quiz_service.studies.texts import STUDIES

bp = Blueprint("studies", __name__, url_prefix="/my", template_folder="templates")


def refusal(error: DomainError) -> Response:
    return error_page(status_of(error))


@bp.get("/")
@signed_in_page(refusal)
def my_studies() -> Response:
    user: User = g.user
    lang = request_language()
    reader = db.session()
    mine = my_course_ids(user)
    student = studies.Student(user.id, user.email, user.group, mine, lang, now())
    known = courses()
    return render_page(
        "studies/my.html",
        title=texts_for(STUDIES, lang)["title"],
        w=texts_for(STUDIES, lang),
        user=user,
        courses=[known[course_id] for course_id in mine],
        panels=studies.study_panels(current_app, reader, student),
    )


def my_course_ids(user: User) -> tuple[str, ...]:
    """A student's enrolled courses; a teacher's taught ones; an admin's, every course (the
    catalogue's order)."""
    known = courses()
    if user.role == Role.ADMIN:
        return tuple(known)
    if user.role == Role.TEACHER:
        return tuple(course_id for course_id, course in known.items() if may_teach(user, course))
    enrolled = enrolled_course_ids(db.session(), user)
    return tuple(course_id for course_id in known if course_id in enrolled)
