"""Progress and monitoring: the API and pages.

- `GET /api/v1/me/progress[?course=ID]`: the signed-in student's progress (what the static
  course pages mark with `progress.js`; nothing personal is in the static files)
- `/progress/<course>/`: the student's progress page
- `/monitoring/`, `/monitoring/<course>/` (filters `group`, `dl`), `…/export.csv|xlsx`: for
  the course's teachers and admins (the academic office sees every course); 404 for an
  unknown course, 403 for a teacher of another course
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, Response, current_app, g, jsonify, request
from markupsafe import Markup, escape
from sqlalchemy.orm import Session

from auth.access import courses
from auth.enrolment import CourseAccess, may_read, may_teach
from auth.models import DLCategory, Role
from quiz_service.core import db, export, formatting, pages, service_bundle
from quiz_service.core.clock import now
from quiz_service.core.domain import DomainError, Forbidden, NotFound
from quiz_service.core.errors import error_page, status_of
from quiz_service.core.i18n import request_language, texts_for
from quiz_service.core.openapi import operation
from quiz_service.core.pages import render_page, signed_in_page
from quiz_service.core.security_headers import set_endpoint_policy
from quiz_service.core.service_bundle import CourseEntry
from quiz_service.core.studies import Student, StudyItem, StudyPanel, add_study_panel
from quiz_service.footprint import monitoring
from quiz_service.footprint.progress import Learner, course_progress
from quiz_service.footprint.texts import PROGRESS

api = Blueprint("footprint_progress", __name__, url_prefix="/api/v1")
bp = Blueprint(
    "footprint_monitoring",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/footprint/assets",
)
# The monitoring page runs the vendored Chart.js and its own script, both from this site.
MONITORING_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'unsafe-inline'",
        "img-src 'self' data:",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ]
)


def init_app(app: Flask) -> None:
    app.register_blueprint(api)
    app.register_blueprint(bp)
    set_endpoint_policy(app, "footprint_monitoring.monitoring_page", MONITORING_POLICY)
    pages.add_menu_item(app, pages.MenuItem("monitoring", monitoring_url, shown=is_teacher, order=92))
    add_study_panel(app, progress_panel)


def monitoring_url(lang: str) -> str:
    return f"/monitoring/?lang={lang}"


def is_teacher() -> bool:
    user = g.get("user")
    return user is not None and user.role in (Role.TEACHER, Role.ADMIN)


def words() -> Mapping[str, str]:
    return texts_for(PROGRESS, request_language())


def refusal_page(error: DomainError) -> Response:
    said = words()
    message = said["forbidden"] if status_of(error) == 403 else said["not_found"]
    return error_page(status_of(error), title=said["monitoring"], message=message)


def manifest_course(course_id: str) -> CourseEntry:
    manifest = service_bundle.current().manifest
    entry = manifest.course(course_id) if manifest else None
    if entry is None:
        raise NotFound("not_found", "There is no such course.")
    return entry


def readable_course(course_id: str) -> CourseEntry:
    access = courses().get(course_id)
    if access is None or not may_read(db.session(), g.user, access):
        raise NotFound("not_found", "There is no such course.")
    return manifest_course(course_id)


def taught_course(course_id: str) -> tuple[CourseAccess, CourseEntry]:
    access = courses().get(course_id)
    if access is None:
        raise NotFound("not_found", "There is no such course.")
    if not may_teach(g.user, access):
        raise Forbidden("forbidden", "Only the course's teachers and the academic office may see this.")
    return access, manifest_course(course_id)


# -- the student -----------------------------------------------------------------------------


def my_progress(course: CourseEntry) -> Any:
    with db.statement_connection() as connection:
        evidence = monitoring.evidence_by_user(connection, [g.user.id])[g.user.id]
        accommodations = monitoring.accommodations_of(connection, [g.user.id])
    learner = monitoring.learner_of(g.user, accommodations, now())
    return course_progress(course, evidence, released_only=True, learner=learner)


@api.get("/me/progress")
@operation("Your progress per course, lesson and module (by the course's completion rules)", auth=True)
def me_progress() -> Response:
    """The signed-in user's progress in one course (`?course=`) or in every course they may read."""
    wanted = request.args.get("course")
    ids = [wanted] if wanted else [c for c, a in courses().items() if may_read(db.session(), g.user, a)]
    result: dict[str, Any] = {}
    for course_id in ids:
        progress = my_progress(readable_course(course_id))
        result[course_id] = {
            "completed": progress.completed,
            "ratio": round(progress.ratio, 4),
            "lessons": {
                lesson.id: {"completed": lesson.completed, "criteria": lesson.criteria, "video": lesson.video}
                for lesson in progress.lessons
            },
            "modules": {
                module.id: {
                    "completed": module.completed,
                    "lessons": module.lessons,
                    "completed_lessons": module.completed_lessons,
                }
                for module in progress.modules
            },
            "attendance_percent": progress.attendance_percent,
            "attendance": None
            if progress.attendance is None
            else {
                "attended": progress.attendance.attended,
                "expected": progress.attendance.expected,
                "replaced_by_lessons": progress.attendance.replaced,
            },
        }
    said = words()
    summary = ""
    if wanted and wanted in result:
        summary = said["summary"].format(
            percent=formatting.percent(result[wanted]["ratio"] * 100, request_language())
        )
    return jsonify({"courses": result, "words": {"done": said["done"], "summary": summary}})


@bp.get("/progress/<course_id>/")
@signed_in_page(refusal_page)
def progress_page(course_id: str) -> Response:
    course = readable_course(course_id)
    progress = my_progress(course)
    lang = request_language()
    return render_page("footprint/progress.html", w=words(), course=course, progress=progress,
                       title=text_in(course.title, lang), text_in=text_in, lang=lang)  # fmt: skip


def text_in(titles: Mapping[str, str], lang: str) -> str:
    return titles.get(lang) or next(iter(titles.values()), "")


# -- teachers and the academic office --------------------------------------------------------


@bp.get("/monitoring/")
@signed_in_page(refusal_page)
def monitoring_index() -> Response:
    if not is_teacher():
        raise Forbidden("forbidden", "Monitoring is for teachers and the academic office.")
    taught = [course for course in courses().values() if may_teach(g.user, course)]
    lang = request_language()
    return render_page("footprint/monitoring_index.html", w=words(), courses=taught, lang=lang,
                       admin=g.user.role == Role.ADMIN)  # fmt: skip


def report_of(course_id: str) -> monitoring.CourseReport:
    access, course = taught_course(course_id)
    group = request.args.get("group") or None
    dl = request.args.get("dl") or None
    if dl is not None and dl not in {category.value for category in DLCategory}:
        dl = None
    with db.statement_connection() as connection:
        return monitoring.course_report(
            db.session(),
            connection,
            course,
            access.access,
            now(),
            group,
            dl,
            Path(current_app.config["SERVICE_DIR"]),
        )


@bp.get("/monitoring/<course_id>/")
@signed_in_page(refusal_page)
def monitoring_page(course_id: str) -> Response:
    report = report_of(course_id)
    lang, said = request_language(), words()
    groups = sorted({row.group for row in report.students if row.group})
    charts = chart_series(report, said)
    return render_page(
        "footprint/monitoring.html", w=said, report=report, lang=lang, text_in=text_in,
        title=text_in(report.course.title, lang), groups=groups, group=request.args.get("group", ""),
        dl=request.args.get("dl", ""), categories=[c.value for c in DLCategory],
        distribution_chart=bar_chart(*charts["progress"]), activity_chart=bar_chart(*charts["activity"]),
        outcome_chart=bar_chart(*charts["outcomes"]), chart_data=chart_data(charts, said),
        query=request.query_string.decode(),
    )  # fmt: skip


def export_table(report: monitoring.CourseReport, said: Mapping[str, str]) -> export.Table:
    quizzes = sorted({quiz for row in report.students for quiz in row.quizzes})
    outcomes = [o["id"] for o in report.course.outcomes]
    header = [said["col.name"], said["col.email"], said["col.group"], said["col.dl"], said["col.progress"],
              said["col.completed"], said["col.last"], said["col.sign_ins"], said["col.overdue"],
              said["col.attendance"],
              *[f"{said['col.quiz']} {q}" for q in quizzes], *[f"{said['col.outcome']} {o}" for o in outcomes]]  # fmt: skip
    rows: list[list[export.Cell]] = []
    for row in report.students:
        rows.append([
            row.name, row.email, row.group, row.dl_category, round(row.progress.ratio * 100, 1),
            sum(lesson.completed for lesson in row.progress.lessons),
            row.last_activity.replace(tzinfo=None) if row.last_activity else None, row.sign_in_days,
            ", ".join(row.overdue), attendance_cell(row.progress),
            *[round(row.quizzes[q] * 100, 1) if q in row.quizzes else None for q in quizzes],
            *[round(v * 100, 1) if (v := row.outcomes.get(o)) is not None else None for o in outcomes],
        ])  # fmt: skip
    return export.Table(report.course.id, header, rows)


def attendance_cell(progress: Any) -> export.Cell:
    """Attendance in percent for the exports (None: no class due yet, or not taken)."""
    ratio = progress.attendance.ratio if progress.attendance is not None else None
    return round(ratio * 100, 1) if ratio is not None else None


def group_table(report: monitoring.CourseReport, said: Mapping[str, str]) -> export.Table:
    """The outcomes' attainment per study group (the XLSX's second sheet)."""
    outcomes = [o["id"] for o in report.course.outcomes]
    header = [said["col.group"], *[f"{said['col.outcome']} {o}" for o in outcomes]]
    rows: list[list[export.Cell]] = [
        [group, *[round(v * 100, 1) if (v := values.get(o)) is not None else None for o in outcomes]]
        for group, values in report.group_outcomes.items()
    ]
    return export.Table(f"{report.course.id}-groups"[:31], header, rows)


@bp.get("/monitoring/<course_id>/export.<kind>")
@signed_in_page(refusal_page)
def monitoring_export(course_id: str, kind: str) -> Response:
    if kind not in ("csv", "xlsx"):
        raise NotFound("not_found", "CSV or XLSX.")
    report = report_of(course_id)
    table = export_table(report, words())
    if kind == "csv":
        data, media = export.to_csv(table), export.CSV_MEDIA_TYPE
    else:
        data, media = export.to_xlsx([table, group_table(report, words())]), export.XLSX_MEDIA_TYPE
    response = Response(data, mimetype=media)
    name = export.attachment_name("monitoring", course_id, extension=kind)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


Series = tuple[list[tuple[str, int | float]], str, int | None]  # bars, unit, top


def chart_series(report: monitoring.CourseReport, said: Mapping[str, str]) -> dict[str, Series]:
    """The three charts' bars: drawn as SVG by the server and as a Chart.js chart by the page."""
    bands: list[tuple[str, int | float]] = [
        (f"{n * 20}–{n * 20 + 19 if n < 4 else 100} %", v) for n, v in enumerate(report.distribution())
    ]
    return {
        "progress": (bands, said["chart.students"], None),
        "activity": (
            [(day.strftime("%d.%m"), v) for day, v in report.activity],
            said["chart.statements"],
            None,
        ),
        "outcomes": ([(o, round((v or 0) * 100)) for o, v in report.outcomes.items()], "%", 100),
    }


CHART_CAPTIONS = {"progress": "chart.progress", "activity": "chart.activity", "outcomes": "chart.outcomes"}


def chart_data(charts: dict[str, Series], said: Mapping[str, str]) -> Markup:
    """The charts' data for the page's script, as JSON safe inside a <script type="application/json">."""
    data = {
        name: {"labels": [label for label, _ in bars], "values": [value for _, value in bars], "unit": unit,
               "top": top, "label": said[CHART_CAPTIONS[name]]}
        for name, (bars, unit, top) in charts.items()
    }  # fmt: skip
    text = json.dumps(data, ensure_ascii=False)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def bar_chart(bars: list[tuple[str, int | float]], unit: str, top: int | float | None = None) -> Markup:
    """A bar chart as inline SVG (drawn by the server: no script, no library, prints as it is)."""
    width, height, left, bottom = 360, 190, 8, 30
    highest = top or max([value for _, value in bars] + [1])
    step = (width - left) / max(len(bars), 1)
    parts = [f'<svg viewBox="0 0 {width} {height}" role="img" class="chart" '
             f'aria-label="{escape(unit)}" width="100%" preserveAspectRatio="xMidYMid meet">',
             f'<line x1="{left}" y1="{height - bottom}" x2="{width}" y2="{height - bottom}" stroke="currentColor"/>',
             f'<text x="0" y="12" font-size="12">{escape(highest)} {escape(unit)}</text>']  # fmt: skip
    for n, (label, value) in enumerate(bars):
        bar = (height - bottom - 20) * (value / highest if highest else 0)
        x = left + n * step + step * 0.15
        parts.append(
            f'<rect x="{x:.1f}" y="{height - bottom - bar:.1f}" width="{step * 0.7:.1f}" '
            f'height="{bar:.1f}" fill="#2a6f97"><title>{escape(label)}: {escape(value)}</title></rect>'
        )
        parts.append(f'<text x="{x + step * 0.35:.1f}" y="{height - bottom - bar - 4:.1f}" font-size="12" '
                     f'text-anchor="middle">{escape(value)}</text>')  # fmt: skip
        if len(bars) > 7 and n % 2:
            continue  # every other day's label: they would overlap
        parts.append(f'<text x="{x + step * 0.35:.1f}" y="{height - bottom + 14}" font-size="9" '
                     f'text-anchor="middle">{escape(label)}</text>')  # fmt: skip
    parts.append("</svg>")
    return Markup("".join(parts))


# -- "My studies" ------------------------------------------------------------------------------


def progress_panel(reader: Session, student: Student) -> StudyPanel | None:
    """The student's share of completed lessons in each of their courses, linking to the progress page."""
    said = texts_for(PROGRESS, student.lang)
    manifest = service_bundle.current().manifest
    entries = [entry for course_id in student.courses if manifest and (entry := manifest.course(course_id))]
    if not entries:
        return None
    del reader
    with db.statement_connection() as connection:
        evidence = monitoring.evidence_by_user(connection, [student.id])[student.id]
        accommodations = monitoring.accommodations_of(connection, [student.id]).get(student.id, ())
    learner = Learner(student.group, accommodations, student.now)
    items = []
    for course in entries:
        progress = course_progress(course, evidence, released_only=True, learner=learner)
        done = progress.completed
        items.append(
            StudyItem(
                text_in(course.title, student.lang) or course.id,
                url=f"/progress/{course.id}/?lang={student.lang}",
                detail=said["course_ratio"].format(
                    percent=formatting.percent(progress.ratio * 100, student.lang)
                ),
                state=said["done"] if done else None,
                state_kind="ok",
            )
        )
    return StudyPanel(said["my_progress"], tuple(items), said["no_courses"], order=30)
