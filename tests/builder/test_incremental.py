"""`oqu build` re-renders only the changed pages of a project whose shape did not change, and the
result is the same, byte for byte, as building that project whole."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import builder.incremental as incremental
from builder.pipeline import build_site
from builder.problems import ProjectBuildError

LESSON = "content/courses/first-aid/01-basics/01-assessment.kk.md"
PROJECT = "site/kk/courses/first-aid"


def tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != "sitemap.xml.gz"  # gzip stamps its own time
    }


@pytest.fixture
def page_builds(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    calls: list[list[str]] = []
    original = incremental.rebuild_pages

    def counted(project, previous, changed, output, cache_dir):  # type: ignore[no-untyped-def]
        calls.append(changed)
        return original(project, previous, changed, output, cache_dir)

    monkeypatch.setattr(incremental, "rebuild_pages", counted)
    return calls


def test_an_edited_lesson_rerenders_one_page_exactly(
    minimal_site: Path, page_builds: list[list[str]]
) -> None:
    out = minimal_site / "build"
    build_site(minimal_site, out)
    lesson = minimal_site / LESSON
    lesson.write_text(
        lesson.read_text(encoding="utf-8") + "\n## Жаңа бөлім\n\nТыныс алуды *он секунд* бақылаңыз.\n",
        encoding="utf-8",
    )
    report = build_site(minimal_site, out)
    assert report.rebuilt == 1 and page_builds == [["basics/assessment.md"]]
    search = json.loads((out / PROJECT / "search/search_index.json").read_text(encoding="utf-8"))
    assert "Жаңа бөлім" in [entry["title"] for entry in search["docs"]]

    full = minimal_site.parent / "full"
    shutil.copytree(minimal_site, full, ignore=shutil.ignore_patterns("build"))
    build_site(full, full / "build")
    assert tree(out / PROJECT) == tree(full / "build" / PROJECT)


def test_a_new_title_builds_the_project_whole(minimal_site: Path, page_builds: list[list[str]]) -> None:
    out = minimal_site / "build"
    build_site(minimal_site, out)
    lesson = minimal_site / LESSON
    lesson.write_text(lesson.read_text(encoding="utf-8").replace("title: Жағдайды бағалау", "title: Бағалау"))
    assert build_site(minimal_site, out).rebuilt == 1
    assert page_builds == []  # the navigation changed: MkDocs builds the project


def test_a_failed_page_render_is_one_clear_error_and_keeps_the_site(
    minimal_site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import mkdocs.commands.build

    out = minimal_site / "build"
    build_site(minimal_site, out)
    page = out / PROJECT / "basics/assessment/index.html"
    before = page.read_bytes()
    lesson = minimal_site / LESSON
    lesson.write_text(lesson.read_text(encoding="utf-8") + "\nЖаңа абзац.\n", encoding="utf-8")

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("theme template is broken")

    monkeypatch.setattr(mkdocs.commands.build, "_build_page", broken)
    with pytest.raises(
        ProjectBuildError, match="kk/courses/first-aid: RuntimeError: theme template is broken"
    ):
        build_site(minimal_site, out)
    assert page.read_bytes() == before
    assert [p.name for p in (out / ".cache/projects").iterdir() if p.name.endswith(".partial")] == []
    # rendered before the previous output is touched: the next build still renders by page
    latest = json.loads((out / ".cache/projects/.manifests/latest.json").read_text(encoding="utf-8"))
    assert (out / ".cache/projects" / latest["kk/courses/first-aid"] / "search/search_index.json").is_file()


def test_the_previous_output_becomes_the_new_one(minimal_site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Moved, not linked file by file into a copy: the unchanged files stay where they are, the
    changed page and the index are new files (the published site keeps the old ones)."""
    out = minimal_site / "build"
    build_site(minimal_site, out)
    site_page = out / PROJECT / "basics/assessment/index.html"
    published = site_page.read_bytes()
    moves: list[tuple[Path, Path]] = []
    original = incremental.rebuild_pages

    def watched(project, previous, changed, output, cache_dir):  # type: ignore[no-untyped-def]
        folder, unchanged = previous.stat().st_ino, (previous / "index.html").stat().st_ino
        page, index = (
            (previous / "basics/assessment/index.html").stat().st_ino,
            (previous / "search/search_index.json").stat().st_ino,
        )
        assert original(project, previous, changed, output, cache_dir)
        assert not previous.exists()
        assert output.stat().st_ino == folder and (output / "index.html").stat().st_ino == unchanged
        assert (output / "basics/assessment/index.html").stat().st_ino != page
        assert (output / "search/search_index.json").stat().st_ino != index
        moves.append((previous, output))
        return True

    monkeypatch.setattr(incremental, "rebuild_pages", watched)
    lesson = minimal_site / LESSON
    lesson.write_text(lesson.read_text(encoding="utf-8") + "\nЖаңа абзац.\n", encoding="utf-8")
    old_site = site_page.stat().st_ino
    assert build_site(minimal_site, out).rebuilt == 1 and len(moves) == 1
    assert site_page.stat().st_ino != old_site and site_page.read_bytes() != published


def test_a_page_that_cannot_be_spliced_leaves_the_previous_output(
    minimal_site: Path, monkeypatch: pytest.MonkeyPatch, page_builds: list[list[str]]
) -> None:
    out = minimal_site / "build"
    build_site(minimal_site, out)
    latest = json.loads((out / ".cache/projects/.manifests/latest.json").read_text(encoding="utf-8"))
    previous = out / ".cache/projects" / latest["kk/courses/first-aid"]
    before = tree(previous)
    monkeypatch.setattr(incremental, "_search_index_runs", lambda text, pages: None)
    kept: list[dict[str, bytes]] = []
    built = incremental.rebuild_pages

    def checked(project, prev, changed, output, cache_dir):  # type: ignore[no-untyped-def]
        assert prev == previous and not built(project, prev, changed, output, cache_dir)
        kept.append(tree(previous))
        return False

    monkeypatch.setattr(incremental, "rebuild_pages", checked)
    lesson = minimal_site / LESSON
    lesson.write_text(lesson.read_text(encoding="utf-8") + "\nЖаңа абзац.\n", encoding="utf-8")
    assert build_site(minimal_site, out).rebuilt == 1
    assert kept == [before]  # then MkDocs built the project whole
    assert not [p for p in (out / ".cache/projects").iterdir() if p.name.endswith(".partial")]
