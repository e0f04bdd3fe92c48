"""The consultations' pages: the student's booking page of a course and the teacher's pages.

Plain forms (no script needed, every control reachable by keyboard), each change a POST with
the CSRF token, then a redirect back with a notice. The pages call the API's own functions
(`views`), so that they decide exactly as the API does. Times are typed and shown in the
institution's time, Asia/Almaty, and the zone is named.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, Flask, Response, g, request, url_for
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response as WerkzeugResponse  # redirect()'s type, base of Flask's

from auth.models import Role, User
from quiz_service.consultations import questions, service, views
from quiz_service.consultations.settings import policy
from quiz_service.core import db
from quiz_service.core.clock import now
from quiz_service.core.domain import DomainError, Forbidden, Invalid
from quiz_service.core.errors import error_page, status_of
from quiz_service.core.i18n import Words, request_language, texts_for
from quiz_service.core.pages import render_page, signed_in_page

pages = Blueprint("consultation_pages", __name__, template_folder="templates")
WORDS = Words("consult")
LOCAL_ZONE = ZoneInfo("Asia/Almaty")
NOTICES = frozenset(
    {
        "booked",
        "waiting",
        "cancelled",
        "accepted",
        "published",
        "slot_cancelled",
        "seats",
        "saved",
        "preferences",
    }
)


def init_app(app: Flask) -> None:
    app.register_blueprint(pages)


def words() -> Mapping[str, str]:
    return texts_for(WORDS, request_language())


def refusal(error: DomainError) -> Response:
    said = words()
    return error_page(
        status_of(error), title=said["title"], message=said.get(f"error.{error.code}", error.message)
    )


page = signed_in_page(refusal)


def local(moment: datetime | None) -> str:
    return f"{moment.astimezone(LOCAL_ZONE):%d.%m.%Y %H:%M}" if moment else ""


def show(template: str, **context: Any) -> Response:
    said = words()
    notice = request.args.get("notice", "")
    return render_page(
        template,
        w=said,
        notice=said[f"notice.{notice}"] if notice in NOTICES else None,
        local=local,
        zone=LOCAL_ZONE,
        **context,
    )


def back(endpoint: str, notice: str, **values: Any) -> WerkzeugResponse:
    from flask import redirect

    return redirect(url_for(endpoint, lang=request_language(), notice=notice, **values), code=303)


def on_form_error(
    again: Callable[[str], Response],
) -> Callable[[Callable[[], WerkzeugResponse]], WerkzeugResponse]:
    """Run a form's change; a refusal of the domain shows the page again with its reason."""

    def run(change: Callable[[], WerkzeugResponse]) -> WerkzeugResponse:
        try:
            return change()
        except DomainError as problem:
            if status_of(problem) in (401, 403, 404):
                raise
            said = words()
            return again(said.get(f"error.{problem.code}", problem.message))

    return run


# -- the student's page -------------------------------------------------------------------


@pages.get("/consultations/<course>")
@page
def student_page(course: str) -> WerkzeugResponse:
    return student_view(course)


def student_view(course: str, error: str | None = None) -> Response:
    access = views.readable_course(course)
    reader = db.session()
    moment = now()
    listed = views.slots_out(
        reader, course, service.visible_slots(reader, course, moment), teacher_view=False
    )
    mine = [(b, s) for b, s in service.bookings_of_student(reader, g.user.id, moment) if s.course == course]
    own = [views.booking_out(reader, b, s) for b, s in mine]
    chosen = service.preference_of(reader, g.user.id)
    lang = request_language()
    return show(
        "consultations/student.html",
        status=422 if error else 200,
        title=f"{words()['title']}: {access.titles.get(lang) or next(iter(access.titles.values()), course)}",
        course=course,
        slots=listed.slots,
        bookings=own,
        reminders=chosen.reminders if chosen else True,
        error=error,
        is_student=g.user.role.value == "student",
    )


@pages.post("/consultations/<course>/slots/<int:slot_id>/book")
@page
def book_form(course: str, slot_id: int) -> WerkzeugResponse:
    def change() -> WerkzeugResponse:
        views.readable_course(course)
        if g.user.role != Role.STUDENT:
            raise Forbidden("students_only", "Students book; staff book a student in through the API.")
        slot = service.slot_of(db.session(), slot_id)
        if slot.course != course:
            raise Invalid("not_found", "There is no such consultation.")
        wanted = service.BookingRequest(
            slot_id=slot_id, student=g.user, topic=request.form.get("topic", "")[: service.MAX_TOPIC],
            request_key=(request.form.get("request_key") or "")[:64] or None, lang=request_language(),
        )  # fmt: skip
        moment, rules = now(), policy()
        booking = views.in_transaction(lambda writer: service.book(writer, wanted, rules, moment)[0])
        return back("consultation_pages.student_page", booking.state, course=course)

    return on_form_error(lambda message: student_view(course, message))(change)


@pages.post("/consultations/<course>/bookings/<int:booking_id>/cancel")
@page
def cancel_form(course: str, booking_id: int) -> WerkzeugResponse:
    def change() -> WerkzeugResponse:
        moment, rules, user_id = now(), policy(), g.user.id
        views.in_transaction(lambda w: service.cancel_booking(w, booking_id, user_id, rules, moment))
        return back("consultation_pages.student_page", "cancelled", course=course)

    return on_form_error(lambda message: student_view(course, message))(change)


@pages.post("/consultations/<course>/bookings/<int:booking_id>/accept")
@page
def accept_form(course: str, booking_id: int) -> WerkzeugResponse:
    def change() -> WerkzeugResponse:
        moment, rules, student = now(), policy(), g.user
        views.in_transaction(lambda w: service.accept_offer(w, booking_id, student, rules, moment))
        return back("consultation_pages.student_page", "accepted", course=course)

    return on_form_error(lambda message: student_view(course, message))(change)


@pages.post("/consultations/<course>/preferences")
@page
def preferences_form(course: str) -> WerkzeugResponse:
    user_id, wanted = g.user.id, request.form.get("reminders") == "on"
    lang = request_language()
    views.in_transaction(lambda w: service.set_preference(w, user_id, reminders=wanted, lang=lang))
    return back("consultation_pages.student_page", "preferences", course=course)


# -- the teacher's pages ------------------------------------------------------------------


@pages.get("/teach/consultations/<course>")
@page
def teacher_page(course: str) -> WerkzeugResponse:
    return teacher_view(course)


def teacher_view(course: str, error: str | None = None) -> Response:
    access = views.taught_course(course)
    reader = db.session()
    listed = views.slots_out(
        reader, course, service.course_slots(reader, course, now() - timedelta(days=30)), teacher_view=True
    )
    lang = request_language()
    moment = now()
    waiting = questions.queue(reader, course, unanswered=True)
    answered = [
        (q, u) for q, u in questions.queue(reader, course, unanswered=False) if q.answered_at is not None
    ]
    return show(
        "consultations/teacher.html",
        status=422 if error else 200,
        title=f"{words()['teacher_title']}: {access.titles.get(lang) or next(iter(access.titles.values()), course)}",
        course=course,
        slots=listed.slots,
        error=error,
        waiting=waiting,
        answered=answered[-20:],
        hours=lambda q: int((moment - q.asked_at).total_seconds() // 3600),
    )


@pages.post("/teach/consultations/<course>/questions/<int:question_id>")
@page
def answer_form(course: str, question_id: int) -> WerkzeugResponse:
    def change() -> WerkzeugResponse:
        views.taught_course(course)
        if questions.question_of(db.session(), question_id, None).course != course:
            raise Invalid("not_found", "There is no such question.")
        form, teacher_id, moment = request.form, g.user.id, now()

        def save(writer: Session) -> None:
            if form.get("answer", "").strip():
                questions.answer(writer, question_id, teacher_id, form["answer"], moment)
            if "publish" in form:
                questions.publish(writer, question_id, form.get("faq_text"), form["publish"] == "yes", moment)

        views.in_transaction(save)
        return back("consultation_pages.teacher_page", "saved", course=course)

    return on_form_error(lambda message: teacher_view(course, message))(change)


def local_field(name: str, required: bool = False) -> datetime | None:
    text = request.form.get(name, "").strip()
    if not text:
        if required:
            raise Invalid("slot_form", f"{name}: required.")
        return None
    try:
        return datetime.fromisoformat(text).replace(tzinfo=LOCAL_ZONE)
    except ValueError:
        raise Invalid("slot_form", f"{name}: a date and time.") from None


def number_field(name: str, default: int) -> int:
    text = request.form.get(name, "").strip()
    try:
        return int(text) if text else default
    except ValueError:
        raise Invalid("slot_form", f"{name}: a number.") from None


@pages.post("/teach/consultations/<course>")
@page
def publish_form(course: str) -> WerkzeugResponse:
    def change() -> WerkzeugResponse:
        form = request.form
        starts = local_field("starts_at", required=True)
        assert starts is not None
        spec = service.SlotSpec(
            course=course, starts_at=starts, minutes=number_field("minutes", 30), seats=number_field("seats", 1),
            mode=form.get("mode", "online"), link=form.get("link") or None, room=form.get("room") or None,
            title=form.get("title", ""), closes_at=local_field("closes_at"), cancel_until=local_field("cancel_until"),
            visible_from=local_field("visible_from"), weeks=number_field("weeks", 1),
        )  # fmt: skip
        views.publish_slots(course, spec)
        return back("consultation_pages.teacher_page", "published", course=course)

    return on_form_error(lambda message: teacher_view(course, message))(change)


@pages.get("/teach/consultations/slots/<int:slot_id>")
@page
def slot_page(slot_id: int) -> WerkzeugResponse:
    return slot_view(slot_id)


def slot_view(slot_id: int, error: str | None = None) -> Response:
    slot = views.taught_slot(slot_id)
    reader = db.session()
    rows = service.bookings_of_slot(reader, slot_id)
    teacher = reader.get(User, slot.teacher_id)
    shaped = views.slot_out(slot, teacher.full_name if teacher else "", 0, show_link=True)
    return show(
        "consultations/slot.html",
        status=422 if error else 200,
        title=f"{words()['slot_title']}: {local(slot.starts_at)}",
        slot=shaped,
        bookings=[views.booking_out(reader, b, slot, student) for b, student in rows],
        error=error,
    )


@pages.post("/teach/consultations/slots/<int:slot_id>/cancel")
@page
def cancel_slot_form(slot_id: int) -> WerkzeugResponse:
    def change() -> WerkzeugResponse:
        views.taught_slot(slot_id)
        reason, moment = request.form.get("reason", ""), now()
        views.in_transaction(lambda w: service.cancel_slot(w, slot_id, reason, moment))
        return back("consultation_pages.slot_page", "slot_cancelled", slot_id=slot_id)

    return on_form_error(lambda message: slot_view(slot_id, message))(change)


@pages.post("/teach/consultations/slots/<int:slot_id>/seats")
@page
def seats_form(slot_id: int) -> WerkzeugResponse:
    def change() -> WerkzeugResponse:
        views.taught_slot(slot_id)
        seats, moment, rules = number_field("seats", 1), now(), policy()
        views.in_transaction(lambda w: service.set_seats(w, slot_id, seats, rules, moment))
        return back("consultation_pages.slot_page", "seats", slot_id=slot_id)

    return on_form_error(lambda message: slot_view(slot_id, message))(change)


@pages.post("/teach/consultations/slots/<int:slot_id>/bookings/<int:booking_id>")
@page
def attendance_form(slot_id: int, booking_id: int) -> WerkzeugResponse:
    def change() -> WerkzeugResponse:
        views.taught_slot(slot_id)
        booking = service.booking_of(db.session(), booking_id, None)
        if booking.slot_id != slot_id:
            raise Invalid("not_found", "There is no such booking.")
        form, teacher_id, moment = request.form, g.user.id, now()
        attended = {"yes": True, "no": False}.get(form.get("attended", ""))

        def mark(writer: Session) -> None:
            service.mark_attendance(
                writer, booking_id, teacher_id, moment, attended=attended,
                private_note=form.get("private_note"), shared_note=form.get("shared_note"),
            )  # fmt: skip

        views.in_transaction(mark)
        return back("consultation_pages.slot_page", "saved", slot_id=slot_id)

    return on_form_error(lambda message: slot_view(slot_id, message))(change)


@pages.post("/teach/consultations/slots/<int:slot_id>/bookings/<int:booking_id>/cancel")
@page
def staff_cancel_form(slot_id: int, booking_id: int) -> WerkzeugResponse:
    def change() -> WerkzeugResponse:
        views.taught_slot(slot_id)
        if service.booking_of(db.session(), booking_id, None).slot_id != slot_id:
            raise Invalid("not_found", "There is no such booking.")
        moment, rules = now(), policy()
        views.in_transaction(lambda w: service.cancel_booking(w, booking_id, None, rules, moment, by="staff"))
        return back("consultation_pages.slot_page", "cancelled", slot_id=slot_id)

    return on_form_error(lambda message: slot_view(slot_id, message))(change)
