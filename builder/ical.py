"""iCalendar (RFC 5545) feeds of schedules, made with the `icalendar` package.

Times keep their zone (`DTSTART;TZID=Asia/Almaty`) with the VTIMEZONE the package derives from
tzdata, so a calendar app shows 10:00 in Almaty whatever the reader's own zone. The builder
writes one static feed per course and language (and the staff training's); the service writes
each student's and teacher's own feed from the same `CalendarEvent`s. A meeting link goes into
an event only when the caller passes it (the service's private feeds, never the static ones).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import icalendar

# `icalendar` (~0.03 s to import) is imported by the functions that write a feed: a build of a
# site without schedules, or a rebuild that writes none, does not load it.

PRODID = "-//oqu//schedules//KK"


@dataclass(frozen=True)
class CalendarEvent:
    uid: str
    summary: str
    start: dt.datetime  # aware
    end: dt.datetime  # aware
    location: str = ""
    description: str = ""
    url: str = ""
    categories: tuple[str, ...] = ()


def calendar_bytes(name: str, events: Iterable[CalendarEvent], stamp: dt.datetime) -> bytes:
    """A VCALENDAR of `events`; `stamp` (aware) is every event's DTSTAMP, so a rebuild of the same
    schedule gives the same bytes."""
    import icalendar

    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    for event in events:
        calendar.add_component(_vevent(event, stamp))
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())


def _zoned(moment: dt.datetime) -> dt.datetime:
    """A named zone stays (TZID + VTIMEZONE); a bare offset (`+05:00` read from JSON) becomes UTC,
    which the package would otherwise write as a floating local time."""
    return moment if isinstance(moment.tzinfo, zoneinfo.ZoneInfo) else moment.astimezone(dt.UTC)


def _vevent(event: CalendarEvent, stamp: dt.datetime) -> icalendar.Event:
    if event.start.tzinfo is None or event.end.tzinfo is None:
        raise ValueError(f"event {event.uid}: times must carry their zone")
    import icalendar

    vevent = icalendar.Event()
    vevent.add("uid", event.uid)
    vevent.add("dtstamp", stamp.astimezone(dt.UTC))
    vevent.add("dtstart", _zoned(event.start))
    vevent.add("dtend", _zoned(event.end))
    vevent.add("summary", event.summary)
    if event.location:
        vevent.add("location", event.location)
    if event.description:
        vevent.add("description", event.description)
    if event.url:
        vevent.add("url", event.url)
    if event.categories:
        vevent.add("categories", list(event.categories))
    return vevent
