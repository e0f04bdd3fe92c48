"""Orders and announcements: issued and published by the academic office, read by every page.

Functions take the session and `now` (the service's clock); "today" is the day in Kazakhstan.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from quiz_service.core import events
from quiz_service.core.domain import Conflict, Invalid, NotFound
from quiz_service.notices.models import Announcement, DLOrder

ZONE = ZoneInfo("Asia/Almaty")
LANGUAGES = ("kk", "ru", "en")


def today_in_kazakhstan(now: datetime) -> date:
    return now.astimezone(ZONE).date()


@dataclass(frozen=True, slots=True)
class OrderFields:
    number: str
    signed_on: date
    starts_on: date
    until: date | None
    groups: tuple[str, ...]
    note: dict[str, str]


def issue_order(writer: Session, fields: OrderFields, by: int | None, now: datetime) -> DLOrder:
    number = fields.number.strip().removeprefix("№").strip()
    if not number:
        raise Invalid("invalid_order", "The order needs its number.")
    if fields.until is not None and fields.until < fields.starts_on:
        raise Invalid("invalid_order", "The order ends before it starts.")
    if fields.signed_on > fields.starts_on:
        raise Invalid("invalid_order", "Distance learning cannot start before the order is signed.")
    order = DLOrder(
        number=number,
        signed_on=fields.signed_on,
        starts_on=fields.starts_on,
        until=fields.until,
        groups=sorted({group.strip() for group in fields.groups if group.strip()}),
        note={lang: text.strip() for lang, text in fields.note.items() if lang in LANGUAGES and text.strip()},
        issued_by=by,
        issued_at=now,
    )
    writer.add(order)
    writer.flush()
    events.publish(
        writer,
        events.DLOrderIssued(order.id, order.number, tuple(order.groups), order.starts_on, order.until, now),
    )
    return order


def end_order(writer: Session, order_id: int, on: date, by: int | None, now: datetime) -> DLOrder:
    """End an order on `on` (the last day of distance learning), as a later order would."""
    order = writer.get(DLOrder, order_id)
    if order is None:
        raise NotFound("not_found", "There is no such order.")
    if order.ended_at is not None:
        raise Conflict("already_ended", "The order was ended already.")
    if on < order.starts_on:
        raise Invalid("invalid_order", "An order cannot end before it starts.")
    order.until, order.ended_by, order.ended_at = on, by, now
    events.publish(writer, events.DLOrderEnded(order.id, on, now))
    return order


def orders(reader: Session) -> list[DLOrder]:
    """Every order, the newest first: the history."""
    return list(reader.scalars(select(DLOrder).order_by(DLOrder.starts_on.desc(), DLOrder.id.desc())))


def any_order(reader: Session) -> bool:
    return reader.scalar(select(DLOrder.id).limit(1)) is not None


def orders_in_force(reader: Session, today: date, group: str | None) -> list[DLOrder]:
    """The orders in force today for everyone, and for `group` when given."""
    query = select(DLOrder).where(
        DLOrder.starts_on <= today, or_(DLOrder.until.is_(None), DLOrder.until >= today)
    )
    found = reader.scalars(query.order_by(DLOrder.signed_on.desc(), DLOrder.id.desc()))
    return [order for order in found if not order.groups or (group is not None and group in order.groups)]


def publish_announcement(
    writer: Session,
    title: dict[str, str],
    text: dict[str, str],
    urgent: bool,
    until: date | None,
    by: int | None,
    now: datetime,
) -> Announcement:
    title = {lang: value.strip() for lang, value in title.items() if lang in LANGUAGES and value.strip()}
    text = {lang: value.strip() for lang, value in text.items() if lang in LANGUAGES and value.strip()}
    if not title or not text:
        raise Invalid(
            "invalid_announcement", "An announcement needs a title and a text in at least one language."
        )
    if until is not None and until < today_in_kazakhstan(now):
        raise Invalid("invalid_announcement", "The announcement would end before it is shown.")
    announcement = Announcement(
        title=title, text=text, urgent=urgent, until=until, published_by=by, published_at=now
    )
    writer.add(announcement)
    writer.flush()
    events.publish(writer, events.AnnouncementPublished(announcement.id, urgent, now))
    return announcement


def withdraw_announcement(writer: Session, announcement_id: int, now: datetime) -> Announcement:
    announcement = writer.get(Announcement, announcement_id)
    if announcement is None:
        raise NotFound("not_found", "There is no such announcement.")
    if announcement.withdrawn_at is None:
        announcement.withdrawn_at = now
    return announcement


def current_announcements(reader: Session, today: date) -> list[Announcement]:
    """Announcements shown today: the urgent first, then the newest."""
    query = select(Announcement).where(
        Announcement.withdrawn_at.is_(None), or_(Announcement.until.is_(None), Announcement.until >= today)
    )
    return list(reader.scalars(query.order_by(Announcement.urgent.desc(), Announcement.published_at.desc())))


def recent_announcements(reader: Session, limit: int = 50) -> list[Announcement]:
    return list(reader.scalars(select(Announcement).order_by(Announcement.published_at.desc()).limit(limit)))


def in_language(texts: dict[str, str], lang: str) -> str:
    """The text in `lang`, else in the site's next language that has it."""
    for candidate in (lang, *LANGUAGES):
        if texts.get(candidate):
            return texts[candidate]
    return ""
