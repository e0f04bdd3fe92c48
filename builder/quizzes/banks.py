"""GIFT question banks: `questions_from:` of a YAML quiz names files in the course's `quizzes/banks/`.

A bank is not a quiz itself: it holds questions (a Moodle export, say) that quizzes take, so
that a quiz's settings (kind, times, attempts, draws, review) are written in YAML around
questions kept in GIFT. Each bank is read once per run however many quizzes take from it.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from builder.model import Course
from builder.problems import Problems, did_you_mean
from builder.quizzes.gift import category_path, parse_gift
from builder.quizzes.model import Draw, Question
from builder.quizzes.schema import BankSources, DrawConfig
from builder.yamlsource import Loc, YamlDocument

BANKS_DIR = "banks"
Sourced = tuple[Path, Question]  # a question and the file it is written in


def read_gift_questions(path: Path, course: Course, problems: Problems) -> tuple[Question, ...] | None:
    """The questions of one GIFT file, `[tag:…]`s that name course outcomes as outcomes; None on any error."""
    try:
        result = parse_gift(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        problems.error(path, 1, "file is not UTF-8 text")
        return None
    for error in result.errors:
        problems.error(path, error.line, str(error))
    for warning in result.warnings:
        problems.warn(path, warning.line, str(warning))
    if result.errors:
        return None
    return tuple(outcomes_from_tags(q, course, path, problems) for q in result.questions)


def outcomes_from_tags(q: Question, course: Course, path: Path, problems: Problems) -> Question:
    known = [o.id for o in course.config.outcomes]
    for tag in q.tags:
        if tag not in known:
            problems.warn(
                path, q.line, f"tag '{tag}' is not an outcome of this course{did_you_mean(tag, known)}"
            )
    return dataclasses.replace(q, outcomes=tuple(tag for tag in q.tags if tag in known))


class BankShelf:
    """The banks of one course, each read (and its problems reported) once."""

    def __init__(self, course: Course, problems: Problems) -> None:
        self.course = course
        self.problems = problems
        self.quizzes_dir = (course.path / "quizzes").resolve()
        self.banks_dir = self.quizzes_dir / BANKS_DIR
        self._read: dict[Path, tuple[Question, ...] | None] = {}

    def questions(self, bank: Path) -> tuple[Question, ...] | None:
        if bank not in self._read:
            self._read[bank] = read_gift_questions(bank, self.course, self.problems)
        return self._read[bank]

    def check_every_bank(self) -> None:
        """Banks no quiz takes from yet are checked too: their errors belong to this run."""
        for bank in self.bank_files():
            self.questions(bank)

    def bank_files(self) -> list[Path]:
        return sorted(self.banks_dir.rglob("*.gift")) if self.banks_dir.is_dir() else []

    def locate(self, written: str) -> Path:
        """The bank file `written` names (relative to quizzes/); ValueError says what is wrong with it."""
        target = (self.quizzes_dir / written).resolve()
        if not target.is_relative_to(self.quizzes_dir):
            raise ValueError(
                f"bank '{written}' is outside this course's quizzes/ folder: copy it into quizzes/{BANKS_DIR}/"
            )
        if not target.is_relative_to(self.banks_dir):
            raise ValueError(
                f"bank '{written}' is not in quizzes/{BANKS_DIR}/ (a GIFT file in quizzes/ is a quiz of its own)"
            )
        if target.suffix != ".gift":
            raise ValueError(f"bank '{written}' is not a .gift file (Moodle saves GIFT as .txt: rename it)")
        if not target.is_file():
            known = [bank.relative_to(self.quizzes_dir).as_posix() for bank in self.bank_files()]
            raise ValueError(f"no bank file '{written}' in quizzes/{did_you_mean(written, known)}")
        return target


def bank_questions(
    shelf: BankShelf, doc: YamlDocument, path: Path, problems: Problems
) -> dict[str, list[Sourced]] | None:
    """Each course language's questions from the banks `questions_from` names ({} without it)."""
    raw = doc.data.get("questions_from") if isinstance(doc.data, dict) else None
    if raw is None:
        return {}
    try:
        sources = TypeAdapter(BankSources).validate_python(raw)
    except ValidationError:
        return None  # the quiz's schema has reported it
    per_lang = _files_per_language(sources, shelf.course.languages, doc, path, problems)
    if per_lang is None:
        return None
    found: dict[str, list[Sourced]] = {}
    for lang, files in per_lang.items():
        found[lang] = []
        for loc, written in files:
            try:
                bank = shelf.locate(written)
            except ValueError as error:
                problems.error(path, doc.line_of(loc), str(error))
                return None
            questions = shelf.questions(bank)
            if questions is None:
                return None
            found[lang] += [(bank, q) for q in questions]
    return found


def _files_per_language(
    sources: str | list[str] | dict[str, str | list[str]],
    languages: list[str],
    doc: YamlDocument,
    path: Path,
    problems: Problems,
) -> dict[str, list[tuple[Loc, str]]] | None:
    key = "questions_from"
    if not isinstance(sources, dict):
        return {lang: _files((key,), sources) for lang in languages}
    unknown = [lang for lang in sources if lang not in languages]
    missing = [lang for lang in languages if lang not in sources]
    for lang in unknown:
        problems.error(
            path,
            doc.line_of((key, lang)),
            f"'{lang}' is not one of the course's languages ({', '.join(languages)})",
        )
    if missing:
        problems.error(
            path, doc.line_of((key,)), f"no bank for {', '.join(missing)}: name one for every language"
        )
    if unknown or missing:
        return None
    return {lang: _files((key, lang), sources[lang]) for lang in languages}


def _files(loc: Loc, value: str | list[str]) -> list[tuple[Loc, str]]:
    return [(loc, value)] if isinstance(value, str) else [((*loc, i), item) for i, item in enumerate(value)]


def ids_unique_across_files(per_lang: Iterable[list[Sourced]], problems: Problems) -> bool:
    """One id, one question: a bank's id may not come back in another bank or in `questions:`.
    (Repeats inside one file are that file's own error.) A bank shared by the languages is told once."""
    found: dict[tuple[Path, int], str] = {}
    for questions in per_lang:
        seen: dict[str, Path] = {}
        for path, q in questions:
            first = seen.setdefault(q.id, path)
            if first != path:
                found.setdefault((path, q.line), _repeated_id(q.id, first))
    for (path, line), message in sorted(found.items()):
        problems.error(path, line, message)
    return not found


def _repeated_id(question_id: str, first: Path) -> str:
    message = f"question id '{question_id}' is also in {first.name}: ids are unique in a quiz"
    if re.fullmatch(r"q[0-9]+", question_id):
        message += " (each GIFT file numbers questions without [id:…] q1, q2 …: give them ids)"
    return message


@dataclass(frozen=True)
class Aligned:
    """Every language's questions with the first language's category names, and every name a draw
    may use (any language's) mapped to that first-language name."""

    questions: dict[str, list[Sourced]]
    categories: dict[str, str]


def align_languages(per_lang: dict[str, list[Sourced]], problems: Problems) -> Aligned | None:
    """The kk and ru versions are one question: the same ids, of the same type, sorted into categories
    the same way. Categories may be named in each language; the first language's names are kept."""
    (first_lang, reference), *others = per_lang.items()
    known = {q.id: (path, q) for path, q in reference}
    names = {q.category: q.category for _, q in reference if q.category}
    ok = True
    for lang, questions in others:
        found = _language_problems(lang, questions, first_lang, known)
        found += _category_problems(questions, first_lang, known, names)
        for path, line, message in found:
            problems.error(path, line, message)
        ok = ok and not found
    if not ok:
        return None
    aligned = {
        lang: [(path, dataclasses.replace(q, category=known[q.id][1].category)) for path, q in questions]
        for lang, questions in per_lang.items()
    }
    return Aligned(aligned, names)


def _language_problems(
    lang: str, questions: list[Sourced], first_lang: str, known: dict[str, Sourced]
) -> list[tuple[Path, int, str]]:
    """Every question here is one of the first language's, of its type, and none of those is missing."""
    found = []
    for path, q in questions:
        problem = _twin_problem(q, known.get(q.id), first_lang)
        if problem:
            found.append((path, q.line, problem))
    ids = {q.id for _, q in questions}
    missing = [qid for qid in known if qid not in ids]
    if missing:
        where = questions[0][0] if questions else known[missing[0]][0]
        more = f" and {len(missing) - 1} more" if len(missing) > 1 else ""
        found.append((where, 1, f"{lang}: no question '{missing[0]}'{more} of the {first_lang} questions"))
    return found


def _twin_problem(q: Question, twin: Sourced | None, first_lang: str) -> str:
    if twin is None:
        return (
            f"question '{q.id}' is not among the {first_lang} questions: every language has the same "
            "questions with the same ids ([id:…] in GIFT, or the same order)"
        )
    if q.type != twin[1].type:
        return f"question '{q.id}' is {q.type} here but {twin[1].type} in {twin[0].name}"
    if _grading_shape(q) != _grading_shape(twin[1]):
        return (
            f"question '{q.id}' has other answers, credits or points here than in {twin[0].name}: "
            "the versions of one question grade alike"
        )
    return ""


def _grading_shape(q: Question) -> tuple[object, ...]:
    """What must agree between the language versions of a question (short answers may differ in wording
    and number; option order may differ)."""
    options = () if q.type == "short" else tuple(sorted(round(o.fraction, 4) for o in q.options))
    numbers = tuple(sorted((n.low, n.high, n.fraction) for n in q.numbers))
    return q.points, options, numbers, len(q.pairs), len(q.distractors), len(q.items), len(q.blanks)


def _category_problems(
    questions: list[Sourced], first_lang: str, known: dict[str, Sourced], names: dict[str, str]
) -> list[tuple[Path, int, str]]:
    """One category here is one category in the first language, and the other way round
    (each category that breaks this is reported once, at its first question that does)."""
    found: list[tuple[Path, int, str]] = []
    here: dict[str, str] = {}  # this language's category -> the first language's
    reported: set[str] = set()
    for path, q in questions:
        if q.id not in known:
            continue
        first = known[q.id][1].category
        mapped = here.setdefault(q.category, first)
        twin = next((name for name, target in here.items() if target == first and name != q.category), None)
        problem = _category_problem(q, first, mapped, twin, first_lang)
        if problem and q.category not in reported:
            reported.add(q.category)
            found.append((path, q.line, problem))
        elif not problem and q.category:
            names.setdefault(q.category, first)
    return found


def _category_problem(q: Question, first: str, mapped: str, twin: str | None, first_lang: str) -> str:
    rule = "the banks of every language sort the same questions into the same categories"
    if mapped != first:
        return (
            f"question '{q.id}' is in category '{q.category}' here, as questions of '{mapped}' in "
            f"{first_lang} are, but it is in '{first}' in {first_lang}: {rule}"
        )
    if twin is not None:
        return (
            f"question '{q.id}' is in category '{q.category}' here, but the other questions of "
            f"'{first}' in {first_lang} are in '{twin}' here: {rule}"
        )
    return ""


def resolve_draws(
    draws: list[DrawConfig], aligned: Aligned, doc: YamlDocument, path: Path, problems: Problems
) -> tuple[Draw, ...] | None:
    """Each draw's category as the questions name it in any language: the full path, or its last parts
    if only one category ends so (`Сыныптар` for `Өрт/Сыныптар`). Its pool must hold the count."""
    pools: dict[str, int] = {}
    for _, q in next(iter(aligned.questions.values()), []):
        if q.category:
            pools[q.category] = pools.get(q.category, 0) + 1
    resolved: list[Draw] = []
    ok = True
    for index, draw in enumerate(draws):
        line = doc.line_of(("draw", index))
        named = matching_categories(draw.category, list(aligned.categories))
        found = sorted({aligned.categories[name] for name in named})
        problem = _draw_problem(draw, found, list(pools), [d.category for d in resolved])
        if problem:
            problems.error(path, line, problem)
            ok = False
            continue
        resolved.append(Draw(found[0], draw.count))
        if pools[found[0]] < draw.count:
            problems.error(
                path,
                line,
                f"draw of {draw.count} from category '{found[0]}', which has {pools[found[0]]} question(s)",
            )
            ok = False
    return tuple(resolved) if ok else None


def matching_categories(written: str, categories: list[str]) -> list[str]:
    wanted = category_path(written)
    exact = [c for c in categories if c == wanted]
    return exact or sorted(c for c in categories if c.endswith(f"/{wanted}"))


def _draw_problem(draw: DrawConfig, found: list[str], categories: list[str], drawn: list[str]) -> str:
    if not found:
        listed = ", ".join(f"'{c}'" for c in sorted(categories)[:8]) or "none"
        return (
            f"draw: no category '{draw.category}' among the questions{did_you_mean(draw.category, categories)}; "
            f"categories: {listed}"
        )
    if len(found) > 1:
        return (
            f"draw: '{draw.category}' could be {' or '.join(repr(c) for c in found)}: write more of its path"
        )
    if found[0] in drawn:
        return f"draw: category '{found[0]}' is drawn from twice"
    return ""
