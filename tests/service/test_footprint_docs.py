"""The 30-line procedure of docs/footprint.md verifies an export without oqu, and refuses a changed one."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from test_footprint_record import app_config, log, oqu, students  # noqa: F401  # fixtures

from auth.models import User

DOCS = Path(__file__).parents[2] / "docs" / "footprint.md"
BLOCK = re.compile(
    r"<!-- verify-footprint: begin -->\n```python\n(.*?)```\n<!-- verify-footprint: end -->", re.S
)


@pytest.fixture(params=["sqlite"])
def database_kind(request: pytest.FixtureRequest) -> str:
    kind: str = request.param
    return kind


def test_the_documented_procedure_verifies_an_export_and_refuses_a_changed_one(
    log: Path,  # noqa: F811  # the fixture imported above
    oqu: Callable[..., Result],  # noqa: F811
    students: list[tuple[User, dict[str, str]]],  # noqa: F811
    site_folder: Path,
) -> None:
    match = BLOCK.search(DOCS.read_text(encoding="utf-8"))
    assert match, "no verify-footprint block in docs/footprint.md"
    code = match[1]
    assert len([line for line in code.splitlines() if line.strip()]) <= 30  # "a 30-line procedure"
    script = site_folder / "verify_footprint.py"
    script.write_text(code, encoding="utf-8")
    out = site_folder / "footprint.json"
    assert oqu("export", "--student", students[1][0].email, "--out", str(out)).exit_code == 0

    def run(path: Path) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-I", str(script), str(path), str(log / "public-key.txt")]
        return subprocess.run(command, capture_output=True, text=True, timeout=60, cwd=site_folder)

    verified = run(out)
    assert verified.returncode == 0, verified.stderr
    assert verified.stdout.startswith(
        "4 statements are in the log of oqu.academy.example.kz/footprint, time "
    )
    changed = out.with_name("changed.json")
    changed.write_bytes(out.read_bytes().replace(b"PT4M12S", b"PT4M13S", 1))
    refused = run(changed)
    assert refused.returncode == 1 and refused.stderr.startswith("NOT VERIFIED: record 1")
