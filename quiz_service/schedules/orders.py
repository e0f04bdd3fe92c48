"""R4: the head's orders moving students to distance learning, published by the academic office
at once (the static banner of `site_config.yml` changes only with a rebuild) and kept as history."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from auth.models import User
from quiz_service.core import events
from quiz_service.core.domain import Invalid
from quiz_service.schedules.models import DLOrder


def issue_order(
    writer: Session,
    number: str,
    signed_on: date,
    groups: list[str],
    period: tuple[date, date | None],
    note: str | None,
    by: User,
    now: datetime,
) -> DLOrder:
    starts, ends = period
    if not number.strip():
        raise Invalid("order_number_missing", "Give the order's number.")
    if ends is not None and ends < starts:
        raise Invalid("order_period_wrong", "The order ends before it starts.")
    cleaned = [g.strip() for g in groups if g.strip()]
    order = DLOrder(
        number=number.strip(),
        signed_on=signed_on,
        groups=",".join(cleaned),
        starts=starts,
        ends=ends,
        note=(note or "").strip() or None,
        created_by=by.id,
        created_at=now,
    )
    writer.add(order)
    writer.flush()
    events.publish(
        writer,
        events.DLOrderIssued(
            order_id=order.id,
            number=order.number,
            signed_on=signed_on,
            groups=tuple(cleaned),
            starts=starts,
            ends=ends,
            by=by.id,
            at=now,
        ),
    )
    return order


def orders_in_force(reader: Session, today: date) -> list[DLOrder]:
    query = select(DLOrder).where(DLOrder.starts <= today, or_(DLOrder.ends.is_(None), DLOrder.ends >= today))
    return list(reader.scalars(query.order_by(DLOrder.signed_on.desc(), DLOrder.id.desc())))


def order_history(reader: Session) -> list[DLOrder]:
    return list(reader.scalars(select(DLOrder).order_by(DLOrder.signed_on.desc(), DLOrder.id.desc())))
