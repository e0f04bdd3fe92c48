"""Kazakhstan's working days on the real 2024–2027 calendars: `holidays` plus our decree overrides."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from pathlib import Path

import pytest

from builder.workdays import WorkCalendar, kazakhstan, load_calendar

D = dt.date


@pytest.fixture(scope="module")
def kz() -> WorkCalendar:
    return kazakhstan()


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2026, 3, 20), True),  # Friday before Nauryz
        (D(2026, 3, 21), False),  # Nauryz, Saturday
        (D(2026, 3, 23), False),  # Nauryz, Monday
        (D(2026, 3, 24), False),  # 21 March on a Saturday: moved to Tuesday
        (D(2026, 3, 25), False),  # 22 March on a Sunday: moved to Wednesday
        (D(2026, 3, 26), True),
        (D(2026, 5, 1), False),  # Unity Day, Friday
        (D(2026, 5, 7), False),  # Defender of the Fatherland Day, Thursday
        (D(2026, 5, 8), True),  # Friday between: no decree moved it in 2026
        (D(2026, 5, 9), False),  # Victory Day, Saturday
        (D(2026, 5, 11), False),  # ... moved to Monday
        (D(2026, 12, 16), False),  # Independence Day, Wednesday
        (D(2026, 12, 17), True),  # one day since 2022
        (D(2025, 8, 30), False),  # Constitution Day 2025, a Saturday
        (D(2025, 9, 1), False),  # ... moved to Monday
        (D(2026, 8, 31), True),  # no Constitution Day in 2026 (kz_overrides.yml explains the choice)
        (D(2026, 3, 16), True),  # ... nor on 15 March 2026 observed
        (D(2027, 3, 15), False),  # Constitution Day on 15 March from 2027
        (D(2024, 5, 4), True),  # a moved working Saturday (decree No. 109 of 2024)
        (D(2024, 5, 8), False),  # ... and the weekday it freed
        (D(2025, 1, 5), True),  # a moved working Sunday (decree No. 436 of 2024)
        (D(2025, 1, 3), False),
        (D(2027, 5, 1), False),  # Unity Day on a Saturday
        (D(2027, 5, 3), False),  # ... moved to Monday
    ],
)
def test_working_day(kz: WorkCalendar, day: dt.date, working: bool) -> None:
    assert kz.is_working_day(day) is working


@pytest.mark.parametrize(
    ("approved", "deadline"),
    [
        (D(2026, 3, 19), D(2026, 3, 27)),  # Thursday before Nauryz: 20, 26, 27
        (D(2026, 4, 29), D(2026, 5, 5)),  # 30 Apr, 4 and 5 May (1 May off)
        (D(2026, 5, 6), D(2026, 5, 13)),  # 8, 12, 13 (7, 9→11 off)
        (D(2026, 12, 15), D(2026, 12, 21)),  # 17, 18, 21 (16 off)
        (D(2024, 5, 2), D(2024, 5, 6)),  # 3, Saturday 4 (worked), 6
        (D(2026, 12, 4), D(2026, 12, 9)),  # a Friday: 7, 8, 9
    ],
)
def test_three_working_days_after_approval(kz: WorkCalendar, approved: dt.date, deadline: dt.date) -> None:
    assert kz.add_working_days(approved, 3) == deadline
    assert kz.working_days_between(approved, deadline) == 3


def test_next_year_must_be_reviewed_from_1_december(kz: WorkCalendar) -> None:
    assert kz.missing_years(D(2026, 11, 30)) == []
    assert kz.missing_years(D(2026, 12, 1)) == []  # 2027 is in the file
    assert kz.missing_years(D(2027, 11, 30)) == []
    assert kz.missing_years(D(2027, 12, 1)) == [2028]


def test_the_repository_reviews_next_year_in_time() -> None:
    """Fails in CI from 1 December until someone adds next year's decree to kz_overrides.yml."""
    today = dt.datetime.now(zoneinfo.ZoneInfo("Asia/Almaty")).date()
    assert kazakhstan().missing_years(today) == []


def test_every_override_cites_its_decree(kz: WorkCalendar) -> None:
    changes = [change for year in kz.years.values() for change in year.changes]
    assert changes and all("decree" in change.decree.lower() for change in changes)


def test_override_filed_under_the_wrong_year_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "overrides.yml"
    path.write_text(
        "years:\n  2026:\n    reviewed: x\n    changes:\n"
        "      - {date: 2027-01-02, is: working_day, decree: Government decree No. 1}\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="2027-01-02 is filed under 2026"):
        load_calendar(path)


def test_almaty_is_utc_plus_5_since_1_march_2024() -> None:
    almaty = zoneinfo.ZoneInfo("Asia/Almaty")
    before = dt.datetime(2024, 2, 29, 12, 0, tzinfo=almaty)
    after = dt.datetime(2024, 3, 1, 12, 0, tzinfo=almaty)
    assert before.utcoffset() == dt.timedelta(hours=6)
    assert after.utcoffset() == dt.timedelta(hours=5)
    # the last minute of the old offset and the first of the new: midnight 1 March moved back an hour
    assert dt.datetime(2024, 2, 29, 23, 59, tzinfo=almaty).astimezone(dt.UTC) == dt.datetime(
        2024, 2, 29, 17, 59, tzinfo=dt.UTC
    )
    assert dt.datetime(2024, 3, 1, 0, 0, tzinfo=almaty).astimezone(dt.UTC) == dt.datetime(
        2024, 2, 29, 19, 0, tzinfo=dt.UTC
    )
    assert dt.datetime(2026, 12, 2, 10, 0, tzinfo=almaty).astimezone(dt.UTC).hour == 5


# The official 2026 calendar as published on eGov (reported by inform.kz, 28 November 2025, and
# alau.kz, 2 January 2026): every weekday that is not worked, and no weekend day that is.
PUBLISHED_2026_WEEKDAYS_OFF = [
    D(2026, 1, 1), D(2026, 1, 2), D(2026, 1, 7), D(2026, 3, 9), D(2026, 3, 23), D(2026, 3, 24),
    D(2026, 3, 25), D(2026, 5, 1), D(2026, 5, 7), D(2026, 5, 11), D(2026, 5, 27), D(2026, 7, 6),
    D(2026, 10, 26), D(2026, 12, 16),
]  # fmt: skip


def test_2026_matches_the_published_calendar(kz: WorkCalendar) -> None:
    days = [D(2026, 1, 1) + dt.timedelta(days=n) for n in range(365)]
    weekdays_off = [d for d in days if d.weekday() < 5 and not kz.is_working_day(d)]
    weekends_worked = [d for d in days if d.weekday() >= 5 and kz.is_working_day(d)]
    assert weekdays_off == PUBLISHED_2026_WEEKDAYS_OFF
    assert weekends_worked == []
