"""Read `content/courses/<course>/quizzes/` into the quiz model, reporting every problem at its line."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import zoneinfo
from collections import defaultdict
from pathlib import Path
from typing import Any

from builder.load import read_yaml
from builder.model import Course, Site
from builder.problems import Problems, did_you_mean
from builder.quizzes.gift import parse_gift
from builder.quizzes.model import Draw, Question, Quiz, QuizSettings, ReviewPolicy
from builder.quizzes.schema import QuizConfig
from builder.quizzes.types import QUESTION_TYPES, with_ids
from builder.validation import validate_document
from builder.yamlsource import Loc, YamlDocument

QUIZ_FILE_RE = re.compile(r"^([a-z0-9][a-z0-9-]*)(?:\.([a-z]{2}))?\.(yml|gift)$")


def load_site_quizzes(site: Site, problems: Problems) -> list[Quiz]:
    """Every quiz of every course; lessons' `quizzes:` references are checked too."""
    quizzes = [quiz for course in site.courses for quiz in load_quizzes(course, problems)]
    for course in site.courses:
        check_lesson_references(course, {q.id for q in quizzes if q.course == course.id}, problems)
    return quizzes


def load_quizzes(course: Course, problems: Problems) -> list[Quiz]:
    folder = course.path / "quizzes"
    if not folder.is_dir():
        return []
    files: dict[str, dict[str, Path]] = defaultdict(dict)
    for path in sorted(folder.iterdir()):
        if path.name.startswith("."):
            continue
        match = QUIZ_FILE_RE.match(path.name)
        if not match or not path.is_file():
            problems.error(
                path, 1, "not a quiz file: name it <quiz-id>.yml, <quiz-id>.gift or <quiz-id>.<lang>.gift"
            )
            continue
        quiz_id, lang, ext = match.groups()
        if ext == "yml" and lang:
            problems.error(path, 1, "a YAML quiz holds every language itself: name it <quiz-id>.yml")
            continue
        files[quiz_id][f"{ext}:{lang or ''}"] = path
    quizzes = []
    for quiz_id, found in sorted(files.items()):
        quiz = _load_one(course, quiz_id, found, problems)
        if quiz is not None:
            quizzes.append(quiz)
    return quizzes


def _load_one(course: Course, quiz_id: str, found: dict[str, Path], problems: Problems) -> Quiz | None:
    if "yml:" in found:
        if len(found) > 1:
            other = next(path for key, path in found.items() if key != "yml:")
            problems.error(other, 1, f"quiz '{quiz_id}' is also {found['yml:'].name}: keep one of them")
            return None
        return load_yaml_quiz(course, quiz_id, found["yml:"], problems)
    return load_gift_quiz(course, quiz_id, {key.split(":")[1]: path for key, path in found.items()}, problems)


def load_yaml_quiz(course: Course, quiz_id: str, path: Path, problems: Problems) -> Quiz | None:
    doc = read_yaml(path, problems)
    cfg = validate_document(doc, QuizConfig, path, problems) if doc else None
    raw_questions = doc.data.get("questions") if doc and isinstance(doc.data, dict) else None
    if doc is None or not isinstance(raw_questions, list):
        return None
    key = f"{course.id}/{quiz_id}"
    per_lang: dict[str, list[Question]] = {lang: [] for lang in course.languages}
    ok = cfg is not None
    for index, raw in enumerate(raw_questions):
        questions = _yaml_question(
            course, key, index, raw, sub_document(doc, ("questions", index)), path, problems
        )
        ok = ok and questions is not None
        for lang, question in (questions or {}).items():
            per_lang[lang].append(question)
    if cfg is None:
        return None
    quiz = Quiz(
        course=course.id,
        id=quiz_id,
        path=path,
        title={lang: cfg.title.get(lang) for lang in course.languages},
        settings=settings_from(cfg, course),
        questions={lang: tuple(qs) for lang, qs in per_lang.items()},
    )
    return quiz if check_quiz(quiz, course, path, problems) and ok else None


def sub_document(doc: YamlDocument, loc: Loc) -> YamlDocument:
    """The part of `doc` at `loc`, with line numbers of its own keys."""
    data: Any = doc.data
    for part in loc:
        data = data[part]
    lines = {key[len(loc) :]: line for key, line in doc.lines.items() if key[: len(loc)] == loc}
    duplicates = [(key[len(loc) :], line) for key, line in doc.duplicates if key[: len(loc)] == loc]
    return YamlDocument(data=data, lines=lines, duplicates=duplicates, first_line=doc.line_of(loc))


def _yaml_question(
    course: Course, key: str, index: int, raw: Any, doc: YamlDocument, path: Path, problems: Problems
) -> dict[str, Question] | None:
    line = doc.first_line
    kind_name = raw.get("type") if isinstance(raw, dict) else None
    if kind_name not in QUESTION_TYPES:
        known = list(QUESTION_TYPES)
        shown = f"'{kind_name}'{did_you_mean(str(kind_name), known)}" if kind_name else "no 'type'"
        problems.error(
            path, doc.line_of(("type",)), f"question {index + 1}: {shown}; types: {', '.join(known)}"
        )
        return None
    kind = QUESTION_TYPES[kind_name]
    cfg = validate_document(doc, kind.config, path, problems)
    if cfg is None:
        return None
    out = {}
    for lang in course.languages:
        base = Question(
            id=cfg.id or f"q{index + 1}",
            type=kind.name,
            text=cfg.text.get(lang),
            line=line,
            format=cfg.format,
            points=cfg.points,
            category=cfg.category,
            outcomes=tuple(cfg.outcomes),
            feedback=cfg.feedback.get(lang) if cfg.feedback else "",
        )
        try:
            out[lang] = with_ids(kind.from_config(cfg, lang, base), key)
        except ValueError as error:
            problems.error(path, line, str(error))
            return None
    return out


def settings_from(cfg: QuizConfig, course: Course) -> QuizSettings:
    zone = course.schedule.zone if course.schedule else zoneinfo.ZoneInfo("Asia/Almaty")
    return QuizSettings(
        kind=cfg.kind,
        opens=_iso(cfg.opens, zone),
        closes=_iso(cfg.closes, zone),
        time_limit=cfg.time_limit,
        grace=cfg.grace,
        overdue=cfg.overdue,
        attempts=cfg.attempts,
        grading=cfg.grading,
        pass_mark=cfg.pass_mark,
        shuffle_questions=cfg.shuffle_questions,
        shuffle_options=cfg.shuffle_options,
        navigation=cfg.navigation,
        draw=tuple(Draw(d.category, d.count) for d in cfg.draw),
        review=ReviewPolicy(**cfg.review.model_dump()),
    )


def _iso(value: dt.datetime | None, zone: zoneinfo.ZoneInfo) -> str | None:
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=zone)).isoformat()


def load_gift_quiz(course: Course, quiz_id: str, files: dict[str, Path], problems: Problems) -> Quiz | None:
    key = f"{course.id}/{quiz_id}"
    per_lang: dict[str, tuple[Question, ...]] = {}
    title: dict[str, str] = {}
    ok = True
    for lang, path in sorted(files.items()):
        if lang and lang not in course.languages:
            problems.error(
                path,
                1,
                f"language '{lang}' is not one of the course's languages ({', '.join(course.languages)})",
            )
            ok = False
            continue
        try:
            result = parse_gift(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            problems.error(path, 1, "file is not UTF-8 text")
            ok = False
            continue
        for error in result.errors:
            problems.error(path, error.line, str(error))
        ok = ok and not result.errors
        questions = tuple(
            with_ids(_outcomes_from_tags(q, course, path, problems), key) for q in result.questions
        )
        for target in [lang] if lang else [code for code in course.languages if code not in files]:
            per_lang[target] = questions
            title[target] = _gift_title(result.questions, quiz_id)
    if not ok or not per_lang:
        return None
    first = next(iter(files.values()))
    quiz = Quiz(course.id, quiz_id, first, title, QuizSettings(), per_lang)
    return quiz if check_quiz(quiz, course, first, problems) else None


def _gift_title(questions: list[Question], quiz_id: str) -> str:
    """A GIFT quiz is titled by its first category's last part (Moodle banks are organised so)."""
    category = next((q.category for q in questions if q.category), "")
    return category.rstrip("/").rsplit("/", 1)[-1] or quiz_id


def _outcomes_from_tags(q: Question, course: Course, path: Path, problems: Problems) -> Question:
    known = [o.id for o in course.config.outcomes]
    outcomes = tuple(tag for tag in q.tags if tag in known)
    for tag in q.tags:
        if tag not in known:
            problems.warn(
                path, q.line, f"tag '{tag}' is not an outcome of this course{did_you_mean(tag, known)}"
            )
    return dataclasses.replace(q, outcomes=outcomes)


def check_quiz(quiz: Quiz, course: Course, path: Path, problems: Problems) -> bool:
    """Ids unique, outcomes known, options distinct, random draws possible; False on any error."""
    found: set[tuple[int, str]] = set()
    for questions in quiz.questions.values():
        found |= _quiz_problems(questions, quiz.settings, [o.id for o in course.config.outcomes])
    for line, message in sorted(found):
        problems.error(path, line, message)
    return not found


def _quiz_problems(
    questions: tuple[Question, ...], settings: QuizSettings, known: list[str]
) -> set[tuple[int, str]]:
    found = set()
    seen: set[str] = set()
    for q in questions:
        if q.id in seen:
            found.add((q.line, f"question id '{q.id}' is used twice"))
        seen.add(q.id)
        for outcome in q.outcomes:
            if outcome not in known:
                found.add((q.line, f"unknown outcome '{outcome}'{did_you_mean(outcome, known)}"))
        for what, texts in (("option", [o.text for o in q.options]), ("item", [o.text for o in q.items])):
            repeated = sorted({text for text in texts if texts.count(text) > 1})
            if repeated and q.type != "short":
                found.add((q.line, f"the {what} '{repeated[0][:30]}' appears twice in one question"))
    for draw in settings.draw:
        pool = sum(q.category == draw.category for q in questions)
        if pool < draw.count:
            found.add(
                (1, f"draw of {draw.count} from category '{draw.category}', which has {pool} question(s)")
            )
    return found


def check_lesson_references(course: Course, quiz_ids: set[str], problems: Problems) -> None:
    for _, lesson in course.lessons():
        for variant in lesson.variants.values():
            for quiz_id in getattr(variant.meta, "quizzes", []):
                if quiz_id not in quiz_ids:
                    line = variant.meta_lines.get("quizzes", 1)
                    problems.error(
                        variant.path,
                        line,
                        f"no quiz '{quiz_id}' in quizzes/{did_you_mean(quiz_id, quiz_ids)}",
                    )
