"""What a one-lesson rebuild no longer does again: list the theme's files (kept in the build
cache for the next process), and the outputs stay what MkDocs itself makes."""

from __future__ import annotations

from pathlib import Path

import mkdocs.structure.files
import pytest
from mkdocs.config import load_config

import builder.mkdocs_setup as mkdocs_setup
from builder.load import load_site
from builder.mkdocs_runner import _write_sources
from builder.pipeline import build_site
from builder.projects import plan_projects


def _listed_by(add_files: object, config: object) -> list[tuple[str, str | None]]:
    probe = mkdocs.structure.files.Files([])
    add_files(probe, config.theme.get_env(), config)  # type: ignore[operator, attr-defined]
    return [(file.src_uri, file.src_dir) for file in probe]


def test_the_stored_theme_file_list_is_mkdocs_own_and_a_new_process_reads_it(
    minimal_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = minimal_site / "build"
    build_site(minimal_site, out)
    stored = sorted((out / ".cache" / "projects" / ".templates").glob("theme-files-*.json"))
    assert len(stored) == 1

    site, problems = load_site(minimal_site)
    assert site is not None, problems.errors
    src = _write_sources(plan_projects(site)[0], tmp_path / "scratch")
    config = load_config(config_file=str(src / "mkdocs.yml"), site_dir=str(tmp_path / "site"))
    patched = mkdocs.structure.files.Files.add_files_from_theme
    original = patched.oqu_original  # type: ignore[attr-defined]
    own = _listed_by(original, config)
    assert len(own) > 20  # Material's scripts, stylesheets, images: not an empty list

    # a new process: nothing in memory, the list read from the cache; MkDocs' walk never runs
    walks: list[int] = []

    def counted(*args: object) -> None:
        walks.append(1)
        original(*args)

    monkeypatch.setattr(mkdocs_setup, "_LISTED", {})
    monkeypatch.setattr(mkdocs_setup, "_walk_theme", counted)
    assert _listed_by(patched, config) == own and walks == []

    stored[0].write_text("not json", encoding="utf-8")  # unreadable: walked again, then stored anew
    monkeypatch.setattr(mkdocs_setup, "_LISTED", {})
    assert _listed_by(patched, config) == own and walks == [1]
    assert stored[0].read_text(encoding="utf-8").startswith("[[")
