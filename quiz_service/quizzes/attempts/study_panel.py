"""The quizzes' panel of "My studies": each quiz of the student's courses, attempts used and
left, the grade where the review policy shows it, and whether it is open."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from babel.numbers import format_decimal
from flask import current_app, g
from sqlalchemy import select
from sqlalchemy.orm import Session

from quiz_service.core.i18n import Words, texts_for
from quiz_service.core.studies import Student, StudyItem, StudyPanel
from quiz_service.quizzes.attempts import service
from quiz_service.quizzes.attempts.views import quiz_for_review
from quiz_service.quizzes.models import Attempt, AttemptState
from quiz_service.quizzes.overrides import service as overrides
from quiz_service.quizzes.pinned import PinnedQuiz, parse_quiz

STUDIES = Words("studies")
ZONE = ZoneInfo("Asia/Almaty")


def quizzes_panel(reader: Session, student: Student) -> StudyPanel | None:
    words = texts_for(STUDIES, student.lang)
    items = tuple(
        quiz_item(reader, student, quiz)
        for course in student.courses
        for quiz in course_quizzes(Path(current_app.config["SERVICE_DIR"]), course)
    )
    return StudyPanel(words["quizzes"], items, words["no_quizzes"], order=40)


def course_quizzes(service_dir: Path, course: str) -> list[PinnedQuiz]:
    folder = service_dir / "quizzes" / course
    if not folder.is_dir():
        return []
    quizzes = [parse_quiz(path.read_text(encoding="utf-8")) for path in sorted(folder.glob("*.json"))]
    return sorted(quizzes, key=lambda quiz: (quiz.opens or datetime.min.replace(tzinfo=ZONE), quiz.id))


def quiz_item(reader: Session, student: Student, pinned: PinnedQuiz) -> StudyItem:
    words = texts_for(STUDIES, student.lang)
    quiz = overrides.quiz_for(reader, g.user, pinned)  # the student's own dates and attempts
    settings = quiz.settings
    attempts = list(
        reader.scalars(
            select(Attempt)
            .where(Attempt.user_id == student.id, Attempt.course == quiz.course, Attempt.quiz == quiz.id)
            .order_by(Attempt.number)
        )
    )
    released = service.is_released(reader, quiz.course, quiz.id)
    shown = [
        a
        for a in attempts
        if service.shown(settings.review.score, a, quiz_for_review(reader, a, quiz), released, student.now)
    ]
    grade = service.quiz_grade(shown, settings.grading) if attempts and len(shown) == len(attempts) else None
    used = len(attempts)
    details = [
        words["attempts"].format(used=used, allowed=settings.attempts)
        if settings.attempts
        else words["attempts_unlimited"].format(used=used)
    ]
    if grade is not None:
        details.append(words["grade"].format(grade=_number(grade, student.lang)))
    state, kind = _state(quiz, attempts, grade, student, words)
    if quiz.opens and student.now < quiz.opens:
        details.append(words["opens"].format(when=_when(quiz.opens, student.lang, words)))
    elif quiz.closes and student.now < quiz.closes:
        details.append(words["closes"].format(when=_when(quiz.closes, student.lang, words)))
    title = quiz.title.get(student.lang) or next(iter(quiz.title.values()), quiz.id)
    return StudyItem(title, f"/{student.lang}/courses/{quiz.course}/", " · ".join(details), state, kind)


def _state(
    quiz: PinnedQuiz, attempts: list[Attempt], grade: float | None, student: Student, texts: Mapping[str, str]
) -> tuple[str | None, str]:
    if any(a.state == AttemptState.OPEN for a in attempts):
        return texts["in_progress"], "alert"
    if grade is not None:
        passed = grade >= quiz.settings.pass_mark
        return (texts["passed_quiz"], "ok") if passed else (texts["failed_quiz"], "alert")
    if quiz.closes and student.now >= quiz.closes:
        return texts["closed"], "info"
    return None, "info"


def _when(moment: datetime, lang: str, words: Mapping[str, str]) -> str:
    shown = format_datetime(moment.astimezone(ZONE), "d MMMM, HH:mm", locale=lang)
    return f"{shown} ({words['zone']})"


def _number(value: float, lang: str) -> str:
    return format_decimal(value, format="#,##0.##", locale=lang)
