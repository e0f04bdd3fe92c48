"""The e-mails of consultations, queued in the booking's transaction through the core's outbox.

Each message's key is the booking's and the event's (`consult:12:booked`): a retried request,
a rerun sweep or a second worker asks for the same key and adds nothing. The language is the
student's choice (preferences), else the language they booked in.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from auth.access import courses
from auth.models import User
from quiz_service.consultations.models import BOOKED, ONLINE, WAITING, Booking, ConsultationPreference, Slot
from quiz_service.core.i18n import gettext
from quiz_service.core.mail import Message, queue_mail

LOCAL_ZONE = ZoneInfo("Asia/Almaty")
Recipient = tuple[User, str | None]  # the student, and their chosen language if they have one
ZONE_NAME = "Asia/Almaty"


def local_time(moment: datetime) -> str:
    """`08.12.2026 15:00 (Asia/Almaty)`: the institution's time, its zone named."""
    return f"{moment.astimezone(LOCAL_ZONE):%d.%m.%Y %H:%M} ({ZONE_NAME})"


def course_title(course_id: str, lang: str) -> str:
    course = courses().get(course_id)
    if course is None or not course.titles:
        return course_id
    return course.titles.get(lang) or next(iter(course.titles.values()))


def language_of(writer: Session, booking: Booking) -> str:
    chosen = writer.get(ConsultationPreference, booking.student_id)
    return chosen.lang if chosen is not None and chosen.lang else booking.lang


def place(slot: Slot, lang: str, *, reveal_link: bool) -> str:
    if slot.mode == ONLINE:
        return slot.link or "" if reveal_link else gettext("consult_mail.online", lang)
    return slot.room or ""


def _send(
    writer: Session,
    booking: Booking,
    slot: Slot,
    kind: str,
    key: str = "",
    known: Recipient | None = None,
    **extra: str,
) -> bool:
    """Queue the message `kind` to the booking's student; `known`: the student and their language
    when the caller has them already (the booking path: no second read of either)."""
    if known is not None:
        student, lang = known[0], known[1] or booking.lang
    else:
        student, lang = writer.get_one(User, booking.student_id), language_of(writer, booking)
    values = {
        "name": student.full_name or student.email,
        "title": slot.title or gettext("consult_mail.consultation", lang),
        "course": course_title(slot.course, lang),
        "when": local_time(slot.starts_at),
        "place": place(slot, lang, reveal_link=booking.state == BOOKED),
    } | extra
    message = Message(
        key=f"consult:{booking.id}:{kind}{key}",
        to=student.email,
        subject=gettext(f"consult_mail.{kind}_subject", lang, **values),
        body=gettext(f"consult_mail.{kind}_body", lang, **values),
        lang=lang,
    )
    return queue_mail(writer, message)


def booked(writer: Session, booking: Booking, slot: Slot, known: Recipient | None = None) -> None:
    _send(writer, booking, slot, "waiting" if booking.state == WAITING else "booked", known=known)


def cancelled(writer: Session, booking: Booking, slot: Slot) -> None:
    _send(writer, booking, slot, "cancelled")


def offered(writer: Session, booking: Booking, slot: Slot) -> None:
    assert booking.hold_until is not None
    _send(writer, booking, slot, "offered", hold_until=local_time(booking.hold_until))


def slot_cancelled(writer: Session, booking: Booking, slot: Slot) -> None:
    _send(writer, booking, slot, "slot_cancelled", reason=slot.cancel_reason)


def reminder(writer: Session, booking: Booking, slot: Slot) -> bool:
    return _send(writer, booking, slot, "reminder")


def place_changed(writer: Session, booking: Booking, slot: Slot) -> bool:
    """The slot's room or link changed: once per new place (the key carries a digest of it)."""
    digest = hashlib.sha256(f"{slot.mode}|{slot.link}|{slot.room}".encode()).hexdigest()[:12]
    return _send(writer, booking, slot, "place_changed", key=f":{digest}")
