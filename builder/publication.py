"""The 3-working-day rule (R7.1): a schedule is published no later than N working days after its
approval. Publication is the first `oqu build` that puts the approved version on the site; its
date is kept in `build/state/schedule-publications.json`, which outlives rebuilds (the site and
service folders are swapped whole) and is never served. `oqu check` takes an unpublished version
as published today (the build it precedes would publish it).
"""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from builder.model import Site
from builder.problems import Problems
from builder.schema import ScheduleConfig
from builder.yamlsource import YamlDocument

if TYPE_CHECKING:
    from builder.workdays import WorkCalendar

# builder.workdays (the `holidays` package, ~0.04 s to import) is imported where working days are
# counted: a site without an approved schedule never loads it.

ALMATY = zoneinfo.ZoneInfo("Asia/Almaty")
STATE_FILE = Path("state") / "schedule-publications.json"


@dataclass(frozen=True)
class ApprovedSchedule:
    path: Path
    schedule: ScheduleConfig
    doc: YamlDocument | None

    @property
    def approved_on(self) -> dt.date:
        assert self.schedule.approved_on is not None
        return self.schedule.approved_on

    def key(self, root: Path) -> str:
        """One approved version: the file and its approval date (a new approval is a new version)."""
        return f"{self.path.relative_to(root).as_posix()}@{self.approved_on.isoformat()}"


def today_in_almaty(now: dt.datetime | None = None) -> dt.date:
    return (now or dt.datetime.now(dt.UTC)).astimezone(ALMATY).date()


def approved_schedules(site: Site) -> list[ApprovedSchedule]:
    found = [
        ApprovedSchedule(course.path / "schedule.yml", course.schedule, course.schedule_source)
        for course in site.courses
        if course.schedule is not None
    ]
    if site.staff_training is not None:
        found.append(
            ApprovedSchedule(site.staff_training_path, site.staff_training, site.staff_training_source)
        )
    return [item for item in found if item.schedule.approved_on is not None]


def read_publications(out: Path | None) -> dict[str, str]:
    if out is None:
        return {}
    try:
        data = json.loads((out / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def record_publications(site: Site, out: Path, today: dt.date) -> dict[str, str]:
    """Remember the first publication of each approved version this build publishes."""
    known = read_publications(out)
    for item in approved_schedules(site):
        known.setdefault(item.key(site.root), today.isoformat())
    target = out / STATE_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_suffix(".tmp")
    temporary.write_text(json.dumps(known, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    temporary.replace(target)
    return known


def check_publication(
    site: Site,
    problems: Problems,
    out: Path | None,
    today: dt.date,
    calendar: WorkCalendar | None = None,
) -> None:
    """Report each schedule first published later than the policy's working days after approval."""
    schedules = approved_schedules(site)
    if not schedules:
        return
    from builder.workdays import kazakhstan

    calendar = calendar or kazakhstan()
    check_calendar_years(calendar, problems, today)
    policy = site.config.schedules
    published = read_publications(out)
    for item in schedules:
        first = published.get(item.key(site.root))
        on = dt.date.fromisoformat(first) if first else today
        deadline = calendar.add_working_days(item.approved_on, policy.publication_working_days)
        if on <= deadline:
            continue
        late = calendar.working_days_between(item.approved_on, on)
        line = item.doc.line_of(("approved_on",)) if item.doc else 1
        message = (
            f"schedule approved on {item.approved_on.isoformat()} is published on {on.isoformat()}"
            f"{'' if first else ' (this build)'}: {late} working days after approval, the limit is "
            f"{policy.publication_working_days} (by {deadline.isoformat()}; R7.1)"
        )
        report = problems.error if policy.late_publication == "error" else problems.warn
        report(item.path, line, message)


def check_calendar_years(calendar: WorkCalendar, problems: Problems, today: dt.date) -> None:
    from builder.workdays import OVERRIDES

    for year in calendar.missing_years(today):
        problems.error(
            OVERRIDES,
            1,
            f"Kazakhstan's moved working days for {year} are not reviewed: add the year to this file "
            f"with its Government decree (working days cannot be counted reliably)",
        )
