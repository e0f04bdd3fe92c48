"""Quiz statistics as pure functions: hand-built attempts, figures worked out on paper."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import pytest

from builder.quizzes.gift import parse_gift
from builder.quizzes.model import Option, Question
from builder.quizzes.types import grade, with_ids
from quiz_service.quizzes.reports.statistics import (
    ATTEMPTS_TO_ANALYSE,
    AttemptScores,
    ItemScore,
    correlation,
    discriminative_efficiency,
    internal_consistency,
    quiz_statistics,
    response_counts,
    select_attempts,
)
from quiz_service.quizzes.reports.texts import REPORT_TEXTS


def gift(text: str, question_id: str = "q") -> Question:
    result = parse_gift(text)
    assert result.errors == []
    return with_ids(dataclasses.replace(result.questions[0], id=question_id), "course/quiz")


def scored(question: Question, response: Any, shown: Question | None = None) -> ItemScore:
    fraction = grade(question, response).fraction
    return ItemScore(question, shown or question, fraction, response)


def attempt(user: int, number: int, *items: ItemScore) -> AttemptScores:
    total = sum(item.mark for item in items)
    maximum = sum(item.question.points for item in items)
    return AttemptScores(user, number, 100 * total / maximum, items)


def option(q: Question, text: str) -> str:
    return next(o.id for o in q.options if o.text == text)


def test_a_drawn_question_is_analysed_over_the_attempts_that_got_it() -> None:
    """Q1 in all five attempts; the pool gave A to attempts 1-3 and B to 4-5.

    A: scores 1 1 0, rest (Q1) 1 0 0: facility 66.67 %, SD √(1/3) = 57.74 %; r = .5 (50 %).
    B: scores 0 1, rest 1 0: facility 50 %, SD 70.71 %, r = -1 (-100 %).
    Not every attempt had the same questions: no coefficient of internal consistency.
    """
    q1 = gift("Бірінші {T}", "q1")
    a = gift("А сұрағы {T}", "a")
    b = gift("Б сұрағы {T}", "b")
    attempts = [
        attempt(1, 1, scored(q1, True), scored(a, True)),
        attempt(2, 1, scored(q1, False), scored(a, True)),
        attempt(3, 1, scored(q1, False), scored(a, False)),
        attempt(4, 1, scored(q1, True), scored(b, False)),
        attempt(5, 1, scored(q1, False), scored(b, True)),
    ]
    report = quiz_statistics(attempts, "all", [q1, a, b], "kk")
    rows = {q.id: q for q in report.questions}
    assert [q.id for q in report.questions] == ["q1", "a", "b"]
    assert (rows["a"].attempts, rows["a"].facility, rows["a"].sd, rows["a"].discrimination) == (
        3,
        66.67,
        57.74,
        50.0,
    )
    assert (rows["b"].attempts, rows["b"].facility, rows["b"].sd, rows["b"].discrimination) == (
        2,
        50.0,
        70.71,
        -100.0,
    )
    assert rows["q1"].attempts == 5
    assert report.figures.cic is None


def test_two_questions_that_always_agree_are_perfectly_consistent() -> None:
    """Item variances v + v, total variance 4v: alpha = 2/1 × (1 - 2v/4v) = 100 %, error ratio 0."""
    first, second = gift("Бір {T}", "one"), gift("Екі {T}", "two")
    attempts = [attempt(n, 1, scored(first, r), scored(second, r)) for n, r in enumerate([True, False, True])]
    assert internal_consistency(attempts) == pytest.approx(100.0)
    figures = quiz_statistics(attempts, "all", [first, second], "kk").figures
    assert (figures.cic, figures.error_ratio, figures.standard_error) == (100.0, 0.0, 0.0)


def test_which_attempts_per_student() -> None:
    q = gift("Сұрақ {T}")
    first = attempt(1, 1, scored(q, False))
    best = attempt(1, 2, scored(q, True))
    last = attempt(1, 3, scored(q, False))
    waiting = AttemptScores(1, 4, None, (scored(q, True),))
    other = attempt(2, 1, scored(q, True))
    attempts = [last, waiting, best, first, other]
    assert select_attempts(attempts, "all") == [last, best, first, other]  # never one awaiting a grade
    assert select_attempts(attempts, "first") == [first, other]
    assert select_attempts(attempts, "last") == [last, other]
    assert select_attempts(attempts, "highest") == [best, other]


def test_figures_that_cannot_be_computed_are_none_never_nan() -> None:
    assert correlation([1.0], [2.0]) is None
    assert correlation([1.0, 1.0, 1.0], [0.0, 1.0, 2.0]) is None  # the question does not vary
    assert discriminative_efficiency([1.0, 1.0], [0.0, 1.0]) is None
    assert correlation([0.0, 1.0, 1.0], [0.0, 1.0, 2.0]) == pytest.approx(math.sqrt(3) / 2)
    q = gift("Сұрақ {T}")
    everyone_right = [attempt(n, 1, scored(q, True)) for n in range(3)]
    row = quiz_statistics(everyone_right, "all", [q], "kk").questions[0]
    assert (row.facility, row.sd, row.discrimination, row.efficiency) == (100.0, 0.0, None, None)


def test_multiple_choice_counts_every_chosen_option_in_the_report_language() -> None:
    kk = gift("Өрт сөндіргіштер? {~%50%Көмірқышқыл ~%50%Ұнтақ ~%-100%Бензин}")
    ru = gift("Огнетушители? {~%50%Углекислотный ~%50%Порошковый ~%-100%Бензин}")
    ids = {text: option(kk, text) for text in ("Көмірқышқыл", "Ұнтақ", "Бензин")}
    items = [
        scored(kk, [ids["Көмірқышқыл"], ids["Ұнтақ"]], shown=ru),
        scored(kk, [ids["Көмірқышқыл"]], shown=ru),
        scored(kk, [ids["Бензин"], ids["Ұнтақ"]], shown=ru),
        scored(kk, None, shown=ru),
    ]
    rows = [(r.text, r.count, r.share, r.credit) for r in response_counts(items, "ru")]
    assert rows == [
        ("Углекислотный", 2, 50.0, 0.5),
        ("Порошковый", 2, 50.0, 0.5),
        ("Бензин", 1, 25.0, -1.0),
    ]


def test_matching_counts_each_pairing_and_true_false_speaks_the_language() -> None:
    q = gift("Сәйкестендіріңіз {=A -> қатты заттар =B -> сұйықтар =C -> газдар = -> металдар}")
    lefts = {p.left: p.left_id for p in q.pairs}
    rights = {p.right: p.right_id for p in q.pairs} | {d.text: d.id for d in q.distractors}
    right = {lefts["A"]: rights["қатты заттар"], lefts["B"]: rights["сұйықтар"], lefts["C"]: rights["газдар"]}
    mixed = {lefts["A"]: rights["металдар"], lefts["B"]: rights["сұйықтар"]}
    rows = [(r.text, r.count, r.credit) for r in response_counts([scored(q, right), scored(q, mixed)], "kk")]
    third = round(1 / 3, 6)
    assert rows == [
        ("A → қатты заттар", 1, third),
        ("B → сұйықтар", 2, third),
        ("C → газдар", 1, third),
        ("A → металдар", 1, 0.0),
    ]
    truth = gift("Су электр тогын өткізеді. {T}")
    answers = [scored(truth, True), scored(truth, False), scored(truth, True)]
    assert [(r.text, r.count) for r in response_counts(answers, "en")] == [("True", 2), ("False", 1)]


def test_free_answers_are_grouped_once_normalised_and_ranked() -> None:
    q = gift("Өрт сөндіру қызметінің нөмірі? {=101 =112}")
    short = gift("Магний өртінің сыныбы? {=D}")
    numbers = [scored(q, text) for text in ("101", " 101", "112", "103", "112", "101")]
    assert [(r.text, r.count, r.credit) for r in response_counts(numbers, "kk")] == [
        ("101", 3, 1.0),
        ("112", 2, 1.0),
        ("103", 1, 0.0),
    ]
    words = [scored(short, text) for text in ("D", "d", " D ", "Д")]
    assert [(r.text, r.count) for r in response_counts(words, "kk")] == [("D", 3), ("Д", 1)]
    many = [scored(short, f"жауап {n}") for n in range(15)]
    assert len(response_counts(many, "kk")) == 10


def test_ordering_and_blanks_show_whole_answers_with_their_credit() -> None:
    steps = with_ids(
        Question(
            "steps", "ordering", "Ретімен қойыңыз", items=(Option("Дабыл"), Option("Шығу"), Option("Тексеру"))
        ),
        "course/quiz",
    )
    ids = [item.id for item in steps.items]
    orders = [scored(steps, ids), scored(steps, ids), scored(steps, [ids[1], ids[0], ids[2]])]
    assert [(r.text, r.count, r.credit) for r in response_counts(orders, "kk")] == [
        ("Дабыл → Шығу → Тексеру", 2, 1.0),
        ("Шығу → Дабыл → Тексеру", 1, round(1 / 3, 6)),
    ]
    blanks = with_ids(
        Question(
            "fill", "fill-blanks", "[[1]] және [[2]]", blanks=((Option("су", 1.0),), (Option("құм", 1.0),))
        ),
        "course/quiz",
    )
    answers = [scored(blanks, ["Су", "құм"]), scored(blanks, ["су ", "ҚҰМ"]), scored(blanks, ["су", "көбік"])]
    assert [(r.text, r.count, r.credit) for r in response_counts(answers, "kk")] == [
        ("Су | құм", 2, 1.0),
        ("су | көбік", 1, 0.5),
    ]


def test_every_report_word_exists_in_kk_ru_en() -> None:
    keys = {lang: set(words) for lang, words in REPORT_TEXTS.items()}
    assert set(keys) == {"kk", "ru", "en"}
    assert keys["kk"] == keys["ru"] == keys["en"]
    assert all(text.strip() for words in REPORT_TEXTS.values() for text in words.values())
    assert {f"which.{which}" for which in ATTEMPTS_TO_ANALYSE} <= keys["kk"]
