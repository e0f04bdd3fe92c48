"""Slots declared in a file: `oqu consultations import`, and the course's consultations.yml that
`oqu build` carries in the service bundle, published by the periodic job `consultations.publish_declared`.

Publishing is idempotent: an entry whose first slot exists already (same teacher, course and start,
cancelled or not: a slot the teacher cancelled is not brought back) is skipped, so the same
declarations can be published again and again; each teacher's entries of a course are published
all or nothing with the API's rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from auth import service as accounts
from auth.access import courses
from auth.enrolment import may_teach
from auth.models import User
from quiz_service.consultations import service
from quiz_service.consultations.models import Slot
from quiz_service.consultations.views import live_classes
from quiz_service.core import db, service_bundle
from quiz_service.core.domain import DomainError


class DeclarationError(Exception):
    """The declarations name a course or teacher the service does not know."""


@dataclass(frozen=True)
class Outcome:
    made: int = 0  # slots published
    skipped: int = 0  # entries already there


def publish(course: str, teacher_email: str, specs: list[service.SlotSpec], now: datetime) -> Outcome:
    """Publish `specs` (a course's entries of one teacher), skipping those already published.
    Raises DeclarationError for an unknown course or teacher, DomainError when a rule refuses one
    (then nothing is published)."""
    access = courses().get(course)
    if access is None:
        raise DeclarationError(f"course {course!r} is not in the service bundle (run `oqu build`)")
    teacher = accounts.find_user(db.session(), teacher_email)
    if teacher is None or not may_teach(teacher, access):
        raise DeclarationError(f"{teacher_email!r} is no teacher of {course} (or has no account yet)")
    classes = live_classes(teacher)
    made = skipped = 0
    with db.write_transaction() as writer:
        for spec in specs:
            # A cancelled one counts too: the teacher cancelled it, the next run must not bring it back.
            exists = select(Slot.id).where(
                Slot.teacher_id == teacher.id, Slot.course == course, Slot.starts_at == spec.starts_at
            )
            if writer.scalars(exists).first() is not None:
                skipped += 1
                continue
            made += len(service.create_slots(writer, spec, writer.get_one(User, teacher.id), now, classes))
    return Outcome(made, skipped)


def bundle_declarations() -> dict[tuple[str, str], list[service.SlotSpec]]:
    """The loaded bundle's consultations.yml entries, by (course, teacher), in file order."""
    manifest = service_bundle.current().manifest
    found: dict[tuple[str, str], list[service.SlotSpec]] = {}
    for course in manifest.courses if manifest else []:
        for entry in course.consultations:
            spec = service.SlotSpec(
                course=course.id, starts_at=datetime.fromisoformat(entry.start), minutes=entry.minutes,
                seats=entry.seats, mode=entry.mode, link=entry.link, room=entry.room, title=entry.title,
                weeks=entry.weeks,
            )  # fmt: skip
            found.setdefault((course.id, entry.teacher), []).append(spec)
    return found


def publish_bundle(now: datetime) -> dict[tuple[str, str], Outcome | str]:
    """Publish every course's declared slots; a refused group is logged and reported, the others
    go on (the next run tries it again, e.g. once the teacher has an account)."""
    results: dict[tuple[str, str], Outcome | str] = {}
    for (course, teacher), specs in bundle_declarations().items():
        try:
            results[(course, teacher)] = publish(course, teacher, specs, now)
        except DeclarationError as refused:
            results[(course, teacher)] = str(refused)
        except DomainError as refused:
            results[(course, teacher)] = refused.message
        if isinstance(results[(course, teacher)], str):
            current_app.logger.warning(
                "consultations.yml of %s, teacher %s: not published: %s",
                course,
                teacher,
                results[(course, teacher)],
            )
    return results
