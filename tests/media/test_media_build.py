"""The media phase of `oqu build` with real ffmpeg on small generated media."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from media_site import LESSON_KK, PRACTICE, add_front_matter, make_media_site

from builder.media.encoder import media_info
from builder.pipeline import build_site, check_content
from builder.problems import ContentError

SITE = "build/site/kk/courses/first-aid"
VIDEO = f"{SITE}/basics/media/lecture"
# the renditions: once per course for all its languages, behind the same course gate
RENDITIONS = "build/site/media/courses/first-aid/basics/media/lecture"
SHARED_FROM_PAGE = "../../../../../media/courses/first-aid/basics/media/lecture"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, sample_media: Path) -> tuple[Path, int]:
    """The media site built once; returns its root and how many files the first build encoded."""
    root = make_media_site(tmp_path_factory.mktemp("built") / "site", sample_media)
    report = build_site(root, root / "build")
    return root, report.media_encoded


def top_level_boxes(path: Path) -> list[str]:
    boxes, data = [], path.read_bytes()
    offset = 0
    while offset + 8 <= len(data):
        size = int.from_bytes(data[offset : offset + 4], "big")
        boxes.append(data[offset + 4 : offset + 8].decode("latin-1"))
        if size == 1:
            size = int.from_bytes(data[offset + 8 : offset + 16], "big")
        offset += size if size else len(data)
    return boxes


def loudness(path: Path) -> float:
    result = subprocess.run(
        ["ffmpeg", "-nostdin", "-i", str(path), "-af", "ebur128", "-f", "null", "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    return float(re.findall(r"I:\s+(-?[\d.]+) LUFS", result.stderr)[-1])


def test_renditions_are_h264_aac_faststart_and_never_upscaled(built: tuple[Path, int]) -> None:
    root, _ = built
    folder = root / RENDITIONS
    assert sorted(p.name for p in folder.glob("*.mp4")) == ["144p.mp4", "240p.mp4"]  # 480p > source
    for name, height in (("144p.mp4", 144), ("240p.mp4", 240)):
        info = media_info(folder / name)
        video = next(s for s in info["streams"] if s["codec_type"] == "video")
        audio = next(s for s in info["streams"] if s["codec_type"] == "audio")
        assert (video["codec_name"], video["height"], audio["codec_name"]) == ("h264", height, "aac")
        assert video["height"] <= 240 and video["width"] <= 320
        boxes = top_level_boxes(folder / name)
        assert boxes.index("moov") < boxes.index("mdat")


def test_kk_and_ru_pages_share_one_copy_of_the_renditions(built: tuple[Path, int]) -> None:
    """Issue 17: the renditions are in the course's shared folder only, and both languages'
    pages of the lesson play those files (the posters, thumbnails and tracks stay per project)."""
    root, _ = built
    site = root / "build/site"
    assert sorted(p.relative_to(site).as_posix() for p in site.rglob("*.mp4")) == [
        "media/courses/first-aid/basics/media/lecture/144p.mp4",
        "media/courses/first-aid/basics/media/lecture/240p.mp4",
    ]
    for lang in ("kk", "ru"):
        page = (site / lang / "courses/first-aid/basics/assessment/index.html").read_text(encoding="utf-8")
        sources = re.findall(r'<source src="([^"]+)" type="video/mp4"', page)
        assert sources == [f"{SHARED_FROM_PAGE}/240p.mp4", f"{SHARED_FROM_PAGE}/144p.mp4"], lang
        assert (site / lang / "courses/first-aid/basics/media/lecture/poster.jpg").is_file()


def test_poster_thumbnails_captions_and_chapters(built: tuple[Path, int]) -> None:
    root, _ = built
    folder = root / VIDEO
    assert (folder / "poster.jpg").read_bytes()[:2] == b"\xff\xd8"
    assert media_info(folder / "thumbs.jpg")["streams"][0]["width"] == 160 * 6
    assert "thumbs.jpg#xywh=800,0,160,120" in (folder / "thumbs.vtt").read_text(encoding="utf-8")
    kk = (folder / "captions.kk.vtt").read_text(encoding="utf-8")
    assert kk.startswith("WEBVTT\n\n00:00:00.000 --> 00:00:01.500\nАлдымен")
    assert "Зардап шеккеннің &lt;тынысын&gt; &amp; тамырын" in kk
    assert "Проверьте дыхание" in (folder / "captions.ru.vtt").read_text(encoding="utf-8")
    chapters = (folder / "chapters.kk.vtt").read_text(encoding="utf-8")
    assert "00:00:01.000 --> 00:00:03.0" in chapters and "Тыныс пен тамыр" in chapters


def test_lesson_page_has_the_players(built: tuple[Path, int]) -> None:
    root, _ = built
    page = (root / SITE / "basics/assessment/index.html").read_text(encoding="utf-8")
    assert '<video controls preload="metadata" playsinline width="320" height="240"' in page
    assert 'poster="../media/lecture/poster.jpg"' in page
    sources = re.findall(r'<source src="([^"]+)" type="video/mp4"', page)
    assert sources == [f"{SHARED_FROM_PAGE}/240p.mp4", f"{SHARED_FROM_PAGE}/144p.mp4"]
    assert (
        '<track kind="captions" src="../media/lecture/captions.kk.vtt" srclang="kk" label="Қазақша" default>'
        in page
    )
    assert 'srclang="ru" label="Русский">' in page
    assert '<track kind="chapters" src="../media/lecture/chapters.kk.vtt" srclang="kk">' in page
    assert "<select data-oqu-speed>" in page
    assert re.search(rf'href="{SHARED_FROM_PAGE}/240p\.mp4" download>Жүктеп алу \(240p, \d+', page)
    assert '<source src="../media/talk/audio.m4a" type="audio/mp4">' in page
    assert "<p>Екінші &lt;абзац&gt;.</p>" in page
    assert 'sandbox="allow-scripts allow-forms allow-popups allow-pointer-lock"' in page
    assert "allow-same-origin" not in page
    assert (root / SITE / "basics/media/sim/index.html").is_file()
    assert not (root / SITE / "basics/media/lecture.mkv").exists()  # sources are not published
    course_home = (root / SITE / "index.html").read_text(encoding="utf-8")
    assert "Дәріс · 45 мин · Бейнедәріс 0:03" in course_home


def test_audio_is_normalised_to_ebu_r128(built: tuple[Path, int]) -> None:
    root, _ = built
    assert loudness(root / "content/courses/first-aid/01-basics/media/talk.wav") < -40
    assert loudness(root / SITE / "basics/media/talk/audio.m4a") == pytest.approx(-16, abs=1)


def test_photos_get_sizes_dimensions_and_lazy_loading(built: tuple[Path, int]) -> None:
    root, _ = built
    page = (root / SITE / "basics/assessment/index.html").read_text(encoding="utf-8")
    img = re.search(r'<img alt="Оқу алаңының суреті"[^>]*>', page)
    assert img is not None
    tag = img.group(0)
    for attribute in ('width="1200"', 'height="800"', 'loading="lazy"', 'src="../media/photo.jpg"'):
        assert attribute in tag
    assert (
        'srcset="../media/photo-480w.jpg 480w, ../media/photo-960w.jpg 960w, ../media/photo.jpg 1200w"' in tag
    )
    assert media_info(root / SITE / "basics/media/photo-480w.jpg")["streams"][0]["width"] == 480


def test_a_second_build_encodes_nothing(built: tuple[Path, int], tmp_path: Path) -> None:
    root, first = built
    copy = tmp_path / "site"
    shutil.copytree(root, copy)
    cache = sorted((copy / "build/media").glob("??/*"))
    stamps = [p.stat().st_mtime_ns for p in cache]
    assert (
        first == len(cache) == 11
    )  # 2 renditions, poster, thumbs (+vtt), 2 captions, chapters, audio, 2 photos
    assert build_site(copy, copy / "build").media_encoded == 0
    assert [p.stat().st_mtime_ns for p in sorted((copy / "build/media").glob("??/*"))] == stamps


def test_a_changed_setting_reencodes_only_what_it_affects(built: tuple[Path, int], tmp_path: Path) -> None:
    root, _ = built
    copy = tmp_path / "site"
    shutil.copytree(root, copy)
    config = copy / "site_config.yml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("{height: 240, crf: 30", "{height: 240, crf: 35"),
        encoding="utf-8",
    )
    assert build_site(copy, copy / "build").media_encoded == 1


def test_corrupt_video_and_lfs_pointer_fail_the_build_and_keep_the_site(
    built: tuple[Path, int], tmp_path: Path
) -> None:
    root, _ = built
    copy = tmp_path / "site"
    shutil.copytree(root, copy)
    before = (copy / SITE / "basics/assessment/index.html").read_bytes()
    media = copy / "content/courses/first-aid/01-basics/media"
    data = (media / "lecture.mkv").read_bytes()
    (media / "lecture.mkv").write_bytes(b"\x00" * 64 + data[4096:])  # the header is gone
    (media / "talk.wav").write_text(
        "version https://git-lfs.github.com/spec/v1\n"
        "oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n",
        encoding="utf-8",
    )
    with pytest.raises(ContentError) as failure:
        build_site(copy, copy / "build")
    messages = [str(p) for p in failure.value.problems]
    folder = "content/courses/first-aid/01-basics/media"
    assert f"{folder}/talk.wav:1: is a Git LFS pointer; run git lfs pull" in messages
    corrupt = [m for m in messages if m.startswith(f"{folder}/lecture.mkv:1: cannot read video: ")]
    assert corrupt == [f"{folder}/lecture.mkv:1: cannot read video: Invalid data found when processing input"]
    assert (copy / SITE / "basics/assessment/index.html").read_bytes() == before


def test_check_reports_caption_chapter_and_embed_problems(media_site: Path) -> None:
    media = media_site / "content/courses/first-aid/01-basics/media"
    (media / "lecture.kk.srt").write_text("1\n00:00:01 --> 00:00:02\nҚате\n", encoding="utf-8")
    shutil.rmtree(media / "sim")
    (media / "sim").mkdir()
    add_front_matter(
        media_site / PRACTICE, "chapters:\n  - {start: '0:05', title: Бір}\n  - {start: '0:02', title: Екі}"
    )
    _, problems = check_content(media_site)
    messages = [str(p) for p in problems.errors]
    folder = "content/courses/first-aid/01-basics/media"
    assert (
        f"{folder}/lecture.kk.srt:2: bad cue timing '00:00:01 --> 00:00:02' "
        "(expected 00:00:01,000 --> 00:00:04,000)" in messages
    )
    assert f"{LESSON_KK}:11: interactive 'sim' has no index.html" in messages
    assert any(m.startswith(f"{PRACTICE}:") and m.endswith("'chapters' needs a 'video'") for m in messages)


def test_chapters_after_the_end_of_the_video_are_reported(media_site: Path) -> None:
    lesson = media_site / LESSON_KK
    lesson.write_text(lesson.read_text(encoding="utf-8").replace('"0:01"', '"0:09"'), encoding="utf-8")
    _, problems = check_content(media_site)
    assert [str(p) for p in problems.errors] == [
        f"{LESSON_KK}:7: chapter 'Тыныс пен тамыр' at 0:09 starts after the video ends"
    ]


def test_media_outside_the_course_is_reported(media_site: Path, sample_media: Path) -> None:
    shutil.copy(sample_media / "talk.wav", media_site / "content" / "talk.wav")
    add_front_matter(media_site / PRACTICE, "audio: ../../../talk.wav")
    _, problems = check_content(media_site)
    assert [str(p) for p in problems.errors] == [f"{PRACTICE}:6: the audio must be inside the course folder"]


def test_a_missing_model_and_a_wrong_kind_of_embed_are_reported(media_site: Path) -> None:
    (media_site / "content/courses/first-aid/02-practice/media").mkdir()
    (media_site / "content/courses/first-aid/02-practice/media/notes.pdf").write_bytes(b"%PDF-1.4")
    add_front_matter(
        media_site / PRACTICE,
        "interactive:\n  - {src: media/extinguisher.glb, title: ОП-5}\n  - {src: media/notes.pdf, title: Жазба}",
    )
    _, problems = check_content(media_site)
    assert [str(p) for p in problems.errors] == [
        f"{PRACTICE}:6: interactive 'notes.pdf' must be a folder with an index.html or a .glb model",
        f"{PRACTICE}:6: missing interactive 'extinguisher.glb'",
    ]
