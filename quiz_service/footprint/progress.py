"""Progress and completion by course.yml's `completion` rules (cmi5-style `moveOn`), from statements.

A lesson is completed when each criterion of its `move_on` (default: the course's
`completion.lesson`) holds: `read` a `completed` statement about the lesson's page; `video` a
video of the page watched to `video_percent` by merged played segments (the `progress`
extension, which the service checked against the segments when it took the statement);
`quiz` every quiz of the lesson scored at least `quiz_percent` (the best `scored`). A criterion
that does not apply (no video, no quiz) is skipped. A module is completed when all its lessons
are; the course when all its modules are and its live-class attendance reaches
`attendance_percent`: of the course's classes that are over and that the student's group was
due at, the share the student attended (`attended` statements: present or late; an excused
absence is left out of the count; a teacher's correction, the later statement, wins). A student
with an R9 accommodation (asynchronous study for a period, for a medical reason) is not expected
at the classes in that period: each of them counts by the lesson it belongs to instead — the
recorded lecture watched or the lesson studied by its rules — and a class of no lesson is left
out. With no class due yet, attendance holds nothing back. Everything here is pure: statements
in, figures out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from quiz_service.core.service_bundle import CourseEntry

Json = Any
ALMATY = ZoneInfo("Asia/Almaty")  # an accommodation's days are the academy's calendar days
ADL = "http://adlnet.gov/expapi/verbs/"
COMPLETED = f"{ADL}completed"
SCORED = f"{ADL}scored"
TERMINATED = f"{ADL}terminated"
LOGGED_IN = "https://w3id.org/xapi/adl/verbs/logged-in"
VIDEO = "https://w3id.org/xapi/video"
VIDEO_PAUSED = f"{VIDEO}/verbs/paused"
VIDEO_PROGRESS = f"{VIDEO}/extensions/progress"
SUBMITTED = "http://activitystrea.ms/schema/1.0/submit"
ATTENDED = f"{ADL}attended"
# The verbs progress reads (what the query asks the log for).
PROGRESS_VERBS = (COMPLETED, SCORED, TERMINATED, VIDEO_PAUSED, SUBMITTED, ATTENDED)


@dataclass
class Evidence:
    """What one student's statements say, keyed by activity: read pages, video and quiz maxima."""

    read: set[str] = field(default_factory=set)  # lesson keys "course/module/lesson"
    video: dict[str, float] = field(default_factory=dict)  # lesson key -> best progress 0..1
    quiz: dict[str, float] = field(default_factory=dict)  # "course/quiz" -> best scaled 0..1
    released: set[str] = field(default_factory=set)  # "course/quiz" whose grades were released
    submitted: set[str] = field(default_factory=set)  # "course/assignment" handed in
    last_activity: datetime | None = None
    sign_ins: list[datetime] = field(default_factory=list)
    attendance: dict[str, str] = field(default_factory=dict)  # "schedule/class" -> attended, absent, excused


@dataclass(frozen=True)
class Learner:
    """Who the student is for attendance: their study group, their R9 accommodations' periods
    (first and last day, Almaty dates), and the moment progress is taken."""

    group: str | None
    accommodations: tuple[tuple[date, date], ...]
    now: datetime

    def accommodated_on(self, day: date) -> bool:
        return any(first <= day <= last for first, last in self.accommodations)


@dataclass(frozen=True)
class Attendance:
    attended: int  # classes attended (or, in an accommodation's period, their lessons completed)
    expected: int  # classes due, excused absences and unlinked accommodated classes left out
    replaced: int  # of those, classes counted by their lesson (R9 accommodation)

    @property
    def ratio(self) -> float | None:
        return self.attended / self.expected if self.expected else None


def page_key(activity_id: str) -> tuple[str | None, bool]:
    """The lesson key of a page's activity id (`…/<lang>/courses/<c>/<m>/<l>/[#video-N]`), and
    whether it names a video of the page."""
    parts = urlsplit(activity_id)
    segments = [part for part in parts.path.split("/") if part and part != "index.html"]
    if len(segments) < 4 or segments[-4] != "courses":
        return None, False
    return "/".join(segments[-3:]), parts.fragment.startswith("video")


def quiz_key(activity_id: str) -> str | None:
    segments = [part for part in urlsplit(activity_id).path.split("/") if part]
    if len(segments) >= 4 and segments[-4] == "courses" and segments[-2] == "quizzes":
        return f"{segments[-3]}/{segments[-1]}"
    return None


def class_key(activity_id: str) -> str | None:
    """`schedule/class` of a live class's activity id (`…/schedules/<schedule>/classes/<class>`)."""
    segments = [part for part in urlsplit(activity_id).path.split("/") if part]
    if len(segments) >= 4 and segments[-4] == "schedules" and segments[-2] == "classes":
        return f"{segments[-3]}/{segments[-1]}"
    return None


def attendance_status(statement: dict[str, Json]) -> str:
    extensions = (statement.get("context") or {}).get("extensions") or {}
    status = next((v for k, v in extensions.items() if k.endswith("/xapi/extensions/status")), None)
    if status == "excused":
        return "excused"
    return "attended" if (statement.get("result") or {}).get("success") else "absent"


def assignment_key(activity_id: str) -> str | None:
    segments = [part for part in urlsplit(activity_id).path.split("/") if part]
    if len(segments) >= 4 and segments[-4] == "courses" and segments[-2] == "assignments":
        return f"{segments[-3]}/{segments[-1]}"
    return None


def add_statement(evidence: Evidence, statement: dict[str, Json], stored: datetime | None = None) -> None:
    verb, target = statement["verb"]["id"], statement.get("object", {}).get("id", "")
    moment = stored or parse_time(statement.get("timestamp"))
    if moment is not None and (evidence.last_activity is None or moment > evidence.last_activity):
        evidence.last_activity = moment
    if verb == LOGGED_IN:
        when = parse_time(statement.get("timestamp")) or moment  # when it happened, not when stored
        if when is not None:
            evidence.sign_ins.append(when)
        return
    if verb == SCORED:
        add_score(evidence, target, statement.get("result", {}))
        return
    if verb == ATTENDED:
        key = class_key(target)
        if key is not None:
            evidence.attendance[key] = attendance_status(statement)  # in log order: the latest wins
        return
    if verb == SUBMITTED:
        key = assignment_key(target)
        if key is not None:
            evidence.submitted.add(key)
        return
    if verb.endswith("/verbs/released"):
        key = quiz_key(target)
        if key is not None:
            evidence.released.add(key)
        return
    lesson, is_video = page_key(target)
    if lesson is None:
        return
    if is_video:
        progress = statement.get("result", {}).get("extensions", {}).get(VIDEO_PROGRESS)
        if isinstance(progress, int | float):
            evidence.video[lesson] = max(evidence.video.get(lesson, 0.0), float(progress))
    elif verb == COMPLETED:
        evidence.read.add(lesson)


def add_score(evidence: Evidence, target: str, result: dict[str, Json]) -> None:
    key, scaled = quiz_key(target), result.get("score", {}).get("scaled")
    if key is not None and isinstance(scaled, int | float):
        evidence.quiz[key] = max(evidence.quiz.get(key, 0.0), float(scaled))


def parse_time(value: Json) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def evidence_of(statements: Iterable[tuple[dict[str, Json], datetime | None]]) -> Evidence:
    evidence = Evidence()
    for statement, stored in statements:
        add_statement(evidence, statement, stored)
    return evidence


@dataclass(frozen=True)
class LessonProgress:
    id: str
    module: str
    title: dict[str, str]
    criteria: dict[str, bool]  # the criteria that apply, each held or not
    video: float | None  # best progress 0..1 (None: no video)
    quizzes: dict[str, float | None]  # quiz id -> best scaled (None: not scored)
    due: str | None
    completed: bool


@dataclass(frozen=True)
class ModuleProgress:
    id: str
    title: dict[str, str]
    lessons: int
    completed_lessons: int

    @property
    def completed(self) -> bool:
        return self.completed_lessons == self.lessons


@dataclass(frozen=True)
class CourseProgress:
    course: str
    lessons: list[LessonProgress]
    modules: list[ModuleProgress]
    attendance_percent: int | None  # the rule
    completed: bool
    attendance: Attendance | None = None  # None: not taken (no learner given)

    @property
    def ratio(self) -> float:
        """Share of completed lessons (0..1)."""
        return sum(lesson.completed for lesson in self.lessons) / len(self.lessons) if self.lessons else 0.0


def lesson_progress(
    course: CourseEntry, lesson: dict[str, Json], evidence: Evidence, released_only: bool
) -> LessonProgress:
    rule = course.completion
    module = str(lesson.get("module", ""))  # a manifest of an older build may lack it
    key = f"{course.id}/{module}/{lesson['id']}"
    wanted = lesson.get("move_on") or rule.lesson
    video = evidence.video.get(key, 0.0) if lesson.get("video") else None
    quizzes: dict[str, float | None] = {}
    for quiz in lesson.get("quizzes") or []:
        quiz_id = f"{course.id}/{quiz}"
        shown = not released_only or quiz_id in evidence.released
        quizzes[quiz] = evidence.quiz.get(quiz_id) if shown else None
    criteria: dict[str, bool] = {}
    if "read" in wanted:
        criteria["read"] = key in evidence.read
    if "video" in wanted and video is not None:
        criteria["video"] = video + 1e-9 >= rule.video_percent / 100
    if "quiz" in wanted and quizzes:
        criteria["quiz"] = all(
            s is not None and s + 1e-9 >= rule.quiz_percent / 100 for s in quizzes.values()
        )
    return LessonProgress(lesson["id"], module, lesson.get("title", {}), criteria, video, quizzes,
                          lesson.get("due"), all(criteria.values()))  # fmt: skip


def course_progress(
    course: CourseEntry, evidence: Evidence, *, released_only: bool = False, learner: Learner | None = None
) -> CourseProgress:
    """One student's progress in one course. `released_only`: a quiz counts only once its grades
    were released (what the student may see); a teacher sees every score. Attendance is taken
    only for a `learner` (its group, accommodations and the moment)."""
    lessons = [lesson_progress(course, lesson, evidence, released_only) for lesson in course.lessons]
    module_ids = [m["id"] for m in course.modules] or list(dict.fromkeys(lesson.module for lesson in lessons))
    titles = {m["id"]: m.get("title", {}) for m in course.modules}
    modules = [
        ModuleProgress(
            module,
            titles.get(module, {}),
            sum(lesson.module == module for lesson in lessons),
            sum(lesson.module == module and lesson.completed for lesson in lessons),
        )
        for module in module_ids
    ]
    attendance = None if learner is None else course_attendance(course, evidence, lessons, learner)
    rule = course.completion.attendance_percent
    enough = (
        rule is None
        or attendance is None
        or attendance.ratio is None
        or (attendance.ratio * 100 + 1e-9 >= rule)
    )
    completed = bool(lessons) and all(module.completed for module in modules) and enough
    return CourseProgress(course.id, lessons, modules, rule, completed, attendance)


def course_attendance(
    course: CourseEntry, evidence: Evidence, lessons: list[LessonProgress], learner: Learner
) -> Attendance:
    """The course's classes over by `learner.now` and meant for the student's group, counted."""
    done = {lesson.id: lesson.completed for lesson in lessons}
    attended = expected = replaced = 0
    for item in course.schedule:
        start = datetime.fromisoformat(item.start)
        end = datetime.fromisoformat(item.end) if item.end else start + timedelta(minutes=item.duration)
        if end > learner.now or (item.audience and learner.group not in item.audience):  # not over yet
            continue
        if learner.accommodated_on(start.astimezone(ALMATY).date()):
            if item.lesson in done:
                expected, replaced, attended = expected + 1, replaced + 1, attended + done[item.lesson]
            continue
        status = evidence.attendance.get(f"{course.id}/{item.id}", "absent")
        if status != "excused":
            expected, attended = expected + 1, attended + (status == "attended")
    return Attendance(attended, expected, replaced)


def outcome_attainment(course: CourseEntry, evidence: Evidence) -> dict[str, float | None]:
    """Per course outcome (R2.4): the mean best score of the quizzes of the lessons that serve it
    (None: no such quiz scored yet)."""
    attainment: dict[str, float | None] = {}
    for outcome in course.outcomes:
        scores = [
            evidence.quiz[f"{course.id}/{quiz}"]
            for lesson in course.lessons
            if outcome["id"] in (lesson.get("outcomes") or [])
            for quiz in lesson.get("quizzes") or []
            if f"{course.id}/{quiz}" in evidence.quiz
        ]
        attainment[outcome["id"]] = sum(scores) / len(scores) if scores else None
    return attainment
