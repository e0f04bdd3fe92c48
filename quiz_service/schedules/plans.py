"""Individual study plans (R5): a student's plan derived from their group's curriculum plus the
academic office's decisions (exemption, individual start, individual module deadlines) and, for a
student with a health accommodation (R9), asynchronous study: in the terms the accommodation
covers, contact hours become recorded lectures and self-study, and live classes are not required.
Pure functions; the views read the rows and the bundle."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from auth.models import User
from quiz_service.core import events
from quiz_service.core.domain import Invalid, NotFound
from quiz_service.core.service_bundle import Curriculum, Manifest
from quiz_service.core.service_bundle import PlannedCourse as CurriculumCourse
from quiz_service.schedules.models import Accommodation, PlanDecision


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
    if row is None:
        row = PlanDecision(user_id=student.id, course=course, module=module)
        writer.add(row)
    row.exempt, row.starts, row.due, row.note, row.set_by, row.set_at = exempt, starts, due, note, by.id, now
    writer.flush()
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
    if ends < starts:
        raise Invalid("accommodation_period", "The period ends before it starts.")
    if not document_ref.strip():
        raise Invalid("accommodation_document", "Give the medical document's reference.")
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
    events.publish(
        writer,
        events.AccommodationSet(
            user_id=student.id, document_ref=row.document_ref, starts=starts, ends=ends, by=by.id, at=now
        ),
    )
    return row
