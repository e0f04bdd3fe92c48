"""Fixtures shared by every test folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def minimal_site(tmp_path: Path) -> Path:
    """A copy of the small fixture site (one course, kk/ru, a schedule, an image, a formula)."""
    root = tmp_path / "site"
    shutil.copytree(FIXTURES / "minimal-site", root)
    return root
