"""What media each lesson uses, checked and planned: probe, validate, then name every output file."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from builder.links import iter_links
from builder.load import MODULE_DIR_RE, resolve_target
from builder.media import encoder
from builder.media.captions import CaptionError, chapter_problems, read_captions
from builder.media.lfs import LFS_MESSAGE, is_lfs_pointer
from builder.model import Course, LessonVariant, Site
from builder.problems import Problems
from builder.schema import KNOWN_LANGUAGES

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp"}
CAPTION_SUFFIXES = (".vtt", ".srt")
THUMB_COUNT, THUMB_WIDTH = 20, 160


Make = Callable[[Path, encoder.Progress], Any]


@dataclass
class Output:
    """One file in the media cache and how to make it (into a scratch path) if it is not there yet."""

    name: str
    path: Path
    make: Make
    seconds: float = 0.0
    label: str = ""
    source: Path | None = None


@dataclass
class Rendition:
    height: int
    width: int
    output: Output


@dataclass
class VideoAsset:
    source: Path
    site_dir: str
    probe: encoder.Probe
    renditions: list[Rendition]
    poster: Output
    thumbs: Output
    thumbs_vtt: Output
    captions: dict[str, Output] = field(default_factory=dict)


@dataclass
class AudioAsset:
    source: Path
    site_dir: str
    probe: encoder.Probe
    output: Output
    transcripts: dict[str, str] = field(default_factory=dict)


@dataclass
class ImageAsset:
    source: Path
    site_path: str
    width: int
    height: int
    sizes: list[tuple[int, Output]]


@dataclass
class EmbedAsset:
    title: str
    site_path: str  # the entry file (index.html or the .glb model)
    height: int
    files: dict[str, Path]
    is_model: bool


@dataclass
class LessonMedia:
    video: VideoAsset | None = None
    audio: AudioAsset | None = None
    chapters: Output | None = None
    embeds: list[EmbedAsset] = field(default_factory=list)

    def outputs(self) -> list[Output]:
        found = [self.chapters] if self.chapters else []
        if self.video:
            found += _video_outputs(self.video)
        if self.audio:
            found.append(self.audio.output)
        return found


@dataclass
class MediaLibrary:
    """Every lesson's media, keyed by the lesson file; images keyed by their source file."""

    lessons: dict[Path, LessonMedia] = field(default_factory=dict)
    images: dict[Path, ImageAsset] = field(default_factory=dict)
    made: int = 0  # outputs encoded by this build (the rest came from the cache)
    cached: int = 0

    def outputs(self) -> list[Output]:
        unique: dict[Path, Output] = {}
        for media in self.lessons.values():
            unique.update((o.path, o) for o in media.outputs())
        for image in self.images.values():
            unique.update((o.path, o) for _, o in image.sizes)
        return list(unique.values())

    def files_for(self, variant: LessonVariant, shared: bool = False) -> dict[str, Path]:
        """Site path → cache (or source) file for everything the lesson's players use;
        `shared`: without the video renditions (the course's shared folder has them)."""
        media = self.lessons.get(variant.path)
        if media is None:
            return {}
        files: dict[str, Path] = {}
        if media.video:
            outputs = _video_outputs(media.video)
            if shared:
                renditions = {id(r.output) for r in media.video.renditions}
                outputs = [o for o in outputs if id(o) not in renditions]
            files.update({f"{media.video.site_dir}/{o.name}": o.path for o in outputs})
        if media.audio:
            files[f"{media.audio.site_dir}/{media.audio.output.name}"] = media.audio.output.path
        if media.chapters and media.video:
            files[f"{media.video.site_dir}/{media.chapters.name}"] = media.chapters.path
        for embed in media.embeds:
            files.update(embed.files)
        return files

    def shared_files_for(self, variant: LessonVariant, course_id: str) -> dict[str, Path]:
        """Site path (from the site's root) → file of the lesson's video renditions, in the
        course's folder that every language of the course shares (`shared_video_dir`)."""
        media = self.lessons.get(variant.path)
        if media is None or media.video is None:
            return {}
        folder = f"{shared_video_dir(course_id)}/{media.video.site_dir}"
        return {f"{folder}/{r.output.name}": r.output.path for r in media.video.renditions}

    def image_files(self, source: Path) -> dict[str, Path]:
        image = self.images.get(source)
        if image is None:
            return {}
        folder = image.site_path.rsplit("/", 1)[0]
        return {f"{folder}/{output.name}": output.path for _, output in image.sizes}


# The video renditions of a course, once for all its languages (the kk and ru lesson pages
# point at the same files): `media/courses/<course id>/` from the site's root. It stays behind
# the course's gate: nginx's `auth_request` covers every `/<folder>/courses/…` and the service's
# rule (auth.access.COURSE_PATH) reads the course id after `courses/` whatever the first folder.
SHARED_MEDIA = "media"


def shared_video_dir(course_id: str) -> str:
    return f"{SHARED_MEDIA}/courses/{course_id}"


def _video_outputs(video: VideoAsset) -> list[Output]:
    return [
        *(r.output for r in video.renditions),
        video.poster,
        video.thumbs,
        video.thumbs_vtt,
        *video.captions.values(),
    ]


# -- check: every problem in one run ---------------------------------------------------------


@functools.lru_cache(maxsize=512)
def _probe_cached(path: str, size: int, mtime_ns: int) -> encoder.Probe:
    return encoder.probe(Path(path))


def probe_file(path: Path) -> encoder.Probe:
    stat = path.stat()
    return _probe_cached(str(path.resolve()), stat.st_size, stat.st_mtime_ns)


def check_media(site: Site, problems: Problems) -> None:
    """LFS pointers, unreadable videos and audio, bad captions and chapters, missing embeds."""
    seen: set[Path] = set()  # a video shared by the kk and ru lesson is reported once
    for course in site.courses:
        for _, lesson in course.lessons():
            for variant in lesson.variants.values():
                check_variant_media(site, variant, problems, seen)


def check_variant_media(site: Site, variant: LessonVariant, problems: Problems, seen: set[Path]) -> None:
    meta = variant.meta
    folder = variant.path.parent
    if not _inside_course(variant, problems):
        return
    video_path = folder / meta.video if meta.video else None
    video = _readable(video_path, "video", problems, seen) if video_path is not None else None
    if video_path is not None and video is not None:
        for caption in caption_files(video_path).values():
            _check_captions(caption, problems, seen)
        duration = video.duration
        for message in chapter_problems(meta.chapters, duration):
            problems.error(variant.path, variant.meta_lines.get("chapters", 1), message)
    elif meta.chapters and not meta.video:
        problems.error(variant.path, variant.meta_lines.get("chapters", 1), "'chapters' needs a 'video'")
    if meta.audio:
        _readable(folder / meta.audio, "audio", problems, seen)
    for embed in meta.interactive:
        message = _embed_problem(folder / embed.src, variant.path.parent.parent)
        if message:
            problems.error(variant.path, variant.meta_lines.get("interactive", 1), message)
    for image in raster_images(site, variant):
        if image not in seen:
            seen.add(image)
            _check_image(image, problems)


def _inside_course(variant: LessonVariant, problems: Problems) -> bool:
    given = [key for key in ("video", "audio") if getattr(variant.meta, key)]
    if not given:  # most lessons: no path to resolve (a realpath per lesson and build)
        return True
    course_dir = variant.path.parent.parent.resolve()
    outside = [
        key
        for key in given
        if course_dir not in (variant.path.parent / getattr(variant.meta, key)).resolve().parents
    ]
    for key in outside:
        problems.error(
            variant.path, variant.meta_lines.get(key, 1), f"the {key} must be inside the course folder"
        )
    return not outside


def _readable(path: Path, kind: str, problems: Problems, seen: set[Path]) -> encoder.Probe | None:
    if not path.is_file():
        return None  # load.py already reports the missing file with the lesson's line
    if path.resolve() in seen:
        return _probe_or_none(path)
    seen.add(path.resolve())
    if is_lfs_pointer(path):
        problems.error(path, 1, LFS_MESSAGE)
        return None
    try:
        found = probe_file(path)
    except encoder.MediaError as exc:
        problems.error(path, 1, f"cannot read {kind}: {exc}")
        return None
    if kind == "video" and not found.has_video:
        problems.error(path, 1, "cannot read video: the file has no video stream")
        return None
    if kind == "audio" and not found.has_audio:
        problems.error(path, 1, "cannot read audio: the file has no sound")
        return None
    return found


def _probe_or_none(path: Path) -> encoder.Probe | None:
    try:
        return probe_file(path)
    except encoder.MediaError:
        return None


def caption_files(video: Path) -> dict[str, Path]:
    """`lecture.kk.srt`, `lecture.ru.vtt` … beside `lecture.mp4`, one per language."""
    found = {}
    for lang in KNOWN_LANGUAGES:
        for suffix in CAPTION_SUFFIXES:
            candidate = video.with_name(f"{video.stem}.{lang}{suffix}")
            if candidate.is_file():
                found[lang] = candidate
                break
    return found


def _check_captions(path: Path, problems: Problems, seen: set[Path]) -> None:
    if path in seen:
        return
    seen.add(path)
    if is_lfs_pointer(path):
        problems.error(path, 1, LFS_MESSAGE)
        return
    try:
        read_captions(path.read_text(encoding="utf-8"), path.suffix)
    except UnicodeDecodeError:
        problems.error(path, 1, "captions are not UTF-8 text")
    except CaptionError as exc:
        problems.error(path, exc.line, str(exc))


def _embed_problem(path: Path, course_dir: Path) -> str:
    if course_dir.resolve() not in path.resolve().parents:
        return f"interactive '{path.name}' must be inside the course folder"
    if path.is_dir():
        return "" if (path / "index.html").is_file() else f"interactive '{path.name}' has no index.html"
    if path.suffix == ".glb" and path.is_file():
        return LFS_MESSAGE.replace("is a", f"'{path.name}' is a") if is_lfs_pointer(path) else ""
    if path.suffix == ".glb" or path.suffix == "":
        return f"missing interactive '{path.name}'"
    return f"interactive '{path.name}' must be a folder with an index.html or a .glb model"


def raster_images(site: Site, variant: LessonVariant) -> list[Path]:
    found = []
    for link in iter_links(variant.body, variant.body_line):
        if link.is_image and not link.is_external:
            target = resolve_target(site.content_dir, variant.path, link.path_and_anchor[0])
            if target is not None and target.suffix.lower() in IMAGE_SUFFIXES:
                found.append(target)
    return found


def _check_image(path: Path, problems: Problems) -> None:
    from PIL import Image, UnidentifiedImageError

    if is_lfs_pointer(path):
        problems.error(path, 1, LFS_MESSAGE)
        return
    try:
        with Image.open(path) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        problems.error(path, 1, f"cannot read image: {exc}")


# -- plan: name every output by the source's hash and the settings ---------------------------


def site_path(course: Course, source: Path) -> str:
    """Where a course file lands in its generated project (module folders lose their `NN-`)."""
    parts = list(source.resolve().relative_to(course.path.resolve()).parts)
    match = MODULE_DIR_RE.match(parts[0])
    if match:
        parts[0] = match.group(2)
    return "/".join(parts)
