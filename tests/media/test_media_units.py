"""Pure parts of the media package: captions, chapters, LFS pointers, the cache, rendition choice."""

from __future__ import annotations

from pathlib import Path

import pytest

from builder.media.cache import MediaCache
from builder.media.captions import (
    CaptionError,
    chapter_problems,
    chapters_webvtt,
    read_captions,
    to_webvtt,
)
from builder.media.lfs import is_lfs_pointer
from builder.media.plans import rendition_heights
from builder.schema import Chapter, MediaConfig


def test_srt_becomes_webvtt() -> None:
    srt = (
        "\ufeff1\r\n00:00:01,250 --> 00:00:03,000\r\n{\\an8}<i>Өрт</i> -- қауіпті\r\n\r\n"
        "2\r\n01:02:03,004 --> 01:02:04,000\r\nЕкі\r\nжол\r\n"
    )
    assert to_webvtt(read_captions(srt, ".srt")) == (
        "WEBVTT\n\n00:00:01.250 --> 00:00:03.000\n<i>Өрт</i> -- қауіпті\n\n"
        "01:02:03.004 --> 01:02:04.000\nЕкі\nжол\n"
    )


def test_caption_text_cannot_smuggle_markup() -> None:
    cues = read_captions("1\n00:00:00,000 --> 00:00:01,000\n<script>x</script> --> & <b>ok</b>\n", ".srt")
    assert to_webvtt(cues).endswith("&lt;script&gt;x&lt;/script&gt; --&gt; &amp; <b>ok</b>\n")


@pytest.mark.parametrize(
    ("text", "suffix", "line", "message"),
    [
        ("1\n00:00:02,000 --> 00:00:01,000\nа\n", ".srt", 2, "a caption must end after it starts"),
        ("00:00.000 --> 00:01.000\nа\n", ".vtt", 1, "a WebVTT file must start with 'WEBVTT'"),
        ("WEBVTT\n\n00:00.000 -> 00:01.000\nа\n", ".vtt", 3, "bad cue timing '00:00.000 -> 00:01.000'"),
        ("\n\n", ".srt", 1, "no captions found"),
    ],
)
def test_caption_errors_name_the_line(text: str, suffix: str, line: int, message: str) -> None:
    with pytest.raises(CaptionError) as error:
        read_captions(text, suffix)
    assert error.value.line == line
    assert str(error.value).startswith(message)


def test_chapters_track_and_order() -> None:
    chapters = [Chapter(start="0:00", title="Кіріспе"), Chapter(start="1:05", title="Қорытынды")]
    assert chapters_webvtt(chapters, 90.5) == (
        "WEBVTT\n\n00:00:00.000 --> 00:01:05.000\nКіріспе\n\n00:01:05.000 --> 00:01:30.500\nҚорытынды\n"
    )
    backwards = [Chapter(start="0:30", title="Б"), Chapter(start="0:10", title="А")]
    assert chapter_problems(backwards, 60) == ["chapter 'А' at 0:10 must start after the one before it"]


def test_lfs_pointer_detection(tmp_path: Path) -> None:
    pointer = tmp_path / "a.mp4"
    pointer.write_text(
        "version https://git-lfs.github.com/spec/v1\noid sha256:ab\nsize 9\n", encoding="utf-8"
    )
    video = tmp_path / "b.mp4"
    video.write_bytes(b"\x00\x00\x00\x20ftypisom" + b"\x00" * 2000)
    assert is_lfs_pointer(pointer)
    assert not is_lfs_pointer(video)
    assert not is_lfs_pointer(tmp_path / "missing.mp4")


def test_an_interrupted_write_leaves_nothing_in_the_cache(tmp_path: Path) -> None:
    cache = MediaCache(tmp_path / "media")
    target = cache.path(cache.key("abc", {"kind": "video"}), "360p.mp4")
    with pytest.raises(KeyboardInterrupt), cache.writing(target) as scratch:
        scratch.write_bytes(b"half a video")
        raise KeyboardInterrupt
    assert not target.exists()
    assert list(cache.tmp.iterdir()) == []
    with cache.writing(target) as scratch:
        scratch.write_bytes(b"a whole video")
    assert target.read_bytes() == b"a whole video"


def test_keys_follow_the_source_and_the_settings(tmp_path: Path) -> None:
    cache = MediaCache(tmp_path)
    source = tmp_path / "lecture.mp4"
    source.write_bytes(b"one")
    first = cache.source_digest(source)
    assert cache.key(first, {"crf": 26}) != cache.key(first, {"crf": 28})
    source.write_bytes(b"two")
    assert cache.source_digest(source) != first


def test_renditions_are_never_upscaled() -> None:
    config = MediaConfig()
    assert [height for height, _ in rendition_heights(config, 1080)] == [360, 720]
    assert [height for height, _ in rendition_heights(config, 480)] == [360]
    assert [height for height, _ in rendition_heights(config, 241)] == [240]
