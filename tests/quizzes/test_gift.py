"""The GIFT reader against Moodle's documented behaviour (docs.moodle.org/en/GIFT_format), and its errors."""

from __future__ import annotations

import pytest

from builder.quizzes.gift import category_path, html_to_text, parse_gift
from builder.quizzes.model import Question


def one(text: str) -> Question:
    result = parse_gift(text)
    assert result.errors == []
    assert len(result.questions) == 1
    return result.questions[0]


def error_of(text: str) -> tuple[int, str]:
    result = parse_gift(text)
    assert len(result.errors) == 1, result.errors
    return result.errors[0].line, str(result.errors[0])


def test_single_choice_with_title_feedback_and_general_feedback() -> None:
    q = one(
        "::Астана::Қазақстанның астанасы қай қала? {\n"
        "=Астана #Дұрыс.\n~Алматы #Жоқ, бұрынғы астана.\n~Шымкент\n"
        "####Астана 1997 жылдан бері астана.\n}"
    )
    assert (q.type, q.title, q.text) == ("single", "Астана", "Қазақстанның астанасы қай қала?")
    assert [(o.text, o.fraction, o.feedback) for o in q.options] == [
        ("Астана", 1.0, "Дұрыс."),
        ("Алматы", 0.0, "Жоқ, бұрынғы астана."),
        ("Шымкент", 0.0, ""),
    ]
    assert q.feedback == "Астана 1997 жылдан бері астана."


def test_several_right_answers_stay_single_choice() -> None:
    q = one("Жанғыш газ? {=Пропан =Метан ~Азот}")
    assert q.type == "single"
    assert [o.fraction for o in q.options] == [1.0, 1.0, 0.0]


def test_no_equals_sign_makes_multiple_answer_with_partial_and_negative_credit() -> None:
    q = one("Газдар? {~%50%Оттегі ~%50%Азот ~%-100%Су}")
    assert q.type == "multiple"
    assert [o.fraction for o in q.options] == [0.5, 0.5, -1.0]


def test_thirds_add_up_to_one_hundred() -> None:
    q = one("Үшеуі? {~%33.33333%а ~%33.33333%ә ~%33.33333%б ~%-100%в}")
    assert q.type == "multiple"


def test_multiple_answer_credits_must_add_up() -> None:
    assert error_of("Газдар?\n{~%50%Оттегі ~%40%Азот}") == (
        2,
        "the positive credits add up to 90%, not 100% (a question without '=' is multiple-answer)",
    )


def test_true_false_with_wrong_and_right_feedback() -> None:
    q = one("Су бензинді сөндіреді. {F#Қате: су бензинді таратады.#Дұрыс.}")
    assert q.type == "true-false"
    true, false = q.options
    assert (true.fraction, true.feedback) == (0.0, "Қате: су бензинді таратады.")
    assert (false.fraction, false.feedback) == (1.0, "Дұрыс.")


@pytest.mark.parametrize(("word", "answer"), [("T", True), ("TRUE", True), ("F", False), ("FALSE", False)])
def test_true_false_words(word: str, answer: bool) -> None:
    q = one(f"Сөйлем. {{{word}}}")
    assert q.options[0].fraction == (1.0 if answer else 0.0)


def test_short_answer_with_partial_credit() -> None:
    q = one("Магний өртінің сыныбы? {=D =%50%Д#Латын әрпімен жазыңыз.}")
    assert q.type == "short"
    assert [(o.text, o.fraction, o.feedback) for o in q.options] == [
        ("D", 1.0, ""),
        ("Д", 0.5, "Латын әрпімен жазыңыз."),
    ]


@pytest.mark.parametrize(
    ("text", "answers"),
    [
        ("How do you write 1? {One}", [("One", 1.0, "")]),
        ("Бір қалай жазылады? { бір #Кириллицамен.}", [("бір", 1.0, "Кириллицамен.")]),
        ("Сұрақ {иә}", [("иә", 1.0, "")]),
    ],
)
def test_short_answer_without_equals_sign_as_moodle_imports_it(
    text: str, answers: list[tuple[str, float, str]]
) -> None:
    q = one(text)
    assert q.type == "short"
    assert [(o.text, o.fraction, o.feedback) for o in q.options] == answers


def test_numeric_value_and_tolerance() -> None:
    q = one("Қашан? {#1822:5}")
    assert q.type == "numeric"
    assert [(n.low, n.high, n.fraction) for n in q.numbers] == [(1817.0, 1827.0, 1.0)]


def test_numeric_range() -> None:
    q = one("Қашан? {#1820..1824}")
    assert [(n.low, n.high) for n in q.numbers] == [(1820.0, 1824.0)]


def test_numeric_several_weighted_answers_and_catch_all_feedback() -> None:
    q = one("Қашан? {#\n=1822:0 #Дәл.\n=%50%1822:2 #Жақын.\n~#Басқа жауап.\n}")
    assert [(n.low, n.high, n.fraction, n.feedback) for n in q.numbers] == [
        (1822.0, 1822.0, 1.0, "Дәл."),
        (1820.0, 1824.0, 0.5, "Жақын."),
    ]
    assert q.other_feedback == "Басқа жауап."


def test_numeric_decimal_comma() -> None:
    q = one("Тығыздығы? {#0,8:0,05}")
    assert q.numbers[0].low == pytest.approx(0.75)


def test_non_numeric_numeric_answer_is_an_error_not_a_catch_all() -> None:
    # Moodle silently imports this as an answer that matches nothing; oqu refuses it.
    assert error_of("Жыл?\n{#он сегіз}") == (2, "numeric answer 'он сегіз' is not a number")
    assert error_of("Жыл? {# =1822 =%50%шамамен}")[1] == "numeric answer 'шамамен' is not a number"


def test_matching_with_distractor() -> None:
    q = one("Сәйкестендіріңіз. {\n=Ағаш -> A\n=Бензин -> B\n= -> K\n}")
    assert q.type == "matching"
    assert [(p.left, p.right) for p in q.pairs] == [("Ағаш", "A"), ("Бензин", "B")]
    assert [d.text for d in q.distractors] == ["K"]


def test_matching_needs_two_pairs_and_takes_no_feedback() -> None:
    assert (
        error_of("Сәйкестендіріңіз. {=Ағаш -> A = -> K}")[1] == "a matching question needs at least two pairs"
    )
    assert error_of("Сәйкестендіріңіз. {=Ағаш -> A#жоқ =Бензин -> B}")[1] == (
        "matching pairs take no feedback (use #### for general feedback)"
    )


def test_missing_word() -> None:
    q = one("Жану үшін {=оттегі ~азот} қажет.")
    assert (q.type, q.text) == ("single", "Жану үшін _____ қажет.")
    q = one("Қазақстанның астанасы {=Астана}.")
    assert (q.type, q.text) == ("short", "Қазақстанның астанасы _____.")


def test_essay_and_description() -> None:
    result = parse_gift("Эвакуация туралы жазыңыз. {}\n\nБұл бөлім — кіріспе.")
    assert [(q.type, q.text) for q in result.questions] == [
        ("essay", "Эвакуация туралы жазыңыз."),
        ("description", "Бұл бөлім — кіріспе."),
    ]
    assert result.questions[1].points == 0


def test_formats() -> None:
    assert one("::T::[html]<b>Қалың</b> мәтін {T}").format == "html"
    assert one("[markdown]**Қалың** мәтін {T}").format == "markdown"
    assert one("[plain]Жай мәтін {T}").format == "plain"
    assert one("[moodle]Жай мәтін {T}").format == "plain"


def test_escapes() -> None:
    q = one(r"Белгілер \~ \= \# \{ \} \: және\nжаңа жол {=a\=b\#c ~a\~b}")
    assert q.text == "Белгілер ~ = # { } : және\nжаңа жол"
    assert [o.text for o in q.options] == ["a=b#c", "a~b"]


def test_escaped_colon_in_title() -> None:
    assert one(r"::Уақыт 10\:30::Сұрақ {T}").title == "Уақыт 10:30"


def test_comments_ids_tags_and_categories() -> None:
    result = parse_gift(
        "// жалпы түсініктеме\n"
        "$CATEGORY: $course$/top/Жану\n\n"
        "// [id:triangle] [tag:combustion]\n"
        "Жану үшбұрышы {T}\n\n"
        "$CATEGORY: $course$/top/Өрт/Сыныптар\n\n"
        "Сыныптар {F}\n"
    )
    assert result.errors == []
    first, second = result.questions
    assert (first.id, first.tags, first.category) == ("triangle", ("combustion",), "Жану")
    assert (second.id, second.category) == ("q2", "Өрт/Сыныптар")


@pytest.mark.parametrize(
    ("written", "path"),
    [
        ("$course$/top/Өрт/Сыныптар", "Өрт/Сыныптар"),
        ("$system$/top/Өрт / Сыныптар/", "Өрт/Сыныптар"),
        ("$module$/top/Default for ӨҚ-31//2026/Өрт", "Default for ӨҚ-31/2026/Өрт"),
        ("Өрт/Сыныптар", "Өрт/Сыныптар"),
        ("$course$/top", ""),
    ],
)
def test_a_category_is_its_path_below_moodles_top(written: str, path: str) -> None:
    assert category_path(written) == path


def test_comment_lines_are_not_text() -> None:
    assert one("Сұрақ\n// ішкі түсініктеме\n{T}").text == "Сұрақ"


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("Сұрақ {=а ~ә", 1, "the answer block '{' is never closed with '}'"),
        (
            "Сұрақ\nжалғасы } міне",
            2,
            "'}' closes an answer block that was never opened (write \\} for a brace)",
        ),
        ("Сұрақ {=а} тағы {=ә}", 1, "a question has one answer block only"),
        ("Сұрақ {~жалғыз}", 1, "a multiple-choice question needs at least two answers"),
        ("Сұрақ {=%50%а ~ә}", 1, "'=' marks a right answer (100%); write ~%50% for partial credit"),
        ("Сұрақ {~%abc%а =ә}", 1, "'%abc%а' is not a credit like %50% or %-100%"),
        ("Сұрақ {~%150%а =ә}", 1, "credit 150% is outside -100% … 100%"),
        ("Сұрақ {T#а#ә#б}", 1, "true/false takes at most two feedbacks: {T#if wrong#if right}"),
        ("Сұрақ {=%50%жартылай}", 1, "a short-answer question needs an answer with full credit"),
        ("Сұрақ {#5..1}", 1, "the range 5..1 runs backwards"),
        (
            "Сұрақ {# =5 ~6}",
            1,
            "in a numeric question '~' gives feedback for any other answer only: ~#feedback",
        ),
        ("::Тақырып Сұрақ {T}", 1, "the title '::' is never closed with '::'"),
        ("{T}", 1, "the question has no text"),
        ("Сұрақ {=а =а ~ә}", 1, "the answer 'а' appears twice"),
        ("Сұрақ {=а -> 1 =ә}", 1, "every answer of a matching question is a pair: =left -> right"),
        ("$CATEGORY: a\nСұрақ {T}", 2, "$CATEGORY must stand alone, with a blank line after it"),
    ],
)
def test_errors(text: str, line: int, message: str) -> None:
    assert error_of(text) == (line, message)


def test_every_error_of_a_file_in_one_run_at_its_line() -> None:
    result = parse_gift("Бір {T}\n\nЕкі\n{#он}\n\nҮш {T}\n\nТөрт {=а ~а}")
    assert [(e.line, str(e)) for e in result.errors] == [
        (4, "numeric answer 'он' is not a number"),
        (8, "the answer 'а' appears twice"),
    ]


def test_expressions_in_content_are_data() -> None:
    """T17: text that looks like code stays text; nothing is evaluated."""
    assert error_of("{{7*7}} жауап {=49 ~7}")[1] == "a question has one answer block only"
    q = one(r"\{\{ config \}\} $\{7*7\} __import__('os') {=\{\{7*7\}\} ~49}")
    assert q.text == "{{ config }} ${7*7} __import__('os')"
    assert [o.text for o in q.options] == ["{{7*7}}", "49"]


def test_html_answers_and_feedback_become_text_as_the_page_shows_them() -> None:
    q = one(
        r"::Сөндіру::[html]<p>Ағынды <b>қайда</b> бағыттайды?</p>{"
        "\n"
        r'=<p dir\="ltr" style\="text-align\: left;">Жалынның&nbsp;түбіне</p>#<p>Иә, &laquo;түбіне&raquo;.</p>'
        "\n"
        r"~[moodle]Жалынның ұшына#[plain]Жоқ <b>ұшына</b> емес"
        "\n"
        r"####<p>Жалпы:<br>ағын&nbsp;&#039;түбіне&\#039;</p>"
        "\n}"
    )
    assert (q.format, q.text) == ("html", "<p>Ағынды <b>қайда</b> бағыттайды?</p>")
    assert [(o.text, o.feedback) for o in q.options] == [
        ("Жалынның түбіне", "Иә, «түбіне»."),
        ("Жалынның ұшына", "Жоқ <b>ұшына</b> емес"),
    ]
    assert q.feedback == "Жалпы:\nағын 'түбіне'"


def test_html_to_text_keeps_paragraphs_and_line_breaks() -> None:
    assert html_to_text("<p>Бір\n  екі</p><p>үш<br/>төрт&amp;бес</p>") == "Бір екі\nүш\nтөрт&бес"


def test_ids_and_tags_with_an_escaped_bracket() -> None:
    q = one("// [id:ӨҚ-1 \\] a] [tag:fire-classes]\nСұрақ {T}")
    assert (q.id, q.tags) == ("ӨҚ-1 ] a", ("fire-classes",))


def test_a_moodle_file_reference_is_warned_about() -> None:
    result = parse_gift(r'::Сурет::[html]<p><img src\="@@PLUGINFILE@@/fire.png"></p>{T}')
    assert result.errors == [] and len(result.questions) == 1
    assert [(w.line, str(w)) for w in result.warnings] == [
        (1, "@@PLUGINFILE@@ names a Moodle file that a GIFT export does not carry")
    ]
