"""Every message `oqu check` prints, with its exact text, file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from builder.pipeline import check_content

COURSE = "content/courses/first-aid"
LESSON = f"{COURSE}/01-basics/01-assessment.kk.md"


def messages(root: Path) -> list[str]:
    _, problems = check_content(root)
    return [str(p) for p in problems.errors]


def warnings(root: Path) -> list[str]:
    _, problems = check_content(root)
    return [str(p) for p in problems.warnings]


def edit(root: Path, relative: str, old: str, new: str) -> None:
    path = root / relative
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {relative}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_fixture_site_is_clean(minimal_site: Path) -> None:
    assert messages(minimal_site) == []
    assert warnings(minimal_site) == [
        f"{COURSE}/02-practice/01-bandage.kk.md:1: warning: lesson 'bandage' has no 'ru' version; "
        "the 'kk' text is shown with a notice"
    ]


def test_unknown_key_with_hint(minimal_site: Path) -> None:
    edit(minimal_site, f"{COURSE}/course.yml", "access: enrolled", "acces: enrolled")
    assert messages(minimal_site) == [
        f"{COURSE}/course.yml:1: missing required key 'access'",
        f"{COURSE}/course.yml:4: unknown key 'acces' (did you mean 'access'?)",
    ]


def test_unknown_key_without_close_match(minimal_site: Path) -> None:
    edit(minimal_site, "site_config.yml", "languages:", "colour: red\nlanguages:")
    assert messages(minimal_site) == ["site_config.yml:6: unknown key 'colour'"]


def test_nested_unknown_key_names_its_line(minimal_site: Path) -> None:
    edit(minimal_site, f"{COURSE}/course.yml", "    position:", "    positon:")
    assert messages(minimal_site) == [
        f"{COURSE}/course.yml:9: unknown key 'positon' (did you mean 'position'?)"
    ]


def test_bad_enum_value(minimal_site: Path) -> None:
    edit(minimal_site, f"{COURSE}/course.yml", "format: synchronous", "format: online")
    assert messages(minimal_site) == [
        f"{COURSE}/course.yml:5: 'format' must be one of 'synchronous', 'asynchronous' or 'mooc', not 'online'"
    ]


def test_front_matter_errors(minimal_site: Path) -> None:
    edit(minimal_site, LESSON, "duration: 45", "duration: көп")
    edit(minimal_site, LESSON, "type: lecture", "type: lectur")
    assert messages(minimal_site) == [
        f"{LESSON}:3: 'type' must be one of 'lecture', 'practice', 'seminar' or 'self-study', not 'lectur'",
        f"{LESSON}:4: 'duration' must be a whole number, not 'көп'",
    ]


def test_missing_front_matter(minimal_site: Path) -> None:
    path = minimal_site / LESSON
    path.write_text("# Тақырып\n", encoding="utf-8")
    assert messages(minimal_site) == [
        f"{LESSON}:1: lesson has no front matter (a YAML block between '---' lines at the top)"
    ]


def test_yaml_syntax_error_line(minimal_site: Path) -> None:
    edit(
        minimal_site,
        f"{COURSE}/course.yml",
        "hours: {contact: 8, distance: 16}",
        "hours: {contact: 8, distance: 16",
    )
    [message] = messages(minimal_site)
    assert message.startswith(f"{COURSE}/course.yml:7: invalid YAML: ")


def test_duplicate_yaml_key(minimal_site: Path) -> None:
    edit(
        minimal_site,
        f"{COURSE}/course.yml",
        "format: synchronous",
        "format: synchronous\nformat: synchronous",
    )
    assert messages(minimal_site) == [f"{COURSE}/course.yml:6: duplicate key 'format'"]


def test_broken_link_and_missing_image(minimal_site: Path) -> None:
    edit(minimal_site, LESSON, "media/scheme.svg", "media/schema.svg")
    edit(minimal_site, LESSON, "../02-practice/01-bandage.md", "../02-practice/02-splint.md")
    assert messages(minimal_site) == [
        f"{LESSON}:12: missing image 'media/schema.svg'",
        f"{LESSON}:19: broken link '../02-practice/02-splint.md': no such file or lesson",
    ]


def test_link_outside_content_is_broken(minimal_site: Path) -> None:
    edit(minimal_site, LESSON, "../02-practice/01-bandage.md", "../../../../site_config.yml")
    assert messages(minimal_site) == [
        f"{LESSON}:19: broken link '../../../../site_config.yml': no such file or lesson"
    ]


def test_image_without_alt_text(minimal_site: Path) -> None:
    edit(minimal_site, LESSON, "![Бағалау сызбасы]", "![]")
    assert messages(minimal_site) == [f"{LESSON}:12: image 'media/scheme.svg' has no alt text"]


def test_links_in_code_are_not_checked(minimal_site: Path) -> None:
    edit(minimal_site, LESSON, "Алдымен", "```\n[x](nowhere.md)\n```\n\n`![](no.png)` Алдымен")
    assert messages(minimal_site) == []


def test_duplicate_lesson_id(minimal_site: Path) -> None:
    second = minimal_site / COURSE / "02-practice" / "02-assessment.kk.md"
    second.write_text("---\ntitle: Қайталау\ntype: seminar\nduration: 20\n---\nМәтін\n", encoding="utf-8")
    assert messages(minimal_site) == [
        f"{COURSE}/02-practice/02-assessment.kk.md:1: duplicate lesson id 'assessment' (also {LESSON})"
    ]


def test_explicit_id_keeps_a_renamed_lesson(minimal_site: Path) -> None:
    source = minimal_site / COURSE / "02-practice" / "01-bandage.kk.md"
    source.rename(source.with_name("01-bandaging.kk.md"))
    edit(minimal_site, f"{COURSE}/02-practice/01-bandaging.kk.md", "title: Таңу", "id: bandage\ntitle: Таңу")
    edit(minimal_site, LESSON, "01-bandage.md", "01-bandaging.md")
    edit(minimal_site, f"{COURSE}/01-basics/01-assessment.ru.md", "01-bandage.ru.md", "01-bandaging.ru.md")
    site, problems = check_content(minimal_site)
    assert [str(p) for p in problems.errors] == []
    assert site is not None
    assert [lesson.id for _, lesson in site.courses[0].lessons()] == ["assessment", "bandage"]


def test_lesson_in_undeclared_language(minimal_site: Path) -> None:
    english = minimal_site / COURSE / "02-practice" / "01-bandage.en.md"
    english.write_text("---\ntitle: Bandaging\ntype: practice\nduration: 90\n---\nText\n", encoding="utf-8")
    assert messages(minimal_site) == [
        f"{COURSE}/02-practice/01-bandage.en.md:1: lesson language 'en' is not one of the course's "
        "languages (kk, ru)"
    ]


def test_course_language_not_on_site(minimal_site: Path) -> None:
    edit(minimal_site, "site_config.yml", "languages: [kk, ru, en]", "languages: [kk, en]")
    assert messages(minimal_site) == [
        f"{COURSE}/course.yml:3: course language 'ru' is not a site language (kk, en)"
    ]


def test_text_without_the_first_language(minimal_site: Path) -> None:
    edit(minimal_site, f"{COURSE}/02-practice/module.yml", "{kk: Практика, ru: Практика}", "{ru: Практика}")
    assert messages(minimal_site) == [
        f"{COURSE}/02-practice/module.yml:1: 'title' has no text in 'kk', the first language"
    ]


def test_unknown_outcome(minimal_site: Path) -> None:
    edit(minimal_site, LESSON, "outcomes: [on1]", "outcomes: [on2]")
    assert messages(minimal_site) == [
        f"{LESSON}:5: unknown outcome 'on2' (did you mean 'on1'?) (course outcomes: on1)"
    ]


def test_schedule_errors(minimal_site: Path) -> None:
    edit(minimal_site, f"{COURSE}/schedule.yml", "lesson: assessment", "lesson: asessment")
    edit(minimal_site, f"{COURSE}/schedule.yml", "teacher: a.serikkyzy@", "teacher: a.serikkizi@")
    edit(minimal_site, f"{COURSE}/schedule.yml", "Asia/Almaty", "Asia/Astana")
    assert messages(minimal_site) == [
        f"{COURSE}/schedule.yml:1: 'timezone': unknown time zone 'Asia/Astana' (e.g. Asia/Almaty)",
    ]
    edit(minimal_site, f"{COURSE}/schedule.yml", "Asia/Astana", "Asia/Almaty")
    assert messages(minimal_site) == [
        f"{COURSE}/schedule.yml:8: unknown lesson 'asessment' (did you mean 'assessment'?)",
        f"{COURSE}/schedule.yml:9: unknown teacher 'a.serikkizi@academy.example.kz': name a teacher by the"
        " e-mail course.yml gives (did you mean 'a.serikkyzy@academy.example.kz'?)",
    ]


def test_bad_date_and_dl_order(minimal_site: Path) -> None:
    edit(minimal_site, "site_config.yml", '  order: {number: "7-ж", date: 2026-11-20}\n', "")
    edit(minimal_site, "site_config.yml", "- date: 2026-11-21", "- date: 21.11.2026")
    assert messages(minimal_site) == [
        "site_config.yml:7: 'distance_learning': 'order' (number and date of the head's order) is "
        "required when enabled",
        "site_config.yml:10: 'date' must be a date (YYYY-MM-DD), not '21.11.2026'",
    ]


def test_bad_formula(minimal_site: Path) -> None:
    edit(minimal_site, LESSON, r"$f = \frac{n}{t}$", r"$f = \frac{n}{t$")
    [message] = messages(minimal_site)
    assert message == f"{LESSON}:17: cannot read formula 'f = \\frac{{n}}{{t': unbalanced braces"


def test_bad_file_names(minimal_site: Path) -> None:
    (minimal_site / COURSE / "01-basics" / "Сабақ.md").write_text("x", encoding="utf-8")
    (minimal_site / COURSE / "Модуль").mkdir()
    assert messages(minimal_site) == [
        f"{COURSE}/01-basics/Сабақ.md:1: lesson file name must look like NN-slug.kk.md or NN-slug.md",
        f"{COURSE}/Модуль:1: folder 'Модуль' is not a module: name it NN-slug (e.g. 01-basics)",
    ]


def test_missing_files(minimal_site: Path) -> None:
    (minimal_site / COURSE / "02-practice" / "module.yml").unlink()
    (minimal_site / "site_config.yml").unlink()
    assert messages(minimal_site) == [
        f"{COURSE}/02-practice/module.yml:1: file is missing",
        "site_config.yml:1: file is missing",
    ]


def test_all_problems_in_one_run(minimal_site: Path) -> None:
    edit(minimal_site, f"{COURSE}/course.yml", "access: enrolled", "access: secret")
    edit(minimal_site, LESSON, "media/scheme.svg", "media/none.svg")
    edit(minimal_site, "site_config.yml", "languages:", "langs: [kk]\nlanguages:")
    assert len(messages(minimal_site)) == 3


@pytest.mark.parametrize("value", ["'<b>x</b>'", "[1, 2]"])
def test_translatable_rejects_non_text(minimal_site: Path, value: str) -> None:
    edit(minimal_site, f"{COURSE}/01-basics/module.yml", "{kk: Негіздер, ru: Основы}", f"{{kk: {value}}}")
    result = messages(minimal_site)
    if value.startswith("["):
        assert result == [
            f"{COURSE}/01-basics/module.yml:1: 'title': text for 'kk' must be a non-empty string"
        ]
    else:
        assert result == []
