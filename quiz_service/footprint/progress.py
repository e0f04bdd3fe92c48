"""Progress and completion by course.yml's `completion` rules (cmi5-style `moveOn`), from statements.

A lesson is completed when each criterion of its `move_on` (default: the course's
`completion.lesson`) holds: `read` a `completed` statement about the lesson's page; `video` a
video of the page watched to `video_percent` by merged played segments (the `progress`
extension, which the service checked against the segments when it took the statement);
`quiz` every quiz of the lesson scored at least `quiz_percent` (the best `scored`). A criterion
that does not apply (no video, no quiz) is skipped. A module is completed when all its lessons
are; the course when all its modules are and its attendance, once recorded, reaches
`attendance_percent` (no feature records attendance yet: it is reported as not recorded and
holds nothing back). Everything here is pure: statements in, figures out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from quiz_service.core.service_bundle import CourseEntry

Json = Any
ADL = "http://adlnet.gov/expapi/verbs/"
COMPLETED = f"{ADL}completed"
SCORED = f"{ADL}scored"
TERMINATED = f"{ADL}terminated"
LOGGED_IN = "https://w3id.org/xapi/adl/verbs/logged-in"
VIDEO = "https://w3id.org/xapi/video"
VIDEO_PAUSED = f"{VIDEO}/verbs/paused"
VIDEO_PROGRESS = f"{VIDEO}/extensions/progress"
SUBMITTED = "http://activitystrea.ms/schema/1.0/submit"
# The verbs progress reads (what the query asks the log for).
PROGRESS_VERBS = (COMPLETED, SCORED, TERMINATED, VIDEO_PAUSED, SUBMITTED)


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
    attendance_percent: int | None  # the rule; attendance itself is not recorded yet
    completed: bool

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
    course: CourseEntry, evidence: Evidence, *, released_only: bool = False
) -> CourseProgress:
    """One student's progress in one course. `released_only`: a quiz counts only once its grades
    were released (what the student may see); a teacher sees every score."""
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
    completed = bool(lessons) and all(module.completed for module in modules)
    return CourseProgress(course.id, lessons, modules, course.completion.attendance_percent, completed)


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
