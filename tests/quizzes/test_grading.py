"""Grading per question type: a pure function of (question, response)."""

from __future__ import annotations

import pytest

from builder.quizzes.gift import parse_gift
from builder.quizzes.model import Option, Question
from builder.quizzes.normalize import normalize_answer, parse_number
from builder.quizzes.types import QUESTION_TYPES, ResponseError, grade, public_question, with_ids


def gift(text: str) -> Question:
    result = parse_gift(text)
    assert result.errors == []
    return with_ids(result.questions[0], "course/quiz")


def option_id(q: Question, text: str) -> str:
    return next(o.id for o in (*q.options, *q.items) if o.text == text)


def test_single_choice_right_wrong_and_negative() -> None:
    q = gift("Сұрақ {=Иә #Дұрыс. ~Жоқ ~%-50%Білмеймін #Айыппұл.}")
    right = grade(q, option_id(q, "Иә"))
    assert (right.fraction, right.points, right.state, right.feedback) == (1.0, 1.0, "correct", ("Дұрыс.",))
    assert grade(q, option_id(q, "Жоқ")).state == "wrong"
    penalty = grade(q, option_id(q, "Білмеймін"))
    assert (penalty.fraction, penalty.points) == (-0.5, -0.5)


def test_multiple_choice_partial_negative_and_clamped() -> None:
    q = gift("Сұрақ {~%50%а ~%50%ә ~%-100%б ~%0%в}")
    ids = {text: option_id(q, text) for text in ("а", "ә", "б", "в")}
    assert grade(q, [ids["а"]]).fraction == 0.5
    assert grade(q, [ids["а"], ids["ә"]]).fraction == 1.0
    assert grade(q, [ids["а"], ids["ә"], ids["б"]]).fraction == 0.0
    assert grade(q, [ids["б"]]).fraction == 0.0  # never below zero
    assert grade(q, list(ids.values())).fraction == 0.0
    assert grade(q, [ids["а"], ids["а"]]).fraction == 0.5  # a repeated id counts once


def test_true_false() -> None:
    q = gift("Сөйлем. {T#Қате жауап.#Дұрыс жауап.}")
    assert (grade(q, True).fraction, grade(q, True).feedback) == (1.0, ("Дұрыс жауап.",))
    assert (grade(q, False).fraction, grade(q, False).feedback) == (0.0, ("Қате жауап.",))


@pytest.mark.parametrize(
    ("given", "fraction"),
    [
        ("Өрт сөндіргіш", 1.0),
        ("  өрт   СӨНДІРГІШ ", 1.0),  # case and spacing
        ("өрт сөндiргiш", 1.0),  # Latin i typed for Kazakh і
        ("ɵрт сөндіргіш", 1.0),  # ɵ (U+0275) for ө
        ("сөндіргіш", 0.5),
        ("өрт сөндіру", 0.0),
    ],
)
def test_short_answer_normalisation(given: str, fraction: float) -> None:
    q = gift("Не? {=Өрт сөндіргіш =%50%сөндіргіш}")
    assert grade(q, given).fraction == fraction


def test_russian_yo_and_latin_lookalikes() -> None:
    assert normalize_answer("Огнетушитель ёмкостью") == normalize_answer("огнетушитель eмкостью")
    assert normalize_answer("Қазақ") == normalize_answer("ҡазаҡ")  # Bashkir ka for Kazakh qa
    assert normalize_answer("Ә") == normalize_answer("ǝ")
    assert normalize_answer("cat") == "cat"  # Latin words stay Latin


def test_short_answer_star_stands_for_any_text_as_in_moodle() -> None:
    q = gift(r"Негізгі зат? {=көбік* =%50%ұнтақ#Жартылай =5\*}")
    assert [grade(q, given).fraction for given in ("Көбік", "көбікпен", "көбік пен су", "ұнтақпен")] == [
        1.0, 1.0, 1.0, 0.0
    ]  # fmt: skip
    assert [grade(q, given).fraction for given in ("5*", "55", "ұнтақ")] == [1.0, 0.0, 0.5]


def test_short_answer_keeps_the_best_of_several_matches() -> None:
    q = gift("Не? {=%50%ағаш =Ағаш}")
    assert grade(q, "АҒАШ").fraction == 1.0


@pytest.mark.parametrize(
    ("given", "fraction", "feedback"),
    [
        ("1822", 1.0, ("Дәл.",)),
        ("1821,5", 0.5, ("Жақын.",)),
        ("1820", 0.5, ("Жақын.",)),
        ("1819.99", 0.0, ("Басқа.",)),
        (1822, 1.0, ("Дәл.",)),
    ],
)
def test_numeric_tolerance_and_weights(given: object, fraction: float, feedback: tuple[str, ...]) -> None:
    q = gift("Жыл? {# =1822:0 #Дәл. =%50%1822:2 #Жақын. ~#Басқа.}")
    result = grade(q, given)
    assert (result.fraction, result.feedback) == (fraction, feedback)


def test_numeric_range_edges() -> None:
    q = gift("Жыл? {#1820..1824}")
    assert [grade(q, v).fraction for v in ("1820", "1824", "1824.01", "−1")] == [1.0, 1.0, 0.0, 0.0]


def test_numeric_rejects_text() -> None:
    q = gift("Жыл? {#1822}")
    with pytest.raises(ResponseError):
        grade(q, "он сегіз")


def test_matching_share_per_pair() -> None:
    q = gift("Сәйкестендіріңіз. {=Ағаш -> A =Бензин -> B =Пропан -> C = -> K}")
    left = {p.left: p.left_id for p in q.pairs}
    right = {p.right: p.right_id for p in q.pairs} | {d.text: d.id for d in q.distractors}
    perfect = {left["Ағаш"]: right["A"], left["Бензин"]: right["B"], left["Пропан"]: right["C"]}
    assert grade(q, perfect).fraction == 1.0
    assert grade(q, {**perfect, left["Пропан"]: right["K"]}).fraction == pytest.approx(2 / 3, abs=1e-5)
    with pytest.raises(ResponseError):
        grade(q, {left["Ағаш"]: "x000"})


def yaml_question(kind: str, **fields: object) -> Question:
    cfg = QUESTION_TYPES[kind].config.model_validate({"type": kind, "text": "Мәтін", **fields})
    base = Question(id="q1", type=kind, text=cfg.text.get("kk"), points=cfg.points)
    return with_ids(QUESTION_TYPES[kind].from_config(cfg, "kk", base), "course/quiz")


def test_ordering_share_per_place() -> None:
    q = yaml_question("ordering", items=["бір", "екі", "үш", "төрт"])
    ids = [option_id(q, text) for text in ("бір", "екі", "үш", "төрт")]
    assert grade(q, ids).fraction == 1.0
    assert grade(q, [ids[1], ids[0], ids[2], ids[3]]).fraction == 0.5
    with pytest.raises(ResponseError):
        grade(q, ids[:3])


def test_fill_blanks_each_blank_a_short_answer() -> None:
    q = yaml_question(
        "fill-blanks",
        text="Жану үшін [[1]] және [[2]] керек.",
        blanks=[{"answers": ["оттегі"]}, {"answers": ["жылу", "қызу"]}],
    )
    assert grade(q, ["Оттегі", "қызу"]).fraction == 1.0
    assert grade(q, ["оттегі", "су"]).fraction == 0.5
    with pytest.raises(ResponseError):
        grade(q, ["оттегі"])


def test_multiple_from_yaml_shares_credit_between_right_options() -> None:
    q = yaml_question(
        "multiple",
        options=[
            {"text": "а", "correct": True},
            {"text": "ә", "correct": True},
            {"text": "б", "credit": -100},
        ],
    )
    assert [o.fraction for o in q.options] == [0.5, 0.5, -1.0]


def test_essay_waits_for_a_teacher_and_description_is_not_graded() -> None:
    essay = gift("Жазыңыз. {}")
    result = grade(essay, "Менің жауабым")
    assert (result.fraction, result.points, result.state) == (None, None, "manual")
    description = gift("Кіріспе мәтін.")
    assert (grade(description, None).max_points, grade(description, None).state) == (0.0, "unanswered")


def test_no_answer_is_unanswered_and_zero() -> None:
    q = gift("Сұрақ {=а ~ә}")
    assert (grade(q, None).state, grade(q, None).fraction) == ("unanswered", 0.0)


def test_foreign_option_ids_are_refused() -> None:
    q = gift("Сұрақ {=а ~ә}")
    with pytest.raises(ResponseError):
        grade(q, "x-not-an-option")
    with pytest.raises(ResponseError):
        grade(q, [option_id(q, "а")])


def test_public_part_has_no_credit_feedback_or_authored_order() -> None:
    q = gift("Сұрақ {=Дұрыс жауап #Керемет. ~Қате жауап #Өкінішті. ####Жалпы түсінік.}")
    public = public_question(q)
    assert set(public) == {"id", "type", "text", "format", "points", "options"}
    assert all(set(option) == {"id", "text"} for option in public["options"])
    assert "Керемет" not in str(public) and "Жалпы" not in str(public)
    assert [o["id"] for o in public["options"]] == sorted(o["id"] for o in public["options"])


def test_ids_are_stable_and_tell_nothing_of_the_key() -> None:
    first = gift("Сұрақ {=а ~ә}")
    swapped = gift("Сұрақ {~а =ә}")
    assert [o.id for o in first.options] == [o.id for o in swapped.options]
    assert first.public_id == swapped.public_id


def test_every_type_is_registered_once() -> None:
    assert sorted(QUESTION_TYPES) == sorted(
        [
            "single",
            "multiple",
            "true-false",
            "short",
            "numeric",
            "matching",
            "ordering",
            "fill-blanks",
            "essay",
            "description",
        ]
    )


def test_numbers_as_students_type_them() -> None:
    assert [parse_number(t) for t in ("2,5", "-3", "1e3", " 4 ", "abc", "1,2,3", "")] == [
        2.5,
        -3.0,
        1000.0,
        4.0,
        None,
        None,
        None,
    ]


def test_option_dataclass_defaults() -> None:
    assert Option("а").fraction == 0.0
