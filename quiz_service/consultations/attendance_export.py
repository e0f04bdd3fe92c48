"""A slot's attendance as CSV for its teachers (`GET /api/v1/consultations/slots/<id>/attendance.csv`).

One row per booking (seats, offers, the waitlist in order, then the ended ones); column titles
in the caller's language; text a spreadsheet would take for a formula is neutralised by
core.export (a student named `=HYPERLINK(…)` stays a name).
"""

from __future__ import annotations

from collections.abc import Mapping
from zoneinfo import ZoneInfo

from flask import Blueprint, Flask, Response

from quiz_service.consultations import service
from quiz_service.consultations.models import Slot
from quiz_service.consultations.views import taught_slot
from quiz_service.core import db, export
from quiz_service.core.i18n import Words, request_language, texts_for
from quiz_service.core.openapi import operation

api = Blueprint("consultation_exports", __name__, url_prefix="/api/v1/consultations")
WORDS = Words("consult")
LOCAL_ZONE = ZoneInfo("Asia/Almaty")


def init_app(app: Flask) -> None:
    app.register_blueprint(api)


def attendance_table(slot: Slot, said: Mapping[str, str]) -> export.Table:
    marks = {True: said["present"], False: said["absent"], None: ""}
    rows: list[list[export.Cell]] = []
    for booking, student in service.bookings_of_slot(db.session(), slot.id):
        rows.append(
            [
                student.full_name or "", student.email, student.group or "", said[f"seat.{booking.state}"],
                booking.topic, marks[booking.attended], booking.shared_note, booking.private_note,
            ]
        )  # fmt: skip
    header = [
        said["student"], said["csv.email"], said["csv.group"], said["state"], said["topic"], said["attendance"],
        said["shared_note"], said["private_note"],
    ]  # fmt: skip
    when = f"{slot.starts_at.astimezone(LOCAL_ZONE):%Y-%m-%d %H:%M}"
    return export.Table(title=f"{slot.course} {when}", header=header, rows=rows)


@api.get("/slots/<int:slot_id>/attendance.csv")
@operation(
    "A slot's bookings and attendance as UTF-8 CSV (teachers of the course)", auth=True, media_type="text/csv"
)
def attendance_csv(slot_id: int) -> Response:
    slot = taught_slot(slot_id)
    table = attendance_table(slot, texts_for(WORDS, request_language()))
    when = f"{slot.starts_at.astimezone(LOCAL_ZONE):%Y%m%d-%H%M}"
    name = export.attachment_name(slot.course, "consultation", when, "attendance", extension="csv")
    response = Response(export.to_csv(table), 200, mimetype=export.CSV_MEDIA_TYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"  # students' names and notes
    return response
