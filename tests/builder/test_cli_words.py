"""The `oqu` command speaks the site's first language (site_config.yml `languages`), else kk:
its summaries, errors and help come from the builder's catalogues in kk, ru and en."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from builder.cli import main
from builder.command_words import command_language, seconds

REPO = Path(__file__).resolve().parents[2]

CHECKED = {
    "kk": "қате жоқ: курстар — 1, сабақтар — 2\n",
    "ru": "ошибок нет: курсов — 1, занятий — 2\n",
    "en": "ok: 1 course(s), 2 lesson(s)\n",
}
FAILED = {"kk": "қателер: 1\n", "ru": "ошибок: 1\n", "en": "1 error(s)\n"}
# click's own words too: the usage line, the headings, its --help line and the default's label
LESSON_HELP = {
    "kk": ("Қолданылуы: oqu new lesson", "Параметрлер:", "Ұзақтығы (минут). [әдепкі: 45; x>=1]"),
    "ru": (
        "Использование: oqu new lesson",
        "Параметры:",
        "Продолжительность (минут). [по умолчанию: 45; x>=1]",
    ),
    "en": ("Usage: oqu new lesson", "Options:", "Minutes. [default: 45; x>=1]"),
}
HELP_OPTION = {
    "kk": "Осы анықтаманы көрсетіп, шығу.",
    "ru": "Показать эту справку и выйти.",
    "en": "Show this message and exit.",
}
HELP = {
    "kk": ("Командалар:", "Тексереді, содан кейін сайтты"),
    "ru": ("Команды:", "Проверить, затем собрать сайт"),
    "en": ("Commands:", "Check, then build the site into"),
}


def site_in(minimal_site: Path, first: str) -> Path:
    """The fixture site with `first` as its first (default) language."""
    config = minimal_site / "site_config.yml"
    others = ", ".join(lang for lang in ("kk", "ru", "en") if lang != first)
    text = config.read_text(encoding="utf-8").replace(
        "languages: [kk, ru, en]", f"languages: [{first}, {others}]"
    )
    config.write_text(text, encoding="utf-8")
    return minimal_site


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_check_reports_in_the_sites_language(
    lang: str, minimal_site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(site_in(minimal_site, lang))
    assert command_language() == lang
    runner = CliRunner()
    result = runner.invoke(main, ["check"])
    assert (result.exit_code, result.stdout) == (0, CHECKED[lang])
    strict = runner.invoke(main, ["check", "--strict"])  # the fixture's one warning becomes an error
    assert strict.exit_code == 1 and strict.stderr.endswith(FAILED[lang])


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_help_is_in_the_sites_language(lang: str, minimal_site: Path) -> None:
    """Help texts are made when the command's module loads: a new process per language."""
    site = site_in(minimal_site, lang)
    heading, build_help = HELP[lang]
    lines = help_of(["--help"], site).splitlines()
    assert heading in lines
    (build_line,) = [line for line in lines if line.startswith("  build ")]
    assert build_line.split(maxsplit=1)[1].startswith(build_help)
    lesson = help_of(["new", "lesson", "--help"], site)
    usage, options, duration = LESSON_HELP[lang]
    assert lesson.startswith(usage) and f"\n{options}\n" in lesson
    assert duration in " ".join(lesson.split()) and HELP_OPTION[lang] in lesson


def help_of(args: list[str], site: Path) -> str:
    result = subprocess.run(
        [sys.executable, "-c", "from builder.cli import main; main(prog_name='oqu')", *args],
        cwd=site,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO), "COLUMNS": "100"},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def test_without_a_site_the_words_are_kazakh(tmp_path: Path) -> None:
    assert command_language(tmp_path) == "kk"
    (tmp_path / "site_config.yml").write_text("languages: [de]\n", encoding="utf-8")
    assert command_language(tmp_path) == "kk"  # not a site language: the default
    (tmp_path / "site_config.yml").write_text("languages: [ru]\n: broken", encoding="utf-8")
    assert command_language(tmp_path) == "kk"


def test_seconds_are_written_as_the_language_writes_them(
    minimal_site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(site_in(minimal_site, "ru"))
    assert seconds(2.46) == "2,5" and seconds(0.123, 2) == "0,12"
    (minimal_site / "site_config.yml").write_text("languages: [en]\n", encoding="utf-8")
    assert seconds(2.46) == "2.5"
