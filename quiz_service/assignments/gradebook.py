"""The gradebook: each student's grade items in categories (current assessment, intermediate and
final attestation), weighted into a course total, read on the institution's scale (R12).

The arithmetic is pure (`category_percent`, `course_total`, `band_for`); the rest gathers the
cells from the database. Rules (docs/assignments.md):

- an item's percent is points / most points x 100; a quiz counts by its own grading method
  (highest, average, first, last finished attempt);
- a missing item counts as 0 (the total is what the student has if the course ended now);
- an excused item is left out, and its category's other items carry the category; a category
  with every item excused is left out and the other categories carry the course total;
- a category is the weighted mean of its items; the total the weighted mean of the categories;
- a teacher's override replaces an item's (or the total's) percent; a lock freezes the value
  the cell had when locked, whatever changes under it later;
- the letter: the total rounded half up to a whole point, then the highest band whose `min`
  it reaches.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import column, or_, select, table
from sqlalchemy.orm import Session

from auth.models import Enrolment, Role, User
from builder.quizzes.model import QuizSettings
from quiz_service.assignments.content import ATTENDANCE, Band, CourseAssessment, Gradebook, quiz_settings
from quiz_service.assignments.models import Grade, GradebookOverride, Release, Submission
from quiz_service.core import attempt_gates, service_bundle
from quiz_service.core.domain import Invalid, NotFound
from quiz_service.core.service_bundle import ScheduledClass

TOTAL = "total"

# The quizzes' tables, read as tables (the gradebook never imports the quizzes feature).
quiz_attempts = table(
    "quiz_attempts",
    column("id"),
    column("user_id"),
    column("course"),
    column("quiz"),
    column("number"),
    column("state"),
    column("points"),
    column("max_points"),
)
quiz_grade_releases = table("quiz_grade_releases", column("course"), column("quiz"))
# The proctors' decisions and the live classes' attendance, read as tables likewise (neither the
# proctoring nor the schedules feature is imported).
proctoring_sessions = table("proctoring_sessions", column("attempt_id"), column("decision"))
attendance = table("attendance", column("schedule"), column("class_id"), column("user_id"), column("status"))


AWAITING = "awaiting"  # a proctored attestation whose result a proctor has not confirmed yet
NO_CLASSES = "no_classes"  # attendance of a student none of whose classes has taken place yet


@dataclass(frozen=True)
class Cell:
    percent: float | None  # None: nothing yet (counts as 0)
    excused: bool = False
    overridden: bool = False
    locked: bool = False
    note: str | None = None  # AWAITING or NO_CLASSES: left out of the arithmetic, shown as such

    @property
    def left_out(self) -> bool:
        return self.excused or self.note is not None


@dataclass(frozen=True)
class Total:
    categories: dict[str, float | None]
    percent: float | None
    band: Band | None
    overridden: bool = False
    locked: bool = False
    awaiting: bool = False  # an item awaits a proctor's confirmation: no total until it is in


# -- the arithmetic ----------------------------------------------------------------------------


def category_percent(items: Iterable[tuple[float, Cell]]) -> float | None:
    """The weighted mean of the items that are not left out (excused, awaiting a proctor, no class
    held yet); a missing one counts 0; None if none is left."""
    counted = [(weight, cell) for weight, cell in items if not cell.left_out]
    weights = sum(weight for weight, _ in counted)
    if not counted or weights <= 0:
        return None
    return sum(weight * (cell.percent or 0.0) for weight, cell in counted) / weights


def course_percent(
    gradebook: Gradebook, cells: dict[str, Cell]
) -> tuple[dict[str, float | None], float | None]:
    by_category: dict[str, float | None] = {}
    for category in gradebook.categories:
        items = [(item.weight, cells.get(item.key, Cell(None))) for item in category.items]
        by_category[category.category] = category_percent(items)
    weighted = [(c.weight, by_category[c.category]) for c in gradebook.categories]
    counted = [(w, p) for w, p in weighted if p is not None]
    weights = sum(w for w, _ in counted)
    total = sum(w * p for w, p in counted) / weights if counted and weights > 0 else None
    return by_category, total


def band_for(scale: list[Band], percent: float | None) -> Band | None:
    if percent is None or not scale:
        return None
    whole = math.floor(percent + 0.5)
    return next((band for band in scale if whole >= band.min), scale[-1])


def course_total(
    gradebook: Gradebook, scale: list[Band], cells: dict[str, Cell], total: Cell | None
) -> Total:
    by_category, percent = course_percent(gradebook, cells)
    if total is not None and total.percent is not None:
        return Total(by_category, total.percent, band_for(scale, total.percent), True, total.locked)
    if any(cell.note == AWAITING for cell in cells.values()):
        return Total(by_category, None, None, awaiting=True)  # never a total that a proctor may change
    return Total(by_category, percent, band_for(scale, percent))


def with_override(computed: Cell, override: GradebookOverride | None) -> Cell:
    if override is None:
        return computed
    if override.excused:
        return Cell(None, excused=True, overridden=True, locked=override.locked)
    if override.percent is not None:
        return Cell(override.percent, overridden=True, locked=override.locked)
    return computed


# -- the cells ----------------------------------------------------------------------------------


def quiz_percent(points: list[tuple[int, float, float]], method: str) -> float | None:
    """(attempt number, points, most points) of finished attempts -> the quiz's percent."""
    graded = sorted((n, p / m * 100) for n, p, m in points if m and m > 0)
    if not graded:
        return None
    values = [percent for _, percent in graded]
    if method == "average":
        return sum(values) / len(values)
    if method == "first":
        return values[0]
    if method == "last":
        return values[-1]
    return max(values)


@dataclass
class Sheet:
    """The course's gradebook: its students, their cells and totals."""

    assessment: CourseAssessment
    students: list[User]
    cells: dict[int, dict[str, Cell]] = field(default_factory=dict)
    totals: dict[int, Total] = field(default_factory=dict)

    @property
    def gradebook(self) -> Gradebook:
        return self.assessment.gradebook or Gradebook()


def course_students(reader: Session, course: str) -> list[User]:
    """Students enrolled (themselves or by group), and any who handed work in or took a quiz."""
    enrolments = list(reader.scalars(select(Enrolment).where(Enrolment.course_id == course)))
    user_ids = {e.user_id for e in enrolments if e.user_id is not None}
    groups = {e.group for e in enrolments if e.group}
    user_ids |= set(reader.scalars(select(Submission.user_id).where(Submission.course == course)))
    user_ids |= set(reader.scalars(select(quiz_attempts.c.user_id).where(quiz_attempts.c.course == course)))
    whose = [User.id.in_(user_ids)] if user_ids else []
    if groups:
        whose.append(User.group.in_(groups))
    if not whose:
        return []
    query = select(User).where(User.role == Role.STUDENT, or_(*whose))
    return sorted(reader.scalars(query), key=lambda u: (u.group or "", u.full_name or "", u.email))


def assignment_cells(
    reader: Session, assessment: CourseAssessment, user_ids: list[int], released_only: bool
) -> dict[int, dict[str, Cell]]:
    found: dict[int, dict[str, Cell]] = {uid: {} for uid in user_ids}
    most = {a.id: a.max_points for a in assessment.assignments}
    released = set(reader.scalars(select(Release.assignment).where(Release.course == assessment.course)))
    query = select(Grade).where(Grade.course == assessment.course, Grade.user_id.in_(user_ids))
    for grade in reader.scalars(query):
        visible = grade.released_at is not None or grade.assignment in released
        if grade.assignment in most and (visible or not released_only):
            found[grade.user_id][f"assignment:{grade.assignment}"] = Cell(
                grade.points / most[grade.assignment] * 100
            )
    return found


def quiz_cells(
    reader: Session,
    service_dir: Path,
    course: str,
    quizzes: list[str],
    user_ids: list[int],
    visible_to_student: bool,
    now: datetime,
) -> dict[int, dict[str, Cell]]:
    found: dict[int, dict[str, Cell]] = {uid: {} for uid in user_ids}
    if not quizzes or not user_ids:
        return found
    a = quiz_attempts.c
    query = select(a.id, a.user_id, a.quiz, a.number, a.points, a.max_points).where(
        a.course == course,
        a.quiz.in_(quizzes),
        a.user_id.in_(user_ids),
        a.state == "finished",
        a.points.is_not(None),
    )
    rows: dict[tuple[int, str], list[tuple[int, int, float, float]]] = {}
    for attempt_id, user_id, quiz, number, points, most in reader.execute(query).all():
        rows.setdefault((user_id, quiz), []).append((attempt_id, number, points, most))
    released = set(
        reader.scalars(select(quiz_grade_releases.c.quiz).where(quiz_grade_releases.c.course == course))
    )
    for (user_id, quiz), attempts in rows.items():
        settings = quiz_settings(service_dir, course, quiz)
        if visible_to_student and not _quiz_score_shown(settings, quiz in released, now):
            continue
        found[user_id][f"quiz:{quiz}"] = attestation_cell(reader, settings, attempts)
    return found


def attestation_cell(
    reader: Session, settings: QuizSettings | None, attempts: list[tuple[int, int, float, float]]
) -> Cell:
    """A quiz's cell by its grading method. A proctored attestation counts an attempt once a proctor
    confirmed it (core.attempt_gates, as the quiz's own page asks); an annulled one does not count;
    one still awaiting the proctor makes the cell AWAITING (never 0, never a score that may change)."""
    method = settings.grading if settings else "highest"
    if settings is None or not settings.proctoring.required:
        return Cell(quiz_percent([(n, p, m) for _, n, p, m in attempts], method))
    counted, awaiting = [], False
    for attempt_id, number, points, most in attempts:
        if not attempt_gates.result_withheld(reader, attempt_id):
            counted.append((number, points, most))
        elif proctor_decision(reader, attempt_id) != "annulled":
            awaiting = True
    if awaiting:
        return Cell(None, note=AWAITING)
    return Cell(quiz_percent(counted, method))


def proctor_decision(reader: Session, attempt_id: int) -> str | None:
    """The proctor's decision on an attempt, read by table name (the proctoring feature is not
    imported): "pending", "confirmed", "annulled", or None without a session."""
    session = proctoring_sessions.c
    found = reader.scalar(select(session.decision).where(session.attempt_id == attempt_id))
    return None if found is None else str(found)


def attendance_cells(
    reader: Session, course: str, students: list[User], now: datetime
) -> dict[int, dict[str, Cell]]:
    """Each student's share of their own live classes held so far (present or late), in percent.
    Their classes: the course's schedule entries whose audience names their study group, or all
    of them when a class names none; a class counts once it has ended. An excused absence leaves
    the class out; no class held yet: NO_CLASSES (left out of the arithmetic)."""
    entry = _course_entry(course)
    held = [(item.id, tuple(_group(g) for g in item.audience)) for item in entry if _ended(item, now)]
    marks: dict[tuple[int, str], str] = {}
    if held and students:
        row = attendance.c
        query = select(row.user_id, row.class_id, row.status).where(
            row.schedule == course, row.user_id.in_([s.id for s in students])
        )
        marks = {
            (user_id, class_id): str(status) for user_id, class_id, status in reader.execute(query).all()
        }
    found: dict[int, dict[str, Cell]] = {}
    for student in students:
        own = [cid for cid, audience in held if not audience or _group(student.group) in audience]
        statuses = [marks.get((student.id, cid), "absent") for cid in own]
        counted = [status for status in statuses if status != "excused"]
        if not counted:
            found[student.id] = {ATTENDANCE: Cell(None, note=NO_CLASSES)}
            continue
        attended = sum(1 for status in counted if status in ("present", "late"))
        found[student.id] = {ATTENDANCE: Cell(attended / len(counted) * 100)}
    return found


def _course_entry(course: str) -> list[ScheduledClass]:
    manifest = service_bundle.current().manifest
    entry = manifest.course(course) if manifest is not None else None
    return list(entry.schedule) if entry is not None else []


def _ended(item: ScheduledClass, now: datetime) -> bool:
    start = datetime.fromisoformat(item.start)
    end = datetime.fromisoformat(item.end) if item.end else start + timedelta(minutes=item.duration)
    return end <= now


def _group(name: str | None) -> str:
    return (name or "").strip().casefold()


def _quiz_score_shown(settings: object, released: bool, now: datetime) -> bool:
    """The quiz's own review policy decides whether the student sees the score yet."""
    review = getattr(settings, "review", None)
    when = getattr(review, "score", "immediately")
    if when == "immediately":
        return True
    if when == "after-release":
        return released
    if when == "after-close":
        closes = getattr(settings, "closes", None)
        return closes is not None and datetime.fromisoformat(closes) <= now
    return False


def overrides_of(
    reader: Session, course: str, user_ids: list[int]
) -> dict[tuple[int, str], GradebookOverride]:
    query = select(GradebookOverride).where(
        GradebookOverride.course == course, GradebookOverride.user_id.in_(user_ids)
    )
    return {(o.user_id, o.item): o for o in reader.scalars(query)}


def build_sheet(
    reader: Session,
    service_dir: Path,
    assessment: CourseAssessment,
    students: list[User],
    now: datetime,
    *,
    for_student: bool = False,
    hidden: frozenset[tuple[int, str]] = frozenset(),
) -> Sheet:
    """Every cell and total; `for_student`: only what the student may see (released grades);
    `hidden`: (student, item) cells shown as not graded yet (a pending second marker's view)."""
    sheet = Sheet(assessment, students)
    ids = [s.id for s in students]
    quizzes = [item.quiz for _, item in sheet.gradebook.items() if item.quiz]
    computed = assignment_cells(reader, assessment, ids, released_only=for_student)
    for uid, cells in quiz_cells(
        reader, service_dir, assessment.course, quizzes, ids, for_student, now
    ).items():
        computed[uid].update(cells)
    if any(item.attendance for _, item in sheet.gradebook.items()):
        for uid, cells in attendance_cells(reader, assessment.course, students, now).items():
            computed[uid].update(cells)
    for uid, key in hidden:
        computed.get(uid, {}).pop(key, None)
    overrides = overrides_of(reader, assessment.course, ids)
    for uid in ids:
        cells = {
            item.key: with_override(computed[uid].get(item.key, Cell(None)), overrides.get((uid, item.key)))
            for _, item in sheet.gradebook.items()
        }
        sheet.cells[uid] = cells
        total_override = overrides.get((uid, TOTAL))
        total_cell = with_override(Cell(None), total_override) if total_override else None
        sheet.totals[uid] = course_total(sheet.gradebook, assessment.scale, cells, total_cell)
    return sheet


def student_sees_whole_total(sheet: Sheet, user_id: int) -> bool:
    """A student's total is shown once every item has a visible value (or is excused)."""
    cells = sheet.cells.get(user_id, {})
    return all(cell.percent is not None or cell.left_out for cell in cells.values())


# -- overrides and locks -------------------------------------------------------------------------


def item_keys(assessment: CourseAssessment) -> list[str]:
    return [item.key for _, item in (assessment.gradebook or Gradebook()).items()]


def set_override(
    writer: Session,
    assessment: CourseAssessment,
    student: User,
    item: str,
    *,
    percent: float | None,
    excused: bool,
    locked: bool,
    current: Cell | None,
    set_by: int,
    now: datetime,
) -> GradebookOverride | None:
    """Set a cell's override; a lock without a value freezes `current`. Clearing everything
    removes the override (None)."""
    if item != TOTAL and item not in item_keys(assessment):
        raise NotFound("not_found", "The gradebook has no such item.")
    if percent is not None and not 0 <= percent <= 100:
        raise Invalid("override_percent", "percent: from 0 to 100.")
    if excused and item == TOTAL:
        raise Invalid("override_excused", "The course total cannot be excused.")
    if locked and percent is None and not excused:
        percent = current.percent if current is not None else None
        excused = bool(current and current.excused)
    query = select(GradebookOverride).where(
        GradebookOverride.course == assessment.course,
        GradebookOverride.user_id == student.id,
        GradebookOverride.item == item,
    )
    override = writer.scalars(query).one_or_none()
    if percent is None and not excused and not locked:
        if override is not None:
            writer.delete(override)
        return None
    if override is None:
        override = GradebookOverride(course=assessment.course, user_id=student.id, item=item)
        writer.add(override)
    override.percent, override.excused, override.locked = percent, excused, locked
    override.set_by, override.set_at = set_by, now
    writer.flush()
    return override
