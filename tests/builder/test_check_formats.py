"""`oqu check --format github|gitlab|json`: the documented formats of GitHub and GitLab, exactly."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from builder.check_formats import format_github, format_gitlab
from builder.cli import main
from builder.problems import Problem

COURSE = "content/courses/first-aid"
LESSON = f"{COURSE}/01-basics/01-assessment.kk.md"

# GitLab's "Code Quality report format" (docs.gitlab.com/ci/testing/code_quality/): a JSON array of
# objects, each with these fields; severity one of info, minor, major, critical, blocker.
GITLAB_CODE_QUALITY = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["description", "check_name", "fingerprint", "severity", "location"],
        "properties": {
            "description": {"type": "string", "minLength": 1},
            "check_name": {"type": "string", "minLength": 1},
            "fingerprint": {"type": "string", "minLength": 1},
            "severity": {"enum": ["info", "minor", "major", "critical", "blocker"]},
            "location": {
                "type": "object",
                "required": ["path", "lines"],
                "properties": {
                    "path": {"type": "string", "pattern": r"^[^/.]"},  # relative to the repository
                    "lines": {
                        "type": "object",
                        "required": ["begin"],
                        "properties": {"begin": {"type": "integer", "minimum": 1}},
                    },
                },
            },
        },
    },
}

# GitHub's workflow command: ::error|warning|notice file={name},line={line},title={title}::{message}
GITHUB_COMMAND = re.compile(r"^::(?P<kind>error|warning|notice) (?P<props>[^:]*)::(?P<message>[^\r\n]*)$")


@pytest.fixture
def broken_site(minimal_site: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    lesson = minimal_site / LESSON
    text = lesson.read_text(encoding="utf-8").replace("duration: 45", "duraton: 45")
    lesson.write_text(text, encoding="utf-8")
    monkeypatch.chdir(minimal_site)
    return minimal_site


def test_gitlab_report_is_valid_and_names_each_line(broken_site: Path) -> None:
    result = CliRunner().invoke(main, ["check", "--format", "gitlab"])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    jsonschema.validate(report, GITLAB_CODE_QUALITY)
    assert [(i["location"]["path"], i["location"]["lines"]["begin"], i["severity"]) for i in report] == [
        (LESSON, 2, "major"),
        (LESSON, 4, "major"),
        (f"{COURSE}/01-basics/01-assessment.ru.md", 1, "minor"),
        (f"{COURSE}/02-practice/01-bandage.kk.md", 1, "minor"),
    ]
    assert report[1]["description"] == "unknown key 'duraton' (did you mean 'duration'?)"
    assert len({i["fingerprint"] for i in report}) == len(report)
    assert result.stderr == "қателер: 2\n"


def test_gitlab_fingerprint_survives_a_shifted_line() -> None:
    before = json.loads(format_gitlab([Problem("a.md", 3, "missing image 'x.svg'")]))
    after = json.loads(format_gitlab([Problem("a.md", 9, "missing image 'x.svg'")]))
    twice = json.loads(format_gitlab([Problem("a.md", 3, "missing image 'x.svg'")] * 2))
    assert before[0]["fingerprint"] == after[0]["fingerprint"]
    assert twice[0]["fingerprint"] != twice[1]["fingerprint"]


def test_github_annotations(broken_site: Path) -> None:
    result = CliRunner().invoke(main, ["check", "--format", "github"])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[1] == (
        f"::error file={LESSON},line=4,title=oqu check::unknown key 'duraton' (did you mean 'duration'?)"
    )
    assert lines[3] == (
        f"::warning file={COURSE}/02-practice/01-bandage.kk.md,line=1,title=oqu check::"
        "lesson 'bandage' has no 'ru' version; the 'kk' text is shown with a notice"
    )
    for line in lines:
        match = GITHUB_COMMAND.match(line)
        assert match, line
        props = dict(prop.split("=", 1) for prop in match["props"].split(","))
        assert set(props) == {"file", "line", "title"} and props["line"].isdigit()


def test_github_escapes_properties_and_message() -> None:
    text = format_github([Problem("a,b:c%.md", 2, "50% done\nnext: line")])
    assert text == "::error file=a%2Cb%3Ac%25.md,line=2,title=oqu check::50%25 done%0Anext: line\n"


def test_json_and_strict(broken_site: Path) -> None:
    result = CliRunner().invoke(main, ["check", "--format", "json", "--strict"])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert (report["errors"], report["warnings"]) == (4, 0)
    assert report["problems"][1] == {
        "path": LESSON,
        "line": 4,
        "severity": "error",
        "message": "unknown key 'duraton' (did you mean 'duration'?)",
    }


def test_clean_site_gives_an_empty_report(minimal_site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (minimal_site / COURSE / "02-practice" / "01-bandage.ru.md").write_text(
        (minimal_site / COURSE / "02-practice" / "01-bandage.kk.md").read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    monkeypatch.chdir(minimal_site)
    result = CliRunner().invoke(main, ["check", "--format", "gitlab"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == []
    assert result.stderr == "қате жоқ: курстар — 1, сабақтар — 2\n"
