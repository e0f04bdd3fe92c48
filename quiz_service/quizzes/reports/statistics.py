"""Quiz statistics as Moodle's statistics report computes them: pure functions of graded attempts.

Per question: facility index (mean score, % of the question's marks), standard deviation,
discrimination index (the correlation of the question's mark with the rest of the attempt's
marks) and discriminative efficiency (that covariance over the largest one the two score
distributions allow), and what the students answered. Per quiz: mean, median and standard
deviation of the grade, Cronbach's alpha (KR-20 for right/wrong questions) with its error ratio
and standard error. Sample figures (n - 1); a figure that needs two attempts, or variation,
is None rather than NaN.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from builder.i18n import t
from builder.quizzes.model import Question
from builder.quizzes.normalize import normalize_answer, parse_number

ATTEMPTS_TO_ANALYSE = ("all", "first", "last", "highest")
TOP_RESPONSES = 10
CHOICE_TYPES = frozenset({"single", "multiple", "true-false", "matching"})


@dataclass(frozen=True)
class ItemScore:
    """One question of one attempt, as graded."""

    question: Question  # as pinned for the attempt, in the attempt's language
    shown: Question  # the same question in the language of the report (for its words)
    fraction: float | None  # None: waits for a teacher
    response: Any  # as saved (JSON), None when unanswered

    @property
    def mark(self) -> float:
        return (self.fraction or 0.0) * self.question.points


@dataclass(frozen=True)
class AttemptScores:
    user_id: int
    number: int
    percent: float | None  # None: an essay waits for a teacher
    items: tuple[ItemScore, ...]

    @property
    def graded(self) -> bool:
        return self.percent is not None

    def total(self) -> float:
        return sum(item.mark for item in self.items)


@dataclass(frozen=True)
class ResponseCount:
    text: str
    count: int
    share: float = 0.0  # % of the attempts that had the question
    credit: float | None = None  # the fraction of the marks it earns (-1 … 1)


@dataclass(frozen=True)
class QuestionStatistics:
    id: str
    number: int
    type: str
    text: str
    max_points: float
    attempts: int  # analysed attempts that had the question
    unanswered: int
    facility: float | None  # %
    sd: float | None  # % of the question's marks
    discrimination: float | None  # %
    efficiency: float | None  # discriminative efficiency, %
    responses: list[ResponseCount]
    graded: int | None = None  # essays: graded answers in the analysed attempts
    ungraded: int | None = None  # essays: answers waiting for a teacher


@dataclass(frozen=True)
class QuizFigures:
    attempts: int  # analysed
    awaiting_grading: int  # finished attempts whose essays wait for a teacher (not analysed)
    mean: float | None  # % of the quiz's marks
    median: float | None
    sd: float | None
    cic: float | None  # coefficient of internal consistency, %
    error_ratio: float | None  # %
    standard_error: float | None  # % of the quiz's marks


@dataclass(frozen=True)
class QuizStatistics:
    figures: QuizFigures
    questions: list[QuestionStatistics]


# -- which attempts ------------------------------------------------------------------------


def select_attempts(attempts: Iterable[AttemptScores], which: str) -> list[AttemptScores]:
    """The graded attempts to analyse: all, or per student the first, the last or the highest."""
    graded = [a for a in attempts if a.graded]
    if which == "all":
        return graded
    per_student: dict[int, list[AttemptScores]] = defaultdict(list)
    for attempt in sorted(graded, key=lambda a: a.number):
        per_student[attempt.user_id].append(attempt)
    pick: Callable[[list[AttemptScores]], AttemptScores] = {
        "first": lambda own: own[0],
        "last": lambda own: own[-1],
        "highest": lambda own: max(own, key=lambda a: a.percent or 0.0),  # the earliest of equals
    }[which]
    return [pick(own) for own in per_student.values()]


# -- figures -------------------------------------------------------------------------------


def quiz_statistics(
    attempts: Sequence[AttemptScores], which: str, reference: Sequence[Question], lang: str
) -> QuizStatistics:
    """Every figure of the report. Rows: the `reference` questions (the newest version, in the
    report's language, authored order), then questions only older attempts had."""
    analysed = select_attempts(attempts, which)
    pending = [a for a in attempts if not a.graded]
    labels = {q.id: q for q in reference}
    for item in (i for a in reversed(attempts) for i in a.items):
        labels.setdefault(item.question.id, item.shown)
    graded = [q for q in labels.values() if q.points > 0]
    scored = _with_rest_of_attempt(analysed)
    waiting = Counter(i.question.id for a in pending for i in a.items if i.fraction is None)
    questions = [
        question_statistics(number, label, scored[label.id], waiting[label.id], lang)
        for number, label in enumerate(graded, 1)
    ]
    return QuizStatistics(quiz_figures(analysed, len(pending)), questions)


def _with_rest_of_attempt(analysed: Sequence[AttemptScores]) -> dict[str, list[tuple[ItemScore, float]]]:
    """Per question id: each analysed answer with the marks of the rest of its attempt."""
    scored: dict[str, list[tuple[ItemScore, float]]] = defaultdict(list)
    for attempt in analysed:
        total = attempt.total()
        for item in attempt.items:
            scored[item.question.id].append((item, total - item.mark))
    return scored


def quiz_figures(analysed: Sequence[AttemptScores], awaiting: int = 0) -> QuizFigures:
    percents = [a.percent for a in analysed if a.percent is not None]
    sd = _sd(percents)
    cic = internal_consistency(analysed)
    error_ratio = None if cic is None else 100 * math.sqrt(max(0.0, 1 - cic / 100))  # alpha <= 1
    return QuizFigures(
        attempts=len(analysed),
        awaiting_grading=awaiting,
        mean=_round(statistics.fmean(percents)) if percents else None,
        median=_round(statistics.median(percents)) if percents else None,
        sd=_round(sd),
        cic=_round(cic),
        error_ratio=_round(error_ratio),
        standard_error=_round(error_ratio * sd / 100 if error_ratio is not None and sd is not None else None),
    )


def internal_consistency(analysed: Sequence[AttemptScores]) -> float | None:
    """Cronbach's alpha in % (KR-20 for right/wrong questions), when every attempt had the same questions."""
    sets = {tuple(sorted(i.question.id for i in a.items if i.question.points > 0)) for a in analysed}
    if len(analysed) < 2 or len(sets) != 1:
        return None
    ids = next(iter(sets))
    if len(ids) < 2:
        return None
    marks = [{i.question.id: i.mark for i in a.items} for a in analysed]
    total_variance = statistics.variance([sum(m[q] for q in ids) for m in marks])
    if total_variance == 0:
        return None
    item_variance = sum(statistics.variance([m[q] for m in marks]) for q in ids)
    return 100 * len(ids) / (len(ids) - 1) * (1 - item_variance / total_variance)


def question_statistics(
    number: int, label: Question, scored: Sequence[tuple[ItemScore, float]], waiting: int, lang: str
) -> QuestionStatistics:
    """One question over the analysed attempts that had it (a random draw: only those), each with
    the marks of the rest of its attempt; `waiting`: its answers in attempts awaiting a teacher."""
    items = [item for item, _ in scored]
    fractions = [item.fraction or 0.0 for item in items]
    marks = [item.mark for item in items]
    rest = [other for _, other in scored]
    essay = label.type == "essay"
    return QuestionStatistics(
        id=label.id,
        number=number,
        type=label.type,
        text=label.text,
        max_points=label.points,
        attempts=len(items),
        unanswered=sum(item.response is None for item in items),
        facility=_round(100 * statistics.fmean(fractions)) if fractions else None,
        sd=_round(_scaled(_sd(fractions), 100)),
        discrimination=_round(_scaled(correlation(marks, rest), 100)),
        efficiency=_round(_scaled(discriminative_efficiency(marks, rest), 100)),
        responses=[] if essay else response_counts(items, lang),
        graded=sum(item.fraction is not None for item in items) if essay else None,
        ungraded=waiting if essay else None,
    )


def correlation(x: Sequence[float], y: Sequence[float]) -> float | None:
    """Pearson's r, or None below two values or when either side does not vary."""
    if len(x) < 2 or _constant(x) or _constant(y):
        return None
    return statistics.correlation(x, y)


def discriminative_efficiency(x: Sequence[float], y: Sequence[float]) -> float | None:
    """cov(x, y) over the covariance of x and y each sorted (the most the two distributions allow)."""
    if len(x) < 2:
        return None
    highest = statistics.covariance(sorted(x), sorted(y))
    if highest == 0:
        return None
    return statistics.covariance(x, y) / highest


def _constant(values: Sequence[float]) -> bool:
    return max(values) - min(values) < 1e-12


def _sd(values: Sequence[float]) -> float | None:
    return statistics.stdev(values) if len(values) >= 2 else None


def _scaled(value: float | None, factor: float) -> float | None:
    return None if value is None else value * factor


def _round(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else round(value, 2)


# -- what the students answered ------------------------------------------------------------


def response_counts(items: Sequence[ItemScore], lang: str) -> list[ResponseCount]:
    """Options with how often each was chosen, or the most frequent free answers with their credit."""
    if not items:
        return []
    kind = items[-1].question.type
    counts = _choice_counts(items, lang) if kind in CHOICE_TYPES else _top_answers(items)
    return [
        ResponseCount(row.text, row.count, round(100 * row.count / len(items), 2), row.credit)
        for row in counts
    ]


def _choice_counts(items: Sequence[ItemScore], lang: str) -> list[ResponseCount]:
    """Every option (every pairing for matching) with its count, in the options' order, zeros kept."""
    counts: dict[str, int] = {}
    credit: dict[str, float] = {}
    for item in reversed(items):  # the most recent version's words and credit first
        for text, fraction in _choices(item, lang):
            counts.setdefault(text, 0)
            credit.setdefault(text, fraction)
    for item in items:
        for text in _chosen(item, lang):
            counts[text] = counts.get(text, 0) + 1
            credit.setdefault(text, 0.0)  # a wrong pairing of a matching question
    return [ResponseCount(text, count, credit=credit[text]) for text, count in counts.items()]


def _choices(item: ItemScore, lang: str) -> list[tuple[str, float]]:
    """What could be chosen, labelled in the report's language, with its credit."""
    q = item.question
    if q.type == "matching":
        share = round(1 / len(q.pairs), 6)
        return [(_pair_label(item, p.left_id, p.right_id), share) for p in q.pairs]
    return [(_option_label(item, index, lang), option.fraction) for index, option in enumerate(q.options)]


def _chosen(item: ItemScore, lang: str) -> list[str]:
    response, q = item.response, item.question
    if response is None:
        return []
    if q.type == "matching":
        return [_pair_label(item, left, right) for left, right in sorted(response.items())]
    if q.type == "true-false":
        return [_option_label(item, 0 if response else 1, lang)]
    chosen = response if isinstance(response, list) else [response]
    ids = [o.id for o in q.options]
    return [_option_label(item, ids.index(option), lang) for option in chosen if option in ids]


def _option_label(item: ItemScore, index: int, lang: str) -> str:
    if item.question.type == "true-false":
        return t("quiz.true" if index == 0 else "quiz.false", lang)
    options = item.shown.options if len(item.shown.options) == len(item.question.options) else ()
    return (options or item.question.options)[index].text


def _pair_label(item: ItemScore, left_id: str, right_id: str) -> str:
    q, shown = item.question, item.shown
    same_shape = len(shown.pairs) == len(q.pairs) and len(shown.distractors) == len(q.distractors)
    pairs, distractors = (shown.pairs, shown.distractors) if same_shape else (q.pairs, q.distractors)
    lefts = [p.left_id for p in q.pairs]
    rights = [p.right_id for p in q.pairs] + [d.id for d in q.distractors]
    right_texts = [p.right for p in pairs] + [d.text for d in distractors]
    left = pairs[lefts.index(left_id)].left if left_id in lefts else "?"
    right = right_texts[rights.index(right_id)] if right_id in rights else "?"
    return f"{left} → {right}"


def _top_answers(items: Sequence[ItemScore]) -> list[ResponseCount]:
    """The most frequent answers (equal once normalised), each with the credit it earned."""
    seen: Counter[str] = Counter()
    first_form: dict[str, str] = {}
    credit: dict[str, float | None] = {}
    for item in items:
        if item.response is None:
            continue
        key, text = _answer_key(item)
        seen[key] += 1
        first_form.setdefault(key, text)
        credit[key] = item.fraction
    ranked = sorted(seen.items(), key=lambda pair: (-pair[1], first_form[pair[0]]))[:TOP_RESPONSES]
    return [ResponseCount(first_form[key], count, credit=credit[key]) for key, count in ranked]


def _answer_key(item: ItemScore) -> tuple[str, str]:
    """(grouping key, shown text) of a free answer: short answers by their normalised form."""
    response, q = item.response, item.question
    if q.type == "numeric":
        value = parse_number(str(response))
        return (repr(value) if value is not None else str(response)), str(response).strip()
    if q.type == "fill-blanks":
        texts = [str(part).strip() for part in response]
        return " | ".join(normalize_answer(part) for part in texts), " | ".join(texts)
    if q.type == "ordering":
        ids = [o.id for o in q.items]
        shown = item.shown.items if len(item.shown.items) == len(q.items) else q.items
        text = " → ".join(shown[ids.index(i)].text if i in ids else "?" for i in response)
        return text, text
    text = str(response).strip()
    return normalize_answer(text), text
