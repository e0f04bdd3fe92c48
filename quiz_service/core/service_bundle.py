"""The private bundle that `oqu build` writes to build/service/ (answer keys, schedules, plans).

Its manifest is read through one typed model (`Manifest`); a missing bundle is normal (nothing
built yet), a malformed manifest is an error that names the file and the field. A running
service picks up the bundle of a newer build by itself.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from flask import Flask, current_app
from pydantic import BaseModel, ConfigDict, ValidationError

MANIFEST = "manifest.json"


class ManifestModel(BaseModel):
    # A newer build may add fields an older service does not know yet: they are kept, not refused.
    model_config = ConfigDict(extra="allow", frozen=True)


class ScheduledClass(ManifestModel):
    id: str
    start: str
    duration: int
    kind: str = "webinar"
    title: dict[str, str] = {}
    lesson: str | None = None
    recording: bool = False  # the session's recording is its lesson's video (older bundles: none)
    # The teacher's e-mail, lower case, as in `CourseEntry.teachers` (an int: a bundle built before
    # schedules named teachers by e-mail, an index into course.yml that nothing may trust).
    teacher: str | int | None = None
    join_url: str | None = None
    end: str | None = None  # older bundles: start + duration
    place: dict[str, str] = {}
    audience: list[str] = []  # study groups (auth's User.group); empty: everyone who reads the course


class StaffTraining(ManifestModel):
    title: dict[str, str] = {}
    teachers: list[str] = []
    classes: list[ScheduledClass] = []


class PlannedCourse(ManifestModel):
    course: str
    contact: int = 0  # hours with direct teacher contact
    distance: int = 0
    deadlines: list[dict[str, str]] = []  # {"module", "due"} (ISO dates)


class CurriculumTerm(ManifestModel):
    term: int
    starts: str
    ends: str
    courses: list[PlannedCourse] = []


class Curriculum(ManifestModel):
    group: str
    programme: dict[str, str] = {}
    terms: list[CurriculumTerm] = []


class SchedulePolicy(ManifestModel):
    late_after_minutes: int = 10


class DeclaredSlot(ManifestModel):
    """A consultation slot (or weekly series) declared in the course's consultations.yml."""

    key: str | None = None  # the entry's `id`: an edited start moves the slot it published
    source: str = ""  # "content/courses/<id>/consultations.yml:<line>", for reports
    teacher: str  # e-mail, lower case
    start: str  # ISO 8601 with its offset
    minutes: int = 30
    seats: int = 1
    mode: str = "online"
    link: str | None = None
    room: str | None = None
    title: str = ""
    weeks: int = 1


class CompletionEntry(ManifestModel):
    """course.yml's `completion` (docs/content-format.md): what completes a lesson, module, course."""

    lesson: list[str] = ["read"]
    video_percent: int = 90
    quiz_percent: int = 50
    attendance_percent: int | None = None


class CourseEntry(ManifestModel):
    id: str
    access: Literal["open", "enrolled"] = "open"
    title: dict[str, str] = {}
    languages: list[str] = []
    teachers: list[str] = []  # e-mails, lower case, sorted
    format: str | None = None
    timezone: str | None = None  # the course's zone (its schedule's); None: the site's
    schedule: list[ScheduledClass] = []
    lessons: list[dict[str, Any]] = []
    consultations: list[DeclaredSlot] = []
    modules: list[dict[str, Any]] = []
    outcomes: list[dict[str, Any]] = []
    completion: CompletionEntry = CompletionEntry()


class SiteEntry(ManifestModel):
    """The site's name and contact, for the header and the help lines of the service's pages."""

    name: dict[str, str] = {}
    institution: dict[str, str] = {}
    contact_email: str | None = None
    site_url: str | None = None


class Manifest(ManifestModel):
    version: int = 1
    built_at: str | None = None
    languages: list[str] = []
    site: SiteEntry = SiteEntry()
    courses: list[CourseEntry] = []
    staff_training: StaffTraining | None = None
    schedules: SchedulePolicy = SchedulePolicy()
    curricula: list[Curriculum] = []

    def course(self, course_id: str) -> CourseEntry | None:
        return next((course for course in self.courses if course.id == course_id), None)

    def curriculum(self, group: str | None) -> Curriculum | None:
        """The study group's curriculum (group names compared without letter case)."""
        wanted = (group or "").strip().casefold()
        return next((c for c in self.curricula if wanted and c.group.strip().casefold() == wanted), None)


class BundleError(Exception):
    """The bundle exists but cannot be read."""


@dataclass(frozen=True)
class ServiceBundle:
    path: Path
    manifest: Manifest | None
    stamp: tuple[int, int] | None = None


def manifest_stamp(path: Path) -> tuple[int, int] | None:
    """Identity of the manifest file: `oqu build` swaps in a new folder, so a new inode."""
    try:
        stat = (path / MANIFEST).stat()
    except FileNotFoundError:
        return None
    return stat.st_ino, stat.st_mtime_ns


def load_bundle(path: Path) -> ServiceBundle:
    manifest_path = path / MANIFEST
    stamp = manifest_stamp(path)
    try:
        text = manifest_path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ServiceBundle(path, None)
    try:
        raw = json.loads(text)
    except ValueError as error:
        raise BundleError(f"{manifest_path}: not valid JSON: {error}") from None
    if not isinstance(raw, dict):
        raise BundleError(f"{manifest_path}: expected a JSON object")
    try:
        manifest = Manifest.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise BundleError(f"{manifest_path}: {where}: {first['msg']}") from None
    return ServiceBundle(path, manifest, stamp)


def init_app(app: Flask) -> None:
    app.extensions["oqu_service_bundle"] = load_bundle(app.config["SERVICE_DIR"])


def current() -> ServiceBundle:
    """The loaded bundle, reloaded when a new build has replaced it (one stat per call)."""
    bundle: ServiceBundle = current_app.extensions["oqu_service_bundle"]
    if manifest_stamp(bundle.path) != bundle.stamp:
        try:
            bundle = load_bundle(bundle.path)
        except BundleError:
            current_app.logger.exception("the new service bundle cannot be read; keeping the loaded one")
            return bundle
        current_app.extensions["oqu_service_bundle"] = bundle
    return bundle
