"""`oqu build` as its own process ends without the interpreter's teardown (builder.command_words.
end_at_once): the same exit code and output as before, the exit handlers run, the heap is not
freed; and the words it loads at its start (builder.i18n's catalogues, read without Babel's
reader; the month names) are Babel's. What a build imports: test_cli_startup.py."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from babel.dates import get_month_names

from builder.i18n import LANGUAGES, script_formats

REPO = Path(__file__).resolve().parents[2]

# `oqu ARGS` as the `oqu` script runs it (main() reads sys.argv), with an exit handler and an
# object whose finaliser speaks only if the interpreter tears its heap down.
SCRIPT = """
import atexit, sys
atexit.register(print, "exit handler ran", flush=True)
class Freed:
    def __del__(self):
        print("heap freed", flush=True)
kept = Freed()
from quiz_service.cli import main
main()
"""


def oqu(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", SCRIPT, *args],
        cwd=cwd,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO), "HOME": str(cwd), "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        check=False,
    )


def test_a_build_ends_at_once_with_its_output_and_code(minimal_site: Path) -> None:
    built = oqu(["build"], minimal_site)
    assert built.returncode == 0, built.stderr
    assert "build/site" in built.stdout  # the summary (cli.build.done) names the site it wrote
    assert built.stdout.rstrip().endswith("exit handler ran")  # the exit handlers ran, last
    assert "heap freed" not in built.stdout  # ... and the heap was left to the system
    assert (minimal_site / "build" / "site" / "kk" / "index.html").is_file()
    quiet = oqu(["build", "--quiet"], minimal_site)
    assert (quiet.returncode, quiet.stdout, quiet.stderr) == (0, "exit handler ran\n", "")


def test_a_failed_build_ends_at_once_with_code_1_and_its_errors(minimal_site: Path) -> None:
    lesson = minimal_site / "content/courses/first-aid/02-practice/01-bandage.kk.md"
    lesson.write_text(lesson.read_text(encoding="utf-8").replace("duration: 90", "duration: ninety"), "utf-8")
    failed = oqu(["build", "--quiet"], minimal_site)
    assert failed.returncode == 1
    assert "01-bandage.kk.md" in failed.stderr and "duration" in failed.stderr
    assert failed.stdout == "exit handler ran\n"


def test_other_commands_and_builds_run_from_python_end_as_before(minimal_site: Path) -> None:
    checked = oqu(["check"], minimal_site)
    assert checked.returncode == 0, checked.stderr
    assert "heap freed" in checked.stdout  # `oqu check` keeps the interpreter's own exit
    from_python = subprocess.run(
        [sys.executable, "-c", SCRIPT.replace("main()", "main(['build', '--quiet'])")],
        cwd=minimal_site,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO), "HOME": str(minimal_site)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert from_python.returncode == 0, from_python.stderr
    assert "heap freed" in from_python.stdout  # main(args) from Python: not the process's command


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_scripts_month_names_are_babels(lang: str) -> None:
    assert script_formats(lang)["months"] == [
        get_month_names("wide", "format", lang)[n] for n in range(1, 13)
    ]
