"""`oqu check` and `oqu build` as a teacher runs them: output and exit status."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from builder.cli import main

COURSE = "content/courses/first-aid"


@pytest.fixture
def oqu(minimal_site: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.chdir(minimal_site)
    return CliRunner()


def test_check_passes_with_a_warning(oqu: CliRunner) -> None:
    result = oqu.invoke(main, ["check"])
    assert result.exit_code == 0
    assert result.stdout == "қате жоқ: курстар — 1, сабақтар — 2\n"  # the site's first language: kk
    assert "warning: lesson 'bandage' has no 'ru' version" in result.stderr


def test_check_strict_fails_on_the_warning(oqu: CliRunner) -> None:
    result = oqu.invoke(main, ["check", "--strict"])
    assert result.exit_code == 1
    assert result.stderr.endswith("қателер: 1\n")


def test_check_lists_every_error_and_exits_1(oqu: CliRunner, minimal_site: Path) -> None:
    course = minimal_site / COURSE / "course.yml"
    course.write_text(course.read_text(encoding="utf-8").replace("format: synchronous", "formt: synchronous"))
    result = oqu.invoke(main, ["check"])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[:2] == [
        f"{COURSE}/course.yml:1: missing required key 'format'",
        f"{COURSE}/course.yml:5: unknown key 'formt' (did you mean 'format'?)",
    ]


def test_build_quiet_then_failed_build(oqu: CliRunner, minimal_site: Path) -> None:
    result = oqu.invoke(main, ["build", "--quiet"])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    index = minimal_site / "build" / "site" / "kk" / "index.html"
    before = index.read_bytes()
    config = minimal_site / "site_config.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("languages:", "langs:"), encoding="utf-8")
    result = oqu.invoke(main, ["build", "--quiet"])
    assert result.exit_code == 1
    assert result.stderr == (
        "site_config.yml:6: unknown key 'langs' (did you mean 'languages'?)\n"
        "қателер: 1; build/site өзгеріссіз қалды\n"
    )
    assert index.read_bytes() == before
