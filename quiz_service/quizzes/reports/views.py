"""Teachers' quiz reports: statistics (JSON and a page) and the results export (CSV, XLSX).

Only the course's teachers and admins (`quizzes.teacher.taught_course`): 404 for an unknown
course or quiz, 403 for anyone else, 401 (API) or the sign-in page (page) when signed out.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, Flask, Response, current_app, request, url_for

from quiz_service.core import db, formatting
from quiz_service.core.domain import DomainError, NotFound
from quiz_service.core.errors import error_page, status_of
from quiz_service.core.i18n import request_language, texts_for
from quiz_service.core.openapi import operation
from quiz_service.core.pages import render_page, signed_in_page
from quiz_service.quizzes.pinned import PinnedQuiz, bundle_file, parse_quiz
from quiz_service.quizzes.reports import export
from quiz_service.quizzes.reports import service as reports
from quiz_service.quizzes.reports.schemas import ExportQuery, StatisticsOut, StatisticsQuery
from quiz_service.quizzes.reports.statistics import ATTEMPTS_TO_ANALYSE, QuestionStatistics
from quiz_service.quizzes.reports.texts import REPORT_TEXTS
from quiz_service.quizzes.teacher import taught_course

api = Blueprint("quiz_reports", __name__, url_prefix="/api/v1/teach/quizzes")
pages = Blueprint("quiz_report_pages", __name__, url_prefix="/teach", template_folder="templates")

WEAK_DISCRIMINATION = 20.0  # %, below it Moodle's guidance calls a question's discrimination weak


def init_app(app: Flask) -> None:
    app.register_blueprint(api)
    app.register_blueprint(pages)


# -- what every report reads ---------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    course: str
    quiz: str
    current: PinnedQuiz | None  # the version in the service bundle now, if it is still there
    attempts: list[reports.LoadedAttempt]

    @property
    def newest(self) -> PinnedQuiz:
        return self.current or self.attempts[-1].quiz

    def title(self, lang: str) -> str:
        titles = self.newest.title
        return titles.get(lang) or next(iter(titles.values()), self.quiz)


def report_source(course: str, quiz: str) -> Source:
    """The quiz's current version and attempts, for a teacher of its course (else 403/404)."""
    taught_course(course)
    path = bundle_file(current_app.config["SERVICE_DIR"], course, quiz)
    current = parse_quiz(path.read_text(encoding="utf-8")) if path is not None else None
    attempts = reports.load_attempts(db.session(), course, quiz)
    if current is None and not attempts:
        raise NotFound("not_found", "The course has no such quiz.")
    return Source(course, quiz, current, attempts)


def statistics_out(source: Source, which: str, lang: str) -> StatisticsOut:
    computed = reports.statistics_of(source.attempts, which, source.current, lang)
    return StatisticsOut(
        course=source.course,
        quiz=source.quiz,
        title=source.title(lang),
        lang=lang,
        attempts=which,
        figures=computed.figures,
        questions=computed.questions,
    )


def results(source: Source, lang: str) -> tuple[export.Table, export.Table]:
    settings = source.newest.settings
    columns = reports.question_columns(source.current, source.attempts, lang)
    words = texts_for(REPORT_TEXTS, lang)
    zone = formatting.course_zone(source.course)
    return reports.results_tables(
        source.attempts,
        columns,
        settings.grading,
        settings.pass_mark,
        words,
        zone,
        formatting.utc_offset(zone),
        lang,
    )


def download(content: bytes, media_type: str, name: str) -> Response:
    response = Response(content, 200, mimetype=media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"  # students' names and grades
    return response


# -- the API -------------------------------------------------------------------------------


@api.get("/<course>/<quiz>/statistics")
@operation(
    "Per-question and quiz statistics of the finished, graded attempts (teachers of the course)",
    response=StatisticsOut,
    auth=True,
    query=StatisticsQuery,
)
def statistics(course: str, quiz: str, query: StatisticsQuery) -> StatisticsOut:
    return statistics_out(report_source(course, quiz), query.attempts, query.lang)


@api.get("/<course>/<quiz>/results.csv")
@operation(
    "Every attempt with its points per question, as UTF-8 CSV (teachers of the course)",
    auth=True,
    query=ExportQuery,
    media_type="text/csv",
)
def results_csv(course: str, quiz: str, query: ExportQuery) -> Response:
    table, _ = results(report_source(course, quiz), query.lang)
    name = export.attachment_name(course, quiz, "results", extension="csv")
    return download(export.to_csv(table), export.CSV_MEDIA_TYPE, name)


@api.get("/<course>/<quiz>/results.xlsx")
@operation(
    "Every attempt, and every student's quiz grade, as an XLSX workbook (teachers of the course)",
    auth=True,
    query=ExportQuery,
    media_type=export.XLSX_MEDIA_TYPE,
)
def results_xlsx(course: str, quiz: str, query: ExportQuery) -> Response:
    tables = results(report_source(course, quiz), query.lang)
    name = export.attachment_name(course, quiz, "results", extension="xlsx")
    return download(export.to_xlsx(tables), export.XLSX_MEDIA_TYPE, name)


# -- the page ------------------------------------------------------------------------------


def refusal(error: DomainError) -> Response:
    words = texts_for(REPORT_TEXTS, request_language())
    message = words["forbidden"] if status_of(error) == 403 else words["no_quiz"]
    return error_page(status_of(error), title=words["title"], message=message)


@pages.get("/<course>/<quiz>/statistics")
@signed_in_page(refusal)
def statistics_page(course: str, quiz: str) -> Response:
    lang = request_language()
    words = texts_for(REPORT_TEXTS, lang)
    which = request.args.get("attempts", "all")
    which = which if which in ATTEMPTS_TO_ANALYSE else "all"
    report = statistics_out(report_source(course, quiz), which, lang)
    return render_page(
        "teach/statistics.html",
        title=f"{words['title']}: {report.title}",
        r=words,
        report=report,
        which=which,
        choices=ATTEMPTS_TO_ANALYSE,
        hint=discrimination_hint,
        exports=_export_links(course, quiz, lang),
    )


def _export_links(course: str, quiz: str, lang: str) -> dict[str, str]:
    return {
        kind: url_for(f"quiz_reports.results_{kind}", course=course, quiz=quiz, lang=lang)
        for kind in ("csv", "xlsx")
    }


def discrimination_hint(question: QuestionStatistics) -> str | None:
    """The key of a warning for a question that tells strong from weak students badly, or None."""
    if question.discrimination is None:
        return None
    if question.discrimination < 0:
        return "hint.negative"
    if question.discrimination < WEAK_DISCRIMINATION:
        return "hint.weak"
    return None
