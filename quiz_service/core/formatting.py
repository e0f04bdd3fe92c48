"""Numbers and times as people of each language write them: the one formatter of the service.

Numbers: at most two decimals, the language's decimal and group signs (CLDR, through Babel):
`3,33` in kk and ru, `3.33` in en; a percent with CLDR's pattern (`41,67%` in kk, `41,67 %`
in ru, `41.67%` in en). Times: in the course's zone (or the site's, `OQU_TIME_ZONE`), 24-hour,
with the zone named: `06.12.2026 23:58 (UTC+5)` in a cell, and `zone_label` for the longer
name shown once on a page or in a column header (`Астана уақыты (UTC+5)`).

Every function takes the language explicitly; the templates get them from `core.pages`
(`number`, `percent`, `moment`, `zone_label`), already bound to the page's language and zone.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_datetime, get_timezone_location
from babel.numbers import format_decimal
from babel.numbers import format_percent as babel_format_percent
from flask import current_app

from quiz_service.core import service_bundle
from quiz_service.core.i18n import DEFAULT_LANGUAGE, LANGUAGES, catalogue, gettext

SITE_ZONE = "Asia/Almaty"  # the default of OQU_TIME_ZONE
NUMBER_PATTERN = "#,##0.##"  # at most two decimals, the locale's signs
# How a moment reads: numeric, 24-hour (kk and ru as GOST writes dates, en as ISO 8601).
MOMENT_PATTERNS = {"kk": "dd.MM.yyyy HH:mm", "ru": "dd.MM.yyyy HH:mm", "en": "yyyy-MM-dd HH:mm"}
NO_VALUE = "—"


def _locale(language: str) -> str:
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


def number(value: float | None, language: str) -> str:
    """`3.3333` → `3,33` (kk, ru) / `3.33` (en); `8.0` → `8`; None → `—`."""
    if value is None:
        return NO_VALUE
    return format_decimal(value, format=NUMBER_PATTERN, locale=_locale(language))


@cache
def _percent_pattern(language: str) -> str:
    # CLDR's own pattern (where the sign goes, a space or not), with up to two decimals.
    pattern = Locale.parse(language).percent_formats[None].pattern
    return pattern.replace("#,##0", "#,##0.##", 1)


def percent(value: float | None, language: str) -> str:
    """A percentage given as 0–100: `41.6667` → `41,67%` (kk), `41,67 %` (ru), `41.67%` (en)."""
    if value is None:
        return NO_VALUE
    locale = _locale(language)
    return babel_format_percent(value / 100, format=_percent_pattern(locale), locale=locale)


def score(points: float | None, max_points: float | None, share: float | None, language: str) -> str:
    """`3,33 / 8 (41,67%)`: points of the most, and the percent when known."""
    text = f"{number(points, language)} / {number(max_points, language)}"
    return f"{text} ({percent(share, language)})" if share is not None else text


def zone_of(name: str | None) -> ZoneInfo:
    """The zone named `name` (an IANA name), the site's default when none is given."""
    return ZoneInfo(name or SITE_ZONE)


def utc_offset(zone: ZoneInfo, at: dt.datetime | None = None) -> str:
    """`UTC+5`, `UTC+5:30`, `UTC−3` (with the minus sign), `UTC` at `at` (now when not given)."""
    moment = at or dt.datetime.now(dt.UTC)
    offset = moment.astimezone(zone).utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    if minutes == 0:
        return "UTC"
    sign = "+" if minutes > 0 else "\u2212"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def zone_name(zone: ZoneInfo, language: str) -> str:
    """The zone's name in the language: the catalogue's (`zones.Asia/Almaty`) or CLDR's city."""
    key = f"zones.{zone.key}"
    if catalogue(DEFAULT_LANGUAGE).get(key) is not None:
        return gettext(key, language)
    return get_timezone_location(zone.key, locale=_locale(language), return_city=True)


def zone_label(zone: ZoneInfo, language: str, at: dt.datetime | None = None) -> str:
    """`Астана уақыты (UTC+5)`: the name and the offset, to show once per page or column."""
    return f"{zone_name(zone, language)} ({utc_offset(zone, at)})"


def local(value: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """`value` (naive means UTC, as the database keeps it) as the zone's wall-clock time."""
    aware = value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
    return aware.astimezone(zone)


def moment(value: dt.datetime | None, language: str, zone: ZoneInfo) -> str:
    """`06.12.2026 23:58 (UTC+5)`: the time in the zone, with its offset; None → `—`."""
    if value is None:
        return NO_VALUE
    locale = _locale(language)
    shown = local(value, zone)
    text = format_datetime(shown, MOMENT_PATTERNS[locale], tzinfo=zone, locale=locale)
    return f"{text} ({utc_offset(zone, shown)})"


def site_zone() -> ZoneInfo:
    """The site's zone (`OQU_TIME_ZONE`, Asia/Almaty unless set)."""
    return zone_of(current_app.config.get("TIME_ZONE"))


def course_zone(course_id: str | None) -> ZoneInfo:
    """The course's zone (its schedule's, from the service bundle), else the site's."""
    entry = None
    if course_id is not None:
        manifest = service_bundle.current().manifest
        entry = manifest.course(course_id) if manifest is not None else None
    if entry is not None and entry.timezone:
        return zone_of(entry.timezone)
    return site_zone()
