"""R4 orders: in force for everyone (the header script can ask), the history and the form for admins.

GET /api/v1/schedules/dl-orders/current (anyone) · GET /api/v1/schedules/dl-orders/history and
POST /api/v1/schedules/dl-orders (admins) · GET, POST /schedules/dl-orders (the admins' page)."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from flask import Blueprint, Flask, g, redirect, request, url_for
from werkzeug.wrappers import Response as WerkzeugResponse

from auth.models import Role, User
from quiz_service.core import db
from quiz_service.core.clock import now
from quiz_service.core.db import release_reader
from quiz_service.core.domain import DomainError, Forbidden
from quiz_service.core.errors import status_of
from quiz_service.core.i18n import request_language
from quiz_service.core.openapi import operation
from quiz_service.core.pages import render_page
from quiz_service.schedules import orders
from quiz_service.schedules.models import DLOrder
from quiz_service.schedules.schemas import DLOrderIn, DLOrderOut, DLOrdersOut
from quiz_service.schedules.views import schedule_page, words

ALMATY = ZoneInfo("Asia/Almaty")
api = Blueprint("dl_orders_api", __name__, url_prefix="/api/v1/schedules/dl-orders")
pages = Blueprint("dl_orders", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    app.register_blueprint(api)
    app.register_blueprint(pages)


def order_out(order: DLOrder) -> DLOrderOut:
    return DLOrderOut(
        number=order.number,
        signed_on=order.signed_on,
        groups=order.group_list,
        starts=order.starts,
        ends=order.ends,
        note=order.note,
    )


def require_admin() -> None:
    if g.user.role != Role.ADMIN:
        raise Forbidden("office_only", "Only the academic office (admins) publishes orders.")


def today() -> date:
    return now().astimezone(ALMATY).date()


def issue(body: DLOrderIn) -> DLOrder:
    require_admin()
    release_reader()
    with db.write_transaction() as writer:
        by = writer.get_one(User, g.user.id)
        period = (body.starts, body.ends)
        return orders.issue_order(
            writer, body.number, body.signed_on, body.groups, period, body.note, by, now()
        )


@api.get("/current")
@operation("The head's distance-learning orders in force today (R4)", response=DLOrdersOut)
def current_api() -> DLOrdersOut:
    return DLOrdersOut(orders=[order_out(o) for o in orders.orders_in_force(db.session(), today())])


@api.get("/history")
@operation("Every order, newest first (the academic office)", response=DLOrdersOut, auth=True)
def history_api() -> DLOrdersOut:
    require_admin()
    return DLOrdersOut(orders=[order_out(o) for o in orders.order_history(db.session())])


@api.post("")
@operation(
    "Publish a new order at once (the academic office)",
    body=DLOrderIn,
    response=DLOrderOut,
    status=201,
    auth=True,
)
def issue_api(body: DLOrderIn) -> DLOrderOut:
    return order_out(issue(body))


@pages.route("/schedules/dl-orders", methods=["GET", "POST"])
@schedule_page
def orders_page() -> WerkzeugResponse:
    require_admin()
    error = None
    if request.method == "POST":
        try:
            issue(order_from_form())
        except ValueError:
            error = words()["order_format"]
        except DomainError as problem:
            if status_of(problem) != 422:
                raise
            error = words().get(problem.code, words()["order_format"])
        else:
            return redirect(url_for("dl_orders.orders_page", lang=request_language()), code=303)
    said = words()
    return render_page(
        "schedules/dl_orders.html",
        status=422 if error else 200,
        w=said,
        title=said["orders_title"],
        history=orders.order_history(db.session()),
        in_force={o.id for o in orders.orders_in_force(db.session(), today())},
        error=error,
    )


def order_from_form() -> DLOrderIn:
    form = request.form
    return DLOrderIn(
        number=form.get("number", ""),
        signed_on=date.fromisoformat(form.get("signed_on", "")),
        groups=[g for g in form.get("groups", "").split(",") if g.strip()],
        starts=date.fromisoformat(form.get("starts", "")),
        ends=date.fromisoformat(form["ends"]) if form.get("ends") else None,
        note=form.get("note") or None,
    )
