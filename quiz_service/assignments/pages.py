"""The pages of assignments and the gradebook (plain forms, no script: they work as the site does).

Students: /assignments/<course>/<assignment> (draft, files, submit, versions, released grade)
and /grades/<course>. Teachers: /teach/assignments/<course>/<assignment> (the queue),
…/submissions/<id> (the work beside the rubric), /teach/gradebook/<course> (the grid) and
/teach/gradebook/<course>/sheet (the printable grade sheet, ведомость).
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import markdown
from flask import Blueprint, Flask, Response, g, redirect, request, url_for
from markupsafe import Markup
from werkzeug.wrappers import Response as WerkzeugResponse  # redirect()'s type, base of Flask's

from auth.access import courses
from auth.models import User
from quiz_service.assignments import gradebook as book
from quiz_service.assignments import notify, service, views
from quiz_service.assignments.access import studied_course
from quiz_service.assignments.content import AssignmentSpec
from quiz_service.assignments.schemas import OverrideIn
from quiz_service.assignments.texts import ASSIGN
from quiz_service.core import db, formatting
from quiz_service.core.clock import now
from quiz_service.core.db import release_reader
from quiz_service.core.domain import DomainError, Forbidden
from quiz_service.core.errors import error_page, status_of
from quiz_service.core.i18n import request_language, texts_for
from quiz_service.core.pages import render_page, signed_in_page
from quiz_service.core.security_headers import set_endpoint_policy

pages = Blueprint(
    "assignment_pages",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/assignment-assets",
)
# The student's page runs draft.js (the online text kept on the device while offline, sent to the
# draft when the network returns); every other page keeps the service's no-script policy.
DRAFT_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "connect-src 'self'",
        "style-src 'unsafe-inline'",
        "img-src 'self' data:",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ]
)
STUDENT_ENDPOINTS = (
    "assignment_page",
    "draft_form",
    "upload_form",
    "remove_form",
    "submit_form",
    "mail_form",
)
DRAFT_STATES = ("local", "saving", "saved", "submitted", "refused", "not_handed_in")
LOCAL_ZONE = ZoneInfo("Asia/Almaty")
NOTICES = frozenset(
    {
        "saved",
        "uploaded",
        "removed",
        "submitted",
        "graded",
        "released",
        "override_saved",
        "extension_saved",
        "extension_removed",
        "mail_saved",
        "second_asked",
        "second_marked",
    }
)


def init_app(app: Flask) -> None:
    app.register_blueprint(pages)
    for endpoint in STUDENT_ENDPOINTS:
        set_endpoint_policy(app, f"assignment_pages.{endpoint}", DRAFT_POLICY)


def words() -> Mapping[str, str]:
    return texts_for(ASSIGN, request_language())


def refusal(error: DomainError) -> Response:
    said = words()
    status = status_of(error)
    message = said.get(f"error.{error.code}") or error.message
    return error_page(status, title=said["assignments"], message=message)


page = signed_in_page(refusal)


def local(moment: datetime | None) -> str:
    """A time as people here read it: the institution's time, its offset named (core.formatting)."""
    return formatting.moment(moment, request_language(), LOCAL_ZONE)


def instructions_html(text: str) -> Markup:
    """The teacher's Markdown, with any HTML in it shown as text."""
    return Markup(markdown.markdown(html.escape(text, quote=False), extensions=["sane_lists"]))


def shown_number(value: float | None) -> str:
    """1 decimal at most, no trailing zero: 36, 83.3, 10."""
    return "—" if value is None else f"{value:.1f}".rstrip("0").rstrip(".")


def show(template: str, *, status: int = 200, **context: Any) -> Response:
    notice = request.args.get("notice", "")
    said = words()
    return render_page(
        template,
        status=status,
        zone=LOCAL_ZONE,
        w=said,
        notice=said[f"notice.{notice}"] if notice in NOTICES else None,
        local=local,
        number=shown_number,
        **context,
    )


def back(endpoint: str, notice: str, **values: Any) -> WerkzeugResponse:
    return redirect(url_for(endpoint, lang=request_language(), notice=notice, **values), code=303)


def form_error(problem: DomainError, again: Any) -> Response:
    """A refusal of the user's input shows the page again with the reason."""
    if status_of(problem) not in (409, 413, 422, 429):
        raise problem
    said = words()
    response: Response = again(said.get(f"error.{problem.code}") or problem.message, status_of(problem))
    return response


# -- the student's page ------------------------------------------------------------------------


@pages.get("/assignments/<course>/<assignment>")
@page
def assignment_page(course: str, assignment: str) -> Response:
    return student_view(course, assignment)


def student_view(course: str, assignment: str, error: str | None = None, status: int = 200) -> Response:
    spec = views.student_spec(course, assignment)
    reader = db.session()
    state = views.assignment_out(reader, course, spec, g.user)
    lang = request_language()
    draft = next((v for v in state.versions if v.state == "draft"), None)
    submitted = [v for v in state.versions if v.state == "submitted"]
    titles = {c.id: c.title.get(lang) or next(iter(c.title.values()), c.id) for c in spec.rubric}
    said = words()
    return show(
        "assignments/student.html",
        criterion_titles=titles,
        status=status,
        title=spec.title_in(lang),
        course=course,
        spec=spec,
        state=state,
        draft=draft,
        submitted=list(reversed(submitted)),
        instructions=instructions_html(spec.instructions_in(lang)),
        error=error,
        accept=",".join("." + kind for kind in (spec.files.types if spec.files else [])),
        mail=notify.preference_of(reader, g.user.id),
        draft_api=url_for("assignments.save_draft", course=course, assignment=spec.id, lang=lang),
        draft_key=f"oqu-assignment-draft-{g.user.id}-{course}-{spec.id}",
        draft_initial="saved" if draft else ("submitted" if submitted else ""),
        draft_words={state: said[f"draft_state.{state}"] for state in DRAFT_STATES},
    )


def student_form(course: str, assignment: str, act: Any, notice: str) -> WerkzeugResponse:
    try:
        act()
    except DomainError as problem:
        return form_error(problem, lambda message, status: student_view(course, assignment, message, status))
    return back("assignment_pages.assignment_page", notice, course=course, assignment=assignment)


@pages.post("/assignments/<course>/<assignment>/draft")
@page
def draft_form(course: str, assignment: str) -> WerkzeugResponse:
    text = request.form.get("text", "")

    def save() -> None:
        spec = views.student_spec(course, assignment)
        release_reader()
        with db.write_transaction() as writer:
            service.save_text(writer, spec, course, writer.get_one(User, g.user.id), text, now())
            notify.remember_language(writer, g.user.id, request_language())

    return student_form(course, assignment, save, "saved")


@pages.post("/assignments/<course>/<assignment>/files")
@page
def upload_form(course: str, assignment: str) -> WerkzeugResponse:
    return student_form(
        course,
        assignment,
        lambda: views.receive_upload(course, views.student_spec(course, assignment)),
        "uploaded",
    )


@pages.post("/assignments/<course>/<assignment>/files/<int:file_id>/delete")
@page
def remove_form(course: str, assignment: str, file_id: int) -> WerkzeugResponse:
    return student_form(course, assignment, lambda: views.drop_file(course, assignment, file_id), "removed")


@pages.post("/assignments/<course>/<assignment>/submit")
@page
def submit_form(course: str, assignment: str) -> WerkzeugResponse:
    def hand_in() -> None:
        spec = views.student_spec(course, assignment)
        release_reader()
        with db.write_transaction() as writer:
            service.submit(writer, spec, course, writer.get_one(User, g.user.id), now())
            notify.remember_language(writer, g.user.id, request_language())

    return student_form(course, assignment, hand_in, "submitted")


@pages.post("/assignments/<course>/<assignment>/mail")
@page
def mail_form(course: str, assignment: str) -> WerkzeugResponse:
    """The student's e-mail choices (the checkboxes of the assignment page)."""
    views.student_spec(course, assignment)
    views.change_mail_preferences(
        reminders=request.form.get("reminders") == "on",
        grade_mail=request.form.get("grade_mail") == "on",
        lang=request_language(),
    )
    return back("assignment_pages.assignment_page", "mail_saved", course=course, assignment=assignment)


@pages.get("/assignment-files/<int:file_id>")
@page
def file_page(file_id: int) -> Response:
    file, _ = views.readable_file(file_id)
    return views.file_response(file)


@pages.get("/assignment-feedback/<int:file_id>")
@page
def feedback_file_page(file_id: int) -> Response:
    return views.file_response(views.readable_feedback_file(file_id))


# -- the teacher's queue and grading --------------------------------------------------------------


@pages.get("/teach/assignments/<course>/<assignment>")
@page
def queue_page(course: str, assignment: str) -> Response:
    return queue_view(course, assignment)


def queue_view(course: str, assignment: str, error: str | None = None, status: int = 200) -> Response:
    _, spec = views.taught_spec(course, assignment)
    return show(
        "assignments/queue.html",
        status=status,
        title=f"{words()['queue']}: {spec.title_in(request_language())}",
        course=course,
        spec=spec,
        queue=views.queue_out(course, spec),
        extensions=views.list_extensions_of(course, spec),
        error=error,
    )


def local_time(text: str) -> datetime | None:
    """A form's `datetime-local` value, read as the institution's time (Asia/Almaty)."""
    text = text.strip()
    return datetime.fromisoformat(text).replace(tzinfo=LOCAL_ZONE) if text else None


@pages.post("/teach/assignments/<course>/<assignment>/extensions")
@page
def extension_form(course: str, assignment: str) -> WerkzeugResponse:
    _, spec = views.taught_spec(course, assignment)
    form = request.form
    who = form.get("who", "").strip()
    try:
        due = local_time(form.get("due", ""))
        if due is None:
            raise ValueError("due")
        wanted = service.ExtensionRequest(
            who if "@" in who else None,
            None if "@" in who else (who or None),
            due,
            local_time(form.get("cut_off", "")),
        )
        views.extend(course, spec, wanted)
    except ValueError:
        return queue_view(course, assignment, words()["error.extension_dates"], 422)
    except DomainError as problem:
        return form_error(problem, lambda message, status: queue_view(course, assignment, message, status))
    return back("assignment_pages.queue_page", "extension_saved", course=course, assignment=assignment)


@pages.post("/teach/assignments/<course>/<assignment>/extensions/<int:extension_id>/delete")
@page
def extension_removal(course: str, assignment: str, extension_id: int) -> WerkzeugResponse:
    _, spec = views.taught_spec(course, assignment)
    views.remove_extension(course, spec, extension_id)
    return back("assignment_pages.queue_page", "extension_removed", course=course, assignment=assignment)


@pages.post("/teach/assignments/<course>/<assignment>/release")
@page
def release_form(course: str, assignment: str) -> WerkzeugResponse:
    _, spec = views.taught_spec(course, assignment)
    student = request.form.get("student", "").strip() or None
    views.release_grades(course, spec, student)
    submission = request.form.get("submission", "")
    if submission.isdigit():
        return back(
            "assignment_pages.grade_page",
            "released",
            course=course,
            assignment=assignment,
            submission_id=int(submission),
        )
    return back("assignment_pages.queue_page", "released", course=course, assignment=assignment)


@pages.get("/teach/assignments/<course>/<assignment>/submissions/<int:submission_id>")
@page
def grade_page(course: str, assignment: str, submission_id: int) -> Response:
    return grade_view(course, assignment, submission_id)


def grade_view(
    course: str, assignment: str, submission_id: int, error: str | None = None, status: int = 200
) -> Response:
    _, spec = views.taught_spec(course, assignment)
    reader = db.session()
    submission = views.submission_in(reader, course, spec, submission_id)
    shown = views.submission_out(reader, course, spec, submission)
    mark = shown.second_mark
    marking_now = mark is not None and mark.marker == g.user.email and mark.resolved_at is None
    own = mark.levels if marking_now and mark else (shown.grade.levels if shown.grade else [])
    chosen = {level.criterion: level.level for level in own}
    lang = request_language()
    access = courses().get(course)
    colleagues = sorted(t for t in (access.teachers if access else ()) if t != g.user.email.lower())
    return show(
        "assignments/grade.html",
        status=status,
        title=f"{spec.title_in(lang)}: {shown.student_name or shown.student}",
        course=course,
        spec=spec,
        lang_text=lambda given: given.get(lang) or next(iter(given.values()), ""),
        shown=shown,
        chosen=chosen,
        marking_now=marking_now,
        own_points=(mark.raw_points if marking_now and mark else None),
        own_feedback=(mark.feedback if marking_now and mark else None),
        colleagues=colleagues,
        criterion_titles={c.id: c.title.get(lang) or next(iter(c.title.values()), c.id) for c in spec.rubric},
        error=error,
    )


@pages.post("/teach/assignments/<course>/<assignment>/submissions/<int:submission_id>/grade")
@page
def grade_form(course: str, assignment: str, submission_id: int) -> WerkzeugResponse:
    _, spec = views.taught_spec(course, assignment)

    def grade() -> None:
        levels, points, feedback = chosen_mark(spec)
        views.give_grade(course, spec, submission_id, levels, points, feedback)
        views.give_feedback_file(course, spec, submission_id)

    return marking_form(course, assignment, submission_id, grade, "graded")


def chosen_mark(spec: AssignmentSpec) -> tuple[dict[str, int] | None, float | None, str]:
    """(levels, points, feedback) of a grading form; ValueError when the points are not a number."""
    form = request.form
    feedback = form.get("feedback", "")
    if spec.rubric:
        levels = {
            c.id: int(form[f"level-{c.id}"]) for c in spec.rubric if form.get(f"level-{c.id}", "").isdigit()
        }
        return levels, None, feedback
    return None, float(form.get("points", "")), feedback


def marking_form(course: str, assignment: str, submission_id: int, act: Any, notice: str) -> WerkzeugResponse:
    try:
        act()
    except ValueError:
        return grade_view(course, assignment, submission_id, words()["error.grade_points"], 422)
    except DomainError as problem:
        return form_error(
            problem, lambda message, status: grade_view(course, assignment, submission_id, message, status)
        )
    return back(
        "assignment_pages.grade_page",
        notice,
        course=course,
        assignment=assignment,
        submission_id=submission_id,
    )


@pages.post("/teach/assignments/<course>/<assignment>/submissions/<int:submission_id>/second-marker")
@page
def second_marker_form(course: str, assignment: str, submission_id: int) -> WerkzeugResponse:
    _, spec = views.taught_spec(course, assignment)
    marker = request.form.get("marker", "").strip()

    def ask() -> None:
        views.ask_second_marker(course, spec, submission_id, marker)

    return marking_form(course, assignment, submission_id, ask, "second_asked")


@pages.post("/teach/assignments/<course>/<assignment>/submissions/<int:submission_id>/second-mark")
@page
def second_mark_form(course: str, assignment: str, submission_id: int) -> WerkzeugResponse:
    _, spec = views.taught_spec(course, assignment)

    def mark() -> None:
        levels, points, feedback = chosen_mark(spec)
        views.give_second_mark(course, spec, submission_id, levels, points, feedback)

    return marking_form(course, assignment, submission_id, mark, "second_marked")


# -- the gradebook ------------------------------------------------------------------------------


@pages.get("/teach/gradebook/<course>")
@page
def gradebook_page(course: str) -> Response:
    return gradebook_view(course)


def gradebook_view(course: str, error: str | None = None, status: int = 200) -> Response:
    shown = views.gradebook_out(*views.teacher_sheet(course))
    return show(
        "assignments/gradebook.html",
        status=status,
        title=f"{words()['gradebook']}: {views.known_course_title(course, request_language())}",
        course=course,
        book=shown,
        error=error,
    )


@pages.post("/teach/gradebook/<course>/overrides")
@page
def override_form(course: str) -> WerkzeugResponse:
    form = request.form
    try:
        percent = form.get("percent", "").strip()
        body = OverrideIn(
            student=form.get("student", ""),
            item=form.get("item", ""),
            percent=float(percent) if percent else None,
            excused=form.get("excused") == "on",
            locked=form.get("locked") == "on",
        )
        views.override_cell(course, body)
    except ValueError:
        return gradebook_view(course, words()["error.override_percent"], 422)
    except DomainError as problem:
        return form_error(problem, lambda message, status: gradebook_view(course, message, status))
    return back("assignment_pages.gradebook_page", "override_saved", course=course)


@pages.get("/teach/gradebook/<course>/sheet")
@page
def sheet_page(course: str) -> Response:
    found, sheet = views.teacher_sheet(course)
    group = request.args.get("group", "").strip()
    category = request.args.get("category", "").strip()
    students = [s for s in sheet.students if not group or s.group == group]
    in_category = {item.key for c, item in sheet.gradebook.items() if not category or c.category == category}
    rows = []
    for student in students:
        total = sheet.totals[student.id]
        cells = sheet.cells[student.id]
        awaiting = (total.awaiting and not category) or any(
            cells[key].note == book.AWAITING for key in in_category if key in cells
        )
        percent = None if awaiting else (total.categories.get(category) if category else total.percent)
        band = book.band_for(found.scale, percent)
        rows.append((student, percent, band, awaiting))
    lang = request_language()
    groups = sorted({s.group for s in sheet.students if s.group})
    return show(
        "assignments/sheet.html",
        title=words()["sheet"],
        course=course,
        course_title=views.known_course_title(course, lang),
        rows=rows,
        group=group,
        groups=groups,
        category=category,
        categories=[c.category for c in sheet.gradebook.categories],
        printed=local(now()),
        word=lambda band: (band.word.get(lang) or next(iter(band.word.values()), "")) if band else "",
    )


@pages.get("/grades/<course>")
@page
def grades_page(course: str) -> Response:
    found = studied_course(course)
    if g.user.role.value != "student":
        raise Forbidden("students_only", "This is a student's own page.")
    shown = views.student_grades(course)
    return show("assignments/grades.html", title=words()["my_grades"], course=course, book=shown, found=found)
