"""What a rebuild takes from the build's cache instead of making again — lesson files parsed
(builder/lesson_cache.py) and course projects generated (builder/project_cache.py) — and that
neither ever changes a result: every problem `oqu check` reports without the cache is reported
with it, and the site equals a full build's, byte for byte, after edits, renames, deletions, a
link's target removed and front matter changed."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

import builder.lesson_cache as lesson_cache
import builder.project_cache as project_cache
from builder.lesson_cache import CACHE_FILE, LessonCache
from builder.load import content_unchanged, load_site, resolve_target
from builder.media import build_media
from builder.pipeline import build_site, check_content
from builder.problems import ContentError
from builder.projects import plan_projects

COURSE = "content/courses/first-aid"
ASSESSMENT = f"{COURSE}/01-basics/01-assessment.kk.md"
BANDAGE = f"{COURSE}/02-practice/01-bandage.kk.md"
OTHER = "content/courses/second-aid"


def _tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != "sitemap.xml.gz"  # gzip stamps its own time
    }


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The lesson files parsed by the cache (the others were taken from it)."""
    calls: list[str] = []
    original = lesson_cache.parse_lesson_variant

    def counted(path, data, lang, problems):  # type: ignore[no-untyped-def]
        calls.append(path.name)
        return original(path, data, lang, problems)

    monkeypatch.setattr(lesson_cache, "parse_lesson_variant", counted)
    return calls


@pytest.fixture
def generations(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The course projects generated (the others were taken from the cache)."""
    calls: list[str] = []
    original = project_cache.course_project

    def counted(site, course, lang, media, downloads):  # type: ignore[no-untyped-def]
        calls.append(f"{lang}/{course.id}")
        return original(site, course, lang, media, downloads)

    monkeypatch.setattr(project_cache, "course_project", counted)
    return calls


@pytest.fixture
def two_courses(minimal_site: Path) -> Path:
    """The fixture site with a second course (a copy of the first) whose lesson links the first's."""
    shutil.copytree(minimal_site / COURSE, minimal_site / OTHER)
    _append(
        minimal_site / OTHER / "01-basics/01-assessment.kk.md",
        "\n[Таңу](../../first-aid/02-practice/01-bandage.md)\n",
    )
    return minimal_site


def _same_problems(root: Path, out: Path) -> list[str]:
    """`oqu check` with the cache reports exactly what it reports without one; those problems."""
    _, cached = check_content(root, out)
    (out / ".cache" / CACHE_FILE).unlink()
    _, fresh = check_content(root, out)  # every file parsed again
    assert [str(p) for p in cached.items] == [str(p) for p in fresh.items]
    return [str(p) for p in cached.errors]


def _equals_full_build(root: Path, out: Path, tmp_path: Path, name: str) -> None:
    full = tmp_path / name
    shutil.copytree(root, full, ignore=shutil.ignore_patterns("build"))
    build_site(full, full / "build", paper=False)
    assert _tree(out / "site") == _tree(full / "build" / "site")
    assert _tree(out / "service").keys() == _tree(full / "build" / "service").keys()


def test_unchanged_lesson_files_are_not_parsed_again_and_give_the_same_model(
    minimal_site: Path, parses: list[str]
) -> None:
    out = minimal_site / "build"
    site, problems = check_content(minimal_site, out)
    assert site is not None and not problems.errors
    assert sorted(parses) == ["01-assessment.kk.md", "01-assessment.ru.md", "01-bandage.kk.md"]
    assert (out / ".cache" / CACHE_FILE).is_file()

    parses.clear()
    again, _ = check_content(minimal_site, out)
    fresh, _ = load_site(minimal_site)
    assert again is not None and fresh is not None and parses == []
    variants = [
        (v.lang, v.path, v.meta, v.body, v.body_line, v.meta_lines)
        for site_ in (again, fresh)
        for course in site_.courses
        for _, lesson in course.lessons()
        for v in lesson.variants.values()
    ]
    assert variants[: len(variants) // 2] == variants[len(variants) // 2 :]

    _append(minimal_site / ASSESSMENT, "\nЖаңа абзац.\n")
    check_content(minimal_site, out)
    assert parses == ["01-assessment.kk.md"]


def test_an_edit_that_keeps_the_size_and_the_time_is_still_seen(
    minimal_site: Path, parses: list[str]
) -> None:
    out = minimal_site / "build"
    lesson = minimal_site / ASSESSMENT
    check_content(minimal_site, out)
    before = lesson.stat()
    text = lesson.read_text(encoding="utf-8")
    lesson.write_text(text.replace("duration: 45", "duration: 54"), encoding="utf-8")
    os.utime(lesson, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert lesson.stat().st_size == before.st_size and lesson.stat().st_mtime_ns == before.st_mtime_ns
    parses.clear()
    site, _ = check_content(minimal_site, out)
    assert site is not None and parses == ["01-assessment.kk.md"]
    assert site.courses[0].modules[0].lessons[0].variants["kk"].meta.duration == 54


def test_a_lesson_with_errors_reports_them_from_the_cache_too(minimal_site: Path, parses: list[str]) -> None:
    out = minimal_site / "build"
    lesson = minimal_site / ASSESSMENT
    lesson.write_text(
        lesson.read_text(encoding="utf-8").replace("duration: 45", "duration: many\ncolour: red"),
        encoding="utf-8",
    )
    (minimal_site / f"{COURSE}/02-practice/02-no-front.kk.md").write_text("# Жоқ\n", encoding="utf-8")
    first = _same_problems(minimal_site, out)
    assert any("duration" in p for p in first) and any("colour" in p for p in first)
    assert any("02-no-front.kk.md:1: lesson has no front matter" in p for p in first)
    parses.clear()
    _, cached = check_content(minimal_site, out)  # from the cache: reported all the same
    assert [str(p) for p in cached.errors] == first and parses == []
    with pytest.raises(ContentError):
        build_site(minimal_site, out, paper=False)


def test_course_and_module_files_are_kept_too_and_their_errors_reported(
    minimal_site: Path, parses: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = minimal_site / "build"
    configs: list[str] = []
    original = lesson_cache.parse_yaml_file

    def counted(path, data, problems):  # type: ignore[no-untyped-def]
        configs.append(path.parent.name + "/" + path.name)
        return original(path, data, problems)

    monkeypatch.setattr(lesson_cache, "parse_yaml_file", counted)
    check_content(minimal_site, out)
    assert sorted(configs) == ["01-basics/module.yml", "02-practice/module.yml", "first-aid/course.yml"]
    module = minimal_site / COURSE / "02-practice" / "module.yml"
    module.write_text(module.read_text(encoding="utf-8") + "colour: red\n", encoding="utf-8")
    configs.clear()
    first = _same_problems(minimal_site, out)
    assert configs[0] == "02-practice/module.yml" and any("module.yml" in p and "colour" in p for p in first)
    configs.clear()
    _, cached = check_content(minimal_site, out)  # from the cache: the same error
    assert configs == [] and [str(p) for p in cached.errors] == first


def test_a_cache_never_hides_a_link_to_a_lesson_deleted_or_renamed(
    minimal_site: Path, tmp_path: Path
) -> None:
    out = minimal_site / "build"
    build_site(minimal_site, out, paper=False)
    site_before = _tree(out / "site")
    bandage = minimal_site / BANDAGE
    text = bandage.read_text(encoding="utf-8")

    bandage.unlink()  # the lesson that 01-assessment (kk and ru) links
    errors = _same_problems(minimal_site, out)
    assert sum("broken link '../02-practice/01-bandage." in p for p in errors) == 2, errors
    with pytest.raises(ContentError) as failed:
        build_site(minimal_site, out, paper=False)
    assert any("broken link" in str(p) for p in failed.value.problems)
    assert _tree(out / "site") == site_before  # left as it was

    renamed = bandage.with_name("02-bandage.kk.md")  # renamed: the old link is still broken
    renamed.write_text(text, encoding="utf-8")
    assert sum("broken link" in p for p in _same_problems(minimal_site, out)) == 2
    for name in ("01-assessment.kk.md", "01-assessment.ru.md"):  # the links follow the rename
        path = minimal_site / COURSE / "01-basics" / name
        path.write_text(
            path.read_text(encoding="utf-8").replace("01-bandage.", "02-bandage."), encoding="utf-8"
        )
    assert _same_problems(minimal_site, out) == []
    build_site(minimal_site, out, paper=False)
    _equals_full_build(minimal_site, out, tmp_path, "renamed")


def test_unchanged_course_projects_are_not_generated_again(
    two_courses: Path, generations: list[str], tmp_path: Path
) -> None:
    out = two_courses / "build"
    build_site(two_courses, out, paper=False)
    assert sorted(generations) == ["kk/first-aid", "kk/second-aid", "ru/first-aid", "ru/second-aid"]
    generations.clear()
    build_site(two_courses, out, paper=False)
    assert generations == []

    _append(two_courses / ASSESSMENT, "\n## Бөлім\n\nТыныс алуды *бақылаңыз*.\n")  # one lesson of one course
    report = build_site(two_courses, out, paper=False)
    assert sorted(generations) == ["kk/first-aid", "ru/first-aid"] and report.rebuilt == 1
    _equals_full_build(two_courses, out, tmp_path, "edited")
    assert len(list((out / ".cache" / project_cache.GENERATED).iterdir())) == 4  # old versions deleted


def test_a_changed_front_matter_id_remakes_the_pages_that_link_it(
    two_courses: Path, generations: list[str], tmp_path: Path
) -> None:
    """second-aid links first-aid's bandage lesson by file: its address follows the lesson's id."""
    out = two_courses / "build"
    build_site(two_courses, out, paper=False)
    bandage = two_courses / BANDAGE
    bandage.write_text(
        bandage.read_text(encoding="utf-8").replace("due:", "id: dressing\ndue:"), encoding="utf-8"
    )
    generations.clear()
    build_site(two_courses, out, paper=False)
    assert "kk/second-aid" in generations
    page = (out / "site/kk/courses/second-aid/basics/assessment/index.html").read_text(encoding="utf-8")
    assert "first-aid/practice/dressing/" in page
    _equals_full_build(two_courses, out, tmp_path, "new-id")


def test_a_new_file_at_a_link_s_address_remakes_the_page(two_courses: Path, tmp_path: Path) -> None:
    """A link that led nowhere (an error) and one that now leads to a new lesson: the page is made
    from where the link leads now, not from the cached project."""
    out = two_courses / "build"
    build_site(two_courses, out, paper=False)
    lesson = two_courses / OTHER / "02-practice/01-bandage.kk.md"
    _append(lesson, "\n[Келесі](02-splint.md)\n")
    assert any("broken link '02-splint.md'" in p for p in _same_problems(two_courses, out))
    (two_courses / OTHER / "02-practice/02-splint.kk.md").write_text(
        "---\ntitle: Шина салу\ntype: practice\nduration: 30\n---\n\n# Шина салу\n\nМәтін.\n",
        encoding="utf-8",
    )
    assert _same_problems(two_courses, out) == []
    build_site(two_courses, out, paper=False)
    _equals_full_build(two_courses, out, tmp_path, "new-lesson")


def test_a_damaged_or_foreign_cache_is_ignored(minimal_site: Path, parses: list[str]) -> None:
    out = minimal_site / "build"
    check_content(minimal_site, out)
    path = out / ".cache" / CACHE_FILE
    path.write_bytes(path.read_bytes()[:100])  # cut short
    parses.clear()
    site, problems = check_content(minimal_site, out)
    assert site is not None and not problems.errors and len(parses) == 3
    moved = minimal_site.parent / "moved"  # the same cache for another site folder: not used
    shutil.copytree(minimal_site, moved)
    parses.clear()
    assert LessonCache(moved / "build" / ".cache" / CACHE_FILE, moved).known == {}
    check_content(moved, moved / "build")
    assert len(parses) == 3


def test_links_are_resolved_once_per_check_and_as_they_stand_after_it(minimal_site: Path) -> None:
    source = minimal_site / ASSESSMENT
    target = minimal_site / BANDAGE
    with content_unchanged():
        assert resolve_target(minimal_site / "content", source, "../02-practice/01-bandage.md") == target
        target.unlink()  # within one run the tree is read as it stood
        assert resolve_target(minimal_site / "content", source, "../02-practice/01-bandage.md") == target
    assert resolve_target(minimal_site / "content", source, "../02-practice/01-bandage.md") is None


def test_a_kept_project_equals_the_one_generated_and_reads_its_pages_when_asked(minimal_site: Path) -> None:
    out = minimal_site / "build"
    build_site(minimal_site, out, paper=False)
    with content_unchanged():
        site, problems = check_content(minimal_site, out)
        assert site is not None, problems.errors
        media = build_media(site, out / "media")  # as the build had it
        cache = project_cache.ProjectCache(out / ".cache" / project_cache.GENERATED, site, media)
        kept = plan_projects(site, media=media, reuse=cache)
        made = plan_projects(site, media=media)
    assert cache.made == 0
    courses = [p for p in kept if "/courses/" in p.dest]
    assert len(courses) == 2 and all(isinstance(p, project_cache.KeptProject) for p in courses)
    assert all("_pending" in vars(p) for p in courses)  # pages not read yet
    assert [p.key() for p in kept] == [p.key() for p in made]
    assert all("_pending" in vars(p) for p in courses)  # the key did not need them
    assert [(p.dest, p.config, p.pages, p.files) for p in kept] == [
        (p.dest, p.config, p.pages, p.files) for p in made
    ]
    assert [p.mkdocs_yml() for p in kept] == [p.mkdocs_yml() for p in made]
