"""The `oqu` command loads what the command needs: `oqu --help`, `oqu check` and `oqu build` of
a small site load neither the service (Flask, SQLAlchemy, Alembic, Authlib) nor WeasyPrint
(nor whoosh: the search index is made in a process of its own);
`oqu build` loads the libraries of quizzes, schedules, formulas and PDFs only for a site that
has them; the group's help lists every command as the command itself describes it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest

from quiz_service.cli import declared_commands, main

REPO = Path(__file__).resolve().parents[2]
SERVICE = {"flask", "sqlalchemy", "alembic", "authlib", "requests", "gunicorn"}
PAPER = {"weasyprint"}

# `oqu ARGS` in a new process; the top-level modules it loaded, as JSON on the last line of stderr.
PROBE = """
import json, sys
from quiz_service.cli import main
try:
    main(sys.argv[1:], prog_name="oqu")
except SystemExit as end:
    code = end.code
else:
    code = 0
top = sorted({m.split(".")[0] for m in sys.modules})
print(json.dumps({"code": code, "modules": top, "all": sorted(sys.modules)}), file=sys.stderr)
"""


def loaded_by(args: list[str], cwd: Path, every: bool = False) -> set[str]:
    """The top-level packages `oqu ARGS` imports, run in `cwd` (`every`: all its modules)."""
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        cwd=cwd,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO), "HOME": str(cwd)},
        capture_output=True,
        text=True,
        check=False,
    )
    outcome = json.loads(result.stderr.strip().splitlines()[-1])
    assert outcome["code"] == 0, result.stderr
    return set(outcome["all" if every else "modules"])


def test_help_loads_no_service_no_paper_and_no_build(tmp_path: Path) -> None:
    loaded = loaded_by(["--help"], tmp_path)
    assert loaded & (SERVICE | PAPER | {"mkdocs", "rich", "pydantic"}) == set()
    assert "click" in loaded  # the probe sees what the command loads


def test_check_and_build_load_no_service_and_no_paper(minimal_site: Path) -> None:
    checked = loaded_by(["check"], minimal_site)
    assert checked & (SERVICE | PAPER | {"whoosh"}) == set()
    assert "pydantic" in checked  # the content model: check loaded what checking needs
    built = loaded_by(["build", "--quiet"], minimal_site)
    assert built & (SERVICE | PAPER) == set()
    assert "mkdocs" in built and (minimal_site / "build" / "site" / "kk" / "index.html").is_file()
    # the search index is made in the forked indexer, which keeps its report: the build's own
    # process never loads whoosh (~0.12 s of a one-lesson rebuild's imports)
    assert "whoosh" not in built
    state = json.loads((minimal_site / "build" / "search" / "state.json").read_text(encoding="utf-8"))
    assert set(state["courses"]) == {"first-aid"}  # ... and the index was made all the same


# Loaded by `oqu build` only for a site that has quizzes, schedules, formulas or PDFs.
ONLY_WHEN_USED = {
    "builder.quizzes.load",
    "builder.quizzes.types",
    "builder.quizzes.schema",
    "builder.workdays",
    "holidays",
    "icalendar",
    "latex2mathml",
    "builder.paper.document",
    "segno",
}


def test_a_build_loads_the_libraries_of_what_the_site_has(minimal_site: Path) -> None:
    # the fixture site has a schedule (its calendar feeds: icalendar) and a formula (latex2mathml)
    assert {"icalendar", "latex2mathml"} <= loaded_by(["build", "--quiet"], minimal_site, every=True)
    (minimal_site / "content/courses/first-aid/schedule.yml").unlink()
    lesson = minimal_site / "content/courses/first-aid/01-basics/01-assessment.kk.md"
    formula_gone = lesson.read_text(encoding="utf-8").replace("$f = \\frac{n}{t}$", "f")
    lesson.write_text(formula_gone, encoding="utf-8")
    assert loaded_by(["build", "--quiet"], minimal_site, every=True) & ONLY_WHEN_USED == set()


def test_the_help_lists_each_command_as_the_command_describes_itself() -> None:
    context = click.Context(main)
    declared = {name: main.declared[name][1]() for name in main.declared}
    for name in main.list_commands(context):
        command = main.get_command(context, name)
        assert command is not None, name
        if name in declared:
            listed = click.Command(name, help=declared[name]).get_short_help_str()
            assert listed == command.get_short_help_str(), name
    assert {"check", "build", "serve", "db", "users", "enrol", "worker", "jobs"} <= set(
        main.list_commands(context)
    )


def test_a_register_that_does_more_is_imported_not_read() -> None:
    plain = '''
import click
def register(group):
    group.add_command(reports)
    group.add_command(export_command)
@click.group()
def reports():
    """Reports."""
@click.command()
def export_command():
    """Export. More."""
'''
    assert declared_commands(plain) == {"reports": "Reports.", "export": "Export. More."}
    assert declared_commands(plain.replace("    group.add_command(reports)", "    setup(group)")) is None
    assert declared_commands(plain.replace("@click.group()", '@click.group(help="x")')) is None
    assert declared_commands(plain.replace("def register", "def enroll")) is None


@pytest.mark.parametrize("name", ["users", "worker"])
def test_a_service_command_loads_when_it_runs(name: str, tmp_path: Path) -> None:
    assert {"flask", "sqlalchemy"} <= loaded_by([name, "--help"], tmp_path)
