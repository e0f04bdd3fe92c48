"""The one module that drives ffmpeg (through ffmpeg-python), so that the library can be replaced.

ffmpeg-python has had no release since 2019; everything else in oqu calls these functions.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ffmpeg

Progress = Callable[[float], None]


class MediaError(Exception):
    """ffmpeg or ffprobe could not read or write a file; the message is ffmpeg's own reason."""


@dataclass(frozen=True)
class Probe:
    duration: float
    width: int
    height: int
    video_codec: str
    audio_codec: str

    @property
    def has_video(self) -> bool:
        return bool(self.video_codec)

    @property
    def has_audio(self) -> bool:
        return bool(self.audio_codec)


def probe(path: Path) -> Probe:
    """Duration, size and codecs of a media file; MediaError with ffprobe's reason if unreadable."""
    try:
        info = ffmpeg.probe(str(path), v="error")
    except ffmpeg.Error as exc:
        raise MediaError(_reason(exc.stderr, path)) from None
    except FileNotFoundError:
        raise MediaError("ffprobe is not installed (apt-get install ffmpeg)") from None
    streams = info.get("streams", [])
    video: dict[str, Any] = next(
        (s for s in streams if s.get("codec_type") == "video" and not _is_cover(s)), {}
    )
    audio: dict[str, Any] = next((s for s in streams if s.get("codec_type") == "audio"), {})
    duration = float(info.get("format", {}).get("duration") or video.get("duration") or 0)
    return Probe(
        duration=duration,
        width=int(video.get("width") or 0),
        height=int(video.get("height") or 0),
        video_codec=str(video.get("codec_name") or ""),
        audio_codec=str(audio.get("codec_name") or ""),
    )


def _is_cover(stream: dict[str, Any]) -> bool:
    return bool(stream.get("disposition", {}).get("attached_pic"))


def _reason(stderr: bytes | None, path: Path) -> str:
    lines = [line.strip() for line in (stderr or b"").decode("utf-8", "replace").splitlines() if line.strip()]
    if not lines:
        return "no readable media stream"
    reason = lines[-1]
    for prefix in (f"{path}: ", f"{path.name}: "):
        reason = reason.replace(prefix, "")
    return reason


# -- encoding -------------------------------------------------------------------------------


def video_rendition(
    source: Path, target: Path, height: int, crf: int, preset: str, audio_bitrate: str, has_audio: bool
) -> Any:
    """The ffmpeg stream for one H.264/AAC MP4 rendition, `moov` first (+faststart)."""
    src = ffmpeg.input(str(source))
    streams = [src.video.filter("scale", -2, height)]
    audio = {"c:a": "aac", "b:a": audio_bitrate, "ac": 2} if has_audio else {}
    if has_audio:
        streams.append(src.audio)
    return ffmpeg.output(
        *streams,
        str(target),
        f="mp4",
        **{"c:v": "libx264", "preset": preset, "crf": crf, "pix_fmt": "yuv420p", "profile:v": "high"},
        **audio,
        movflags="+faststart",
        map_metadata=-1,
    )


def poster_frame(source: Path, target: Path, at: float, height: int) -> Any:
    return (
        ffmpeg.input(str(source), ss=at)
        .video.filter("scale", -2, height)
        .output(str(target), vframes=1, f="image2", **{"q:v": 4})
    )


def thumbnail_strip(source: Path, target: Path, every: float, count: int, width: int) -> Any:
    """One image with `count` small frames side by side, one every `every` seconds (seek previews)."""
    return (
        ffmpeg.input(str(source))
        .video.filter("fps", 1 / every)
        .filter("scale", width, -2)
        .filter("tile", f"{count}x1")
        .output(str(target), vframes=1, f="image2", **{"q:v": 5})
    )


def normalised_audio(source: Path, target: Path, loudness: float, codec: str, bitrate: str) -> Any:
    """EBU R128 loudness normalisation (the loudnorm filter), to AAC in MP4 or to Opus in Ogg."""
    audio = ffmpeg.input(str(source)).audio.filter("loudnorm", I=loudness, TP=-1.5, LRA=11)
    if codec == "opus":
        return audio.output(str(target), f="ogg", **{"c:a": "libopus", "b:a": bitrate}, ar=48000)
    return audio.output(
        str(target), f="mp4", **{"c:a": "aac", "b:a": bitrate}, ar=48000, movflags="+faststart"
    )


def command(stream: Any) -> list[str]:
    """The exact ffmpeg command line of a stream (what the benchmark runs by hand)."""
    return ["ffmpeg", "-nostdin", "-y", "-loglevel", "error", *ffmpeg.compile(stream, cmd=[])]


def run(stream: Any, duration: float = 0.0, on_progress: Progress = lambda _: None) -> None:
    """Run ffmpeg, reporting seconds encoded; MediaError with ffmpeg's reason on failure."""
    args = [*command(stream)[:5], "-progress", "pipe:1", "-nostats", *command(stream)[5:]]
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    for raw in process.stdout:
        key, _, value = raw.decode("ascii", "replace").strip().partition("=")
        if key == "out_time_us" and value.isdigit():
            on_progress(min(int(value) / 1e6, duration) if duration else int(value) / 1e6)
    stderr = process.stderr.read()
    if process.wait() != 0:
        raise MediaError(_reason(stderr, Path(args[-1])))


# -- the example lecture (scripts/make_example_lecture.py) --------------------------------------


def slideshow(slides: list[tuple[Path, Path]], target: Path, height: int = 360) -> None:
    """A lecture video from (slide image, narration audio) pairs, each slide shown while it is read."""
    parts = []
    for image, audio in slides:
        seconds = probe(audio).duration + 0.6
        picture = ffmpeg.input(str(image), loop=1, t=seconds, framerate=12).video
        sound = ffmpeg.input(str(audio)).audio.filter("apad", whole_dur=seconds)
        parts += [picture.filter("scale", -2, height).filter("format", "yuv420p"), sound]
    joined = ffmpeg.concat(*parts, v=1, a=1).node
    stream = ffmpeg.output(
        joined[0],
        joined[1],
        str(target),
        **{"c:v": "libx264", "preset": "slow", "crf": 30, "tune": "stillimage", "g": 120},
        **{"c:a": "aac", "b:a": "48k", "ac": 1},
        r=12,
        movflags="+faststart",
        map_metadata=-1,
    )
    run(stream.overwrite_output())


def media_info(path: Path) -> dict[str, Any]:
    """Raw ffprobe JSON of a file (tests check stream order and sizes with it)."""
    info: dict[str, Any] = ffmpeg.probe(str(path), v="error")
    return info
