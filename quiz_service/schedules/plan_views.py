"""Individual study plans: the student's page and API, the academic office's (admins') decisions
and health accommodations through the API.

/schedules/plan (mine, printable) · /schedules/plan/<user_id> (admins) ·
/api/v1/schedules/plan · /api/v1/schedules/plans/<user_id> (+ /decisions, /decisions/clear,
/accommodations, /accommodations/<id>, /accommodations/<id>/end, /history). The office's pages:
office_views."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from flask import Blueprint, Flask, Response, g, url_for
from sqlalchemy.orm import Session

from auth.access import courses
from auth.models import Role, User
from quiz_service.core import db, service_bundle
from quiz_service.core.clock import now
from quiz_service.core.db import release_reader
from quiz_service.core.domain import Forbidden, NotFound
from quiz_service.core.i18n import request_language
from quiz_service.core.openapi import operation
from quiz_service.core.pages import render_page
from quiz_service.core.service_bundle import Manifest
from quiz_service.schedules import plans, service
from quiz_service.schedules.classes import LiveClass, all_classes
from quiz_service.schedules.models import Accommodation
from quiz_service.schedules.schemas import (
    AccommodationCorrectionIn,
    AccommodationEndIn,
    AccommodationIn,
    AccommodationOut,
    DeadlineOut,
    DecisionClearIn,
    DecisionIn,
    PlanChangeOut,
    PlanCourseOut,
    PlanHistoryOut,
    PlanOut,
    PlanTermOut,
)
from quiz_service.schedules.views import local, schedule_page, words

api = Blueprint("plans_api", __name__, url_prefix="/api/v1/schedules")
pages = Blueprint("plans", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    app.register_blueprint(api)
    app.register_blueprint(pages)


def require_office() -> None:
    if g.user.role != Role.ADMIN:
        raise Forbidden("office_only", "Only the academic office (admins) sets plans and accommodations.")


def student_for_office(user_id: int) -> User:
    require_office()
    student = db.session().get(User, user_id)
    if student is None or student.role != Role.STUDENT:
        raise NotFound("no_student", "There is no such student.")
    return student


def plan_out(student: User, plan: plans.StudyPlan) -> PlanOut:
    return PlanOut(
        user_id=student.id,
        group=plan.group,
        programme=plan.programme,
        contact_hours=plan.contact_hours,
        distance_hours=plan.distance_hours,
        terms=[
            PlanTermOut(
                term=term.term,
                starts=term.starts,
                ends=term.ends,
                courses=[
                    PlanCourseOut(
                        course=c.course,
                        title=c.title,
                        contact=c.contact,
                        distance=c.distance,
                        exempt=c.exempt,
                        starts=c.starts,
                        asynchronous=c.asynchronous,
                        deadlines=[DeadlineOut(**vars(d)) for d in c.deadlines],
                    )
                    for c in term.courses
                ],
            )
            for term in plan.terms
        ],
        accommodations=[
            AccommodationOut(id=a.id, document_ref=a.document_ref, starts=a.starts, ends=a.ends)
            for a in plan.accommodations
        ],
    )


def plan_for(student: User) -> plans.StudyPlan:
    return plans.plan_of(db.session(), service_bundle.current().manifest, student)


@api.get("/plan")
@operation("My individual study plan (R5), derived from my group's curriculum", response=PlanOut, auth=True)
def my_plan_api() -> PlanOut:
    return plan_out(g.user, plan_for(g.user))


@api.get("/plans/<int:user_id>")
@operation("A student's individual study plan (the academic office)", response=PlanOut, auth=True)
def plan_api(user_id: int) -> PlanOut:
    student = student_for_office(user_id)
    return plan_out(student, plan_for(student))


def office_change(user_id: int, change: Callable[[Session, User, User], object]) -> PlanOut:
    """The academic office changes a student's plan: 404 before any change when the student's
    group has no curriculum; `change(writer, student, office member)` in one write transaction;
    the plan as it is after it."""
    student = student_for_office(user_id)
    plan_for(student)
    release_reader()
    with db.write_transaction() as writer:
        change(writer, writer.get_one(User, student.id), writer.get_one(User, g.user.id))
    return plan_out(student, plan_for(student))


@api.put("/plans/<int:user_id>/decisions")
@operation(
    "Set the office's decision on a course (exempt, individual start) or a module (individual deadline)",
    body=DecisionIn,
    response=PlanOut,
    auth=True,
)
def decision_api(user_id: int, body: DecisionIn) -> PlanOut:
    wanted = (body.exempt, body.starts, body.due, body.note)
    return office_change(
        user_id,
        lambda writer, target, by: plans.set_decision(
            writer, target, body.course, body.module, wanted, by, now()
        ),
    )


@api.post("/plans/<int:user_id>/accommodations")
@operation(
    "R9: the student studies asynchronously for a period (a medical document's reference only)",
    body=AccommodationIn,
    response=PlanOut,
    status=201,
    auth=True,
)
def accommodation_api(user_id: int, body: AccommodationIn) -> PlanOut:
    return office_change(
        user_id,
        lambda writer, target, by: plans.accommodate(
            writer, target, body.document_ref, body.starts, body.ends, by, now()
        ),
    )


@api.post("/plans/<int:user_id>/accommodations/<int:accommodation_id>/end")
@operation(
    "R9: end an accommodation early (`on` is its last day of asynchronous study)",
    body=AccommodationEndIn,
    response=PlanOut,
    auth=True,
)
def end_accommodation_api(user_id: int, accommodation_id: int, body: AccommodationEndIn) -> PlanOut:
    return office_change(
        user_id,
        lambda writer, target, by: plans.end_accommodation(
            writer, target, accommodation_id, body.on, body.reason, by, now()
        ),
    )


@api.put("/plans/<int:user_id>/accommodations/<int:accommodation_id>")
@operation(
    "R9: correct an accommodation's reference or period (with the reason)",
    body=AccommodationCorrectionIn,
    response=PlanOut,
    auth=True,
)
def correct_accommodation_api(
    user_id: int, accommodation_id: int, body: AccommodationCorrectionIn
) -> PlanOut:
    corrected = (body.document_ref, body.starts, body.ends)
    return office_change(
        user_id,
        lambda writer, target, by: plans.correct_accommodation(
            writer, target, accommodation_id, corrected, body.reason, by, now()
        ),
    )


@api.post("/plans/<int:user_id>/decisions/clear")
@operation(
    "Withdraw the office's decision on a course or module (the curriculum applies again)",
    body=DecisionClearIn,
    response=PlanOut,
    auth=True,
)
def clear_decision_api(user_id: int, body: DecisionClearIn) -> PlanOut:
    return office_change(
        user_id,
        lambda writer, target, by: plans.clear_decision(
            writer, target, body.course, body.module, body.reason, by, now()
        ),
    )


@api.get("/plans/<int:user_id>/history")
@operation(
    "The history of the office's changes to a student's plan, the newest first",
    response=PlanHistoryOut,
    auth=True,
)
def history_api(user_id: int) -> PlanHistoryOut:
    student = student_for_office(user_id)
    changes = plans.history_of(db.session(), [student.id])
    return PlanHistoryOut(
        user_id=student.id,
        changes=[
            PlanChangeOut(
                kind=cast(Any, c.kind),
                target=c.target,
                before=c.before,
                after=c.after,
                reason=c.reason,
                changed_by=c.changed_by,
                changed_at=c.changed_at,
            )
            for c in changes
        ],
    )


@pages.get("/schedules/plan")
@schedule_page
def my_plan() -> Response:
    return show_plan(g.user)


@pages.get("/schedules/plan/<int:user_id>")
@schedule_page
def plan_page(user_id: int) -> Response:
    return show_plan(student_for_office(user_id))


@dataclass(frozen=True)
class PlannedClass:
    """A class of the individual schedule; for a student studying asynchronously that day (R9)
    the lesson where its recording is (or will be) instead of the place."""

    live: LiveClass
    asynchronous: bool
    lesson_title: str
    lesson_url: str | None
    lesson_video: bool  # the lesson has a video lecture of its own

    @property
    def substitute(self) -> str:
        """Which words say where the asynchronous student studies this class (`schedules.plan_*`)."""
        if not self.live.lesson:
            return "plan_self_study"
        if self.live.recording:
            return "plan_recording"
        return "plan_video_lecture" if self.lesson_video else "plan_recording_later"


def planned_classes(student: User, plan: plans.StudyPlan, lang: str) -> list[PlannedClass]:
    manifest = service_bundle.current().manifest
    classes = service.classes_of(db.session(), student, all_classes(manifest), courses())
    return [planned(live, plan.accommodations, manifest, lang) for live, hosting in classes if not hosting]


def planned(
    live: LiveClass, accommodations: tuple[Accommodation, ...], manifest: Manifest | None, lang: str
) -> PlannedClass:
    day = live.start.date()  # the class's day in Kazakhstan (start is in Asia/Almaty)
    asynchronous = any(a.starts <= day <= a.ends for a in accommodations)
    course = manifest.course(live.schedule) if manifest else None
    lesson = next((x for x in course.lessons if x.get("id") == live.lesson), None) if course else None
    titles, urls = (lesson.get("title") or {}, lesson.get("urls") or {}) if lesson else ({}, {})
    title = titles.get(lang) or next(iter(titles.values()), live.lesson or "")
    url = urls.get(lang) or next(iter(urls.values()), None)
    video = bool(lesson.get("video")) if lesson else False
    return PlannedClass(live, asynchronous, title, f"/{url}" if url else None, video)


def show_plan(student: User) -> Response:
    plan = plan_for(student)
    said = words()
    return render_page(
        "schedules/plan.html",
        w=said,
        title=said["plan_title"],
        student=student,
        plan=plan,
        classes=planned_classes(student, plan, request_language()),
        lang=request_language(),
        local=local,
        office_link=office_link(student),
    )


def office_link(student: User) -> str | None:
    """For the academic office looking at a student's plan: the page of their decisions."""
    if g.user.role != Role.ADMIN or g.user.id == student.id:
        return None
    return url_for("plans_office.student_page", user_id=student.id, lang=request_language())
