"""A past session's recording as its lesson's video (issue 14): `recording:` in schedule.yml names a
video in the course, the media pipeline makes its renditions and captions, the lesson shows it,
the schedule page links the session to it, the service's manifest says so; `oqu check` reports
what cannot be attached with path:line."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import pytest
from media_site import FIXTURES, MEDIA_CONFIG, add_front_matter

from builder.pipeline import build_site, check_content

COURSE = "content/courses/first-aid"
SCHEDULE = f"{COURSE}/schedule.yml"
RECORDINGS = f"{COURSE}/01-basics/media/recordings"
SITE = "build/site/kk/courses/first-aid"
SRT = "1\n00:00:00,000 --> 00:00:02,000\nВебинардың жазбасы.\n"


def with_recording(root: Path, recording: str, lesson: str = "lesson: assessment") -> None:
    path = root / SCHEDULE
    text = path.read_text(encoding="utf-8").replace(
        "    lesson: assessment\n", f"    {lesson}\n    recording: {recording}\n"
    )
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    shutil.copytree(FIXTURES / "minimal-site", root)
    return root


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, sample_media: Path) -> Path:
    root = tmp_path_factory.mktemp("recorded") / "site"
    shutil.copytree(FIXTURES / "minimal-site", root)
    folder = root / RECORDINGS
    folder.mkdir(parents=True)
    shutil.copy(sample_media / "lecture.mkv", folder / "webinar-1.mkv")
    (folder / "webinar-1.kk.srt").write_text(SRT, encoding="utf-8")
    with (root / "site_config.yml").open("a", encoding="utf-8") as config:
        config.write(MEDIA_CONFIG)
    with_recording(root, "01-basics/media/recordings/webinar-1.mkv")
    build_site(root, root / "build", paper=False, today=dt.date(2026, 12, 8))
    return root


def problems(root: Path) -> list[str]:
    _, found = check_content(root, None, dt.date(2026, 12, 8))
    return [str(p) for p in found.items if "recording" in p.message]


def test_the_recording_is_the_lessons_video_with_renditions_and_captions(built: Path) -> None:
    page = (built / SITE / "basics/assessment/index.html").read_text(encoding="utf-8")
    sources = re.findall(r'<source src="([^"]+)" type="video/mp4"', page)
    shared = "../../../../../media/courses/first-aid/basics/media/recordings/webinar-1"  # kk and ru share it
    assert sources == [f"{shared}/240p.mp4", f"{shared}/144p.mp4"]
    assert (built / "build/site/media/courses/first-aid/basics/media/recordings/webinar-1/240p.mp4").is_file()
    assert '<track kind="captions" src="../media/recordings/webinar-1/captions.kk.vtt" srclang="kk"' in page
    captions = (built / SITE / "basics/media/recordings/webinar-1/captions.kk.vtt").read_text(
        encoding="utf-8"
    )
    assert "Вебинардың жазбасы." in captions
    assert not list((built / "build/site").rglob("webinar-1.mkv"))  # the source is not published
    ru = (built / "build/site/ru/courses/first-aid/basics/assessment/index.html").read_text(encoding="utf-8")
    assert f"{shared}/240p.mp4" in ru  # every language's lesson shows it


def test_the_schedule_links_the_session_to_its_recording(built: Path) -> None:
    page = (built / SITE / "schedule/index.html").read_text(encoding="utf-8")
    row = page.split('id="webinar-1"')[1].split("</tr>")[0]
    assert re.search(r'<a href="\.\./basics/assessment/">▶ Бейнежазба</a>', row)
    assert "/schedules/join/" not in row  # over: no "Join" beside its recording
    ru = (built / "build/site/ru/courses/first-aid/schedule/index.html").read_text(encoding="utf-8")
    assert "▶ Видеозапись</a>" in ru


def test_the_service_knows_the_recording(built: Path) -> None:
    manifest = json.loads((built / "build/service/manifest.json").read_text(encoding="utf-8"))
    course = next(c for c in manifest["courses"] if c["id"] == "first-aid")
    [webinar] = course["schedule"]
    assert (webinar["lesson"], webinar["recording"]) == ("assessment", True)
    lesson = next(x for x in course["lessons"] if x["id"] == "assessment")
    assert lesson["video"] is True


def test_no_recording_no_change(site: Path) -> None:
    build_site(site, site / "build", paper=False, today=dt.date(2026, 12, 8))
    page = (site / SITE / "schedule/index.html").read_text(encoding="utf-8")
    assert 'href="/schedules/join/first-aid/webinar-1"' in page and "Бейнежазба" not in page
    manifest = json.loads((site / "build/service/manifest.json").read_text(encoding="utf-8"))
    assert manifest["courses"][0]["schedule"][0]["recording"] is False


def test_check_reports_a_missing_file_with_its_line(site: Path) -> None:
    with_recording(site, "01-basics/media/recordings/nowhere.mp4")
    line = (
        site.joinpath(SCHEDULE)
        .read_text(encoding="utf-8")
        .splitlines()
        .index("    recording: 01-basics/media/recordings/nowhere.mp4")
    )
    assert problems(site) == [
        f"{SCHEDULE}:{line + 1}: recording '01-basics/media/recordings/nowhere.mp4' is missing "
        "(a path from the course folder)"
    ]


def test_check_reports_a_recording_without_a_lesson_or_outside_the_course(site: Path) -> None:
    (site / RECORDINGS).mkdir(parents=True)
    (site / RECORDINGS / "webinar-1.mp4").write_bytes(b"")
    with_recording(site, "01-basics/media/recordings/webinar-1.mp4", lesson="kind: webinar")
    assert [p.split(": ", 1)[1] for p in problems(site)] == [
        "a recording belongs to a lesson: name the session's 'lesson'"
    ]
    other = site / "content/secret.mp4"
    other.write_bytes(b"")
    shutil.copytree(FIXTURES / "minimal-site" / COURSE, site / COURSE, dirs_exist_ok=True)
    with_recording(site, "../../secret.mp4")
    assert [p.split(": ", 1)[1] for p in problems(site)] == [
        "recording '../../secret.mp4' is outside the course folder"
    ]


def test_check_warns_when_the_lesson_has_its_own_video(site: Path) -> None:
    (site / RECORDINGS).mkdir(parents=True)
    (site / RECORDINGS / "webinar-1.mp4").write_bytes(b"")
    (site / COURSE / "01-basics/media/own.mp4").write_bytes(b"")
    for lang in ("kk", "ru"):
        add_front_matter(site / COURSE / f"01-basics/01-assessment.{lang}.md", "video: media/own.mp4\n")
    with_recording(site, "01-basics/media/recordings/webinar-1.mp4")
    [warning] = problems(site)
    assert warning.startswith(f"{SCHEDULE}:") and warning.endswith(
        "warning: lesson 'assessment' already has a video: this recording is not shown"
    )


def test_staff_training_has_no_lessons_for_a_recording(site: Path) -> None:
    staff = site / "content/staff-training"
    staff.mkdir(parents=True)
    (staff / "schedule.yml").write_text(
        "title: {kk: ПОҚ-ты оқыту}\napproved_by: {kk: Орынбасар}\napproved_on: 2026-12-04\n"
        "classes:\n  - id: st-1\n    title: {kk: Курс жариялау}\n    start: 2026-12-10 15:00\n"
        "    duration: 60\n    kind: staff-training\n    place: {kk: 305 аудитория}\n"
        "    recording: st-1.mp4\n",
        encoding="utf-8",
    )
    assert problems(site) == [
        "content/staff-training/schedule.yml:11: staff training has no lessons to show a recording in"
    ]
