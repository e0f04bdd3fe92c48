"""The main process's fixed steps of a one-lesson rebuild (issue #17, part 5): what they no longer
redo for what did not change — the imported heap walked by the collector, every kept project's
pages read for a count, each folder's mode and times copied when a tree is linked anew — and
that the site stays a full build's, byte for byte and mode for mode."""

from __future__ import annotations

import gc
import io
import os
import pickle
import shutil
import stat
from pathlib import Path
from typing import Any

import pytest

import builder.pipeline as pipeline
import builder.project_cache as project_cache
from builder.pipeline import SPARE_SITE, build_site

LESSON = "content/courses/first-aid/01-basics/01-assessment.kk.md"


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def _listing(root: Path) -> dict[str, tuple[str, int, bytes]]:
    """Every file and folder under `root`: kind, permission bits, bytes (sitemap.xml.gz: its
    gzip header stamps the time, so only its size)."""
    found = {}
    for path in sorted(root.rglob("*")):
        mode = path.lstat().st_mode
        if path.is_dir():
            found[path.relative_to(root).as_posix()] = ("dir", stat.S_IMODE(mode), b"")
        else:
            data = path.read_bytes()
            if path.name == "sitemap.xml.gz":
                data = str(len(data)).encode()
            found[path.relative_to(root).as_posix()] = ("file", stat.S_IMODE(mode), data)
    return found


def test_a_build_runs_with_the_heap_it_started_with_frozen_and_unfreezes_it_after(
    minimal_site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The collections of a build walk the build's objects, not every imported module again;
    the search indexer's block (which freezes too) does not unfreeze the outer block's heap."""
    frozen: dict[str, int] = {}
    for name in ("check_content", "assemble_site"):
        original = getattr(pipeline, name)

        def watched(*args: Any, _name: str = name, _original: Any = original, **kwargs: Any) -> Any:
            frozen[_name] = gc.get_freeze_count()
            return _original(*args, **kwargs)

        monkeypatch.setattr(pipeline, name, watched)
    before = gc.get_freeze_count()
    build_site(minimal_site, minimal_site / "build", paper=False)
    assert frozen["check_content"] > before  # frozen before the lessons are loaded
    assert frozen["assemble_site"] >= frozen["check_content"]  # still frozen after the indexer's block
    assert gc.get_freeze_count() == before  # and given back to the collector at the end

    def failing(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("stop")

    monkeypatch.setattr(pipeline, "check_content", failing)
    with pytest.raises(RuntimeError):
        build_site(minimal_site, minimal_site / "build", paper=False)
    assert gc.get_freeze_count() == before


def test_the_report_counts_a_kept_project_s_pages_without_reading_them(
    minimal_site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = minimal_site / "build"
    first = build_site(minimal_site, out, paper=False)
    reads: list[int] = []
    original = pickle.loads

    def counted(data: bytes, *args: Any, **kwargs: Any) -> Any:
        reads.append(len(data))
        return original(data, *args, **kwargs)

    monkeypatch.setattr(project_cache.pickle, "loads", counted)
    again = build_site(minimal_site, out, paper=False)  # nothing changed: every project kept
    assert again.rebuilt == 0 and reads == []  # no kept project's pages unpickled
    assert again.pages == first.pages > 0

    _append(minimal_site / LESSON, "\n## Бөлім\n\nТыныс алуды *бақылаңыз*.\n")
    edited = build_site(minimal_site, out, paper=False)
    assert edited.rebuilt == 1 and edited.pages == first.pages
    assert reads == []  # the edited course's projects are made again, the others' pages not read


def test_a_kept_project_without_a_stored_count_counts_its_pages(minimal_site: Path) -> None:
    """An entry written before the count was stored (or by other code) still answers."""
    out = minimal_site / "build"
    first = build_site(minimal_site, out, paper=False)
    for entry in (out / ".cache" / project_cache.GENERATED).glob("*.pickle"):
        data = entry.read_bytes()
        stream = pickle.Unpickler(io.BytesIO(data))
        fields = stream.load()
        rest = data[len(pickle.dumps(fields, protocol=pickle.HIGHEST_PROTOCOL)) :]
        assert fields.pop("_page_count") > 0
        entry.write_bytes(pickle.dumps(fields, protocol=pickle.HIGHEST_PROTOCOL) + rest)
    assert build_site(minimal_site, out, paper=False).pages == first.pages


def test_a_tree_linked_anew_is_copytree_s_without_copying_each_folder_s_attributes(
    minimal_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full build (no previous tree) makes folders and links files as `shutil.copytree` did:
    the same paths, file bytes, file and folder modes, every file a link to its source; but no
    stat, mode, times or extended attributes copied per folder (copytree is not called)."""
    made: list[Path] = []
    original_assemble = pipeline.assemble_site

    def compared(site: Any, built: Any, theme: Path, staging: Path, shared: Any = None) -> int:
        relinked = original_assemble(site, built, theme, staging, shared)
        sources = [(theme, "assets")] + [
            (b.output, b.dest) for b in sorted(built, key=lambda b: b.dest.count("/"))
        ]
        reference = tmp_path / f"copytree-{len(made)}"
        assert pipeline._assemble_anew(reference, sources, shared or {}) == relinked
        mine, theirs = _listing(staging), _listing(reference)
        root_pages = {"index.html", "404.html"} | {f"{lang}/404.html" for lang in site.languages}
        assert {k: v for k, v in mine.items() if k not in root_pages} == theirs
        for name, (kind, _, _) in theirs.items():
            if kind == "file":
                assert os.path.samefile(staging / name, reference / name)
        made.append(staging)
        return relinked

    copied: list[str] = []
    original_copytree = shutil.copytree

    def counted_copytree(*args: Any, **kwargs: Any) -> Any:
        copied.append(str(args[0]))
        return original_copytree(*args, **kwargs)

    monkeypatch.setattr(pipeline, "assemble_site", compared)
    monkeypatch.setattr(pipeline.shutil, "copytree", counted_copytree)
    out = minimal_site / "build"
    build_site(minimal_site, out, paper=False)
    assert len(made) == 1 and len(copied) > 2  # the reference's: the theme's and each project's
    copied.clear()
    monkeypatch.setattr(pipeline, "_assemble_anew", lambda *a: pytest.fail("copytree path taken"))
    monkeypatch.setattr(pipeline, "assemble_site", original_assemble)
    (out / "site").rename(tmp_path / "first-site")  # a build into a folder without a tree
    build_site(minimal_site, out, paper=False)
    assert copied == []
    assert _listing(out / "site") == _listing(tmp_path / "first-site")
    assert not (out / SPARE_SITE).exists()


SPLINT = "content/courses/first-aid/02-practice/02-splint.kk.md"


def test_the_first_rebuild_after_a_full_build_gets_its_folders_made_ahead(
    minimal_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without a spare tree a forked process makes the current site's folders while the build
    checks and plans; the build links the files into them and removes the folders it does not
    plan (here: a lesson deleted since), so the site is a full build's."""
    out = minimal_site / "build"
    (minimal_site / SPLINT).write_text(
        "---\ntitle: Шина салу\ntype: practice\nduration: 30\n---\n\n# Шина салу\n\nМәтін.\n",
        encoding="utf-8",
    )
    build_site(minimal_site, out, paper=False)
    assert (out / "site/kk/courses/first-aid/practice/splint").is_dir() and not (out / SPARE_SITE).exists()
    (minimal_site / SPLINT).unlink()
    _append(minimal_site / LESSON, "\n## Бөлім\n\nТыныс алуды *бақылаңыз*.\n")

    at_assembly: list[tuple[bool, bool]] = []
    original = pipeline.assemble_site

    def watched(site: Any, built: Any, theme: Path, staging: Path, shared: Any = None) -> int:
        files = [p for p in staging.rglob("*") if not p.is_dir()] if staging.is_dir() else []
        at_assembly.append((staging.is_dir(), (staging / "kk/courses/first-aid/practice/splint").is_dir()))
        assert files == []  # folders only
        return original(site, built, theme, staging, shared)

    monkeypatch.setattr(pipeline, "assemble_site", watched)
    report = build_site(minimal_site, out, paper=False)
    assert at_assembly == [(True, True)]  # the folders were there, the deleted lesson's too
    assert report.rebuilt >= 1 and report.relinked > 50  # every file linked into them
    assert not (out / "site/kk/courses/first-aid/practice/splint").exists()

    full = tmp_path / "full"
    shutil.copytree(minimal_site, full, ignore=shutil.ignore_patterns("build"))
    build_site(full, full / "build", paper=False)
    assert _listing(out / "site") == _listing(full / "build" / "site")
    assert [p.name for p in out.iterdir() if p.name.startswith(".site-")] == [SPARE_SITE]


def test_folders_made_ahead_are_put_in_place_or_removed_when_the_build_fails(
    minimal_site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = minimal_site / "build"
    build_site(minimal_site, out, paper=False)
    lesson = minimal_site / LESSON
    lesson.write_text(lesson.read_text(encoding="utf-8").replace("duration: 45", "duration: many"), "utf-8")
    forked: list[int] = []
    fork = os.fork

    def recorded() -> int:
        pid = fork()
        if pid:  # the parent: the child's id
            forked.append(pid)
        return pid

    monkeypatch.setattr(pipeline.os, "fork", recorded)
    with pytest.raises(pipeline.ContentError):
        build_site(minimal_site, out, paper=False)
    assert [p.name for p in out.iterdir() if p.name.startswith(".site-")] == [SPARE_SITE]
    spare = out / SPARE_SITE
    assert [p for p in spare.rglob("*") if not p.is_dir()] == []  # folders only, for the next build
    assert len(forked) == 1
    with pytest.raises(ChildProcessError):
        os.waitpid(forked[0], os.WNOHANG)  # the child was waited for: none left behind


@pytest.fixture
def conversions(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The formulas converted to MathML by the check (the others' verdicts came from the cache)."""
    calls: list[str] = []
    original = pipeline.to_mathml

    def counted(latex: str, display: bool = False) -> str:
        calls.append(latex)
        return original(latex, display)

    monkeypatch.setattr(pipeline, "to_mathml", counted)
    return calls


def test_a_lesson_s_formulas_are_checked_again_only_when_its_bytes_change(
    minimal_site: Path, conversions: list[str]
) -> None:
    out = minimal_site / "build"
    lesson = minimal_site / LESSON
    site, problems = pipeline.check_content(minimal_site, out)
    assert site is not None and not problems.errors and conversions == [r"f = \frac{n}{t}"]
    conversions.clear()
    pipeline.check_content(minimal_site, out)
    assert conversions == []  # the verdict kept for the file's bytes

    _append(lesson, "\nЖылдамдық $v = \\frac{s}{t}$.\n")  # a changed byte: checked again
    pipeline.check_content(minimal_site, out)
    assert sorted(conversions) == [r"f = \frac{n}{t}", r"v = \frac{s}{t}"]
    conversions.clear()
    (out / ".cache" / "lessons.pickle").unlink()  # without a cache: every formula converted
    pipeline.check_content(minimal_site, out)
    assert len(conversions) == 2


def test_a_formula_error_is_reported_on_every_run_from_the_kept_verdict(
    minimal_site: Path, conversions: list[str]
) -> None:
    out = minimal_site / "build"
    lesson = minimal_site / LESSON
    _append(lesson, "\nҚате формула $\\frac{1}{$ мұнда.\n")
    _, first = pipeline.check_content(minimal_site, out)
    errors = [str(p) for p in first.errors]
    assert len(errors) == 1 and errors[0].startswith(
        "content/courses/first-aid/01-basics/01-assessment.kk.md:"
    )
    conversions.clear()
    _, again = pipeline.check_content(minimal_site, out)
    assert conversions == [] and [str(p) for p in again.errors] == errors  # from the cache, reported
    with pytest.raises(pipeline.ContentError) as failed:
        build_site(minimal_site, out, paper=False)
    assert [str(p) for p in failed.value.problems] == errors

    (out / ".cache" / "lessons.pickle").unlink()
    _, fresh = pipeline.check_content(minimal_site, out)  # the same without the cache
    assert [str(p) for p in fresh.items] == [str(p) for p in again.items]
    lesson.write_text(lesson.read_text(encoding="utf-8").replace("\\frac{1}{$", "\\frac{1}{2}$"), "utf-8")
    _, fixed = pipeline.check_content(minimal_site, out)
    assert fixed.errors == []


def test_the_search_key_takes_a_lesson_by_its_file_s_hash_not_its_body(
    minimal_site: Path, tmp_path: Path
) -> None:
    """`course_inputs` (the search indexer's key of a course) reads a lesson file's hash where
    one is known, not the ~6 MB of bodies at 1,000 lessons; the same content in another folder
    has the same key, and a changed byte a new one."""
    from dataclasses import replace

    from builder.search import course_inputs

    site, _ = pipeline.check_content(minimal_site, minimal_site / "build")
    assert site is not None
    course = site.courses[0]
    key = course_inputs(site, course)
    lesson = course.modules[0].lessons[0]
    variant = lesson.variants["kk"]
    assert variant.digest
    lesson.variants["kk"] = replace(variant, body="not read: the hash stands for it")
    assert course_inputs(site, course) == key
    lesson.variants["kk"] = replace(variant, digest=b"\0" * 20)  # other bytes: another key
    assert course_inputs(site, course) != key
    lesson.variants["kk"] = replace(variant, digest=b"")  # no hash known: the body is the input
    without = course_inputs(site, course)
    assert without != key
    lesson.variants["kk"] = replace(variant, digest=b"", body=variant.body + "\nЖаңа.\n")
    assert course_inputs(site, course) != without

    moved = tmp_path / "moved"
    shutil.copytree(minimal_site, moved, ignore=shutil.ignore_patterns("build"))
    other, _ = pipeline.check_content(moved, moved / "build")
    assert other is not None and course_inputs(other, other.courses[0]) == key
    _append(moved / LESSON, "\nЖаңа абзац.\n")
    edited, _ = pipeline.check_content(moved, moved / "build")
    assert edited is not None and course_inputs(edited, edited.courses[0]) != key
