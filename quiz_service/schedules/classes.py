"""Live classes as the service bundle has them: a course's schedule or the staff training's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from quiz_service.core.domain import NotFound
from quiz_service.core.service_bundle import Manifest, ScheduledClass

STAFF_TRAINING = "staff-training"
ALMATY = ZoneInfo("Asia/Almaty")  # Kazakhstan's one zone (UTC+5 since 1 March 2024)


@dataclass(frozen=True)
class LiveClass:
    schedule: str  # a course id, or "staff-training"
    id: str
    title: dict[str, str]
    start: datetime  # aware
    end: datetime
    kind: str
    place: dict[str, str]
    audience: tuple[str, ...]  # study groups; empty: every reader of the course (staff: every teacher)
    teacher: str | None  # e-mail, lower case
    join_url: str | None  # never leaves the service except as the redirect of a join
    hosts: frozenset[str]  # who takes attendance: the course's (or the training's) teachers
    lesson: str | None = None  # the lesson the class belongs to
    recording: bool = False  # its recording is that lesson's video

    @property
    def is_staff_training(self) -> bool:
        return self.schedule == STAFF_TRAINING

    def title_in(self, lang: str) -> str:
        return self.title.get(lang) or next(iter(self.title.values()), self.id)

    def place_in(self, lang: str) -> str:
        return self.place.get(lang) or next(iter(self.place.values()), "")


def _live(schedule: str, item: ScheduledClass, hosts: frozenset[str]) -> LiveClass:
    start = datetime.fromisoformat(item.start).astimezone(ALMATY)  # a named zone for feeds and pages
    end = (
        datetime.fromisoformat(item.end).astimezone(ALMATY)
        if item.end
        else start + timedelta(minutes=item.duration)
    )
    teacher = item.teacher if isinstance(item.teacher, str) else None
    return LiveClass(
        schedule=schedule,
        id=item.id,
        title=dict(item.title),
        start=start,
        end=end,
        kind=item.kind,
        place=dict(item.place),
        audience=tuple(item.audience),
        teacher=teacher,
        join_url=item.join_url,
        hosts=hosts | ({teacher} if teacher else set()),
        lesson=item.lesson,
        recording=item.recording,
    )


def all_classes(manifest: Manifest | None) -> list[LiveClass]:
    if manifest is None:
        return []
    found = [
        _live(course.id, item, frozenset(course.teachers))
        for course in manifest.courses
        for item in course.schedule
    ]
    staff = manifest.staff_training
    if staff is not None:
        found += [_live(STAFF_TRAINING, item, frozenset(staff.teachers)) for item in staff.classes]
    return sorted(found, key=lambda live: live.start)


def find_class(manifest: Manifest | None, schedule: str, class_id: str) -> LiveClass:
    found = next((c for c in all_classes(manifest) if c.schedule == schedule and c.id == class_id), None)
    if found is None:
        raise NotFound("no_class", "There is no such class in the schedule.")
    return found
