"""Quiz files in a course: YAML and GIFT read into the model, every problem at `path:line` with the rest."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from pydantic import BaseModel

from builder.pipeline import check_content
from builder.problems import Problems
from builder.quizzes import schema
from builder.quizzes.load import load_site_quizzes

DOCS = Path(__file__).parents[2] / "docs" / "quizzes.md"
QUIZZES = "content/courses/first-aid/quizzes"

GOOD_YAML = """\
title: {kk: Алғашқы көмек, ru: Первая помощь}
kind: current
questions:
  - id: pulse
    type: single
    text: {kk: Тамыр соғысын қайдан тексереді?, ru: Где проверяют пульс?}
    options:
      - text: {kk: Мойындағы ұйқы артериясынан, ru: На сонной артерии}
        correct: true
      - text: {kk: Тізеден, ru: На колене}
  - type: short
    text: {kk: Жүрек-өкпе реанимациясының қысқаша атауы?, ru: Краткое название сердечно-лёгочной реанимации?}
    answers:
      - text: {kk: ЖӨР, ru: СЛР}
"""


def write(site: Path, name: str, text: str) -> Path:
    path = site / QUIZZES / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def messages(site: Path) -> list[str]:
    _, problems = check_content(site)
    return [str(p) for p in problems.items]


def test_yaml_quiz_loads_per_language(minimal_site: Path) -> None:
    write(minimal_site, "check.yml", GOOD_YAML)
    site, problems = check_content(minimal_site)
    assert site is not None and problems.errors == []
    (quiz,) = load_site_quizzes(site, Problems(minimal_site))
    assert (quiz.key, quiz.settings.kind, quiz.title["ru"]) == ("first-aid/check", "current", "Первая помощь")
    assert [q.id for q in quiz.questions["kk"]] == ["pulse", "q2"]
    assert quiz.questions["ru"][1].options[0].text == "СЛР"
    assert quiz.questions["kk"][1].options[0].text == "ЖӨР"


def test_overall_feedback_bands_and_the_delay_between_attempts(minimal_site: Path) -> None:
    bands = """\
    delay: 15
    overall_feedback:
      - min: 0
        text: {kk: Қайта оқыңыз., ru: Перечитайте.}
      - min: 80
        text: {kk: Өте жақсы!, ru: Отлично!}
    """
    write(minimal_site, "check.yml", GOOD_YAML + textwrap.dedent(bands))
    site, problems = check_content(minimal_site)
    assert site is not None and problems.errors == []
    (quiz,) = load_site_quizzes(site, Problems(minimal_site))
    settings = quiz.settings
    assert settings.delay == 15
    assert [band.min_percent for band in settings.overall_feedback] == [80, 0]  # highest first
    assert settings.overall_feedback_for(80.0, "ru") == "Отлично!"
    assert settings.overall_feedback_for(79.99, "kk") == "Қайта оқыңыз."
    twice = GOOD_YAML + "overall_feedback:\n  - {min: 50, text: {kk: А}}\n  - {min: 50, text: {kk: Б}}\n"
    path = write(minimal_site, "check.yml", twice)
    assert (
        f"{path.relative_to(minimal_site)}:1: 'overall_feedback': two bands start at the same 'min'"
        in " ".join(messages(minimal_site))
    )


def test_quiz_errors_come_with_every_other_content_error(minimal_site: Path) -> None:
    write(
        minimal_site,
        "check.yml",
        """\
        title: Тест
        kind: weekly
        questions:
          - type: singel
            text: Сұрақ
          - type: single
            text: Сұрақ
            options:
              - text: А
              - text: Ә
          - type: numeric
            text: Сан
            answers:
              - {value: 1, min: 0}
            colour: red
        """,
    )
    write(minimal_site, "bank.kk.gift", "Сұрақ {T}\n\nЖыл?\n{#он сегіз}\n")
    lesson = next((minimal_site / "content/courses/first-aid").glob("*/*.kk.md"))
    lesson.write_text(
        lesson.read_text(encoding="utf-8").replace("---\n", "---\ncolour: red\n", 1), encoding="utf-8"
    )
    found = messages(minimal_site)
    assert (
        f"{QUIZZES}/check.yml:2: 'kind' must be one of 'practice', 'current', 'intermediate' or 'final', not 'weekly'"
        in found
    )
    assert (
        f"{QUIZZES}/check.yml:4: question 1: 'singel' (did you mean 'single'?); types: single, multiple, "
        "true-false, short, numeric, matching, ordering, fill-blanks, essay, description" in found
    )
    assert (
        f"{QUIZZES}/check.yml:6: a single-choice question needs an option with 'correct: true' (or 'credit: 100')"
        in found
    )
    assert (
        f"{QUIZZES}/check.yml:14: 'answers': give either 'value' (with 'tolerance') or both 'min' and 'max'"
        in found
    )
    assert f"{QUIZZES}/check.yml:15: unknown key 'colour'" in found
    assert f"{QUIZZES}/bank.kk.gift:4: numeric answer 'он сегіз' is not a number" in found
    assert f"{lesson.relative_to(minimal_site).as_posix()}:2: unknown key 'colour'" in found


def test_outcomes_are_checked(minimal_site: Path) -> None:
    text = GOOD_YAML.replace("    type: single\n", "    type: single\n    outcomes: [nosuch]\n")
    write(minimal_site, "check.yml", text)
    assert any(
        m.startswith(f"{QUIZZES}/check.yml:4: unknown outcome 'nosuch'") for m in messages(minimal_site)
    )


def test_gift_tags_that_name_outcomes_tag_the_question(minimal_site: Path) -> None:
    course = (minimal_site / "content/courses/first-aid/course.yml").read_text(encoding="utf-8")
    outcome = course.split("- id: ", 1)[1].split()[0]
    write(minimal_site, "bank.gift", f"// [tag:{outcome}] [tag:misc]\nСұрақ {{T}}\n")
    site, problems = check_content(minimal_site)
    assert site is not None
    (quiz,) = load_site_quizzes(site, Problems(minimal_site))
    assert quiz.questions["kk"][0].outcomes == (outcome,)
    assert [str(w) for w in problems.warnings if "misc" in str(w)] == [
        f"{QUIZZES}/bank.gift:2: warning: tag 'misc' is not an outcome of this course"
    ]


def test_file_names_and_duplicates(minimal_site: Path) -> None:
    write(minimal_site, "check.yml", GOOD_YAML)
    write(minimal_site, "check.gift", "Сұрақ {T}\n")
    write(minimal_site, "Bad Name.yml", GOOD_YAML)
    write(minimal_site, "other.kk.yml", GOOD_YAML)
    found = messages(minimal_site)
    assert f"{QUIZZES}/check.gift:1: quiz 'check' is also check.yml: keep one of them" in found
    assert (
        f"{QUIZZES}/Bad Name.yml:1: not a quiz file: name it <quiz-id>.yml, <quiz-id>.gift or <quiz-id>.<lang>.gift"
        in found
    )
    assert (
        f"{QUIZZES}/other.kk.yml:1: a YAML quiz holds every language itself: name it <quiz-id>.yml" in found
    )


def test_draw_needs_enough_questions(minimal_site: Path) -> None:
    pooled = GOOD_YAML.replace("    type: single\n", "    type: single\n    category: pool\n")
    write(
        minimal_site,
        "exam.yml",
        pooled + "draw:\n  - {category: pool, count: 3}\n  - {category: poll, count: 1}\n",
    )
    found = messages(minimal_site)
    assert f"{QUIZZES}/exam.yml:17: draw of 3 from category 'pool', which has 1 question(s)" in found
    assert (
        f"{QUIZZES}/exam.yml:18: draw: no category 'poll' among the questions (did you mean 'pool'?); "
        "categories: 'pool'"
    ) in found


def test_lesson_must_name_an_existing_quiz(minimal_site: Path) -> None:
    write(minimal_site, "check.yml", GOOD_YAML)
    lesson = next((minimal_site / "content/courses/first-aid").glob("*/*.kk.md"))
    text = lesson.read_text(encoding="utf-8")
    lesson.write_text(text.replace("---\n", "---\nquizzes: [chek]\n", 1), encoding="utf-8")
    rel = lesson.relative_to(minimal_site).as_posix()
    assert f"{rel}:2: no quiz 'chek' in quizzes/ (did you mean 'check'?)" in messages(minimal_site)


def test_yaml_that_tries_to_run_code_is_refused_as_data(minimal_site: Path, tmp_path: Path) -> None:
    """T17: a YAML tag that would build a Python object is a syntax error; template text stays text."""
    marker = tmp_path / "pwned"
    write(
        minimal_site,
        "evil.yml",
        f"title: !!python/object/apply:os.system ['touch {marker}']\nquestions: []\n",
    )
    write(
        minimal_site,
        "template.yml",
        GOOD_YAML.replace(
            "Тамыр соғысын қайдан тексереді?", "\"{{ config.SECRET_KEY }} ${7*7} __import__('os')\""
        ),
    )
    found = messages(minimal_site)
    assert not marker.exists()
    assert any(m.startswith(f"{QUIZZES}/evil.yml:1: invalid YAML") for m in found)
    site, _ = check_content(minimal_site)
    assert site is not None
    quiz = next(q for q in load_site_quizzes(site, Problems(minimal_site)) if q.id == "template")
    assert quiz.questions["kk"][0].text.startswith("{{ config.SECRET_KEY }} ${7*7} __import__('os')")


def test_every_quiz_key_is_documented() -> None:
    text = DOCS.read_text(encoding="utf-8")
    models = [
        value
        for value in vars(schema).values()
        if isinstance(value, type) and issubclass(value, BaseModel) and value.__module__ == schema.__name__
    ]
    missing = [f"{m.__name__}.{name}" for m in models for name in m.model_fields if f"`{name}`" not in text]
    assert missing == []
    assert len(models) > 15


def test_every_question_type_is_documented() -> None:
    from builder.quizzes.types import QUESTION_TYPES

    text = DOCS.read_text(encoding="utf-8")
    assert [name for name in QUESTION_TYPES if f"**`{name}`**" not in text] == []


def test_build_writes_public_part_to_site_and_keys_to_service(minimal_site: Path) -> None:
    from builder.pipeline import build_site

    write(minimal_site, "check.yml", GOOD_YAML)
    lesson = next((minimal_site / "content/courses/first-aid").glob("*/*.kk.md"))
    lesson.write_text(
        lesson.read_text(encoding="utf-8").replace("---\n", "---\nquizzes: [check]\n", 1), encoding="utf-8"
    )
    out = minimal_site / "build"
    build_site(minimal_site, out)
    public = json.loads((out / "site/kk/courses/first-aid/_quizzes/check.json").read_text(encoding="utf-8"))
    assert [q["type"] for q in public["questions"]] == ["single", "short"]
    assert "ЖӨР" not in json.dumps(public, ensure_ascii=False)
    private = json.loads((out / "service/quizzes/first-aid/check.json").read_text(encoding="utf-8"))
    assert private["questions"]["kk"][1]["options"][0]["text"] == "ЖӨР"
    assert len(private["version"]) == 16
    page = next((out / "site/kk/courses/first-aid").rglob("index.html"), None)
    pages = [p.read_text(encoding="utf-8") for p in (out / "site/kk/courses/first-aid").rglob("index.html")]
    assert page is not None
    assert sum('data-quiz="first-aid/check"' in p for p in pages) == 1
