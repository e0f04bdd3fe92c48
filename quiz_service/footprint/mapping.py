"""The service's own statements: one mapper per domain event (core.events), one entry each.

The footprint subscribes to every domain event (`DomainEvent`) and writes the statement of a
mapped one in the transaction that published it: the statement commits with the change or
not at all. An event without a mapper is ignored. A feature that lands later (bookings,
attendance, submissions) adds its event to core/events.py and one mapper here:

    @maps(events.BookingMade)
    def booking_made(event: events.BookingMade, site: Site) -> Entry:
        return site.entry(event.user_id, ATTENDED, site.activity("consultations", event.slot_id),
                          timestamp=event.at)

See docs/footprint.md, "Adding an event".
"""

from __future__ import annotations

import uuid as uuids
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any, TypeVar
from urllib.parse import quote

from flask import current_app, has_app_context
from sqlalchemy.engine import Connection

from quiz_service.core import clock, events
from quiz_service.core.db import utcnow
from quiz_service.footprint import store
from quiz_service.footprint.store import Entry, xapi_time

Json = Any
E = TypeVar("E", bound=events.DomainEvent)
Mapper = Callable[[Any, "Site"], Entry | None]

ADL = "http://adlnet.gov/expapi/verbs/"
LOGGED_IN = ("https://w3id.org/xapi/adl/verbs/logged-in", "logged in")
LOGGED_OUT = ("https://w3id.org/xapi/adl/verbs/logged-out", "logged out")
ATTEMPTED = (f"{ADL}attempted", "attempted")
ANSWERED = (f"{ADL}answered", "answered")
COMPLETED = (f"{ADL}completed", "completed")
SCORED = (f"{ADL}scored", "scored")
INTERACTION = "http://adlnet.gov/expapi/activities/cmi.interaction"
ASSESSMENT = "http://adlnet.gov/expapi/activities/assessment"
LMS = "http://id.tincanapi.com/activitytype/lms"
DEFAULT_SITE_URL = "https://oqu.invalid/"

MAPPERS: dict[type[events.DomainEvent], Mapper] = {}


def maps(
    event_type: type[E],
) -> Callable[[Callable[[E, Site], Entry | None]], Callable[[E, Site], Entry | None]]:
    """Register the mapper of `event_type`: it returns the statement to record, or None."""

    def register(mapper: Callable[[E, Site], Entry | None]) -> Callable[[E, Site], Entry | None]:
        MAPPERS[event_type] = mapper
        return mapper

    return register


# Remembered: every answer save maps an event, and quoting its few names and the attempt's UUID5
# were a third of the mapping's time (the same course, quiz and attempt come again and again).
@lru_cache(maxsize=4096)
def path_segment(part: str | int) -> str:
    return quote(str(part), safe="")


@lru_cache(maxsize=4096)
def registration_of(attempt_iri: str) -> str:
    return str(uuids.uuid5(uuids.NAMESPACE_URL, attempt_iri))


@dataclass(frozen=True)
class Site:
    """The IRIs of one site: activities, verbs and extensions of its own under its address."""

    url: str

    def activity(self, *parts: str | int) -> str:
        return self.url + "/".join(map(path_segment, parts))

    def extension(self, name: str) -> str:
        return f"{self.url}xapi/extensions/{name}"

    def registration(self, attempt_id: int) -> str:
        return registration_of(self.activity("attempts", attempt_id))

    def quiz(self, course: str, quiz: str, title: str = "") -> dict[str, Json]:
        definition: dict[str, Json] = {"type": ASSESSMENT}
        return {
            "objectType": "Activity",
            "id": self.activity("courses", course, "quizzes", quiz),
            "definition": definition,
        }

    def entry(
        self,
        user_id: int | None,
        verb: tuple[str, str],
        target: dict[str, Json],
        *,
        timestamp: datetime | None = None,
        result: dict[str, Json] | None = None,
        context: dict[str, Json] | None = None,
    ) -> Entry:
        actor = store.service_agent(self.url) if user_id is None else store.user_agent(self.url, user_id)
        statement: dict[str, Json] = {
            "id": str(uuids.uuid4()),
            "actor": actor,
            "verb": {"id": verb[0], "display": {"en": verb[1]}},
            "object": target,
        }
        if timestamp is not None:
            statement["timestamp"] = xapi_time(timestamp)
        if result:
            statement["result"] = result
        if context:
            statement["context"] = context
        return Entry(statement, user_id)


def record_event(connection: Connection, event: events.DomainEvent) -> None:
    """The subscriber: the event's statement, appended on the publisher's connection."""
    mapper = MAPPERS.get(type(event))
    if mapper is None or not isinstance(connection, Connection):
        return  # not mapped; or published on no database (a unit test of the dispatcher)
    site_url = current_app.config["FOOTPRINT_SITE_URL"] if has_app_context() else DEFAULT_SITE_URL
    entry = mapper(event, Site(site_url))
    if entry is not None:
        moment = clock.now() if has_app_context() else utcnow()
        store.append_one(connection, entry, moment, site_url)


# -- accounts (R7.9: discipline in logging in) --------------------------------------------


@maps(events.SignedIn)
def signed_in(event: events.SignedIn, site: Site) -> Entry:
    target = {"objectType": "Activity", "id": site.url, "definition": {"type": LMS}}
    context = {"extensions": {site.extension("method"): event.method}}
    return site.entry(event.user_id, LOGGED_IN, target, timestamp=event.at, context=context)


@maps(events.SignedOut)
def signed_out(event: events.SignedOut, site: Site) -> Entry:
    target = {"objectType": "Activity", "id": site.url, "definition": {"type": LMS}}
    context = {"extensions": {site.extension("method"): event.method}}
    return site.entry(event.user_id, LOGGED_OUT, target, timestamp=event.at, context=context)


# -- quizzes ------------------------------------------------------------------------------


def attempt_context(site: Site, attempt_id: int, course: str, **more: Json) -> dict[str, Json]:
    extensions = {site.extension("attempt"): attempt_id} | {site.extension(k): v for k, v in more.items()}
    course_activity = {"objectType": "Activity", "id": site.activity("courses", course) + "/"}
    return {
        "registration": site.registration(attempt_id),
        "contextActivities": {"grouping": [course_activity]},
        "extensions": extensions,
    }


@maps(events.AttemptStarted)
def attempt_started(event: events.AttemptStarted, site: Site) -> Entry:
    context = attempt_context(
        site, event.attempt_id, event.course, number=event.number, version=event.version
    )
    context["language"] = event.lang
    return site.entry(event.user_id, ATTEMPTED, site.quiz(event.course, event.quiz), timestamp=event.started_at,
                      context=context)  # fmt: skip


@maps(events.AnswerSaved)
def answer_saved(event: events.AnswerSaved, site: Site) -> Entry:
    quiz = site.quiz(event.course, event.quiz)
    question = {
        "objectType": "Activity",
        "id": f"{quiz['id']}/questions/{quote(event.question, safe='')}",
        "definition": {"type": INTERACTION},
    }
    context = attempt_context(site, event.attempt_id, event.course, sequence=event.sequence)
    context["contextActivities"]["parent"] = [{"objectType": "Activity", "id": quiz["id"]}]
    return site.entry(event.user_id, ANSWERED, question, timestamp=event.saved_at,
                      result={"response": event.response}, context=context)  # fmt: skip


@maps(events.AttemptSubmitted)
def attempt_submitted(event: events.AttemptSubmitted, site: Site) -> Entry:
    context = attempt_context(site, event.attempt_id, event.course, by=event.by)
    return site.entry(event.user_id, COMPLETED, site.quiz(event.course, event.quiz), timestamp=event.finished_at,
                      result={"completion": True}, context=context)  # fmt: skip


def graded_result(points: float | None, max_points: float) -> dict[str, Json]:
    """A grade as xAPI's result: completed, with the score when there is one (raw kept in range)."""
    result: dict[str, Json] = {"completion": True}
    if points is not None and max_points > 0:
        raw = min(max(points, 0.0), max_points)
        result["score"] = {"raw": raw, "min": 0, "max": max_points, "scaled": round(raw / max_points, 4)}
    return result


@maps(events.AttemptGraded)
def attempt_graded(event: events.AttemptGraded, site: Site) -> Entry:
    result = graded_result(event.points, event.max_points)
    context = attempt_context(site, event.attempt_id, event.course, by=event.by)
    if event.grader_id is not None:
        context["instructor"] = store.user_agent(site.url, event.grader_id)
    if event.question is not None:
        context["extensions"][site.extension("question")] = event.question
    return site.entry(
        event.user_id, SCORED, site.quiz(event.course, event.quiz), result=result, context=context
    )


RELEASED = ("xapi/verbs/released", "released")


@maps(events.GradesReleased)
def grades_released(event: events.GradesReleased, site: Site) -> Entry:
    """The service's own statement (no student's): the quiz's grades were shown to its students."""
    verb = (site.url + RELEASED[0], RELEASED[1])
    course = {"objectType": "Activity", "id": site.activity("courses", event.course) + "/"}
    return site.entry(None, verb, site.quiz(event.course, event.quiz), timestamp=event.released_at,
                      context={"contextActivities": {"grouping": [course]}})  # fmt: skip


# -- assignments (R7.9: timely completion) ------------------------------------------------

SUBMITTED = ("http://activitystrea.ms/schema/1.0/submit", "submitted")
ASSIGNMENT = "http://id.tincanapi.com/activitytype/school-assignment"


def assignment_activity(site: Site, course: str, assignment: str) -> dict[str, Json]:
    return {
        "objectType": "Activity",
        "id": site.activity("courses", course, "assignments", assignment),
        "definition": {"type": ASSIGNMENT},
    }


def course_grouping(site: Site, course: str) -> dict[str, Json]:
    return {
        "contextActivities": {
            "grouping": [{"objectType": "Activity", "id": site.activity("courses", course) + "/"}]
        }
    }


@maps(events.AssignmentSubmitted)
def assignment_submitted(event: events.AssignmentSubmitted, site: Site) -> Entry:
    context = course_grouping(site, event.course)
    context["extensions"] = {
        site.extension("version"): event.number,
        site.extension("due"): xapi_time(event.due),
        site.extension("days-late"): event.days_late,
    }
    return site.entry(event.user_id, SUBMITTED, assignment_activity(site, event.course, event.assignment),
                      timestamp=event.submitted_at, result={"completion": True}, context=context)  # fmt: skip


@maps(events.AssignmentGraded)
def assignment_graded(event: events.AssignmentGraded, site: Site) -> Entry:
    result = graded_result(event.points, event.max_points)
    context = course_grouping(site, event.course)
    context["instructor"] = store.user_agent(site.url, event.grader_id)
    context["extensions"] = {site.extension("submission"): event.submission_id}
    return site.entry(event.user_id, SCORED, assignment_activity(site, event.course, event.assignment),
                      timestamp=event.graded_at, result=result, context=context)  # fmt: skip


@maps(events.AssignmentGradesReleased)
def assignment_grades_released(event: events.AssignmentGradesReleased, site: Site) -> Entry:
    """The service's statement when the grades are shown (to every student, or to one)."""
    verb = (site.url + RELEASED[0], RELEASED[1])
    context = course_grouping(site, event.course)
    if event.user_id is not None:
        context["extensions"] = {site.extension("student"): str(event.user_id)}
    return site.entry(None, verb, assignment_activity(site, event.course, event.assignment),
                      timestamp=event.released_at, context=context)  # fmt: skip


# -- live classes, consultations, questions, proctoring (R7.9, R7.4, R7.5, R2.10) ----------

ATTENDED = (f"{ADL}attended", "attended")
REGISTERED = (f"{ADL}registered", "registered")
CANCELLED = ("http://activitystrea.ms/schema/1.0/cancel", "cancelled")
ASKED = (f"{ADL}asked", "asked")
MEETING = "http://adlnet.gov/expapi/activities/meeting"
QUESTION = "http://adlnet.gov/expapi/activities/question"


def meeting(site: Site, *parts: str | int) -> dict[str, Json]:
    return {"objectType": "Activity", "id": site.activity(*parts), "definition": {"type": MEETING}}


@maps(events.AttendanceRecorded)
def attendance_recorded(event: events.AttendanceRecorded, site: Site) -> Entry:
    """A live class: present or late counts as attended (success), absent or excused does not."""
    context: dict[str, Json] = {"extensions": {site.extension("status"): event.status}}
    if event.schedule != "staff-training":
        context |= course_grouping(site, event.schedule)
    if event.by is not None:
        context["instructor"] = store.user_agent(site.url, event.by)
    if event.reason:
        context["extensions"][site.extension("reason")] = event.reason
    target = meeting(site, "schedules", event.schedule, "classes", event.class_id)
    return site.entry(event.user_id, ATTENDED, target, timestamp=event.at,
                      result={"success": event.status in ("present", "late")}, context=context)  # fmt: skip


@maps(events.ConsultationBooked)
def consultation_booked(event: events.ConsultationBooked, site: Site) -> Entry:
    context = course_grouping(site, event.course)
    context["extensions"] = {
        site.extension("state"): event.state,
        site.extension("from-waitlist"): event.from_waitlist,
    }
    if event.booked_by is not None:
        context["instructor"] = store.user_agent(site.url, event.booked_by)
    target = meeting(site, "courses", event.course, "consultations", event.slot_id)
    return site.entry(event.user_id, REGISTERED, target, timestamp=event.at, context=context)


@maps(events.ConsultationCancelled)
def consultation_cancelled(event: events.ConsultationCancelled, site: Site) -> Entry:
    context = course_grouping(site, event.course)
    context["extensions"] = {site.extension("by"): event.by}
    target = meeting(site, "courses", event.course, "consultations", event.slot_id)
    return site.entry(event.user_id, CANCELLED, target, timestamp=event.at, context=context)


@maps(events.ConsultationAttendance)
def consultation_attendance(event: events.ConsultationAttendance, site: Site) -> Entry:
    context = course_grouping(site, event.course)
    context["instructor"] = store.user_agent(site.url, event.marked_by)
    target = meeting(site, "courses", event.course, "consultations", event.slot_id)
    return site.entry(event.user_id, ATTENDED, target, timestamp=event.at,
                      result={"success": event.attended}, context=context)  # fmt: skip


@maps(events.QuestionAsked)
def question_asked(event: events.QuestionAsked, site: Site) -> Entry:
    """That a question was asked, and on which lesson; never its text (it stays private)."""
    target = {
        "objectType": "Activity",
        "id": site.activity("courses", event.course, "questions", event.question_id),
        "definition": {"type": QUESTION},
    }
    context = course_grouping(site, event.course)
    context["extensions"] = {site.extension("lesson"): event.lesson}
    return site.entry(event.user_id, ASKED, target, timestamp=event.at, context=context)


@maps(events.ProctoringDecided)
def proctoring_decided(event: events.ProctoringDecided, site: Site) -> Entry:
    """R2.10, confirmation of results: the student's attestation confirmed or annulled by a proctor
    (the proctor as `instructor`; the reason kept, since the student can read and appeal it)."""
    verb = (f"{site.url}xapi/verbs/attestation-{event.decision}", f"attestation {event.decision}")
    context = attempt_context(site, event.attempt_id, event.course, on_appeal=event.on_appeal,
                              identity_confirmed=event.identity_confirmed)  # fmt: skip
    context["instructor"] = store.user_agent(site.url, event.proctor_id)
    if event.reason:
        context["extensions"][site.extension("reason")] = event.reason
    return site.entry(event.user_id, verb, site.quiz(event.course, event.quiz), timestamp=event.at,
                      context=context)  # fmt: skip


# -- individual plans and R9 accommodations (the academic office's decisions) -------------


def plan_activity(site: Site, user_id: int) -> dict[str, Json]:
    """The student's individual study plan (R5) as the activity the office's decisions act on."""
    return {"objectType": "Activity", "id": site.activity("plans", user_id), "definition": {"type": LMS}}


def office_decision(site: Site, user_id: int, name: str, by: int, at: datetime,
                    extensions: dict[str, Json]) -> Entry:  # fmt: skip
    """A decision on the student's plan, the office member as `instructor`. The medical document's
    reference stays on the office's pages: the record says that and when, not why."""
    verb = (f"{site.url}xapi/verbs/{name}", name.replace("-", " "))
    context: dict[str, Json] = {
        "instructor": store.user_agent(site.url, by),
        "extensions": {site.extension(key): value for key, value in extensions.items() if value is not None},
    }
    return site.entry(user_id, verb, plan_activity(site, user_id), timestamp=at, context=context)


@maps(events.AccommodationSet)
def accommodation_set(event: events.AccommodationSet, site: Site) -> Entry:
    period = {"starts": event.starts.isoformat(), "ends": event.ends.isoformat()}
    return office_decision(site, event.user_id, "accommodation-granted", event.by, event.at, period)


@maps(events.AccommodationChanged)
def accommodation_changed(event: events.AccommodationChanged, site: Site) -> Entry:
    name = "accommodation-ended" if event.change == "ended" else "accommodation-corrected"
    details = {"starts": event.starts.isoformat(), "ends": event.ends.isoformat(), "reason": event.reason}
    return office_decision(site, event.user_id, name, event.by, event.at, details)


@maps(events.PlanDecisionSet)
def plan_decision_set(event: events.PlanDecisionSet, site: Site) -> Entry:
    details = {
        "course": event.course,
        "module": event.module or None,
        "exempt": event.exempt,
        "starts": event.starts.isoformat() if event.starts else None,
        "due": event.due.isoformat() if event.due else None,
    }
    return office_decision(site, event.user_id, "plan-decision-set", event.by, event.at, details)


@maps(events.PlanDecisionCleared)
def plan_decision_cleared(event: events.PlanDecisionCleared, site: Site) -> Entry:
    details = {"course": event.course, "module": event.module or None, "reason": event.reason}
    return office_decision(site, event.user_id, "plan-decision-withdrawn", event.by, event.at, details)
