"""What a one-lesson rebuild no longer does again: list the theme's files (kept in the build
cache for the next process), link every file of the site into an empty tree and delete the old
one (the replaced tree is brought up to date); the outputs stay a full build's, byte for byte."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import mkdocs.structure.files
import pytest
from mkdocs.config import load_config

import builder.mkdocs_setup as mkdocs_setup
from builder.bundle import MANIFEST_KEY, manifest_text
from builder.load import load_site
from builder.mkdocs_runner import _write_sources
from builder.pipeline import SPARE_SITE, build_site
from builder.projects import plan_projects


def _listed_by(add_files: object, config: object) -> list[tuple[str, str | None]]:
    probe = mkdocs.structure.files.Files([])
    add_files(probe, config.theme.get_env(), config)  # type: ignore[operator, attr-defined]
    return [(file.src_uri, file.src_dir) for file in probe]


def test_the_stored_theme_file_list_is_mkdocs_own_and_a_new_process_reads_it(
    minimal_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = minimal_site / "build"
    monkeypatch.setattr(mkdocs_setup, "_LISTED", {})  # as a new process: another test's list not in memory
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


LESSON = "content/courses/first-aid/01-basics/01-assessment.kk.md"


def _tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != "sitemap.xml.gz"  # gzip stamps its own time
    }


def _folders(root: Path) -> list[str]:
    return [p.relative_to(root).as_posix() for p in sorted(root.rglob("*")) if p.is_dir()]


def test_a_rebuild_brings_the_replaced_tree_up_to_date_instead_of_linking_every_file(
    minimal_site: Path, tmp_path: Path
) -> None:
    out = minimal_site / "build"
    first = build_site(minimal_site, out)
    assert first.relinked > 50 and not (out / SPARE_SITE).exists()
    assert build_site(minimal_site, out).relinked == first.relinked  # no spare tree yet: all anew
    spare = out / SPARE_SITE
    assert spare.is_dir()
    (spare / "kk" / "stray.html").write_text("left from an old build", encoding="utf-8")
    (spare / "kk" / "gone" / "deeper").mkdir(parents=True)
    (spare / "index.html").unlink()

    lesson = minimal_site / LESSON
    for round_ in range(2):  # the spare is then the tree of the build before the last
        lesson.write_text(
            lesson.read_text(encoding="utf-8") + f"\n## Бөлім {round_}\n\nТыныс алуды *бақылаңыз*.\n",
            encoding="utf-8",
        )
        report = build_site(minimal_site, out)
        assert report.rebuilt == 1
        assert 0 < report.relinked < first.relinked / 5, report.relinked

        full = tmp_path / f"full-{round_}"
        shutil.copytree(minimal_site, full, ignore=shutil.ignore_patterns("build"))
        build_site(full, full / "build")
        assert _tree(out / "site") == _tree(full / "build" / "site")
        assert _folders(out / "site") == _folders(full / "build" / "site")
    assert [p.name for p in out.iterdir() if p.name.startswith((".site-new", ".site-old"))] == []


def test_a_spare_tree_never_writes_through_its_links_into_the_cache(minimal_site: Path) -> None:
    """The root pages are written after the links: a spare whose index.html is a link to a cached
    project file must lose the link, not overwrite the cached file."""
    out = minimal_site / "build"
    build_site(minimal_site, out)
    build_site(minimal_site, out)
    spare = out / SPARE_SITE
    cached = next((out / ".cache" / "projects").glob("*/index.html"))
    before = cached.read_bytes()
    (spare / "index.html").unlink()
    os.link(cached, spare / "index.html")
    build_site(minimal_site, out)
    assert cached.read_bytes() == before
    assert (out / "site" / "index.html").read_bytes() != before


def test_the_service_manifest_text_is_reused_only_when_all_but_its_time_is_unchanged(tmp_path: Path) -> None:
    manifest = {
        "version": 1,
        "built_at": "",
        "courses": [{"id": "a", "title": {"kk": "Қазақша", "ru": "Ру"}}],
    }
    text, key = manifest_text(manifest, "2026-12-07T08:00:00+00:00", None)
    assert text == json.dumps(
        {**manifest, "built_at": "2026-12-07T08:00:00+00:00"}, ensure_ascii=False, indent=1
    )
    (tmp_path / "manifest.json").write_text(text + "\n", encoding="utf-8")  # the newline marks reuse
    (tmp_path / MANIFEST_KEY).write_text(key, encoding="utf-8")

    again, same_key = manifest_text(manifest, "2026-12-07T09:30:00+00:00", tmp_path)
    fresh = json.dumps({**manifest, "built_at": "2026-12-07T09:30:00+00:00"}, ensure_ascii=False, indent=1)
    assert again == fresh + "\n" and same_key == key  # the previous text, its time replaced

    changed = {**manifest, "courses": [{"id": "a", "title": {"kk": "Қазақша", "ru": "Русский"}}]}
    text2, key2 = manifest_text(changed, "2026-12-07T09:30:00+00:00", tmp_path)
    assert key2 != key
    assert text2 == json.dumps(
        {**changed, "built_at": "2026-12-07T09:30:00+00:00"}, ensure_ascii=False, indent=1
    )


def test_a_rebuilt_service_manifest_is_the_indented_dump(minimal_site: Path) -> None:
    out = minimal_site / "build"
    build_site(minimal_site, out)
    first = json.loads((out / "service" / "manifest.json").read_text(encoding="utf-8"))
    build_site(minimal_site, out)
    text = (out / "service" / "manifest.json").read_text(encoding="utf-8")
    data = json.loads(text)
    assert text == json.dumps(data, ensure_ascii=False, indent=1)
    assert {**data, "built_at": ""} == {**first, "built_at": ""} and data["built_at"]
