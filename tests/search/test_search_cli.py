"""`oqu search QUERY`: the best matches with their URLs, from build/search/."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from quiz_service.cli import main as oqu


@pytest.fixture
def in_site(example_build: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "site_config.yml").write_text("site_url: https://oqu.example.kz/\n", encoding="utf-8")
    (tmp_path / "build").mkdir()
    (tmp_path / "build" / "search").symlink_to(example_build / "search")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_prints_the_best_matches_with_urls(in_site: Path) -> None:
    result = CliRunner().invoke(oqu, ["search", "өрт сөндіргіштердің", "--lang", "kk", "--limit", "3"])
    assert result.exit_code == 0, result.output
    first = result.output.splitlines()[:2]
    assert first[0].startswith("1. Алғашқы өрт сөндіру құралдары — ")
    assert (
        first[1]
        .strip()
        .startswith("https://oqu.example.kz/kk/courses/fire-safety/extinguishing/extinguishers/#")
    )


def test_course_filter_and_nothing_found(in_site: Path) -> None:
    result = CliRunner().invoke(oqu, ["search", "сабақ", "--course", "dl-orientation", "--limit", "20"])
    assert "fire-safety" not in result.output and "dl-orientation" in result.output
    missing = CliRunner().invoke(oqu, ["search", "зымыран", "--lang", "kk"])
    assert missing.exit_code == 1
    assert "«зымыран» бойынша ештеңе табылмады" in missing.output  # the site's first language: kk


def test_without_a_build_it_says_what_to_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(oqu, ["search", "өрт"])
    assert result.exit_code == 1
    assert "build/search бумасында іздеу индексі жоқ (`oqu build` іске қосыңыз)" in result.output
