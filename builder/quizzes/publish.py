"""The build split: the public part of each quiz goes into the site, the whole quiz into build/service/."""

from __future__ import annotations

import hashlib
import html
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from builder.i18n import STRINGS, number_signs, script_formats, t
from builder.model import Site

if TYPE_CHECKING:
    from builder.quizzes.model import Question, Quiz

# The question model and types (their pydantic schemas, ~0.07 s to import) are imported by the
# functions that write a quiz: builder.pages imports this module for `quiz_placeholder`, and a
# build of a site without quizzes (a one-lesson rebuild of one) never loads them.

PUBLIC_DIR = "_quizzes"  # beside a course's module folders: <lang>/courses/<course>/_quizzes/<quiz>.json


def questions_on_page(quiz: Quiz) -> bool:
    """Practice and current quizzes show their questions on the page; exams and random draws do not:
    the service sends each student's own questions when the attempt starts."""
    return quiz.settings.kind in ("practice", "current") and not quiz.settings.draw


def public_quiz(quiz: Quiz, lang: str) -> dict[str, Any]:
    from builder.quizzes.types import public_question

    settings = quiz.settings
    questions = quiz.questions.get(lang) or next(iter(quiz.questions.values()))
    return {
        "quiz": quiz.key,
        "lang": lang,
        "title": quiz.title.get(lang, quiz.id),
        "kind": settings.kind,
        "opens": settings.opens,
        "closes": settings.closes,
        "timezone": settings.timezone,
        "time_limit": settings.time_limit,
        "attempts": settings.attempts,
        "delay": settings.delay,
        "pass_mark": settings.pass_mark,
        "navigation": settings.navigation,
        "question_count": attempt_size(quiz, questions),
        "questions": [public_question(q) for q in questions] if questions_on_page(quiz) else [],
    }


def attempt_size(quiz: Quiz, questions: tuple[Question, ...]) -> int:
    """Questions in one attempt: the draws, plus every question of a category nothing is drawn from."""
    drawn = {d.category for d in quiz.settings.draw}
    return sum(d.count for d in quiz.settings.draw) + sum(q.category not in drawn for q in questions)


def service_quiz(quiz: Quiz) -> dict[str, Any]:
    """The whole quiz with keys, and a version that changes whenever any of it changes."""
    from builder.quizzes.model import as_json

    body = {
        "course": quiz.course,
        "id": quiz.id,
        "source": quiz.path.name,
        "title": quiz.title,
        "settings": as_json(quiz.settings),
        "questions": {lang: as_json(list(qs)) for lang, qs in quiz.questions.items()},
    }
    canonical = json.dumps(body, ensure_ascii=False, sort_keys=True)
    return {"version": hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16], **body}


def write_quizzes(
    quizzes: list[Quiz], languages: dict[str, list[str]], site_dir: Path, service_dir: Path
) -> None:
    """`languages`: each course's languages, so that every course-language site gets each quiz."""
    for quiz in quizzes:
        for lang in languages.get(quiz.course, []):
            _write_json(
                site_dir / lang / "courses" / quiz.course / PUBLIC_DIR / f"{quiz.id}.json",
                public_quiz(quiz, lang),
            )
        _write_json(service_dir / "quizzes" / quiz.course / f"{quiz.id}.json", service_quiz(quiz))


def _write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")


def quiz_placeholder(course_id: str, quiz_id: str, lang: str) -> str:
    """The element the page's quiz script fills; it reads well without the script too."""
    quiz = html.escape(f"{course_id}/{quiz_id}")
    src = html.escape(f"../../{PUBLIC_DIR}/{quiz_id}.json")
    texts: dict[str, Any] = {key[5:]: t(key, lang) for key in STRINGS if key.startswith("quiz.")}
    words = html.escape(json.dumps(texts | script_formats(lang), ensure_ascii=False))
    signs = html.escape(json.dumps(number_signs(lang), ensure_ascii=False))
    return (
        f'<div class="oqu-quiz" data-quiz="{quiz}" data-src="{src}" data-words="{words}" '
        f'data-number="{signs}" lang="{lang}">'
        f'<p class="oqu-quiz-note">{html.escape(t("quiz.placeholder", lang))}</p></div>'
    )


def write_site_quizzes(site: Site, site_dir: Path, service_dir: Path) -> None:
    """Called by the build after `oqu check` passed (which parsed the quizzes): write both parts."""
    write_quizzes(
        site.quizzes, {course.id: course.languages for course in site.courses}, site_dir, service_dir
    )
