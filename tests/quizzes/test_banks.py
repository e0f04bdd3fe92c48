"""GIFT question banks under a YAML quiz's settings (`questions_from`), and a real Moodle 4 GIFT export."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from builder.pipeline import check_content
from builder.problems import Problems
from builder.quizzes.load import load_site_quizzes
from builder.quizzes.model import Quiz
from quiz_service.cli import main as oqu

MOODLE = Path(__file__).parents[1] / "fixtures" / "moodle"
COURSE = "content/courses/first-aid"
QUIZZES = f"{COURSE}/quizzes"
OUTCOMES = """\
outcomes:
  - id: fire-classes
    text: {kk: Өрт сыныптарын ажыратады., ru: Различает классы пожаров.}
  - id: extinguishers
    text: {kk: Өрт сөндіргішті таңдайды., ru: Выбирает огнетушитель.}
  - id: evacuation
    text: {kk: Эвакуацияны ұйымдастырады., ru: Организует эвакуацию.}
"""
EXAM = """\
title: {kk: Аралық аттестаттау, ru: Промежуточная аттестация}
kind: intermediate
time_limit: 40
attempts: 1
navigation: sequential
questions_from:
  kk: banks/fire.kk.gift
  ru: banks/fire.ru.gift
draw:
  - {category: Сыныптар, count: 2}
  - {category: Тушение, count: 3}
questions:
  - id: own-words
    type: essay
    text: {kk: Өрт кезіндегі алғашқы әрекетіңіз?, ru: Ваши первые действия при пожаре?}
"""


@pytest.fixture
def fire_site(minimal_site: Path) -> Path:
    """The minimal site with the fire outcomes and Moodle's kk and ru exports as banks."""
    course = minimal_site / COURSE / "course.yml"
    text = course.read_text(encoding="utf-8")
    course.write_text(text.replace("outcomes:\n", OUTCOMES, 1), encoding="utf-8")
    banks = minimal_site / QUIZZES / "banks"
    banks.mkdir(parents=True)
    for lang in ("kk", "ru"):
        shutil.copy(MOODLE / f"fire-bank.{lang}.gift", banks / f"fire.{lang}.gift")
    return minimal_site


def write(site: Path, name: str, text: str) -> Path:
    path = site / QUIZZES / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def errors(site: Path) -> list[str]:
    _, problems = check_content(site)
    return [str(p) for p in problems.errors]


def quiz(site: Path, quiz_id: str) -> Quiz:
    loaded, problems = check_content(site)
    assert loaded is not None and problems.errors == []
    return next(q for q in load_site_quizzes(loaded, Problems(site)) if q.id == quiz_id)


def test_the_fixture_is_a_moodle_export_byte_for_byte() -> None:
    """Moodle writes a BOM and Windows line endings; keep them (a git filter must not strip them)."""
    for lang in ("kk", "ru"):
        data = (MOODLE / f"fire-bank.{lang}.gift").read_bytes()
        assert data.startswith("\ufeff// question: 0  name: Switch category to $course$/top/".encode())
        assert data.count(b"\r\n") > 60 and data.count(b"\n") == data.count(b"\r\n")


def test_oqu_check_reads_a_moodle_bank_with_every_type_moodle_exports(
    fire_site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(fire_site, "exam.yml", EXAM)
    monkeypatch.chdir(fire_site)
    result = CliRunner().invoke(oqu, ["check"])
    assert result.exit_code == 0, result.stderr
    assert f"{QUIZZES}/banks/fire.kk.gift:52: warning: @@PLUGINFILE@@ names a Moodle file" in result.stderr
    kk = quiz(fire_site, "exam").questions["kk"]
    assert [(q.id, q.type, q.points) for q in kk] == [
        ("q1", "description", 0.0),
        ("evacuation-time", "short", 1.0),
        ("class-gas", "single", 1.0),
        ("electrical-extinguishers", "multiple", 1.0),
        ("fire-triangle", "multiple", 1.0),
        ("water-on-oil", "true-false", 1.0),
        ("classes-match", "matching", 1.0),
        ("foam-word", "short", 1.0),
        ("fire-phone", "numeric", 1.0),
        ("oxygen-share", "numeric", 1.0),
        ("aim-base", "single", 1.0),
        ("evacuation-essay", "essay", 1.0),
        ("own-words", "essay", 1.0),
    ]
    by_id = {q.id: q for q in kk}
    assert [(o.text, o.fraction) for o in by_id["class-gas"].options] == [
        ("A", 0.0), ("B", 0.0), ("C", 1.0), ("E", 0.0)
    ]  # fmt: skip
    assert [round(o.fraction, 4) for o in by_id["fire-triangle"].options] == [0.3333, 0.3333, 0.3333, -1.0]
    assert [(o.text, o.fraction) for o in by_id["electrical-extinguishers"].options] == [
        ("Көмірқышқыл газды (ОУ)", 0.5), ("Ұнтақты (ОП)", 0.5), ("Су-көбікті (ОВП)", -1.0)
    ]  # fmt: skip
    assert [(o.text, o.fraction) for o in by_id["foam-word"].options] == [
        ("көбік", 1.0),
        ("ұнтақ", 0.5),
        ("су", 0.0),
    ]
    assert [(n.low, n.high, n.fraction) for n in by_id["oxygen-share"].numbers] == [
        (20.5, 21.5, 1.0), (18.0, 22.0, 0.5)
    ]  # fmt: skip
    assert by_id["fire-phone"].other_feedback == "Жоқ, өрт қызметі — 101."
    assert [(p.left, p.right) for p in by_id["classes-match"].pairs] == [
        ("Ағаш, қағаз", "A"), ("Бензин, спирт", "B"), ("Пропан, метан", "C")
    ]  # fmt: skip
    assert [d.text for d in by_id["classes-match"].distractors] == ["F"]
    assert [(o.text, o.fraction) for o in by_id["water-on-oil"].options] == [("true", 0.0), ("false", 1.0)]
    assert by_id["water-on-oil"].feedback == "B сыныбы — жанғыш сұйықтар."
    assert by_id["evacuation-time"].title == "Сағат 10:00"
    assert by_id["evacuation-time"].text.startswith(
        "Оқу дабылы сағат 10:00-де басталды, корпусты босатуға ~3"
    )
    assert by_id["evacuation-time"].options[0].text == "10:03"
    assert by_id["aim-base"].text == "<p>Өрт сөндіргіштің ағынын жалынның _____ бағыттайды.</p>"
    assert by_id["class-gas"].outcomes == ("fire-classes",)
    assert by_id["electrical-extinguishers"].outcomes == ("fire-classes", "extinguishers")


def test_every_language_keeps_its_text_and_shares_the_first_languages_categories(fire_site: Path) -> None:
    write(fire_site, "exam.yml", EXAM)
    exam = quiz(fire_site, "exam")
    kk, ru = ({q.id: q for q in exam.questions[lang]} for lang in ("kk", "ru"))
    assert kk.keys() == ru.keys()
    assert ru["class-gas"].text.startswith('<p dir="ltr" style="text-align: left;">К какому классу')
    assert (
        ru["class-gas"].category == kk["class-gas"].category == "Default for ӨҚ-101/Өрт қауіпсіздігі/Сыныптар"
    )
    assert ru["class-gas"].public_id == kk["class-gas"].public_id
    assert ru["own-words"].text == "Ваши первые действия при пожаре?"
    assert [(d.category, d.count) for d in exam.settings.draw] == [
        ("Default for ӨҚ-101/Өрт қауіпсіздігі/Сыныптар", 2),
        ("Default for ӨҚ-101/Өрт қауіпсіздігі/Сөндіру", 3),
    ]
    assert (exam.settings.kind, exam.settings.time_limit, exam.settings.navigation) == (
        "intermediate", 40, "sequential"
    )  # fmt: skip


def test_banks_for_every_language_one_after_the_other_then_the_quizs_own(minimal_site: Path) -> None:
    write(minimal_site, "banks/pulse.gift", "$CATEGORY: $course$/top/Тамыр\n\nТамыр соғысы бар ма? {T}\n")
    write(
        minimal_site,
        "banks/cpr.gift",
        "$CATEGORY: $course$/top/ЖӨР\n\n// [id:cpr]\nЖӨР? {=иә ~жоқ}\n\n// [id:rate]\nЖиілік? {#110:10}\n",
    )
    write(minimal_site, "check.yml", """\
        title: Тексеру
        questions_from: [banks/pulse.gift, banks/cpr.gift]
        questions:
          - type: essay
            text: Өз сөзіңізбен
        """)  # fmt: skip
    check = quiz(minimal_site, "check")
    assert [(q.id, q.type, q.category) for q in check.questions["ru"]] == [
        ("q1", "true-false", "Тамыр"), ("cpr", "single", "ЖӨР"), ("rate", "numeric", "ЖӨР"), ("q4", "essay", "")
    ]  # fmt: skip


def test_default_ids_must_not_collide_across_banks(minimal_site: Path) -> None:
    write(minimal_site, "banks/pulse.gift", "Тамыр соғысы бар ма? {T}\n")
    write(minimal_site, "banks/cpr.gift", "ЖӨР? {=иә ~жоқ}\n")
    write(minimal_site, "check.yml", "title: Тексеру\nquestions_from: [banks/pulse.gift, banks/cpr.gift]\n")
    assert errors(minimal_site) == [
        f"{QUIZZES}/banks/cpr.gift:1: question id 'q1' is also in pulse.gift: ids are unique in a quiz "
        "(each GIFT file numbers questions without [id:…] q1, q2 …: give them ids)"
    ]


def test_a_draw_name_that_fits_two_categories_is_refused(minimal_site: Path) -> None:
    bank = "$CATEGORY: $course$/top/Жану/Тест\n\nБір {T}\n\n$CATEGORY: $course$/top/Сөндіру/Тест\n\nЕкі {T}\n"
    write(minimal_site, "banks/two.gift", bank)
    write(minimal_site, "exam.yml", """\
        title: Емтихан
        questions_from: banks/two.gift
        draw:
          - {category: Тест, count: 1}
          - {category: Сөндіру/Тест, count: 1}
          - {category: export.txt, count: 1}
        """)  # fmt: skip
    found = errors(minimal_site)
    assert (
        f"{QUIZZES}/exam.yml:4: draw: 'Тест' could be 'Жану/Тест' or 'Сөндіру/Тест': write more of its path"
        in found
    )
    assert not any(":5:" in e for e in found)
    write(minimal_site, "other.yml", "title: Басқа\nquestions_from: banks/export.txt\n")
    assert (
        f"{QUIZZES}/other.yml:2: bank 'banks/export.txt' is not a .gift file (Moodle saves GIFT as .txt: rename it)"
        in errors(minimal_site)
    )


def test_every_bank_problem_at_its_line_in_one_run(fire_site: Path) -> None:
    write(fire_site, "../../other/quizzes/banks/x.gift", "Сұрақ {T}\n")
    write(fire_site, "loose.kk.gift", "Сұрақ {T}\n")
    write(fire_site, "banks/broken.gift", "Сұрақ {T}\n\nЖыл?\n{#он сегіз}\n")
    write(fire_site, "a.yml", """\
        title: А
        questions_from:
          kk: banks/fire.kk.gift
          ru: banks/fier.ru.gift
        """)  # fmt: skip
    write(fire_site, "b.yml", """\
        title: Б
        questions_from: ../../other/quizzes/banks/x.gift
        """)  # fmt: skip
    write(fire_site, "c.yml", "title: В\nquestions_from: [loose.kk.gift]\n")
    write(fire_site, "d.yml", """\
        title: Г
        questions_from: {kk: banks/fire.kk.gift, ru: banks/fire.ru.gift}
        draw:
          - {category: Сынып, count: 1}
          - {category: Классы пожаров, count: 6}
          - {category: Сөндіру, count: 1}
          - {category: Тушение, count: 1}
        """)  # fmt: skip
    write(fire_site, "e.yml", "title: Д\nquestions_from: {kk: banks/fire.kk.gift, en: banks/fire.ru.gift}\n")
    write(fire_site, "f.yml", "title: Е\n")
    found = errors(fire_site)
    expected = [
        f"{QUIZZES}/a.yml:4: no bank file 'banks/fier.ru.gift' in quizzes/ (did you mean 'banks/fire.ru.gift'?)",
        f"{QUIZZES}/b.yml:2: bank '../../other/quizzes/banks/x.gift' is outside this course's quizzes/ folder: "
        "copy it into quizzes/banks/",
        f"{QUIZZES}/c.yml:2: bank 'loose.kk.gift' is not in quizzes/banks/ (a GIFT file in quizzes/ is a quiz "
        "of its own)",
        f"{QUIZZES}/d.yml:4: draw: no category 'Сынып' among the questions; categories: "
        "'Default for ӨҚ-101/Өрт қауіпсіздігі', 'Default for ӨҚ-101/Өрт қауіпсіздігі/Сыныптар', "
        "'Default for ӨҚ-101/Өрт қауіпсіздігі/Сөндіру'",
        f"{QUIZZES}/d.yml:5: draw of 6 from category 'Default for ӨҚ-101/Өрт қауіпсіздігі/Сыныптар', "
        "which has 5 question(s)",
        f"{QUIZZES}/d.yml:7: draw: category 'Default for ӨҚ-101/Өрт қауіпсіздігі/Сөндіру' is drawn from twice",
        f"{QUIZZES}/e.yml:2: no bank for ru: name one for every language",
        f"{QUIZZES}/e.yml:2: 'en' is not one of the course's languages (kk, ru)",
        f"{QUIZZES}/f.yml:1: a quiz needs 'questions', 'questions_from' (GIFT banks) or both",
        f"{QUIZZES}/banks/broken.gift:4: numeric answer 'он сегіз' is not a number",
    ]
    assert [e for e in expected if e not in found] == []


def test_banks_of_two_languages_must_hold_the_same_questions(fire_site: Path) -> None:
    banks = fire_site / QUIZZES / "banks"
    ru = (banks / "fire.ru.gift").read_bytes().decode("utf-8")
    ru = ru.replace("[id:fire-phone]", "[id:fire-phone-ru]")
    ru = ru.replace("=%50%20:2#", "=%100%20:2#")
    ru = ru.replace("// question: 5109  name: Направление струи\r\n", "$CATEGORY: Другое\r\n\r\n")
    (banks / "fire.ru.gift").write_text(ru, encoding="utf-8", newline="")
    write(fire_site, "exam.yml", EXAM)
    assert [e for e in errors(fire_site) if "banks/fire.ru.gift" in e] == [
        f"{QUIZZES}/banks/fire.ru.gift:1: ru: no question 'fire-phone' of the kk questions",
        f"{QUIZZES}/banks/fire.ru.gift:74: question 'fire-phone-ru' is not among the kk questions: every "
        "language has the same questions with the same ids ([id:…] in GIFT, or the same order)",
        f"{QUIZZES}/banks/fire.ru.gift:82: question 'oxygen-share' has other answers, credits or points here "
        "than in fire.kk.gift: the versions of one question grade alike",
        f"{QUIZZES}/banks/fire.ru.gift:90: question 'aim-base' is in category 'Другое' here, but the other "
        "questions of 'Default for ӨҚ-101/Өрт қауіпсіздігі/Сөндіру' in kk are in "
        "'По умолчанию для ПБ-101/Пожарная безопасность/Тушение' here: the banks of every language sort the "
        "same questions into the same categories",
    ]


def test_per_language_gift_quizzes_need_the_same_ids(minimal_site: Path) -> None:
    write(minimal_site, "self.kk.gift", "// [id:pulse]\nТамыр? {T}\n\n// [id:cpr]\nЖӨР? {T}\n")
    write(minimal_site, "self.ru.gift", "// [id:pulse]\nПульс? {T}\n\n// [id:slr]\nСЛР? {T}\n")
    assert [e for e in errors(minimal_site) if "self." in e] == [
        f"{QUIZZES}/self.ru.gift:1: ru: no question 'cpr' of the kk questions",
        f"{QUIZZES}/self.ru.gift:5: question 'slr' is not among the kk questions: every language has the same "
        "questions with the same ids ([id:…] in GIFT, or the same order)",
    ]


def test_a_bank_id_may_not_come_back_in_the_quiz(fire_site: Path) -> None:
    write(fire_site, "exam.yml", EXAM.replace("id: own-words", "id: class-gas"))
    assert [e for e in errors(fire_site) if "class-gas" in e] == [
        f"{QUIZZES}/exam.yml:13: question id 'class-gas' is also in fire.kk.gift: ids are unique in a quiz"
    ]
