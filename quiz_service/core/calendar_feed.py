"""What else goes into a user's private calendar feed: a registry of contributors.

The schedules feature writes each user's private feed (`/schedules/calendar/<token>.ics`) with
their live classes; other features add their own events without the schedules importing them
(a feature never imports another): in its `init_app` a feature calls
`add_feed_contributor(app, name, contributor)`, and the feed asks `feed_events(...)`. A
contributor takes the reading session, the user's id, the reader's language and the period
(`FeedPeriod`), and answers the user's events as `CalendarEvent`s (rendered with the `icalendar`
package by `builder.ical.calendar_bytes`): times with their zone (a `ZoneInfo`: the feed writes
TZID and VTIMEZONE), a join link only where the user may have it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from flask import Flask, current_app
from sqlalchemy.orm import Session

from builder.ical import CalendarEvent

EXTENSION = "oqu_calendar_feed"


@dataclass(frozen=True, slots=True)
class FeedPeriod:
    """Events that end after `since` and start before `until` (None: no end)."""

    since: datetime
    until: datetime | None = None

    def holds(self, start: datetime, end: datetime) -> bool:
        return end > self.since and (self.until is None or start < self.until)


FeedContributor = Callable[[Session, int, str, FeedPeriod], Iterable[CalendarEvent]]


def add_feed_contributor(app: Flask, name: str, contributor: FeedContributor) -> None:
    """Register `contributor` under `name` (registering a name again replaces it)."""
    app.extensions.setdefault(EXTENSION, {})[name] = contributor


def feed_events(reader: Session, user_id: int, lang: str, period: FeedPeriod) -> list[CalendarEvent]:
    """Every contributor's events for the user in the period, by start time."""
    contributors: dict[str, FeedContributor] = current_app.extensions.get(EXTENSION, {})
    found = [
        event for name in sorted(contributors) for event in contributors[name](reader, user_id, lang, period)
    ]
    return sorted(found, key=lambda event: (event.start, event.uid))
