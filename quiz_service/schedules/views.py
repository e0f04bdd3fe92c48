"""Live classes through the service: join (page and API), the teacher's attendance list (page and
API), and each user's private calendar feed.

Pages: /schedules/ (my schedule), /schedules/join/<schedule>/<class>, /teach/schedules/<schedule>/
<class>/attendance, /schedules/calendar/<token>.ics. API: /api/v1/schedules/…
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from flask import Blueprint, Flask, Response, g, redirect, request, url_for
from werkzeug.wrappers import Response as WerkzeugResponse

from auth.access import courses
from auth.models import User
from builder.ical import CalendarEvent, calendar_bytes
from quiz_service.core import db, service_bundle
from quiz_service.core.calendar_feed import FeedPeriod, feed_events
from quiz_service.core.clock import now
from quiz_service.core.db import release_reader
from quiz_service.core.domain import DomainError, Forbidden, NotFound
from quiz_service.core.errors import error_page, status_of
from quiz_service.core.i18n import request_language, texts_for
from quiz_service.core.openapi import operation
from quiz_service.core.pages import render_page, signed_in_page
from quiz_service.schedules import service
from quiz_service.schedules.classes import LiveClass, all_classes, find_class
from quiz_service.schedules.models import AttendanceStatus
from quiz_service.schedules.schemas import AttendanceOut, AttendanceRowOut, FeedOut, JoinOut, MarkIn
from quiz_service.schedules.texts import SCHEDULES

ALMATY = ZoneInfo("Asia/Almaty")
api = Blueprint("schedules_api", __name__, url_prefix="/api/v1/schedules")
pages = Blueprint("schedules", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    app.register_blueprint(api)
    app.register_blueprint(pages)


def words() -> Mapping[str, str]:
    return texts_for(SCHEDULES, request_language())


def refusal(error: DomainError) -> Response:
    said = words()
    return error_page(status_of(error), title=said["my_title"], message=said.get(error.code, said["refused"]))


schedule_page = signed_in_page(refusal)


def live_class(schedule: str, class_id: str) -> LiveClass:
    return find_class(service_bundle.current().manifest, schedule, class_id)


def grace() -> timedelta:
    manifest = service_bundle.current().manifest
    return timedelta(minutes=manifest.schedules.late_after_minutes if manifest else 10)


def local(moment: datetime | None) -> str:
    return moment.astimezone(ALMATY).strftime("%Y-%m-%d %H:%M") if moment else ""


def do_join(schedule: str, class_id: str) -> service.Joined:
    live = live_class(schedule, class_id)
    release_reader()
    with db.write_transaction() as writer:
        user = writer.get_one(User, g.user.id)
        return service.join(writer, user, live, courses().get(schedule), now(), grace())


def do_list(schedule: str, class_id: str) -> tuple[LiveClass, list[service.ListedStudent]]:
    live = live_class(schedule, class_id)
    service.require_host(g.user, live)
    return live, service.attendance_list(db.session(), live)


def do_mark(schedule: str, class_id: str, student: int, status: str, reason: str | None) -> AttendanceRowOut:
    live = live_class(schedule, class_id)
    service.require_host(g.user, live)
    release_reader()
    with db.write_transaction() as writer:
        by = writer.get_one(User, g.user.id)
        marked = service.mark(writer, live, student, AttendanceStatus(status), reason, by, now())
        return row_out(marked)


def row_out(item: service.ListedStudent) -> AttendanceRowOut:
    row = item.attendance
    return AttendanceRowOut(
        user_id=item.user.id,
        email=item.user.email,
        full_name=item.user.full_name,
        group=item.user.group,
        status=cast(Any, row.status.value) if row else None,
        joined_at=row.joined_at if row else None,
        reason=row.reason if row else None,
        asynchronous=item.asynchronous,
    )


# -- the API ------------------------------------------------------------------------------


@api.post("/<schedule>/<class_id>/join")
@operation(
    "Join a live class: records attendance once and gives the meeting link", response=JoinOut, auth=True
)
def join_api(schedule: str, class_id: str) -> JoinOut:
    joined = do_join(schedule, class_id)
    row = joined.attendance
    return JoinOut(
        join_url=joined.join_url,
        status=cast(Any, row.status.value) if row else None,
        joined_at=row.joined_at if row else None,
    )


@api.get("/<schedule>/<class_id>/attendance")
@operation("The class's attendance list (its teachers and admins)", response=AttendanceOut, auth=True)
def attendance_api(schedule: str, class_id: str) -> AttendanceOut:
    live, listed = do_list(schedule, class_id)
    return AttendanceOut(
        schedule=schedule,
        class_id=class_id,
        start=live.start,
        end=live.end,
        students=[row_out(item) for item in listed],
    )


@api.put("/<schedule>/<class_id>/attendance/<int:user_id>")
@operation(
    "Confirm or correct a student's attendance (excused needs a reason)",
    body=MarkIn,
    response=AttendanceRowOut,
    auth=True,
)
def mark_api(schedule: str, class_id: str, user_id: int, body: MarkIn) -> AttendanceRowOut:
    return do_mark(schedule, class_id, user_id, body.status, body.reason)


@api.post("/calendar")
@operation(
    "A new private calendar address (the previous one stops working)", response=FeedOut, status=201, auth=True
)
def new_feed_api() -> FeedOut:
    return FeedOut(url=issue_feed())


@api.post("/calendar/revoke")
@operation("Revoke the private calendar address", status=204, auth=True)
def revoke_feed_api() -> None:
    drop_feed()


def drop_feed() -> None:
    release_reader()
    with db.write_transaction() as writer:
        service.revoke_feed(writer, writer.get_one(User, g.user.id))


def issue_feed() -> str:
    release_reader()
    with db.write_transaction() as writer:
        token = service.new_feed_token(writer, writer.get_one(User, g.user.id), now())
    return url_for("schedules.feed", token=token, _external=True)


# -- the pages ----------------------------------------------------------------------------


@pages.get("/schedules/")
@schedule_page
def mine() -> Response:
    return show_mine()


def show_mine(feed_url: str | None = None) -> Response:
    user: User = g.user
    reader = db.session()
    classes = service.classes_of(reader, user, all_classes(service_bundle.current().manifest), courses())
    return render_page(
        "schedules/mine.html",
        w=words(),
        title=words()["my_title"],
        classes=classes,
        feed=service.feed_of(reader, user),
        feed_url=feed_url,
        notice=words().get("notice." + request.args.get("notice", ""), None),
        local=local,
        moment=now(),
    )


@pages.post("/schedules/calendar")
@schedule_page
def new_feed() -> Response:
    return show_mine(feed_url=issue_feed())


@pages.post("/schedules/calendar/revoke")
@schedule_page
def revoke_feed() -> WerkzeugResponse:
    drop_feed()
    return redirect(url_for("schedules.mine", notice="revoked", lang=request_language()), code=303)


# One rule per page for its GET and its form's POST (one address, as the other tools' pages).
@pages.route("/schedules/join/<schedule>/<class_id>", methods=["GET", "POST"])
@schedule_page
def join_page(schedule: str, class_id: str) -> WerkzeugResponse:
    if request.method == "POST":
        return redirect(do_join(schedule, class_id).join_url, code=303)
    live = live_class(schedule, class_id)
    reader = db.session()
    if live.join_url is None:
        raise NotFound("no_meeting", "This class has no meeting link: it takes place in a room.")
    host = service.is_host(g.user, live)
    if not host and not service.is_attendee(reader, g.user, live, courses().get(schedule)):
        raise Forbidden("not_in_audience", "This class is for other groups.")
    existing = service.attendance_of(reader, live, g.user.id)
    return render_page(
        "schedules/join.html",
        w=words(),
        title=words()["join"],
        live=live,
        host=host,
        existing=existing,
        local=local,
    )


@pages.route("/teach/schedules/<schedule>/<class_id>/attendance", methods=["GET", "POST"])
@schedule_page
def attendance_page(schedule: str, class_id: str) -> WerkzeugResponse:
    if request.method == "POST":
        return attendance_form(schedule, class_id)
    return show_attendance(schedule, class_id)


def show_attendance(schedule: str, class_id: str, error: str | None = None, status: int = 200) -> Response:
    live, listed = do_list(schedule, class_id)
    said = words()
    return render_page(
        "schedules/attendance.html",
        status=status,
        w=said,
        title=f"{said['attendance']}: {live.title_in(request_language())}",
        live=live,
        listed=listed,
        statuses=[s.value for s in AttendanceStatus],
        late_minutes=int(grace().total_seconds() // 60),
        error=error,
        notice=said.get("notice." + request.args.get("notice", ""), None),
        local=local,
    )


def attendance_form(schedule: str, class_id: str) -> WerkzeugResponse:
    form = request.form
    try:
        student = int(form.get("user_id", ""))
        status = AttendanceStatus(form.get("status", "")).value
    except ValueError:
        return show_attendance(schedule, class_id, error=words()["refused"], status=422)
    try:
        do_mark(schedule, class_id, student, status, form.get("reason"))
    except DomainError as problem:
        if status_of(problem) != 422:
            raise
        return show_attendance(schedule, class_id, error=words().get(problem.code), status=422)
    target = url_for(
        "schedules.attendance_page",
        schedule=schedule,
        class_id=class_id,
        notice="saved",
        lang=request_language(),
    )
    return redirect(f"{target}#student-{student}", code=303)


FEED_PAST = timedelta(days=90)  # other features' events (core.calendar_feed) this far back


@pages.get("/schedules/calendar/<token>.ics")
def feed(token: str) -> Response:
    """The user's classes as iCalendar: the token in the address is the only key (no session)."""
    try:
        user = service.user_of_feed(db.session(), token)
    except DomainError as error:
        return error_page(status_of(error))
    classes = service.classes_of(
        db.session(), user, all_classes(service_bundle.current().manifest), courses()
    )
    lang = request_language()
    events = [feed_event(live, lang) for live, _ in classes]
    events += feed_events(db.session(), user.id, lang, FeedPeriod(since=now() - FEED_PAST))
    body = calendar_bytes(words()["feed_name"], events, datetime(2000, 1, 1, tzinfo=ALMATY))
    response = Response(body, mimetype="text/calendar")
    response.headers["Cache-Control"] = "private, no-store"
    return response


def feed_event(live: LiveClass, lang: str) -> CalendarEvent:
    join = url_for("schedules.join_page", schedule=live.schedule, class_id=live.id, _external=True)
    return CalendarEvent(
        uid=f"{live.schedule}.{live.id}@{request.host.split(':')[0]}",
        summary=live.title_in(lang),
        start=live.start,
        end=live.end,
        location=live.place_in(lang) or (words()["online"] if live.join_url else ""),
        url=join if live.join_url else "",
        categories=(live.kind,),
    )
