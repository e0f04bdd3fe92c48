"""A LiveProject lists its project's files as MkDocs' get_files walks them, without writing every
page and linked file first (only the pages it renders are written): the same File objects in the
same order, guarded by the digest of the MkDocs source it follows."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from mkdocs.config import load_config
from mkdocs.structure.files import get_files
from test_incremental import LESSON, PROJECT, tree

import builder.incremental as incremental
from builder.pipeline import build_site
from builder.projects import ProjectSource

PAGES = [
    "index.md",
    "a.md",
    "B.md",
    "_b.md",
    "README.md",  # beside index.md: get_files drops one, so the walk decides
    "z/index.md",
    "z/a.md",
    "z/README.md.txt",
    "z/y/deep.md",
    "z/Y/upper.md",
    "z/y-1/x.md",
    "қазақша/сабақ.md",
    "қазақша/index.md",
    "m/index.md",
    "m/n/o/p.md",
    ".hidden/x.md",
    "dots.in.name.md",
]
FILES = ["img/a.png", "z/y/pic.svg", "m/a.md.pdf", "index.pdf", "z/page.html"]


def project_of(tmp_path: Path, pages: list[str], files: list[str]) -> ProjectSource:
    source = tmp_path / "linked.bin"
    source.write_bytes(b"\x89PNG")
    project = ProjectSource("kk/courses/x", {"site_name": "x", "theme": {"name": "mkdocs"}})
    project.pages = {name: f"# {name}\n" for name in pages}
    project.files = dict.fromkeys(files, source)
    return project


def listed(files: Any) -> list[tuple[str, ...]]:
    return [
        (f.src_uri, f.src_path, f.dest_uri, f.url, f.abs_src_path, f.abs_dest_path, str(f.inclusion))
        for f in files
    ]


@pytest.mark.parametrize(
    "pages, files",
    [
        ([name for name in PAGES if name != "README.md"], FILES),
        ([], []),
        (["index.md"], []),
        (["a/b/c/d.md", "a/b.md", "a.md"], ["a/b/c/d.png"]),
    ],
)
def test_the_listed_files_are_the_walked_ones(tmp_path: Path, pages: list[str], files: list[str]) -> None:
    project = project_of(tmp_path, pages, files)
    walked = incremental.files_as_walked(project)
    assert walked is not None
    src = tmp_path / "src"
    incremental.write_project(project, src)  # everything, as before
    config = load_config(config_file=str(src / "mkdocs.yml"), site_dir=str(tmp_path / "site"))
    assert listed(incremental._files(walked, config)) == listed(get_files(config))
    incremental.write_project(project, src, pages=False)
    assert sorted(p.name for p in src.rglob("*")) == ["docs", "mkdocs.yml"]


@pytest.mark.parametrize("pages, files", [(PAGES, FILES), (["z/index.md"], ["z/index.html"])])
def test_two_files_with_one_destination_are_walked(
    tmp_path: Path, pages: list[str], files: list[str]
) -> None:
    project = project_of(tmp_path, pages, files)  # index.md and README.md, index.md and index.html
    walked = incremental.files_as_walked(project)
    assert walked is not None
    src = tmp_path / "src"
    incremental.write_project(project, src, pages=False)
    config = load_config(config_file=str(src / "mkdocs.yml"), site_dir=str(tmp_path / "site"))
    assert incremental._files(walked, config) is None


@pytest.mark.parametrize("name", ["a/../b.md", "./a.md", "a//b.md", "/a.md", "a\\b.md"])
def test_a_name_that_is_not_a_plain_path_is_walked(tmp_path: Path, name: str) -> None:
    assert incremental.files_as_walked(project_of(tmp_path, ["index.md", name], [])) is None


def test_the_mkdocs_source_it_follows() -> None:
    """Fails after a MkDocs upgrade: check get_files (mkdocs/structure/files.py) against
    files_as_walked and _files, then pin the new digest in FILES_WRITTEN_FOR."""
    assert incremental.files_source_digest() == incremental.FILES_WRITTEN_FOR


def page_level_rebuild(root: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[dict[str, bytes], list[str]]:
    """The project after a one-lesson rebuild, and the pages its LiveProject wrote."""
    written: list[str] = []
    write_text = Path.write_text

    def counted(self: Path, *args: Any, **kwargs: Any) -> Any:
        if "pages-" in str(self) and self.suffix == ".md":
            written.append(self.name)
        return write_text(self, *args, **kwargs)

    out = root / "build"
    build_site(root, out)
    lesson = root / LESSON
    lesson.write_text(
        lesson.read_text(encoding="utf-8") + "\n## Жаңа бөлім\n\nЖаңа абзац.\n", encoding="utf-8"
    )
    with monkeypatch.context() as patched:
        patched.setattr(Path, "write_text", counted)
        assert build_site(root, out).rebuilt == 1
    assert os.listdir(out / ".cache/projects/.src") == []
    return tree(out / PROJECT), written


def test_the_page_level_rebuild_writes_one_page_and_builds_the_same(
    minimal_site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    walked, conflicting = minimal_site.parent / "walked", minimal_site.parent / "conflicting"
    shutil.copytree(minimal_site, walked)
    shutil.copytree(minimal_site, conflicting)
    listed_site, written = page_level_rebuild(minimal_site, monkeypatch)
    assert written == ["assessment.md"]
    with monkeypatch.context() as patched:  # two files to one place: written and walked after all
        patched.setattr(incremental, "_files", lambda walked, config: None)
        conflicting_site, all_written = page_level_rebuild(conflicting, monkeypatch)
    assert len(all_written) > 1 and conflicting_site == listed_site
    monkeypatch.setattr(incremental, "FILES_WRITTEN_FOR", "another MkDocs")
    walked_site, all_written = page_level_rebuild(walked, monkeypatch)
    assert len(all_written) > 1 and walked_site == listed_site

    full = minimal_site.parent / "full"
    shutil.copytree(minimal_site, full, ignore=shutil.ignore_patterns("build"))
    build_site(full, full / "build")
    assert tree(full / "build" / PROJECT) == listed_site
