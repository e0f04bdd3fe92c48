"""Orders of the head and announcements: the public API every page's header script reads
(`GET /api/v1/notices`), the academic office's API and page (`/admin/notices`; admins)."""

from __future__ import annotations

from datetime import date

from babel.dates import format_date
from flask import Blueprint, Response, g, redirect, request, url_for
from werkzeug.wrappers import Response as WerkzeugResponse

from auth.models import Role, User
from quiz_service.core import db
from quiz_service.core.clock import now
from quiz_service.core.db import release_reader
from quiz_service.core.domain import DomainError, Forbidden
from quiz_service.core.errors import error_page, status_of
from quiz_service.core.i18n import request_language, texts_for
from quiz_service.core.openapi import operation
from quiz_service.core.pages import render_page, signed_in_page
from quiz_service.notices import service
from quiz_service.notices.models import Announcement, DLOrder
from quiz_service.notices.schemas import (
    AnnouncementIn,
    AnnouncementOut,
    DistanceLearningOut,
    NoticesOut,
    OrderEnd,
    OrderIn,
    OrderOut,
    OrdersOut,
)
from quiz_service.notices.texts import NOTICES

api = Blueprint("notices_api", __name__, url_prefix="/api/v1/notices")
pages = Blueprint("notices", __name__, url_prefix="/admin/notices", template_folder="templates")
DATE_PATTERNS = {"kk": "y 'жылғы' d MMMM", "ru": "d MMMM y 'г.'", "en": "d MMMM y"}  # as the builder's


def long_date(day: date, lang: str) -> str:
    return format_date(day, DATE_PATTERNS.get(lang, DATE_PATTERNS["kk"]), locale=lang)


def order_out(order: DLOrder, lang: str) -> OrderOut:
    return OrderOut(
        id=order.id,
        number=order.number,
        signed_on=order.signed_on,
        starts_on=order.starts_on,
        until=order.until,
        groups=list(order.groups),
        note=service.in_language(order.note, lang),
        issued_at=order.issued_at,
        ended_at=order.ended_at,
    )


def announcement_out(announcement: Announcement, lang: str) -> AnnouncementOut:
    return AnnouncementOut(
        id=announcement.id,
        title=service.in_language(announcement.title, lang),
        text=service.in_language(announcement.text, lang),
        urgent=announcement.urgent,
        until=announcement.until,
        published_at=announcement.published_at,
        withdrawn_at=announcement.withdrawn_at,
    )


def order_line(order: DLOrder, lang: str) -> str:
    return texts_for(NOTICES, lang)["banner"].format(
        number=order.number, date=long_date(order.signed_on, lang)
    )


def banner(order: DLOrder, lang: str) -> str:
    note = service.in_language(order.note, lang)
    return f"{order_line(order, lang)} — {note}" if note else order_line(order, lang)


def require_office() -> User:
    user: User | None = g.get("user")
    if user is None or user.role != Role.ADMIN:
        raise Forbidden(
            "admins_only", "Orders and announcements are published by the academic office (admins)."
        )
    return user


# -- the API ------------------------------------------------------------------------------


@api.get("")
@operation(
    "Today's distance-learning orders and announcements (every page's header reads them)", response=NoticesOut
)
def notices() -> NoticesOut:
    lang = request_language()
    reader = db.session()
    today = service.today_in_kazakhstan(now())
    user: User | None = g.get("user")
    in_force = service.orders_in_force(reader, today, user.group if user is not None else None)
    return NoticesOut(
        today=today,
        distance_learning=DistanceLearningOut(
            managed=service.any_order(reader),
            in_force=bool(in_force),
            banner=banner(in_force[0], lang) if in_force else None,
            order_line=order_line(in_force[0], lang) if in_force else None,
            note=(service.in_language(in_force[0].note, lang) or None) if in_force else None,
            orders=[order_out(order, lang) for order in in_force],
        ),
        announcements=[announcement_out(a, lang) for a in service.current_announcements(reader, today)],
    )


@api.get("/orders")
@operation("The history of orders, the newest first (academic office)", response=OrdersOut, auth=True)
def order_history() -> OrdersOut:
    require_office()
    lang = request_language()
    return OrdersOut(orders=[order_out(order, lang) for order in service.orders(db.session())])


@api.post("/orders")
@operation(
    "Issue an order: groups (none: everyone) study at a distance from a day",
    body=OrderIn,
    response=OrderOut,
    status=201,
    auth=True,
)
def issue_order(body: OrderIn) -> OrderOut:
    office = require_office()
    fields = service.OrderFields(
        body.number, body.signed_on, body.starts_on, body.until, tuple(body.groups), body.note
    )
    release_reader()
    with db.write_transaction() as writer:
        return order_out(service.issue_order(writer, fields, office.id, now()), request_language())


@api.post("/orders/<int:order_id>/end")
@operation(
    "End an order on a day (its last day of distance learning)", body=OrderEnd, response=OrderOut, auth=True
)
def end_order(order_id: int, body: OrderEnd) -> OrderOut:
    office = require_office()
    release_reader()
    with db.write_transaction() as writer:
        return order_out(service.end_order(writer, order_id, body.on, office.id, now()), request_language())


@api.post("/announcements")
@operation(
    "Publish an announcement on every page at once",
    body=AnnouncementIn,
    response=AnnouncementOut,
    status=201,
    auth=True,
)
def publish_announcement(body: AnnouncementIn) -> AnnouncementOut:
    office = require_office()
    release_reader()
    with db.write_transaction() as writer:
        published = service.publish_announcement(
            writer, body.title, body.text, body.urgent, body.until, office.id, now()
        )
        return announcement_out(published, request_language())


@api.post("/announcements/<int:announcement_id>/withdraw")
@operation("Withdraw an announcement", response=AnnouncementOut, auth=True)
def withdraw_announcement(announcement_id: int) -> AnnouncementOut:
    require_office()
    release_reader()
    with db.write_transaction() as writer:
        return announcement_out(
            service.withdraw_announcement(writer, announcement_id, now()), request_language()
        )


# -- the academic office's page -----------------------------------------------------------


def refusal(error: DomainError) -> Response:
    return error_page(status_of(error))


@pages.get("")
@signed_in_page(refusal)
def office_page() -> Response:
    require_office()
    return show()


def show(*, error: str | None = None, status: int = 200) -> Response:
    lang = request_language()
    words = texts_for(NOTICES, lang)
    reader = db.session()
    today = service.today_in_kazakhstan(now())
    notice = request.args.get("done")
    return render_page(
        "notices/office.html",
        status=status,
        title=words["title"],
        w=words,
        today=today,
        orders=service.orders(reader),
        announcements=service.recent_announcements(reader),
        in_language=service.in_language,
        long_date=lambda day: long_date(day, lang) if day else "—",
        notice=words.get(f"done.{notice}") if notice else None,
        error=words.get(error, error) if error else None,
    )


def back(done: str) -> WerkzeugResponse:
    return redirect(url_for("notices.office_page", lang=request_language(), done=done), code=303)


def _form_texts(name: str) -> dict[str, str]:
    return {lang: request.form.get(f"{name}_{lang}", "") for lang in service.LANGUAGES}


def _form_date(name: str) -> date | None:
    text = request.form.get(name, "").strip()
    return date.fromisoformat(text) if text else None


def _form_action(action: str) -> WerkzeugResponse:
    office = require_office()
    try:
        release_reader()
        with db.write_transaction() as writer:
            if action == "order":
                signed_on, starts_on = _form_date("signed_on"), _form_date("starts_on")
                if signed_on is None or starts_on is None:
                    raise ValueError
                groups = tuple(
                    part
                    for part in request.form.get("groups", "").replace(";", ",").split(",")
                    if part.strip()
                )
                fields = service.OrderFields(
                    request.form.get("number", ""),
                    signed_on,
                    starts_on,
                    _form_date("until"),
                    groups,
                    _form_texts("note"),
                )
                service.issue_order(writer, fields, office.id, now())
            elif action == "announcement":
                urgent = request.form.get("urgent") == "on"
                service.publish_announcement(
                    writer,
                    _form_texts("title"),
                    _form_texts("text"),
                    urgent,
                    _form_date("until"),
                    office.id,
                    now(),
                )
    except ValueError:
        return show(error="bad_date", status=422)
    except DomainError as problem:
        if status_of(problem) != 422:
            raise
        return show(error=problem.code, status=422)
    return back(action)


@pages.post("/orders")
@signed_in_page(refusal)
def order_form() -> WerkzeugResponse:
    return _form_action("order")


@pages.post("/orders/<int:order_id>/end")
@signed_in_page(refusal)
def end_order_form(order_id: int) -> WerkzeugResponse:
    office = require_office()
    try:
        on = _form_date("on")
        if on is None:
            raise ValueError
        release_reader()
        with db.write_transaction() as writer:
            service.end_order(writer, order_id, on, office.id, now())
    except ValueError:
        return show(error="bad_date", status=422)
    except DomainError as problem:
        if status_of(problem) not in (409, 422):
            raise
        return show(error=problem.code, status=status_of(problem))
    return back("ended")


@pages.post("/announcements")
@signed_in_page(refusal)
def announcement_form() -> WerkzeugResponse:
    return _form_action("announcement")


@pages.post("/announcements/<int:announcement_id>/withdraw")
@signed_in_page(refusal)
def withdraw_form(announcement_id: int) -> WerkzeugResponse:
    require_office()
    release_reader()
    with db.write_transaction() as writer:
        service.withdraw_announcement(writer, announcement_id, now())
    return back("withdrawn")
