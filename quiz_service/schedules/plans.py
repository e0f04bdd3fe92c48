"""Individual study plans (R5): a student's plan derived from their group's curriculum plus the
academic office's decisions (exemption, individual start, individual module deadlines) and, for a
student with a health accommodation (R9), asynchronous study: in the terms the accommodation
covers, contact hours become recorded lectures and self-study, and live classes are not required.
Pure functions; the views read the rows and the bundle."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from auth.models import User
from quiz_service.core import events
from quiz_service.core.domain import Invalid, NotFound
from quiz_service.core.service_bundle import Curriculum, Manifest
from quiz_service.core.service_bundle import PlannedCourse as CurriculumCourse
from quiz_service.schedules.models import Accommodation, PlanChange, PlanDecision


@dataclass(frozen=True)
class PlannedDeadline:
    module: str
    title: dict[str, str]
    due: date
    individual: bool  # set by the academic office for this student


@dataclass(frozen=True)
class PlannedCourse:
    course: str
    title: dict[str, str]
    contact: int
    distance: int
    exempt: bool
    starts: date | None
    asynchronous: bool  # R9: contact hours studied as recorded lectures and self-study
    deadlines: tuple[PlannedDeadline, ...]


@dataclass(frozen=True)
class PlannedTerm:
    term: int
    starts: date
    ends: date
    courses: tuple[PlannedCourse, ...]


@dataclass(frozen=True)
class StudyPlan:
    group: str
    programme: dict[str, str]
    terms: tuple[PlannedTerm, ...]
    accommodations: tuple[Accommodation, ...]

    @property
    def contact_hours(self) -> int:
        return sum(c.contact for term in self.terms for c in term.courses if not c.exempt)

    @property
    def distance_hours(self) -> int:
        return sum(c.distance for term in self.terms for c in term.courses if not c.exempt)


def derive_plan(
    curriculum: Curriculum,
    manifest: Manifest,
    decisions: Iterable[PlanDecision],
    accommodations: Iterable[Accommodation],
) -> StudyPlan:
    by_target = {(d.course, d.module): d for d in decisions}
    covering = tuple(accommodations)
    terms = []
    for term in curriculum.terms:
        starts, ends = date.fromisoformat(term.starts), date.fromisoformat(term.ends)
        accommodated = any(a.starts <= ends and a.ends >= starts for a in covering)
        courses = tuple(_planned(entry, manifest, by_target, accommodated) for entry in term.courses)
        terms.append(PlannedTerm(term.term, starts, ends, courses))
    return StudyPlan(curriculum.group, dict(curriculum.programme), tuple(terms), covering)


def _planned(
    entry: CurriculumCourse,
    manifest: Manifest,
    by_target: dict[tuple[str, str], PlanDecision],
    accommodated: bool,
) -> PlannedCourse:
    course = manifest.course(entry.course)
    modules = {m["id"]: m.get("title", {}) for m in course.modules} if course else {}
    decision = by_target.get((entry.course, ""))
    deadlines = []
    for item in entry.deadlines:
        individual = by_target.get((entry.course, item["module"]))
        due = individual.due if individual and individual.due else date.fromisoformat(item["due"])
        deadlines.append(
            PlannedDeadline(
                item["module"], modules.get(item["module"], {}), due, bool(individual and individual.due)
            )
        )
    contact, distance = entry.contact, entry.distance
    if accommodated:
        contact, distance = 0, contact + distance
    return PlannedCourse(
        course=entry.course,
        title=dict(course.title) if course else {},
        contact=contact,
        distance=distance,
        exempt=bool(decision and decision.exempt),
        starts=decision.starts if decision else None,
        asynchronous=accommodated,
        deadlines=tuple(deadlines),
    )


def plan_of(reader: Session, manifest: Manifest | None, user: User) -> StudyPlan:
    curriculum = manifest.curriculum(user.group) if manifest else None
    if manifest is None or curriculum is None:
        raise NotFound("no_curriculum", "There is no curriculum for this student's group.")
    decisions = reader.scalars(select(PlanDecision).where(PlanDecision.user_id == user.id))
    return derive_plan(curriculum, manifest, decisions, accommodations_of(reader, user.id))


def accommodations_of(reader: Session, user_id: int) -> list[Accommodation]:
    return list(
        reader.scalars(
            select(Accommodation).where(Accommodation.user_id == user_id).order_by(Accommodation.starts)
        )
    )


def is_accommodated(reader: Session, user_id: int, on: date) -> bool:
    return any(a.starts <= on <= a.ends for a in accommodations_of(reader, user_id))


def set_decision(
    writer: Session,
    student: User,
    course: str,
    module: str,
    wanted: tuple[bool, date | None, date | None, str | None],
    by: User,
    now: datetime,
) -> PlanDecision:
    """Set (or replace) the office's decision on one course or module of the student's plan."""
    exempt, starts, due, note = wanted
    if module and (exempt or starts):
        raise Invalid("decision_target", "A module takes only an individual deadline ('due').")
    if not module and due:
        raise Invalid("decision_target", "An individual deadline ('due') is set on a module.")
    row = writer.scalar(
        select(PlanDecision).where(
            PlanDecision.user_id == student.id, PlanDecision.course == course, PlanDecision.module == module
        )
    )
    before = decision_state(row) if row else None
    if row is None:
        row = PlanDecision(user_id=student.id, course=course, module=module)
        writer.add(row)
    row.exempt, row.starts, row.due, row.note, row.set_by, row.set_at = exempt, starts, due, note, by.id, now
    writer.flush()
    record_change(
        writer,
        student.id,
        "decision_set",
        decision_target(course, module),
        (before, decision_state(row)),
        None,
        by,
        now,
    )
    events.publish(
        writer,
        events.PlanDecisionSet(
            user_id=student.id,
            course=course,
            module=module,
            exempt=exempt,
            starts=starts,
            due=due,
            by=by.id,
            at=now,
        ),
    )
    return row


def accommodate(
    writer: Session, student: User, document_ref: str, starts: date, ends: date, by: User, now: datetime
) -> Accommodation:
    """R9: the student studies asynchronously from `starts` to `ends` (both included)."""
    check_accommodation(document_ref, starts, ends)
    row = Accommodation(
        user_id=student.id,
        document_ref=document_ref.strip(),
        starts=starts,
        ends=ends,
        set_by=by.id,
        set_at=now,
    )
    writer.add(row)
    writer.flush()
    record_change(
        writer,
        student.id,
        "accommodation_added",
        accommodation_target(row),
        (None, accommodation_state(row)),
        None,
        by,
        now,
    )
    events.publish(
        writer,
        events.AccommodationSet(
            user_id=student.id, document_ref=row.document_ref, starts=starts, ends=ends, by=by.id, at=now
        ),
    )
    return row


# -- the office's changes and their history ----------------------------------------------------

CHANGE_KINDS = (
    "decision_set",
    "decision_cleared",
    "accommodation_added",
    "accommodation_ended",
    "accommodation_corrected",
)
State = dict[str, Any]


def decision_target(course: str, module: str) -> str:
    return f"{course}/{module}" if module else course


def accommodation_target(row: Accommodation) -> str:
    return f"accommodation:{row.id}"


def decision_state(row: PlanDecision) -> State:
    return {
        "exempt": row.exempt,
        "starts": row.starts.isoformat() if row.starts else None,
        "due": row.due.isoformat() if row.due else None,
        "note": row.note,
    }


def accommodation_state(row: Accommodation) -> State:
    return {"document_ref": row.document_ref, "starts": row.starts.isoformat(), "ends": row.ends.isoformat()}


def record_change(
    writer: Session,
    user_id: int,
    kind: str,
    target: str,
    states: tuple[State | None, State | None],
    reason: str | None,
    by: User,
    now: datetime,
) -> PlanChange:
    before, after = states
    row = PlanChange(
        user_id=user_id,
        kind=kind,
        target=target,
        before=before,
        after=after,
        reason=(reason or "").strip() or None,
        changed_by=by.id,
        changed_at=now,
    )
    writer.add(row)
    writer.flush()
    return row


def history_of(reader: Session, user_ids: Iterable[int], limit: int = 200) -> list[PlanChange]:
    """The office's changes for these students, the newest first."""
    wanted = list(user_ids)
    if not wanted:
        return []
    query = (
        select(PlanChange)
        .where(PlanChange.user_id.in_(wanted))
        .order_by(PlanChange.changed_at.desc(), PlanChange.id.desc())
        .limit(limit)
    )
    return list(reader.scalars(query))


def check_accommodation(document_ref: str, starts: date, ends: date) -> None:
    if ends < starts:
        raise Invalid("accommodation_period", "The period ends before it starts.")
    if not document_ref.strip():
        raise Invalid("accommodation_document", "Give the medical document's reference.")


def clear_decision(
    writer: Session, student: User, course: str, module: str, reason: str | None, by: User, now: datetime
) -> None:
    """Withdraw the office's decision on one course or module: the curriculum applies again."""
    row = writer.scalar(
        select(PlanDecision).where(
            PlanDecision.user_id == student.id, PlanDecision.course == course, PlanDecision.module == module
        )
    )
    if row is None:
        raise NotFound("no_decision", "There is no such decision on this student's plan.")
    before = decision_state(row)
    writer.delete(row)
    writer.flush()
    target = decision_target(course, module)
    record_change(writer, student.id, "decision_cleared", target, (before, None), reason, by, now)
    events.publish(
        writer,
        events.PlanDecisionCleared(
            user_id=student.id, course=course, module=module, reason=reason, by=by.id, at=now
        ),
    )


def accommodation_of(writer: Session, student: User, accommodation_id: int) -> Accommodation:
    row = writer.get(Accommodation, accommodation_id)
    if row is None or row.user_id != student.id:
        raise NotFound("no_accommodation", "This student has no such accommodation.")
    return row


def end_accommodation(
    writer: Session,
    student: User,
    accommodation_id: int,
    on: date,
    reason: str | None,
    by: User,
    now: datetime,
) -> Accommodation:
    """End an accommodation early: `on` is its last day of asynchronous study."""
    row = accommodation_of(writer, student, accommodation_id)
    if on < row.starts:
        raise Invalid(
            "accommodation_end_early", "It cannot end before it starts; correct its period instead."
        )
    if on >= row.ends:
        raise Invalid("accommodation_end_late", "It already ends by then.")
    before = accommodation_state(row)
    row.ends = on
    writer.flush()
    return _changed(writer, row, "ended", (before, reason), by, now)


def correct_accommodation(
    writer: Session,
    student: User,
    accommodation_id: int,
    corrected: tuple[str, date, date],
    reason: str | None,
    by: User,
    now: datetime,
) -> Accommodation:
    """Correct a wrong reference or period; a correction says why."""
    document_ref, starts, ends = corrected
    check_accommodation(document_ref, starts, ends)
    if not (reason or "").strip():
        raise Invalid("correction_reason", "Say why the accommodation is corrected.")
    row = accommodation_of(writer, student, accommodation_id)
    before = accommodation_state(row)
    row.document_ref, row.starts, row.ends = document_ref.strip(), starts, ends
    if accommodation_state(row) == before:
        raise Invalid("nothing_changed", "The correction changes nothing.")
    writer.flush()
    return _changed(writer, row, "corrected", (before, reason), by, now)


def _changed(
    writer: Session, row: Accommodation, change: str, why: tuple[State, str | None], by: User, now: datetime
) -> Accommodation:
    before, reason = why
    after = accommodation_state(row)
    record_change(
        writer,
        row.user_id,
        f"accommodation_{change}",
        accommodation_target(row),
        (before, after),
        reason,
        by,
        now,
    )
    events.publish(
        writer,
        events.AccommodationChanged(
            accommodation_id=row.id,
            user_id=row.user_id,
            change=change,
            document_ref=row.document_ref,
            starts=row.starts,
            ends=row.ends,
            reason=(reason or "").strip() or None,
            by=by.id,
            at=now,
        ),
    )
    return row
