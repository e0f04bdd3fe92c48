"""`oqu preview`'s rebuilds: what a change touches, counted; the fast page equals the full build's."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import pytest

from builder.pipeline import build_site
from builder.preview.live import LiveSite
from builder.preview.server import TAG, ChangeFeed, PreviewMiddleware, _inject

COURSE = "content/courses/first-aid"
ASSESSMENT = f"{COURSE}/01-basics/01-assessment.kk.md"  # has a ru version
BANDAGE = f"{COURSE}/02-practice/01-bandage.kk.md"  # kk only: the ru project shows it too


@pytest.fixture
def live(minimal_site: Path) -> LiveSite:
    site = LiveSite(minimal_site, minimal_site / "build")
    outcome = site.build()
    assert outcome.full and not outcome.problems
    return site


def append(root: Path, relative: str, text: str) -> Path:
    path = root / relative
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")
    return path


def lesson_html(root: Path, lang: str, lesson: str) -> str:
    return (root / "build/site" / lang / "courses/first-aid" / lesson / "index.html").read_text(
        encoding="utf-8"
    )


def test_a_body_edit_rerenders_one_page_of_one_project(live: LiveSite, minimal_site: Path) -> None:
    path = append(minimal_site, ASSESSMENT, "\nҚосымша абзац: *тыныс* жиілігі.\n")
    outcome = live.apply([path])
    assert (outcome.full, outcome.rebuilt, outcome.problems) == (False, ["kk/courses/first-aid"], [])
    assert outcome.pages == {"kk": "/kk/courses/first-aid/basics/assessment/"}
    fast = lesson_html(minimal_site, "kk", "basics/assessment")
    assert "Қосымша абзац: <em>тыныс</em> жиілігі." in fast
    # the same page from a full build of the same content, byte for byte
    shutil.copytree(minimal_site, minimal_site.parent / "full", ignore=shutil.ignore_patterns("build"))
    build_site(minimal_site.parent / "full", minimal_site.parent / "full" / "build")
    assert fast == lesson_html(minimal_site.parent / "full", "kk", "basics/assessment")
    assert "__oqu_preview__" not in fast  # the reload script is added when served, never written


def test_a_lesson_shown_in_two_languages_rerenders_in_both(live: LiveSite, minimal_site: Path) -> None:
    outcome = live.apply([append(minimal_site, BANDAGE, "\nЖаңа қадам.\n")])
    assert outcome.rebuilt == ["kk/courses/first-aid", "ru/courses/first-aid"]
    assert "Жаңа қадам." in lesson_html(minimal_site, "ru", "practice/bandage")


def test_a_title_change_takes_the_build_and_rebuilds_one_project(live: LiveSite, minimal_site: Path) -> None:
    path = minimal_site / ASSESSMENT
    path.write_text(path.read_text(encoding="utf-8").replace("title: Жағдайды бағалау", "title: Бағалау"))
    outcome = live.apply([path])
    assert (outcome.full, outcome.rebuilt) == (True, ["kk/courses/first-aid"])
    assert outcome.pages["kk"] == "/kk/courses/first-aid/basics/assessment/"
    assert "Бағалау" in lesson_html(minimal_site, "kk", "basics/assessment")


def test_errors_of_the_saved_file_keep_the_last_good_page(live: LiveSite, minimal_site: Path) -> None:
    before = lesson_html(minimal_site, "kk", "basics/assessment")
    path = append(minimal_site, ASSESSMENT, "\n![](media/missing.svg)\n")
    outcome = live.apply([path])
    assert [str(p) for p in outcome.problems] == [
        f"{ASSESSMENT}:21: image 'media/missing.svg' has no alt text",
        f"{ASSESSMENT}:21: missing image 'media/missing.svg'",
    ]
    assert outcome.rebuilt == [] and lesson_html(minimal_site, "kk", "basics/assessment") == before
    path.write_text(path.read_text(encoding="utf-8").replace("![](media/missing.svg)", "Түзетілді."))
    outcome = live.apply([path])
    assert (outcome.problems, outcome.rebuilt) == ([], ["kk/courses/first-aid"])


def test_a_course_file_takes_the_build(live: LiveSite, minimal_site: Path) -> None:
    course = minimal_site / COURSE / "course.yml"
    course.write_text(course.read_text(encoding="utf-8").replace("contact: 8", "contact: 10"))
    outcome = live.apply([course])
    assert outcome.full and set(outcome.rebuilt) >= {"kk/courses/first-aid", "ru/courses/first-aid"}


def test_feed_and_script_injection() -> None:
    feed = ChangeFeed()
    waiting: list[int] = []
    thread = threading.Thread(target=lambda: waiting.append(feed.wait(0, timeout=5).generation))
    thread.start()
    time.sleep(0.05)
    from builder.preview.live import Outcome

    feed.publish(Outcome())
    thread.join()
    assert waiting == [1]
    assert _inject(b"<html><body><p>x</p></body></html>") == b"<html><body><p>x</p>" + TAG + b"</body></html>"

    def app(environ: dict[str, object], start_response: object) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", "13")])  # type: ignore[operator]
        return [b"<body></body>"]

    statuses: list[tuple[str, list[tuple[str, str]]]] = []
    body = PreviewMiddleware(app, feed)({"PATH_INFO": "/kk/"}, lambda s, h, e=None: statuses.append((s, h)))
    assert b"".join(body) == b"<body>" + TAG + b"</body>"
    assert ("Content-Length", str(len(b"<body></body>") + len(TAG))) in statuses[0][1]
    script = b"".join(
        PreviewMiddleware(app, feed)({"PATH_INFO": "/__oqu_preview__/preview.js"}, lambda *a: None)
    )
    assert "Сақталған файлда қате бар".encode() in script and b"/*WORDS*/" not in script


def test_preview_outside_a_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from builder.cli import main

    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["preview"])
    assert result.exit_code == 1
    assert result.stderr == (
        "қате: мұнда site_config.yml жоқ: oqu-ды сайт бумасында іске қосыңыз немесе oqu init арқылы жасаңыз\n"
    )


SPLINT = f"{COURSE}/02-practice/02-splint.kk.md"  # a new kk-only lesson: the ru project shows it too
SPLINT_TEXT = (
    "---\ntitle: Шина салу\ntype: practice\nduration: 30\n---\n\n# Шина салу\n\nСүйекті қозғалтпаңыз.\n"
)


def test_a_new_lesson_builds_its_course_projects_only(live: LiveSite, minimal_site: Path) -> None:
    site_page = (minimal_site / "build/site/kk/index.html").read_text(encoding="utf-8")
    path = minimal_site / SPLINT
    path.write_text(SPLINT_TEXT, encoding="utf-8")
    outcome = live.apply([path])
    assert (outcome.full, outcome.problems) == (False, [])
    assert outcome.rebuilt == ["kk/courses/first-aid", "ru/courses/first-aid"]  # not the site's own pages
    assert outcome.pages["kk"] == "/kk/courses/first-aid/practice/splint/"
    assert "Сүйекті қозғалтпаңыз." in lesson_html(minimal_site, "ru", "practice/splint")
    assert "Шина салу" in lesson_html(minimal_site, "kk", "practice/bandage")  # the navigation of every page
    assert (minimal_site / "build/site/kk/index.html").read_text(encoding="utf-8") == site_page
    # the course's pages equal a full build's of the same content, byte for byte
    full = minimal_site.parent / "full"
    shutil.copytree(minimal_site, full, ignore=shutil.ignore_patterns("build"))
    build_site(full, full / "build")
    for lang, lesson in [("kk", "practice/splint"), ("kk", "practice/bandage"), ("ru", "basics/assessment")]:
        assert lesson_html(minimal_site, lang, lesson) == lesson_html(full, lang, lesson)
    # the body-edit path works on the new lesson at once (its project reloads with the new navigation)
    outcome = live.apply([append(minimal_site, SPLINT, "\nҚосымша.\n")])
    assert (outcome.full, outcome.rebuilt) == (False, ["kk/courses/first-aid", "ru/courses/first-aid"])
    assert "Қосымша." in lesson_html(minimal_site, "kk", "practice/splint")


def test_a_new_lesson_with_errors_keeps_the_site_and_one_with_a_quiz_takes_the_build(
    live: LiveSite, minimal_site: Path
) -> None:
    path = minimal_site / SPLINT
    path.write_text(SPLINT_TEXT + "\n![](media/missing.svg)\n", encoding="utf-8")
    outcome = live.apply([path])
    assert f"{SPLINT}:11: missing image 'media/missing.svg'" in [str(p) for p in outcome.problems]
    assert (
        outcome.rebuilt == []
        and not (minimal_site / "build/site/kk/courses/first-aid/practice/splint").exists()
    )
    path.write_text(
        SPLINT_TEXT.replace("duration: 30\n", "duration: 30\ndue: 2026-12-20\n"), encoding="utf-8"
    )
    outcome = live.apply([path])
    assert outcome.full and not outcome.problems  # a due date: calendars are the build's
