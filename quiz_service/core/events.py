"""Domain events: what happened, published inside the transaction that made it happen.

A feature publishes an event with `publish(writer, event)` where `writer` is its writing
session or Core connection; every subscriber runs at once, synchronously, on the same
connection and transaction. What a subscriber writes commits with the change or rolls back
with it; a subscriber that raises rolls the change back too. A subscriber must therefore be
quick and local (a row or two); anything slow or external is a background job it enqueues
(`quiz_service.core.jobs.enqueue`), which also commits only with the change.

Subscribers take the connection and the event: `subscribe(AnswerSaved, keep_history)`.
Publishing an event nobody subscribes to costs a dictionary lookup.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session


@dataclass(frozen=True, slots=True)
class DomainEvent:
    """The base of every event; subscribing to it receives them all (a footprint does)."""


# -- quizzes ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AnswerSaved(DomainEvent):
    """A save stored a new response (a repeated save of the same one publishes nothing)."""

    attempt_id: int
    user_id: int
    course: str
    quiz: str
    question: str  # the authored question id
    response: str  # JSON, as stored
    sequence: int
    client_id: str
    saved_at: datetime


@dataclass(frozen=True, slots=True)
class AttemptStarted(DomainEvent):
    attempt_id: int
    user_id: int
    course: str
    quiz: str
    version: str
    number: int
    lang: str
    started_at: datetime
    deadline: datetime | None


@dataclass(frozen=True, slots=True)
class AttemptSubmitted(DomainEvent):
    """The attempt finished: submitted by the student, or by the service at its deadline."""

    attempt_id: int
    user_id: int
    course: str
    quiz: str
    finished_at: datetime
    by: str  # "student" or "deadline"


@dataclass(frozen=True, slots=True)
class AttemptGraded(DomainEvent):
    """The attempt's points were set: by the key at submission, a teacher's grade, or a regrade."""

    attempt_id: int
    user_id: int
    course: str
    quiz: str
    points: float | None  # None while another answer still waits for a teacher
    max_points: float
    by: str  # "key", "teacher" or "regrade"
    grader_id: int | None = None  # the teacher who graded or regraded
    question: str | None = None  # the question a teacher graded


@dataclass(frozen=True, slots=True)
class GradesReleased(DomainEvent):
    course: str
    quiz: str
    released_at: datetime


# -- accounts -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SignedIn(DomainEvent):
    user_id: int
    method: str  # "password" or "oidc"
    address: str
    at: datetime


@dataclass(frozen=True, slots=True)
class SignedOut(DomainEvent):
    user_id: int
    method: str  # "session"
    address: str
    at: datetime


@dataclass(frozen=True, slots=True)
class EnrolmentChanged(DomainEvent):
    """A student or a study group was enrolled in a course, or removed from it."""

    course_id: str
    user_id: int | None
    group: str | None
    enrolled: bool  # False: removed
    at: datetime


# -- the dispatcher -----------------------------------------------------------------------

E = TypeVar("E", bound=DomainEvent)
Subscriber = Callable[[Connection, Any], None]

_lock = threading.Lock()
_subscribers: dict[type[DomainEvent], tuple[Subscriber, ...]] = {}
_routes: dict[type[DomainEvent], tuple[Subscriber, ...]] = {}  # by exact type, base classes included


def subscribe(event_type: type[E], subscriber: Callable[[Connection, E], None]) -> Callable[[], None]:
    """Call `subscriber(connection, event)` for every `event_type` (or subclass) published;
    returns the function that unsubscribes it. Subscribing the same function twice does nothing."""
    with _lock:
        current = _subscribers.get(event_type, ())
        if subscriber not in current:
            _subscribers[event_type] = (*current, subscriber)
        _routes.clear()
    return lambda: unsubscribe(event_type, subscriber)


def unsubscribe(event_type: type[E], subscriber: Callable[[Connection, E], None]) -> None:
    with _lock:
        remaining = tuple(s for s in _subscribers.get(event_type, ()) if s is not subscriber)
        _subscribers[event_type] = remaining
        _routes.clear()


def subscribers_of(event_type: type[DomainEvent]) -> tuple[Subscriber, ...]:
    route = _routes.get(event_type)
    if route is None:
        with _lock:
            route = tuple(s for base in event_type.__mro__ for s in _subscribers.get(base, ()))
            _routes[event_type] = route
    return route


def publish(writer: Session | Connection, event: DomainEvent) -> None:
    """Run the event's subscribers now, in `writer`'s transaction (a session is flushed first,
    so that they see its changes)."""
    subscribers = subscribers_of(type(event))
    if not subscribers:
        return
    if isinstance(writer, Session):
        writer.flush()
        connection = writer.connection()
    else:
        connection = writer
    for subscriber in subscribers:
        subscriber(connection, event)


# -- schedules ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AttendanceRecorded(DomainEvent):
    """A student's attendance of a live class: made by their join (`by` None) or set by a teacher."""

    schedule: str  # a course id, or "staff-training"
    class_id: str
    user_id: int
    status: str  # present, late, absent, excused
    joined_at: datetime | None
    reason: str | None
    by: int | None  # the teacher (or admin) who confirmed or corrected it
    at: datetime


@dataclass(frozen=True, slots=True)
class AccommodationSet(DomainEvent):
    """R9: the academic office let a student study asynchronously for a period (a medical reason)."""

    user_id: int
    document_ref: str  # the medical document's reference; the document is not stored
    starts: date
    ends: date
    by: int
    at: datetime


@dataclass(frozen=True, slots=True)
class PlanDecisionSet(DomainEvent):
    """The academic office changed a student's individual study plan (R5)."""

    user_id: int
    course: str
    module: str  # "" for the whole course
    exempt: bool
    starts: date | None
    due: date | None
    by: int
    at: datetime


# -- notices: orders of the head and announcements ----------------------------------------


@dataclass(frozen=True, slots=True)
class DLOrderIssued(DomainEvent):
    """An order of the head put groups (none listed: everyone) into distance learning (R4)."""

    order_id: int
    number: str
    groups: tuple[str, ...]
    starts_on: date
    until: date | None
    issued_at: datetime


@dataclass(frozen=True, slots=True)
class DLOrderEnded(DomainEvent):
    order_id: int
    until: date
    ended_at: datetime


@dataclass(frozen=True, slots=True)
class AnnouncementPublished(DomainEvent):
    announcement_id: int
    urgent: bool
    published_at: datetime


# -- assignments ---


@dataclass(frozen=True, slots=True)
class AssignmentSubmitted(DomainEvent):
    """A student handed in a version of their work (R7.9: on time or `days_late` late)."""

    submission_id: int
    user_id: int
    course: str
    assignment: str
    number: int  # the version
    submitted_at: datetime
    due: datetime  # the student's due date (with an extension)
    days_late: int  # 0: on time


@dataclass(frozen=True, slots=True)
class AssignmentGraded(DomainEvent):
    """A teacher set or changed a grade (hidden from the student until released)."""

    grade_id: int
    submission_id: int
    user_id: int
    course: str
    assignment: str
    points: float
    max_points: float
    grader_id: int
    graded_at: datetime


@dataclass(frozen=True, slots=True)
class AssignmentGradesReleased(DomainEvent):
    """Grades shown to students: all of an assignment's (`user_id` None) or one student's."""

    course: str
    assignment: str
    user_id: int | None
    released_at: datetime


# -- consultations ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ConsultationBooked(DomainEvent):
    """A student got a seat (`state` "booked") or joined the waitlist ("waiting"); an accepted
    offer from the waitlist is a booking too (`from_waitlist`)."""

    booking_id: int
    slot_id: int
    user_id: int
    course: str
    state: str  # "booked" or "waiting"
    booked_by: int | None  # staff who booked the student in; None: the student
    at: datetime
    from_waitlist: bool = False


@dataclass(frozen=True, slots=True)
class ConsultationCancelled(DomainEvent):
    """A booking or a place on the waitlist ended before the consultation."""

    booking_id: int
    slot_id: int
    user_id: int
    course: str
    by: str  # "student", "staff", "slot_cancelled" or "hold_expired"
    at: datetime


@dataclass(frozen=True, slots=True)
class ConsultationSeatOffered(DomainEvent):
    """A freed seat was offered to the first waiting student, held for them until `hold_until`."""

    booking_id: int
    slot_id: int
    user_id: int
    course: str
    hold_until: datetime
    at: datetime


@dataclass(frozen=True, slots=True)
class ConsultationSlotCancelled(DomainEvent):
    slot_id: int
    course: str
    teacher_id: int
    reason: str
    at: datetime


@dataclass(frozen=True, slots=True)
class ConsultationAttendance(DomainEvent):
    """A teacher marked whether a booked student came."""

    booking_id: int
    slot_id: int
    user_id: int
    course: str
    attended: bool
    marked_by: int
    at: datetime


@dataclass(frozen=True, slots=True)
class QuestionAsked(DomainEvent):
    """A student asked the course's teachers a question about a lesson (R7.5)."""

    question_id: int
    user_id: int
    course: str
    lesson: str
    at: datetime


@dataclass(frozen=True, slots=True)
class QuestionAnswered(DomainEvent):
    question_id: int
    user_id: int  # the student who asked
    course: str
    answered_by: int
    at: datetime


# -- proctoring ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProctoringLetStart(DomainEvent):
    """A proctor let a student start a proctored attempt without (all) the checks."""

    session_id: int
    user_id: int
    proctor_id: int
    at: datetime


@dataclass(frozen=True, slots=True)
class ProctoringDecided(DomainEvent):
    """A proctor confirmed identity and result, or annulled the result with a reason."""

    session_id: int
    attempt_id: int
    user_id: int
    course: str
    quiz: str
    decision: str  # "confirmed" or "annulled"
    identity_confirmed: bool
    reason: str
    proctor_id: int
    on_appeal: bool
    at: datetime


@dataclass(frozen=True, slots=True)
class ProctoringAppealed(DomainEvent):
    session_id: int
    attempt_id: int | None
    user_id: int
    at: datetime


@dataclass(frozen=True, slots=True)
class ProctoringPurged(DomainEvent):
    """The recordings of a session were deleted at the end of their retention."""

    session_id: int
    attempt_id: int | None
    at: datetime


# -- schedules: the academic office's pages ---


@dataclass(frozen=True, slots=True)
class AccommodationChanged(DomainEvent):
    """R9: the academic office ended a health accommodation early or corrected it (a wrong
    reference or period); `document_ref`, `starts` and `ends` are what it is now."""

    accommodation_id: int
    user_id: int
    change: str  # "ended" or "corrected"
    document_ref: str
    starts: date
    ends: date
    reason: str | None
    by: int
    at: datetime


@dataclass(frozen=True, slots=True)
class PlanDecisionCleared(DomainEvent):
    """The academic office withdrew a decision on a student's plan: the curriculum applies again."""

    user_id: int
    course: str
    module: str  # "" for the whole course
    reason: str | None
    by: int
    at: datetime
