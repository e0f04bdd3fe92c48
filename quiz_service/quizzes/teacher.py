"""What every teacher tool of quizzes shares: who may use it, and its pages' shell.

Access: a course's teachers (listed in course.yml) and admins; 404 for an unknown course or
quiz, 403 for anyone else. Pages: signed-out visitors go to the sign-in page, a refusal
becomes a page in the asked language, words come from `texts.TEACH`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from flask import Response, current_app, g, redirect, request, url_for
from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response as WerkzeugResponse  # redirect()'s type, base of Flask's

from auth.access import courses
from auth.enrolment import CourseAccess, may_teach
from auth.models import Role
from quiz_service.core import formatting
from quiz_service.core.domain import DomainError, Forbidden, NotFound
from quiz_service.core.errors import error_page, status_of
from quiz_service.core.i18n import request_language, texts_for
from quiz_service.core.pages import Page, render_page, signed_in_page
from quiz_service.quizzes.models import QuizVersion
from quiz_service.quizzes.pinned import PinnedQuiz, bundle_file, parse_quiz
from quiz_service.quizzes.texts import TEACH

NOTICES = frozenset({"released", "saved", "nothing_to_grade", "override_saved", "override_removed"})


def taught_course(course: str) -> CourseAccess:
    """The course if the signed-in user teaches it: 404 for an unknown course, 403 for another's."""
    access = courses().get(course)
    if access is None:
        raise NotFound("not_found", "There is no such course.")
    if not may_teach(g.get("user"), access):
        raise Forbidden("forbidden", "Only the course's teachers and admins may do this.")
    return access


def taught_courses() -> list[CourseAccess]:
    """The courses the signed-in user teaches, in the manifest's order."""
    user = g.get("user")
    return [course for course in courses().values() if may_teach(user, course)]


def require_teacher_role() -> None:
    """Teacher tools are for teachers and admins (which courses: `taught_course`)."""
    if g.user.role not in (Role.TEACHER, Role.ADMIN):
        raise Forbidden("teachers_only", "Teacher tools are for teachers and admins.")


def taught_quiz(course: str, quiz: str) -> tuple[PinnedQuiz, str]:
    """The quiz as the service bundle has it now, if the user teaches its course (else 403/404)."""
    taught_course(course)
    path = bundle_file(current_app.config["SERVICE_DIR"], course, quiz)
    if path is None:
        raise NotFound("not_found", "The course has no such quiz.")
    body = path.read_text(encoding="utf-8")
    return parse_quiz(body), body


def teacher_page(view: Page) -> Page:
    """Signed-out visitors go to the sign-in page; a refusal becomes a page in the asked language."""
    return signed_in_page(refusal_page)(view)


def words() -> Mapping[str, str]:
    return texts_for(TEACH, request_language())


def refusal_page(error: DomainError) -> Response:
    said = words()
    message = said.get(error.code) or (said["forbidden"] if status_of(error) == 403 else said["not_found"])
    return error_page(status_of(error), title=said["teacher_tools"], message=message)


def teach_page(template: str, *, status: int = 200, **context: Any) -> Response:
    notice = request.args.get("notice", "")
    said = words()
    return render_page(
        template,
        status=status,
        w=said,
        notice=said[f"notice.{notice}"] if notice in NOTICES else None,
        formatted=formatted,
        rich_text=rich_text,
        **context,
    )


def rich_text(text: str, text_format: str = "markdown") -> Markup:
    """A question's text as the student saw it in the quiz module (quiz.js `questionText`):
    escaped, then bold and italic, blanks `[[1]]` as numbered gaps, line breaks kept."""
    plain = html.unescape(re.sub(r"<[^>]+>", "", text)) if text_format == "html" else text
    safe = str(escape(plain))
    if text_format != "plain":
        safe = re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", safe)
        safe = re.sub(r"\*([^*]+)\*", r"<em>\1</em>", safe)
    safe = re.sub(r"\[\[(\d+)\]\]", r"_____ (\1)", safe)
    return Markup(safe.replace("\n", "<br>"))


def formatted(value: float | None) -> str:
    """A number as the page's language writes it (at most two decimals; `core.formatting`)."""
    return formatting.number(value, request_language())


def back_to(
    endpoint: str, notice: str | None = None, anchor: str | None = None, **values: Any
) -> WerkzeugResponse:
    shown: dict[str, Any] = {"notice": notice} if notice else {}
    target = url_for(endpoint, lang=request_language(), **shown, **values)
    return redirect(target + (f"#{quote(anchor)}" if anchor else ""), code=303)


class VersionNumbers(dict[str, int]):
    """A quiz's versions numbered 1, 2, … in the order attempts first used them (a teacher reads
    "№2", not a content hash); a version no attempt used yet is the next number."""

    def __missing__(self, version: str) -> int:
        return len(self) + 1


def version_numbers(reader: Session, course: str, quiz: str) -> VersionNumbers:
    rows = reader.scalars(
        select(QuizVersion.version)
        .where(QuizVersion.course == course, QuizVersion.quiz == quiz)
        .order_by(QuizVersion.created_at, QuizVersion.version)
    )
    return VersionNumbers({version: number for number, version in enumerate(rows, start=1)})
