"""Slots declared in a file: `oqu consultations import`, and the course's consultations.yml that
`oqu build` carries in the service bundle, published by the periodic job `consultations.publish_declared`.

Publishing is idempotent: an entry's slot is found again (by the entry's `id` and week when it
has one, else by teacher, course and start; a slot the teacher cancelled is found too and never
brought back), so the same declarations can be published again and again. A found slot takes
the entry's edits when they keep every booking valid:

- room, link, mode and title: applied; the students holding a seat are told of a new place;
- seats: applied when not below the seats booked (new seats go to the waitlist first);
- start and length (only an entry with an `id` can say its slot moved): applied to a slot nobody
  has booked, been offered or queued for.

Anything else (fewer seats than booked, moving a booked slot) is refused and reported with the
entry's `path:line`; that slot stays exactly as published. This is what people of Moodle's
Scheduler and cal.com expect of a booked time: it is an agreement with the student, so a file
edit never moves or shrinks it silently; the teacher cancels it on the teacher's page with a
reason (every booked student is told) and declares a new one. New entries of one teacher are
published all or nothing with the API's rules.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from auth import service as accounts
from auth.access import courses
from auth.enrolment import may_teach
from auth.models import User
from quiz_service.consultations import notify, service
from quiz_service.consultations.models import Slot
from quiz_service.consultations.settings import policy
from quiz_service.consultations.views import live_classes
from quiz_service.core import db, service_bundle
from quiz_service.core.domain import DomainError


class DeclarationError(Exception):
    """The declarations name a course or teacher the service does not know."""


@dataclass(frozen=True)
class Declaration:
    """One entry: its slot (or weekly series), its `id` if the file names it, where it is written."""

    spec: service.SlotSpec
    key: str | None = None
    source: str = ""  # "content/courses/fire-safety/consultations.yml:14"


@dataclass(frozen=True)
class Outcome:
    made: int = 0  # slots published
    skipped: int = 0  # slots already there as declared (or cancelled by the teacher)
    updated: int = 0  # slots that took the entry's edits
    refused: tuple[str, ...] = ()  # "path:line: why" for each edit refused (the slot kept)


def publish(course: str, teacher_email: str, declarations: list[Declaration], now: datetime) -> Outcome:
    """Publish the declarations of a course's teacher: new slots, and edits to those published.
    Raises DeclarationError for an unknown course or teacher, DomainError when a rule refuses a
    new slot (then nothing is published); refused edits are reported in the outcome."""
    access = courses().get(course)
    if access is None:
        raise DeclarationError(f"course {course!r} is not in the service bundle (run `oqu build`)")
    teacher = accounts.find_user(db.session(), teacher_email)
    if teacher is None or not may_teach(teacher, access):
        raise DeclarationError(f"{teacher_email!r} is no teacher of {course} (or has no account yet)")
    classes = live_classes(teacher)
    tally = {"made": 0, "skipped": 0, "updated": 0}
    refused: list[str] = []
    with db.write_transaction() as writer:
        owner = writer.get_one(User, teacher.id)
        for declaration in declarations:
            spec = declaration.spec
            found = [find_slot(writer, course, teacher.id, declaration, week) for week in range(spec.weeks)]
            if all(slot is None for slot in found):
                made = service.create_slots(writer, spec, owner, now, classes)
                mark_declared(writer, declaration, made)
                tally["made"] += len(made)
                continue
            for week, slot in enumerate(found):
                one = dataclasses.replace(spec, starts_at=spec.starts_at + timedelta(weeks=week), weeks=1)
                if slot is None:
                    mark_declared(
                        writer, declaration, service.create_slots(writer, one, owner, now, classes), week
                    )
                    tally["made"] += 1
                    continue
                if slot.declared is None and declaration.key is not None:
                    slot.declared = f"{declaration.key}#{week}"  # published before the entry had its id
                outcome = apply_edits(writer, slot, one, now, classes)
                if outcome in ("updated", "skipped"):
                    tally[outcome] += 1
                else:
                    refused.append(f"{declaration.source or course}: {outcome}; the published slot is kept")
    return Outcome(tally["made"], tally["skipped"], tally["updated"], tuple(refused))


def find_slot(
    writer: Session, course: str, teacher_id: int, declaration: Declaration, week: int
) -> Slot | None:
    """The slot this entry's `week` published: by its id (then by its start, for one published
    before the entry had an id), else by the start; cancelled ones too (never brought back)."""
    mine = select(Slot).where(Slot.course == course, Slot.teacher_id == teacher_id)
    start = declaration.spec.starts_at + timedelta(weeks=week)
    if declaration.key is not None:
        keyed = writer.scalars(mine.where(Slot.declared == f"{declaration.key}#{week}")).first()
        if keyed is not None:
            return keyed
        return writer.scalars(mine.where(Slot.declared.is_(None), Slot.starts_at == start)).first()
    return writer.scalars(mine.where(Slot.starts_at == start)).first()


def mark_declared(writer: Session, declaration: Declaration, made: list[Slot], first_week: int = 0) -> None:
    if declaration.key is None:
        return
    for offset, slot in enumerate(made):
        slot.declared = f"{declaration.key}#{first_week + offset}"
    writer.flush()


def apply_edits(
    writer: Session, slot: Slot, wanted: service.SlotSpec, now: datetime, classes: list[service.Interval]
) -> str:
    """ "updated", "skipped" (nothing to change, or cancelled or over), or why the edits are
    refused (then none is applied)."""
    if slot.cancelled_at is not None or slot.starts_at <= now:
        return "skipped"
    when = notify.local_time(slot.starts_at)
    minutes = int(
        (wanted.starts_at + timedelta(minutes=wanted.minutes) - wanted.starts_at).total_seconds() // 60
    )
    moves = slot.starts_at != wanted.starts_at or slot.ends_at != wanted.starts_at + timedelta(
        minutes=minutes
    )
    if wanted.seats < slot.booked:
        return (
            f"the slot of {when} has {slot.booked} seat(s) booked: its seats cannot go down to {wanted.seats}"
        )
    if moves and service.live_places(writer, slot.id):
        return (
            f"the slot of {when} has bookings or a waitlist: a booked consultation is not moved "
            "(cancel it on the teacher's page with a reason, the students are told, and declare a new one)"
        )
    changed = False
    try:
        with writer.begin_nested():
            if moves:
                service.move_slot(writer, slot, wanted.starts_at, minutes, now, classes)
                changed = True
            if wanted.seats != slot.seats:
                service.set_seats(writer, slot.id, wanted.seats, policy(), now)
                changed = True
            changed = (
                service.change_place(
                    writer, slot, mode=wanted.mode, link=wanted.link, room=wanted.room, title=wanted.title
                )
                or changed
            )
    except DomainError as refused:
        writer.refresh(slot)
        return f"the slot of {when}: {refused.message}"
    return "updated" if changed else "skipped"


def bundle_declarations() -> dict[tuple[str, str], list[Declaration]]:
    """The loaded bundle's consultations.yml entries, by (course, teacher), in file order."""
    manifest = service_bundle.current().manifest
    found: dict[tuple[str, str], list[Declaration]] = {}
    for course in manifest.courses if manifest else []:
        for entry in course.consultations:
            spec = service.SlotSpec(
                course=course.id, starts_at=datetime.fromisoformat(entry.start), minutes=entry.minutes,
                seats=entry.seats, mode=entry.mode, link=entry.link, room=entry.room, title=entry.title,
                weeks=entry.weeks,
            )  # fmt: skip
            declaration = Declaration(spec, entry.key, entry.source)
            found.setdefault((course.id, entry.teacher), []).append(declaration)
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
        outcome = results[(course, teacher)]
        for refusal in outcome.refused if isinstance(outcome, Outcome) else ():
            current_app.logger.warning("consultations.yml: edit refused: %s", refusal)
        if isinstance(results[(course, teacher)], str):
            current_app.logger.warning(
                "consultations.yml of %s, teacher %s: not published: %s",
                course,
                teacher,
                results[(course, teacher)],
            )
    return results
