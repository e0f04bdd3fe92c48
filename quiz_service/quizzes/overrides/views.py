"""Quiz overrides for teachers: the API under /api/v1/teach/quizzes/<course>/<quiz>/overrides and
the page /teach/<course>/<quiz>/overrides. Access as every teacher tool (`taught_quiz`)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, Flask, Response, g, request
from werkzeug.wrappers import Response as WerkzeugResponse  # redirect()'s type, base of Flask's

from auth.models import User
from quiz_service.core import db, formatting
from quiz_service.core.clock import now
from quiz_service.core.db import release_reader
from quiz_service.core.domain import DomainError, Invalid
from quiz_service.core.errors import status_of
from quiz_service.core.i18n import request_language
from quiz_service.core.openapi import operation
from quiz_service.quizzes.models import QuizOverride
from quiz_service.quizzes.overrides import service as overrides
from quiz_service.quizzes.overrides.schemas import OverrideIn, OverrideOut, OverridesOut
from quiz_service.quizzes.teacher import back_to, taught_quiz, teach_page, teacher_page, words

api = Blueprint("quiz_overrides", __name__, url_prefix="/api/v1/teach/quizzes")
pages = Blueprint("quiz_override_pages", __name__, url_prefix="/teach", template_folder="templates")
# The page's date fields are in the institution's time; the API takes any ISO 8601 zone.


def init_app(app: Flask) -> None:
    app.register_blueprint(api)
    app.register_blueprint(pages)


def override_out(override: QuizOverride, student: User | None) -> OverrideOut:
    return OverrideOut(
        id=override.id,
        student=student.email if student else None,
        student_name=student.full_name if student else None,
        group=override.group,
        opens=override.opens,
        closes=override.closes,
        time_limit=override.time_limit,
        attempts=override.attempts,
        set_at=override.set_at,
    )


def listed(course: str, quiz: str) -> OverridesOut:
    taught_quiz(course, quiz)
    rows = overrides.overrides_of(db.session(), course, quiz)
    return OverridesOut(course=course, quiz=quiz, overrides=[override_out(o, s) for o, s in rows])


def put(course: str, quiz: str, wanted: overrides.OverrideRequest) -> OverrideOut:
    pinned, _ = taught_quiz(course, quiz)
    for moment in (wanted.opens, wanted.closes):
        if moment is not None and moment.tzinfo is None:
            raise Invalid("override_zone", "opens, closes: give the time zone (…+05:00 or …Z).")
    release_reader()
    with db.write_transaction() as writer:
        override = overrides.set_override(writer, pinned, wanted, g.user.id, now())
        student = writer.get(User, override.user_id) if override.user_id else None
        return override_out(override, student)


def remove(course: str, quiz: str, override_id: int) -> None:
    taught_quiz(course, quiz)
    release_reader()
    with db.write_transaction() as writer:
        overrides.remove_override(writer, course, quiz, override_id)


# -- the API ------------------------------------------------------------------------------


@api.get("/<course>/<quiz>/overrides")
@operation("The quiz's overrides for students and study groups", response=OverridesOut, auth=True)
def list_overrides(course: str, quiz: str) -> OverridesOut:
    return listed(course, quiz)


@api.put("/<course>/<quiz>/overrides")
@operation(
    "Set (or replace) a student's or a study group's dates, time limit or attempts",
    body=OverrideIn,
    response=OverrideOut,
    auth=True,
)
def set_override(course: str, quiz: str, body: OverrideIn) -> OverrideOut:
    wanted = overrides.OverrideRequest(
        body.student or None, body.group or None, body.opens, body.closes, body.time_limit, body.attempts
    )
    return put(course, quiz, wanted)


@api.delete("/<course>/<quiz>/overrides/<int:override_id>")
@operation("Remove an override", status=204, auth=True)
def delete_override(course: str, quiz: str, override_id: int) -> None:
    remove(course, quiz, override_id)


# -- the page -----------------------------------------------------------------------------


@pages.get("/<course>/<quiz>/overrides")
@teacher_page
def overrides_page(course: str, quiz: str) -> Response:
    return show(course, quiz)


def show(course: str, quiz: str, *, error: str | None = None, status: int = 200) -> Response:
    pinned, _ = taught_quiz(course, quiz)
    said = words()
    lang = request_language()
    return teach_page(
        "teach/overrides.html",
        status=status,
        title=f"{said['overrides']}: {pinned.title.get(lang) or next(iter(pinned.title.values()), quiz)}",
        course=course,
        quiz=quiz,
        settings=pinned.settings,
        quiz_opens=pinned.opens,
        quiz_closes=pinned.closes,
        listed=listed(course, quiz),
        error=error,
        zone=formatting.course_zone(course),  # the page's times, and the form's
    )


@pages.post("/<course>/<quiz>/overrides")
@teacher_page
def override_form(course: str, quiz: str) -> WerkzeugResponse:
    said = words()
    try:
        put(course, quiz, request_from_form(formatting.course_zone(course)))
    except ValueError:
        return show(course, quiz, error=said["override_format"], status=422)
    except DomainError as problem:
        if status_of(problem) != 422:
            raise
        return show(course, quiz, error=said.get(problem.code, said["override_format"]), status=422)
    return back_to("quiz_override_pages.overrides_page", "override_saved", course=course, quiz=quiz)


@pages.post("/<course>/<quiz>/overrides/<int:override_id>/delete")
@teacher_page
def override_removal(course: str, quiz: str, override_id: int) -> WerkzeugResponse:
    remove(course, quiz, override_id)
    return back_to("quiz_override_pages.overrides_page", "override_removed", course=course, quiz=quiz)


def request_from_form(zone: ZoneInfo) -> overrides.OverrideRequest:
    """The form's fields; dates typed as wall-clock time of the course's zone (the page names it)."""
    form = request.form
    who = form.get("who", "").strip()
    student, group = (who, None) if "@" in who else (None, who or None)
    return overrides.OverrideRequest(
        student=student,
        group=group,
        opens=_local(form.get("opens", ""), zone),
        closes=_local(form.get("closes", ""), zone),
        time_limit=_number(form.get("time_limit", "")),
        attempts=_number(form.get("attempts", "")),
    )


def _local(text: str, zone: ZoneInfo) -> datetime | None:
    text = text.strip()
    return datetime.fromisoformat(text).replace(tzinfo=zone) if text else None


def _number(text: str) -> int | None:
    text = text.strip()
    return int(text) if text else None
