"""The academic office's pages (admins) for individual plans (R5) and health accommodations (R9):
the students of a group with their accommodations and the recent changes, and one student's page
with forms to add, end and correct an accommodation and to set or withdraw a plan decision, with
the full history. (The API in plan_views does the same for scripts.)

/schedules/office/ (?group=) · /schedules/office/<user_id> (+ POST forms under it)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import Blueprint, Flask, Response, g, redirect, request, url_for
from sqlalchemy import func, select
from werkzeug.wrappers import Response as WerkzeugResponse

from auth.models import Role, User
from quiz_service.core import db, pages, service_bundle
from quiz_service.core.clock import now
from quiz_service.core.db import release_reader
from quiz_service.core.domain import DomainError, Invalid
from quiz_service.core.errors import status_of
from quiz_service.core.formatting import local, zone_of
from quiz_service.core.i18n import request_language
from quiz_service.core.service_bundle import Manifest
from quiz_service.schedules import plans
from quiz_service.schedules.models import Accommodation, PlanChange, PlanDecision
from quiz_service.schedules.plan_views import require_office, student_for_office
from quiz_service.schedules.views import refusal, words

office = Blueprint("plans_office", __name__, url_prefix="/schedules/office", template_folder="templates")
office_page = pages.signed_in_page(refusal)
ZONE_TODAY = "Asia/Almaty"


def init_app(app: Flask) -> None:
    app.register_blueprint(office)
    pages.add_menu_item(app, pages.MenuItem("plans_office", office_url, shown=is_office, order=96))


def office_url(lang: str) -> str:
    return f"/schedules/office/?lang={lang}"


def is_office() -> bool:
    user = g.get("user")
    return user is not None and user.role == Role.ADMIN


def today() -> date:
    """Today in Kazakhstan: the default last day of an accommodation ended now."""
    return local(now(), zone_of(ZONE_TODAY)).date()


@dataclass(frozen=True)
class Target:
    """A course of the student's curriculum, or one of its modules, as the decision form offers it."""

    course: str
    module: str
    label: str

    @property
    def value(self) -> str:
        return plans.decision_target(self.course, self.module)


def targets_for(manifest: Manifest | None, group: str | None, lang: str) -> list[Target]:
    curriculum = manifest.curriculum(group) if manifest else None
    if manifest is None or curriculum is None:
        return []
    found: list[Target] = []
    for term in curriculum.terms:
        for entry in term.courses:
            course = manifest.course(entry.course)
            title = in_language(dict(course.title) if course else {}, lang) or entry.course
            modules = {m["id"]: m.get("title", {}) for m in course.modules} if course else {}
            found.append(Target(entry.course, "", title))
            for item in entry.deadlines:
                module_title = in_language(modules.get(item["module"], {}), lang) or item["module"]
                found.append(Target(entry.course, item["module"], f"{title} — {module_title}"))
    return found


def in_language(titles: Mapping[str, str], lang: str) -> str:
    return titles.get(lang) or next(iter(titles.values()), "")


def state_of(row: Accommodation, on: date) -> str:
    if row.ends < on:
        return "ended"
    return "current" if row.starts <= on else "upcoming"


# -- the group's list ---------------------------------------------------------------------------


@office.get("/")
@office_page
def group_page() -> Response:
    require_office()
    reader = db.session()
    groups = all_groups(reader)
    wanted = request.args.get("group") or (groups[0] if groups else "")
    students = list(
        reader.scalars(
            select(User)
            .where(User.role == Role.STUDENT, User.group == wanted)
            .order_by(User.full_name, User.email)
        )
    )
    ids = [s.id for s in students]
    said = words()
    return pages.render_page(
        "schedules/office_group.html",
        w=said,
        title=said["office_title"],
        groups=groups,
        group=wanted,
        student=None,
        students=students,
        accommodations=accommodations_by_student(reader, ids),
        decisions=decisions_count(reader, ids),
        history=history_lines(reader, ids, limit=30),
        today=today(),
        state_of=state_of,
    )


def all_groups(reader: Any) -> list[str]:
    """The groups of students, and those with a curriculum but no student yet."""
    found = set(
        reader.scalars(
            select(User.group).where(User.role == Role.STUDENT, User.group.is_not(None)).distinct()
        )
    )
    manifest = service_bundle.current().manifest
    if manifest is not None:
        found.update(c.group for c in manifest.curricula)
    return sorted(g for g in found if g)


def accommodations_by_student(reader: Any, ids: list[int]) -> dict[int, list[Accommodation]]:
    found: dict[int, list[Accommodation]] = {}
    if ids:
        query = select(Accommodation).where(Accommodation.user_id.in_(ids)).order_by(Accommodation.starts)
        for row in reader.scalars(query):
            found.setdefault(row.user_id, []).append(row)
    return found


def decisions_count(reader: Any, ids: list[int]) -> dict[int, int]:
    if not ids:
        return {}
    query = (
        select(PlanDecision.user_id, func.count())
        .where(PlanDecision.user_id.in_(ids))
        .group_by(PlanDecision.user_id)
    )
    return {user_id: count for user_id, count in reader.execute(query)}


# -- the history, in words ------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryLine:
    change: PlanChange
    student: str
    by: str
    what: str
    before: str
    after: str


def history_lines(reader: Any, ids: list[int], limit: int = 200) -> list[HistoryLine]:
    changes = plans.history_of(reader, ids, limit)
    people = {u.id: u for u in reader.scalars(select(User).where(User.id.in_(people_of(changes))))}
    said = words()

    def name(user_id: int | None) -> str:
        user = people.get(user_id) if user_id is not None else None
        return (user.full_name or user.email) if user else "—"

    return [
        HistoryLine(
            change=c,
            student=name(c.user_id),
            by=name(c.changed_by),
            what=said[f"change.{c.kind}"],
            before=described(c.before, said),
            after=described(c.after, said),
        )
        for c in changes
    ]


def people_of(changes: list[PlanChange]) -> set[int]:
    return {c.user_id for c in changes} | {c.changed_by for c in changes if c.changed_by is not None}


def described(state: Mapping[str, Any] | None, said: Mapping[str, str]) -> str:
    """A decision's or an accommodation's state as the office reads it."""
    if not state:
        return "—"
    if "document_ref" in state:
        return said["state_accommodation"].format(
            ref=state["document_ref"], starts=state["starts"], ends=state["ends"]
        )
    parts = [said["exempt"]] if state.get("exempt") else []
    parts += [said["starts_on"].format(date=state["starts"])] if state.get("starts") else []
    parts += [said["due_on"].format(date=state["due"])] if state.get("due") else []
    parts += [state["note"]] if state.get("note") else []
    return "; ".join(parts) or said["no_change_fields"]


# -- one student's page -------------------------------------------------------------------------


@office.get("/<int:user_id>")
@office_page
def student_page(user_id: int) -> Response:
    return show_student(student_for_office(user_id))


def show_student(student: User, *, error: str | None = None, status: int = 200) -> Response:
    reader = db.session()
    lang = request_language()
    said = words()
    manifest = service_bundle.current().manifest
    targets = targets_for(manifest, student.group, lang)
    labels = {target.value: target.label for target in targets}
    decisions = list(
        reader.scalars(
            select(PlanDecision)
            .where(PlanDecision.user_id == student.id)
            .order_by(PlanDecision.course, PlanDecision.module)
        )
    )
    done = request.args.get("done")
    return pages.render_page(
        "schedules/office_student.html",
        status=status,
        w=said,
        title=said["office_student_title"].format(name=student.full_name or student.email),
        student=student,
        has_plan=bool(targets),
        targets=targets,
        labels=labels,
        target_of=plans.decision_target,
        decisions=decisions,
        accommodations=plans.accommodations_of(reader, student.id),
        history=history_lines(reader, [student.id]),
        today=today(),
        state_of=state_of,
        described=lambda row: described(plans.decision_state(row), said),
        notice=said.get(f"done.{done}") if done else None,
        error=said.get(error, said["refused"]) if error else None,
    )


def back(student: User, done: str) -> WerkzeugResponse:
    target = url_for("plans_office.student_page", user_id=student.id, lang=request_language(), done=done)
    return redirect(target, code=303)


def form_date(name: str) -> date:
    try:
        return date.fromisoformat(request.form.get(name, "").strip())
    except ValueError:
        raise Invalid("bad_date", f"'{name}' is not a date (YYYY-MM-DD).") from None


def optional_date(name: str) -> date | None:
    return form_date(name) if request.form.get(name, "").strip() else None


def form_target(student: User) -> tuple[str, str]:
    wanted = request.form.get("target", "")
    manifest = service_bundle.current().manifest
    for target in targets_for(manifest, student.group, request_language()):
        if target.value == wanted:
            return target.course, target.module
    raise Invalid("decision_unknown", "Choose a course or module of the student's curriculum.")


Change = Callable[[Any, User, User], None]


def change(user_id: int, done: str, act: Change) -> WerkzeugResponse:
    """Run one of the office's changes in a transaction; a refusal shows the page with its reason."""
    student = student_for_office(user_id)
    try:
        release_reader()
        with db.write_transaction() as writer:
            act(writer, writer.get_one(User, student.id), writer.get_one(User, g.user.id))
    except DomainError as problem:
        if status_of(problem) not in (404, 409, 422):
            raise
        return show_student(student, error=problem.code, status=status_of(problem))
    return back(student, done)


def reason() -> str | None:
    return request.form.get("reason", "").strip()[:500] or None


@office.post("/<int:user_id>/accommodations")
@office_page
def add_accommodation(user_id: int) -> WerkzeugResponse:
    def act(writer: Any, student: User, by: User) -> None:
        ref = request.form.get("document_ref", "")[:200]
        plans.accommodate(writer, student, ref, form_date("starts"), form_date("ends"), by, now())

    return change(user_id, "accommodation_added", act)


@office.post("/<int:user_id>/accommodations/<int:accommodation_id>/end")
@office_page
def end_accommodation(user_id: int, accommodation_id: int) -> WerkzeugResponse:
    def act(writer: Any, student: User, by: User) -> None:
        plans.end_accommodation(writer, student, accommodation_id, form_date("on"), reason(), by, now())

    return change(user_id, "accommodation_ended", act)


@office.post("/<int:user_id>/accommodations/<int:accommodation_id>/correct")
@office_page
def correct_accommodation(user_id: int, accommodation_id: int) -> WerkzeugResponse:
    def act(writer: Any, student: User, by: User) -> None:
        corrected = (request.form.get("document_ref", "")[:200], form_date("starts"), form_date("ends"))
        plans.correct_accommodation(writer, student, accommodation_id, corrected, reason(), by, now())

    return change(user_id, "accommodation_corrected", act)


@office.post("/<int:user_id>/decisions")
@office_page
def set_decision(user_id: int) -> WerkzeugResponse:
    def act(writer: Any, student: User, by: User) -> None:
        course, module = form_target(student)
        exempt = request.form.get("exempt") == "on"
        note = request.form.get("note", "").strip()[:500] or None
        wanted = (exempt, optional_date("starts"), optional_date("due"), note)
        if not (exempt or wanted[1] or wanted[2]):
            raise Invalid("decision_empty", "Exempt, an individual start or an individual deadline.")
        plans.set_decision(writer, student, course, module, wanted, by, now())

    return change(user_id, "decision_set", act)


@office.post("/<int:user_id>/decisions/clear")
@office_page
def clear_decision(user_id: int) -> WerkzeugResponse:
    def act(writer: Any, student: User, by: User) -> None:
        course, _, module = request.form.get("target", "").partition("/")
        plans.clear_decision(writer, student, course, module, reason(), by, now())

    return change(user_id, "decision_cleared", act)
