"""`oqu quiz import`: a Moodle XML bank becomes an oqu YAML quiz that `oqu check` accepts."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from builder.pipeline import check_content
from builder.problems import Problems
from builder.quizzes.load import load_site_quizzes
from builder.quizzes.moodle_xml import import_moodle_xml
from quiz_service.cli import main as oqu

BANK = Path(__file__).parents[1] / "fixtures" / "moodle" / "fire-bank.xml"


def supported_only(text: str) -> str:
    start = text.index('  <question type="ddwtos">')
    return text[:start] + "</quiz>\n"


def test_every_supported_type_converts() -> None:
    result = import_moodle_xml(supported_only(BANK.read_text(encoding="utf-8")), "Өрт банкі")
    assert result.errors == []
    questions = result.quiz["questions"]
    assert [q["type"] for q in questions] == [
        "single",
        "multiple",
        "true-false",
        "short",
        "numeric",
        "matching",
        "essay",
    ]
    gas, tools, petrol, metal, oxygen, match, _ = questions
    assert gas["options"][0] == {"text": "C", "correct": True, "feedback": "Дұрыс."}
    assert (gas["category"], gas["feedback"], gas["format"]) == (
        "Өрт сыныптары",
        "Газдар — C сыныбы.",
        "html",
    )
    assert [o.get("credit") for o in tools["options"]] == [50, 50, -100]
    assert tools["points"] == 2.0
    assert (petrol["answer"], petrol["wrong_feedback"], petrol["format"]) == (
        False,
        "Су бензинді таратады.",
        "plain",
    )
    assert metal["answers"] == [{"text": "D"}, {"text": "Д", "credit": 50}]
    assert (oxygen["answers"], oxygen["other_feedback"]) == (
        [{"value": 21.0, "tolerance": 0.5}],
        "Бестен бірі.",
    )
    assert (match["pairs"][1], match["distractors"]) == ({"left": "Бензин", "right": "B"}, ["K"])


def test_unsupported_types_and_bad_numbers_are_errors_at_their_line() -> None:
    text = BANK.read_text(encoding="utf-8").replace("<text>21</text>", "<text>жиырма</text>")
    result = import_moodle_xml(text, "Өрт банкі")
    lines = text.splitlines()
    assert [(e.line, str(e)) for e in result.errors] == [
        (
            next(i for i, line in enumerate(lines, 1) if "жиырма" in line),
            "numeric answer 'жиырма' is not a number",
        ),
        (
            next(i for i, line in enumerate(lines, 1) if 'type="ddwtos"' in line),
            "question type 'ddwtos' cannot be imported (supported: multichoice, truefalse, shortanswer, "
            "numerical, matching, essay, description)",
        ),
    ]


def test_entities_are_refused() -> None:
    evil = '<?xml version="1.0"?><!DOCTYPE q [<!ENTITY a "aaaa">]><quiz>&a;</quiz>'
    (error,) = import_moodle_xml(evil, "x").errors
    assert str(error) == "the file has a DOCTYPE or entities: oqu reads plain Moodle XML only"


def test_oqu_quiz_import_writes_a_quiz_that_oqu_check_accepts(minimal_site: Path, tmp_path: Path) -> None:
    source = tmp_path / "bank.xml"
    source.write_text(supported_only(BANK.read_text(encoding="utf-8")), encoding="utf-8")
    target = minimal_site / "content/courses/first-aid/quizzes/fire-bank.yml"
    target.parent.mkdir(parents=True)
    result = CliRunner().invoke(
        oqu, ["quiz", "import", str(source), "--out", str(target), "--title", "Өрт банкі"]
    )
    assert result.exit_code == 0, result.output
    assert result.output == f"сұрақтар: 7 → {target}\n"
    site, problems = check_content(minimal_site)
    assert site is not None and problems.errors == []
    (quiz,) = load_site_quizzes(site, Problems(minimal_site))
    assert len(quiz.questions["kk"]) == 7


def test_oqu_quiz_import_writes_nothing_on_errors(tmp_path: Path) -> None:
    source = tmp_path / "bank.xml"
    shutil.copy(BANK, source)
    result = CliRunner().invoke(oqu, ["quiz", "import", str(source)])
    assert result.exit_code == 1
    assert "cannot be imported" in result.output and "қателер: 1; ештеңе жазылмады" in result.output
    assert not (tmp_path / "bank.yml").exists()


@pytest.mark.parametrize("broken", ["<quiz><question>", "<other/>"])
def test_broken_files(broken: str) -> None:
    assert import_moodle_xml(broken, "x").errors
