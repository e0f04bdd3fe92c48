"""`oqu build` on the fixture site: golden pages, atomic swap, incremental rebuilds, the built HTML."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from pathlib import Path

import pytest

from builder.load import load_site
from builder.pipeline import build_site
from builder.problems import ContentError, ProjectBuildError
from builder.projects import plan_projects

GOLDEN = Path(__file__).parent.parent / "fixtures" / "golden"
MINIMAL_SITE = Path(__file__).parent.parent / "fixtures" / "minimal-site"
COURSE = "content/courses/first-aid"


def generated_pages(root: Path) -> dict[str, str]:
    site, problems = load_site(root)
    assert site is not None and not problems.errors
    pages = {}
    for project in plan_projects(site, today=dt.date(2026, 11, 28)):
        if project.dest in ("kk", "ru/courses/first-aid"):
            for name, text in project.pages.items():
                pages[f"{project.dest}/{name}"] = text
    return pages


def test_generated_pages_match_golden(minimal_site: Path) -> None:
    """The Markdown the builder hands to MkDocs; set OQU_UPDATE_GOLDEN=1 to accept a change."""
    pages = generated_pages(minimal_site)
    if os.environ.get("OQU_UPDATE_GOLDEN"):
        for name, text in pages.items():
            path = GOLDEN / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    expected = {p.relative_to(GOLDEN).as_posix(): p.read_text(encoding="utf-8") for p in GOLDEN.rglob("*.md")}
    assert sorted(pages) == sorted(expected)
    for name, text in pages.items():
        assert text == expected[name], name


@pytest.fixture
def built(minimal_site: Path) -> Path:
    """The fixture site built, for a test that edits or rebuilds it."""
    build_site(minimal_site, minimal_site / "build")
    return minimal_site / "build"


@pytest.fixture(scope="module")
def built_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture site built once for the module's tests that only read what the build wrote
    (each of them built it again before: ~0.55 s of CPU a test). A test that changes the site or
    the build takes `built`."""
    root = tmp_path_factory.mktemp("built-once") / "site"
    shutil.copytree(MINIMAL_SITE, root)
    build_site(root, root / "build")
    return root / "build"


def read(built: Path, page: str) -> str:
    return (built / "site" / page).read_text(encoding="utf-8")


def test_site_layout(built_once: Path) -> None:
    site = built_once / "site"
    for page in [
        "index.html",
        "404.html",
        "kk/404.html",
        "ru/404.html",
        "kk/index.html",
        "kk/courses/index.html",
        "kk/library/index.html",
        "ru/index.html",
        "en/index.html",
        "kk/courses/first-aid/index.html",
        "kk/courses/first-aid/basics/assessment/index.html",
        "ru/courses/first-aid/practice/bandage/index.html",
        "kk/courses/first-aid/schedule/index.html",
        "kk/courses/first-aid/basics/media/scheme.svg",
        "kk/search/search_index.json",
        "kk/courses/first-aid/search/search_index.json",
    ]:
        assert (site / page).is_file(), page
    assert not (site / "en" / "courses" / "first-aid").exists()


def test_theme_assets_are_shared_once(built_once: Path) -> None:
    site = built_once / "site"
    assert [p.relative_to(site).as_posix() for p in site.rglob("assets") if p.is_dir()] == ["assets"]
    page = read(built_once, "kk/courses/first-aid/basics/assessment/index.html")
    stylesheets = re.findall(r'href="([^"]*assets/stylesheets/main[^"]*)"', page)
    assert stylesheets, "no Material stylesheet link"
    base = site / "kk/courses/first-aid/basics/assessment"
    for href in stylesheets + re.findall(r'src="([^"]*assets/javascripts/bundle[^"]*)"', page):
        assert (base / href).resolve().is_file(), href
    worker = re.search(r'"search": "([^"]+)"', page)
    assert worker and (base / worker.group(1)).resolve().is_file()


def test_lesson_page_content(built_once: Path) -> None:
    page = read(built_once, "kk/courses/first-aid/basics/assessment/index.html")
    assert '<html lang="kk"' in page
    assert "Дәріс · 45 мин" in page
    assert '<img alt="Бағалау сызбасы" src="../media/scheme.svg"' in page
    assert 'href="../../practice/bandage/"' in page
    assert "<math" in page and "<mfrac>" in page
    assert 'class="admonition warning"' in page
    assert "Қашықтан оқыту режимі: бастықтың 2026 жылғы 20 қараша № 7-ж бұйрығы" in page
    assert "Іздеу" in page


def test_missing_translation_falls_back_visibly(built_once: Path) -> None:
    page = read(built_once, "ru/courses/first-aid/practice/bandage/index.html")
    assert "Перевода пока нет" in page
    assert "Этого занятия на русском языке пока нет; ниже показан текст на языке: казахский." in page
    assert "Орама таңғыш" in page
    # The Kazakh text is marked as Kazakh on the Russian page; the notice stays Russian.
    assert '<div lang="kk">' in page
    assert (
        '<div class="admonition warning" lang="ru"><p class="admonition-title">Перевода пока нет</p>' in page
    )
    assert '<div lang="kk">' not in read(built_once, "kk/courses/first-aid/practice/bandage/index.html")


def test_language_switcher_links_the_same_page(built_once: Path) -> None:
    page = read(built_once, "kk/courses/first-aid/basics/assessment/index.html")
    assert 'href="../../../../../ru/courses/first-aid/basics/assessment/" hreflang="ru"' in page


def test_catalogue_and_course_home(built_once: Path) -> None:
    catalogue = read(built_once, "kk/courses/index.html")
    assert 'href="first-aid/"' in catalogue and "Тіркелген білім алушыларға" in catalogue
    assert "Синхронды (ілеспе) оқыту форматы" in catalogue
    english = read(built_once, "en/courses/index.html")
    assert 'href="../../kk/courses/first-aid/"' in english
    home = read(built_once, "kk/courses/first-aid/index.html")
    for text in [
        "Оқу нәтижелері",
        "Зардап шеккеннің жағдайын бағалайды.",
        "Айгүл Серікқызы",
        "Сабақ кестесі",
    ]:
        assert text in home
    assert "Кесте өзгерді" in read(built_once, "kk/index.html")
    assert "Академия кітапханасы" in read(built_once, "kk/library/index.html")


def test_schedule_keeps_join_links_private(built_once: Path) -> None:
    schedule = read(built_once, "kk/courses/first-aid/schedule/index.html")
    assert "2026 жылғы 3 желтоқсан, 10:00" in schedule
    assert "Уақыт белдеуі: Астана уақыты (UTC+5)." in schedule and "Asia/Almaty" not in schedule
    for path in (built_once / "site").rglob("*"):
        if path.is_file():
            assert b"secret-room-42" not in path.read_bytes(), path
    assert "secret-room-42" in (built_once / "service" / "manifest.json").read_text(encoding="utf-8")


def test_text_from_yaml_is_escaped(minimal_site: Path) -> None:
    config = minimal_site / COURSE / "course.yml"
    text = config.read_text(encoding="utf-8").replace("Алғашқы көмек,", "'<script>alert(1)</script> Көмек',")
    config.write_text(text, encoding="utf-8")
    build_site(minimal_site, minimal_site / "build")
    for page in [
        "kk/courses/index.html",
        "kk/courses/first-aid/index.html",
        "kk/courses/first-aid/schedule/index.html",
    ]:
        html = (minimal_site / "build" / "site" / page).read_text(encoding="utf-8")
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_failed_build_leaves_previous_site(built: Path, minimal_site: Path) -> None:
    before = {p: p.stat().st_mtime_ns for p in (built / "site").rglob("*") if p.is_file()}
    config = minimal_site / COURSE / "course.yml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("access: enrolled", "acces: enrolled"), encoding="utf-8"
    )
    with pytest.raises(ContentError) as error:
        build_site(minimal_site, built)
    assert [str(p) for p in error.value.problems] == [
        f"{COURSE}/course.yml:1: missing required key 'access'",
        f"{COURSE}/course.yml:4: unknown key 'acces' (did you mean 'access'?)",
    ]
    after = {p: p.stat().st_mtime_ns for p in (built / "site").rglob("*") if p.is_file()}
    assert after == before


def test_unchanged_build_rebuilds_nothing(built: Path, minimal_site: Path) -> None:
    report = build_site(minimal_site, built)
    assert (report.projects, report.rebuilt) == (5, 0)
    assert (built / "site" / "kk/courses/first-aid/index.html").is_file()


def test_editing_one_lesson_rebuilds_one_project(built: Path, minimal_site: Path) -> None:
    lesson = minimal_site / COURSE / "01-basics" / "01-assessment.ru.md"
    lesson.write_text(lesson.read_text(encoding="utf-8") + "\nНовый абзац о дыхании.\n", encoding="utf-8")
    report = build_site(minimal_site, built)
    assert report.rebuilt == 1
    assert "Новый абзац о дыхании." in read(built, "ru/courses/first-aid/basics/assessment/index.html")
    assert "Новый абзац" not in read(built, "kk/courses/first-aid/basics/assessment/index.html")


def test_renamed_lesson_warns_about_progress(built: Path, minimal_site: Path) -> None:
    lesson = minimal_site / COURSE / "02-practice" / "01-bandage.kk.md"
    lesson.rename(lesson.with_name("01-bandaging.kk.md"))
    for name in ("01-assessment.kk.md", "01-assessment.ru.md"):
        path = minimal_site / COURSE / "01-basics" / name
        path.write_text(
            path.read_text(encoding="utf-8").replace("01-bandage", "01-bandaging"), encoding="utf-8"
        )
    report = build_site(minimal_site, built)
    assert (
        f"{COURSE}/course.yml:1: warning: lesson 'bandage' was published by the previous build and is gone; "
        "if it was renamed, set 'id: bandage' in its front matter to keep students' progress"
    ) in report.warnings


def test_mkdocs_failure_is_one_clear_error_and_keeps_the_site(
    built: Path, minimal_site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import mkdocs.commands.build

    def broken(config: object) -> None:
        raise RuntimeError("theme template is broken")

    lesson = minimal_site / COURSE / "01-basics" / "01-assessment.kk.md"
    text = lesson.read_text(encoding="utf-8")  # a new title: the project is built whole by MkDocs
    lesson.write_text(text.replace("title: Жағдайды бағалау", "title: Бағалау"), encoding="utf-8")
    before = read(built, "kk/courses/first-aid/basics/assessment/index.html")
    monkeypatch.setattr(mkdocs.commands.build, "build", broken)
    with pytest.raises(ProjectBuildError, match="RuntimeError: theme template is broken"):
        build_site(minimal_site, built)
    assert read(built, "kk/courses/first-aid/basics/assessment/index.html") == before
    assert [p.name for p in built.iterdir() if p.name.startswith((".site-new", ".service-new"))] == []


def test_each_language_folder_has_its_own_404_page(built_once: Path) -> None:
    kk, ru = read(built_once, "kk/404.html"), read(built_once, "ru/404.html")
    assert '<html lang="kk">' in kk and "<h1>Бет табылмады</h1>" in kk and 'href="/kk/courses/"' in kk
    assert "Страница" not in kk and "Бет табылмады" not in ru and '<html lang="ru">' in ru


def test_heading_links_are_titled_in_the_pages_language(built_once: Path) -> None:
    for lang, title in [("kk", "Тұрақты сілтеме"), ("ru", "Постоянная ссылка")]:
        page = read(built_once, f"{lang}/courses/first-aid/index.html")
        assert 'class="headerlink" href="#' in page and f'title="{title}"' in page
        assert "Permanent link" not in page


def test_sizes_and_number_signs_as_each_language_writes_them() -> None:
    from builder.i18n import format_size, number_signs

    assert format_size(2_540_000, "kk") == "2,5\u00a0МБ"
    assert format_size(2_540_000, "en") == "2.5\u00a0MB"
    assert format_size(12_300, "ru") == "12\u00a0кБ"
    assert number_signs("kk") == {"decimal": ",", "group": "\u00a0", "minus": "-", "percent": "{0}%"}
    assert number_signs("ru")["percent"] == "{0}\u00a0%"
