"""Kazakhstan's working days: the `holidays` package plus our decree overrides (kz_overrides.yml).

A working day is a day that is neither a Saturday nor a Sunday nor a public holiday (with the
holidays moved off a weekend, which the package computes), except the days the Government moves
by its yearly decree: a weekend day made a working day, a weekday made a day off. The package
lists only the day off of a move; the override file names both, each with its decree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Literal

import holidays
import yaml
from pydantic import BaseModel, ConfigDict

OVERRIDES = Path(__file__).with_name("kz_overrides.yml")
ChangeKind = Literal[
    "working_day", "day_off", "holiday", "not_holiday"
]  # not on/off: YAML 1.1 reads `off` as false


class DayChange(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    date: dt.date
    is_: ChangeKind
    decree: str
    uncertain: bool = False

    @classmethod
    def parse(cls, raw: dict[str, object]) -> DayChange:
        return cls.model_validate({**{k: v for k, v in raw.items() if k != "is"}, "is_": raw.get("is")})


class YearOverrides(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    reviewed: str
    uncertain: bool = False
    changes: list[DayChange] = []


@dataclass(frozen=True)
class WorkCalendar:
    """Working days of Kazakhstan for the years the override file has reviewed."""

    years: dict[int, YearOverrides] = field(default_factory=dict)

    def is_working_day(self, day: dt.date) -> bool:
        change = self._change(day)
        if change is not None:
            return change.is_ in ("working_day", "not_holiday")
        return day.weekday() < 5 and day not in _public_holidays(day.year)

    def add_working_days(self, day: dt.date, count: int) -> dt.date:
        """The `count`-th working day after `day` (`day` itself never counts)."""
        found = 0
        while found < count:
            day += dt.timedelta(days=1)
            found += self.is_working_day(day)
        return day

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after `start` up to and including `end` (0 when `end` is not later)."""
        count, day = 0, start
        while day < end:
            day += dt.timedelta(days=1)
            count += self.is_working_day(day)
        return count

    def missing_years(self, today: dt.date) -> list[int]:
        """Years whose moves nobody has reviewed: this year, and next year from 1 December on."""
        wanted = [today.year] + ([today.year + 1] if (today.month, today.day) >= (12, 1) else [])
        return [year for year in wanted if year not in self.years]

    def _change(self, day: dt.date) -> DayChange | None:
        overrides = self.years.get(day.year)
        if overrides is None:
            return None
        return next((change for change in overrides.changes if change.date == day), None)


@cache
def _public_holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("KZ", years=year)


def load_calendar(path: Path = OVERRIDES) -> WorkCalendar:
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    years = {}
    for year, entry in (raw.get("years") or {}).items():
        changes = [DayChange.parse(change) for change in entry.get("changes") or []]
        years[int(year)] = YearOverrides(
            reviewed=entry["reviewed"], uncertain=bool(entry.get("uncertain")), changes=changes
        )
        for change in changes:
            if change.date.year != int(year):
                raise ValueError(f"{path}: {change.date} is filed under {year}")
    return WorkCalendar(years)


@cache
def kazakhstan() -> WorkCalendar:
    """The calendar of the repository's override file (read once)."""
    return load_calendar()
