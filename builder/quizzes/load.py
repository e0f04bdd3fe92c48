"""Read `content/courses/<course>/quizzes/` into the quiz model, reporting every problem at its line."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import zoneinfo
from collections import defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from builder.load import read_yaml
from builder.model import Course, Site
from builder.problems import Problems, did_you_mean
from builder.quizzes.banks import (
    BANKS_DIR,
    BankShelf,
    Sourced,
    align_languages,
    bank_questions,
    ids_unique_across_files,
    read_gift_questions,
    resolve_draws,
)
from builder.quizzes.gift import category_path
from builder.quizzes.model import (
    Draw,
    FeedbackBand,
    ProctoringPolicy,
    Question,
    Quiz,
    QuizSettings,
    ReviewPolicy,
)
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
        if path.name.startswith(".") or (path.name == BANKS_DIR and path.is_dir()):
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
    shelf = BankShelf(course, problems)
    quizzes = []
    for quiz_id, found in sorted(files.items()):
        quiz = _load_one(course, quiz_id, found, shelf, problems)
        if quiz is not None:
            quizzes.append(quiz)
    shelf.check_every_bank()
    return quizzes


def _load_one(
    course: Course, quiz_id: str, found: dict[str, Path], shelf: BankShelf, problems: Problems
) -> Quiz | None:
    if "yml:" in found:
        if len(found) > 1:
            other = next(path for key, path in found.items() if key != "yml:")
            problems.error(other, 1, f"quiz '{quiz_id}' is also {found['yml:'].name}: keep one of them")
            return None
        return load_yaml_quiz(course, quiz_id, found["yml:"], problems, shelf)
    return load_gift_quiz(course, quiz_id, {key.split(":")[1]: path for key, path in found.items()}, problems)


def load_yaml_quiz(
    course: Course, quiz_id: str, path: Path, problems: Problems, shelf: BankShelf | None = None
) -> Quiz | None:
    """A YAML quiz: its settings, the questions of the banks `questions_from` names, then its own `questions`."""
    doc = read_yaml(path, problems)
    if doc is None:
        return None
    cfg = validate_document(doc, QuizConfig, path, problems)
    banked = bank_questions(shelf or BankShelf(course, problems), doc, path, problems)
    banked_count = len(next(iter(banked.values()), [])) if banked else 0
    inline = _yaml_questions(course, f"{course.id}/{quiz_id}", doc, path, problems, banked_count)
    if cfg is None or banked is None or inline is None:
        return None
    per_lang = {
        lang: [*banked.get(lang, []), *((path, q) for q in inline[lang])] for lang in course.languages
    }
    inline_ok = check_questions(inline, course, path, problems)
    unique = ids_unique_across_files(per_lang.values(), problems)
    aligned = align_languages(per_lang, problems) if unique else None
    draws = resolve_draws(cfg.draw, aligned, doc, path, problems) if aligned else None
    if aligned is None or draws is None or not inline_ok:
        return None
    if cfg.kind in ("intermediate", "final") and not cfg.proctored:
        problems.warn(path, doc.line_of(("kind",)), UNPROCTORED)
    return Quiz(
        course=course.id,
        id=quiz_id,
        path=path,
        title={lang: cfg.title.get(lang) for lang in course.languages},
        settings=dataclasses.replace(settings_from(cfg, course), draw=draws),
        questions={
            lang: _with_ids(sourced, f"{course.id}/{quiz_id}") for lang, sourced in aligned.questions.items()
        },
    )


UNPROCTORED = (
    "an attestation (intermediate or final) without 'proctoring: required': "
    "a distance attestation must be proctored (R13)"
)


def _with_ids(sourced: list[Sourced], key: str) -> tuple[Question, ...]:
    return tuple(q if q.public_id else with_ids(q, key) for _, q in sourced)


def _yaml_questions(
    course: Course, key: str, doc: YamlDocument, path: Path, problems: Problems, first_id: int
) -> dict[str, list[Question]] | None:
    """The quiz's own `questions:` per language; default ids go on after the banks' (q{first_id + 1} …)."""
    raw_questions = doc.data.get("questions", []) if isinstance(doc.data, dict) else None
    if not isinstance(raw_questions, list):
        return None
    per_lang: dict[str, list[Question]] = {lang: [] for lang in course.languages}
    ok = True
    for index, raw in enumerate(raw_questions):
        sub = sub_document(doc, ("questions", index))
        questions = _yaml_question(course, key, index, raw, sub, path, problems, first_id)
        ok = ok and questions is not None
        for lang, question in (questions or {}).items():
            per_lang[lang].append(question)
    return per_lang if ok else None


def sub_document(doc: YamlDocument, loc: Loc) -> YamlDocument:
    """The part of `doc` at `loc`, with line numbers of its own keys."""
    data: Any = doc.data
    for part in loc:
        data = data[part]
    lines = {key[len(loc) :]: line for key, line in doc.lines.items() if key[: len(loc)] == loc}
    duplicates = [(key[len(loc) :], line) for key, line in doc.duplicates if key[: len(loc)] == loc]
    return YamlDocument(data=data, lines=lines, duplicates=duplicates, first_line=doc.line_of(loc))


def _yaml_question(
    course: Course,
    key: str,
    index: int,
    raw: Any,
    doc: YamlDocument,
    path: Path,
    problems: Problems,
    first_id: int = 0,
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
            id=cfg.id or f"q{first_id + index + 1}",
            type=kind.name,
            text=cfg.text.get(lang),
            line=line,
            format=cfg.format,
            points=cfg.points,
            category=category_path(cfg.category),
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
        delay=cfg.delay,
        overall_feedback=tuple(
            FeedbackBand(band.min, tuple((lang, band.text.get(lang)) for lang in course.languages))
            for band in sorted(cfg.overall_feedback, key=lambda band: -band.min)
        ),
        timezone=zone.key,
        proctoring=proctoring_from(cfg),
    )


def proctoring_from(cfg: QuizConfig) -> ProctoringPolicy:
    proctoring = cfg.proctoring_config
    if proctoring is None:
        return ProctoringPolicy()
    return ProctoringPolicy(
        required=True,
        signals=tuple(dict.fromkeys(proctoring.signals)),
        snapshot_every=proctoring.snapshot_every,
        sustained_seconds=proctoring.sustained.seconds,
        sustained_frames=proctoring.sustained.frames,
        noise_level=proctoring.noise_level,
        head_turn=proctoring.head_turn,
    )


def _iso(value: dt.datetime | None, zone: zoneinfo.ZoneInfo) -> str | None:
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=zone)).isoformat()


def load_gift_quiz(course: Course, quiz_id: str, files: dict[str, Path], problems: Problems) -> Quiz | None:
    """A GIFT quiz: oqu's default settings; one file for every language or one per language."""
    key = f"{course.id}/{quiz_id}"
    per_lang: dict[str, list[Sourced]] = {}
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
        questions = read_gift_questions(path, course, problems)
        if questions is None:
            ok = False
            continue
        for target in [lang] if lang else [code for code in course.languages if code not in files]:
            per_lang[target] = [(path, q) for q in questions]
            title[target] = _gift_title(questions, quiz_id)
    ordered = {lang: per_lang[lang] for lang in course.languages if lang in per_lang}
    aligned = align_languages(ordered, problems) if ok and ordered else None
    if aligned is None:
        return None
    first = next(iter(files.values()))
    by_language = {lang: tuple(with_ids(q, key) for _, q in qs) for lang, qs in aligned.questions.items()}
    quiz = Quiz(course.id, quiz_id, first, title, QuizSettings(), by_language)
    return quiz if check_quiz(quiz, course, first, problems) else None


def _gift_title(questions: tuple[Question, ...], quiz_id: str) -> str:
    """A GIFT quiz is titled by its first category's last part (Moodle banks are organised so)."""
    category = next((q.category for q in questions if q.category), "")
    return category.rstrip("/").rsplit("/", 1)[-1] or quiz_id


def check_quiz(quiz: Quiz, course: Course, path: Path, problems: Problems) -> bool:
    """Ids unique, outcomes known, options distinct; False on any error. (Draws: banks.resolve_draws.)"""
    return check_questions(quiz.questions, course, path, problems)


def check_questions(
    per_lang: Mapping[str, Sequence[Question]], course: Course, path: Path, problems: Problems
) -> bool:
    """The questions of one file, in every language: see check_quiz."""
    found: set[tuple[int, str]] = set()
    for questions in per_lang.values():
        found |= _quiz_problems(tuple(questions), [o.id for o in course.config.outcomes])
    for line, message in sorted(found):
        problems.error(path, line, message)
    return not found


def _quiz_problems(questions: tuple[Question, ...], known: list[str]) -> set[tuple[int, str]]:
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
