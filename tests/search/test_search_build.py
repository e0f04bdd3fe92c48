"""`oqu build` writes build/search/: captions with their seconds, anchors that exist in the built pages."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from builder.model import Course, Site
from builder.pipeline import build_site, check_content
from builder.publication import today_in_almaty
from builder.search import SearchIndex, build_search_index
from builder.search.captions import caption_files, parse_cues
from builder.search.documents import SearchDocument
from builder.search.index import read_state


def test_webvtt_and_srt_cues() -> None:
    vtt = (
        "WEBVTT\n\nNOTE а\n\nid-1\n00:01:02.500 --> 00:01:04.000 line:0\n<i>Бірінші</i>\nжол\n\n"
        "1:00:00.000 --> 1:00:01.000\nСоңғы\n"
    )
    assert [(c.start, c.text) for c in parse_cues(vtt)] == [(62.5, "Бірінші жол"), (3600.0, "Соңғы")]
    srt = (
        "1\r\n00:00:07,435 --> 00:00:16,132\r\nЖану үшін\r\nүш шарт.\r\n\r\n"
        "2\r\n00:00:16,732 --> 00:00:25,692\r\nЕкінші.\r\n"
    )
    assert [(c.start, c.text) for c in parse_cues(srt)] == [
        (7.435, "Жану үшін үш шарт."),
        (16.732, "Екінші."),
    ]
    assert parse_cues("бұл субтитр емес") == []


def test_caption_files_beside_the_video(tmp_path: Path) -> None:
    for name in ["lecture.mp4", "lecture.kk.vtt", "lecture.kk.srt", "lecture.ru.srt", "lecture.poster.jpg"]:
        (tmp_path / name).write_bytes(b"")
    found = caption_files(tmp_path / "lecture.mp4")
    assert {lang: path.name for lang, path in found.items()} == {
        "kk": "lecture.kk.vtt",
        "ru": "lecture.ru.srt",
    }


def test_the_build_indexes_captions_and_real_anchors(lecture_site: Path) -> None:
    index = SearchIndex(lecture_site / "build" / "search")
    caption = index.search("турникет", "kk").hits[0]
    assert (caption.kind, caption.seconds, caption.url) == (
        "caption",
        2,
        "kk/courses/first-aid/basics/lecture/#t=2",
    )
    assert "<mark>Турникетті</mark>" in caption.snippet and "<v" not in caption.snippet
    section = index.search("қан тоқтату", "kk").hits[0]
    page, anchor = section.url.split("#")
    html = (lecture_site / "build" / "site" / page / "index.html").read_text(encoding="utf-8")
    assert f'id="{anchor}"' in html
    assert re.search(r"<video\b", html), "the lecture page has its video"


def test_a_rebuild_reindexes_only_what_changed(lecture_site: Path, tmp_path: Path) -> None:
    root = tmp_path / "site"
    shutil.copytree(lecture_site, root, symlinks=True)  # with its build: the caches make rebuilds quick
    out = root / "build"
    before = read_state(out / "search")
    index_files = sorted(p.name for p in (out / "search").iterdir())
    build_site(root, out)
    assert read_state(out / "search") == before
    assert sorted(p.name for p in (out / "search").iterdir()) == index_files, "nothing was rewritten"
    lesson = root / "content" / "courses" / "first-aid" / "02-practice" / "01-bandage.kk.md"
    lesson.write_text(lesson.read_text(encoding="utf-8") + "\nЖаңа абзац: шина салу.\n", encoding="utf-8")
    build_site(root, out)
    assert read_state(out / "search")["courses"] != before["courses"]
    assert SearchIndex(out / "search").search("шина", "kk").hits[0].lesson == "bandage"


def test_unchanged_courses_keep_their_entries_without_making_documents(
    lecture_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The documents of a course are made again only when its inputs' key changed."""
    import builder.search.documents as search  # where build_search_index finds it when it runs

    root = tmp_path / "site"
    shutil.copytree(lecture_site, root, symlinks=True)
    out = root / "build"
    made: list[str] = []
    real = search.course_documents

    def counted(site: Site, course: Course) -> list[SearchDocument]:
        made.append(course.id)
        return real(site, course)

    def load_site(root: Path) -> Site:
        site, _ = check_content(root, root / "build", today_in_almaty())  # as oqu build loads it
        assert site is not None
        return site

    monkeypatch.setattr(search, "course_documents", counted)
    site = load_site(root)
    before = read_state(out / "search")
    report = build_search_index(site, out / "search")
    assert (made, report.reindexed) == ([], [])  # another checkout of the same content: same keys
    assert report.documents == sum(before["counts"].values()) > 0
    lesson = root / "content" / "courses" / "first-aid" / "02-practice" / "01-bandage.kk.md"
    lesson.write_text(lesson.read_text(encoding="utf-8") + "\nЖаңа абзац: шина салу.\n", encoding="utf-8")
    report = build_search_index(load_site(root), out / "search")
    assert (made, report.reindexed) == (["first-aid"], ["first-aid"])
    assert SearchIndex(out / "search").search("шина", "kk").hits[0].lesson == "bandage"
    # a caption file is an input too
    caption = next((root / "content").rglob("*.kk.vtt"))
    caption.write_text(caption.read_text(encoding="utf-8").replace("урникет", "урникетке"), encoding="utf-8")
    made.clear()
    build_search_index(load_site(root), out / "search")
    assert made == ["first-aid"]
    # a new index (here: removed) makes every course's documents
    shutil.rmtree(out / "search")
    made.clear()
    build_search_index(load_site(root), out / "search")
    assert made == ["first-aid"] and SearchIndex(out / "search").search("шина", "kk").hits
