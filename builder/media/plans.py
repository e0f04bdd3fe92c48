"""The recipes: for each source, the cache files it needs and the function that makes each one."""

from __future__ import annotations

import functools
import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from builder.media import encoder
from builder.media.cache import MediaCache
from builder.media.captions import chapters_webvtt, read_captions, thumbnails_webvtt, to_webvtt
from builder.media.encoder import Progress
from builder.media.library import (
    THUMB_COUNT,
    THUMB_WIDTH,
    AudioAsset,
    EmbedAsset,
    ImageAsset,
    LessonMedia,
    Make,
    MediaLibrary,
    Output,
    Rendition,
    VideoAsset,
    caption_files,
    probe_file,
    raster_images,
    site_path,
)
from builder.model import Course, LessonVariant, Site
from builder.schema import MediaConfig, VideoRendition


def lesson_media(
    course: Course,
    variant: LessonVariant,
    config: MediaConfig,
    cache: MediaCache,
    videos: dict[Path, VideoAsset],
    audios: dict[Path, AudioAsset],
) -> LessonMedia:
    media = LessonMedia()
    folder = variant.path.parent
    if variant.meta.video:
        source = (folder / variant.meta.video).resolve()
        if source not in videos:
            videos[source] = video_asset(course, source, config, cache)
        media.video = videos[source]
        if variant.meta.chapters:
            text = chapters_webvtt(variant.meta.chapters, media.video.probe.duration)
            media.chapters = text_output(cache, f"chapters.{variant.lang}.vtt", text)
    if variant.meta.audio:
        source = (folder / variant.meta.audio).resolve()
        if source not in audios:
            audios[source] = audio_asset(course, source, config, cache)
        media.audio = audios[source]
    media.embeds = [
        embed_asset(course, (folder / embed.src).resolve(), embed.title, embed.height)
        for embed in variant.meta.interactive
    ]
    return media


def text_output(cache: MediaCache, name: str, text: str) -> Output:
    path = cache.path(cache.key(hashlib.sha256(text.encode()).hexdigest(), {"text": name}), name)
    return Output(name, path, lambda target, _: target.write_text(text, encoding="utf-8"))


def ffmpeg_job(stream_for: Callable[[Path], Any], duration: float) -> Make:
    """Make a file with one ffmpeg run, reporting progress in seconds of media."""
    return lambda target, progress: encoder.run(stream_for(target), duration, progress)


def video_asset(course: Course, source: Path, config: MediaConfig, cache: MediaCache) -> VideoAsset:
    digest = cache.source_digest(source)
    info = probe_file(source)

    def output(name: str, recipe: dict[str, Any], make: Make, seconds: float = 0.0) -> Output:
        return Output(name, cache.path(cache.key(digest, recipe), name), make, seconds, source.name, source)

    renditions = []
    for height, setting in rendition_heights(config, info.height):
        recipe = {"kind": "video", **setting.model_dump(), "height": height, "preset": config.preset}
        stream_for = functools.partial(
            encoder.video_rendition,
            source,
            height=height,
            crf=setting.crf,
            preset=config.preset,
            audio_bitrate=setting.audio_bitrate,
            has_audio=info.has_audio,
        )
        make = ffmpeg_job(stream_for, info.duration)
        width = _even(info.width * height / info.height)
        renditions.append(Rendition(height, width, output(f"{height}p.mp4", recipe, make, info.duration)))
    top = renditions[-1].height
    at = min(info.duration * 0.1, 5.0)
    poster = output(
        "poster.jpg",
        {"kind": "poster", "at": at, "height": top},
        ffmpeg_job(lambda target: encoder.poster_frame(source, target, at, top), 0),
    )
    every = max(info.duration / THUMB_COUNT, 0.5)
    count = max(1, min(THUMB_COUNT, int(info.duration / every)))
    thumbs = output(
        "thumbs.jpg",
        {"kind": "thumbs", "count": count, "width": THUMB_WIDTH},
        ffmpeg_job(lambda target: encoder.thumbnail_strip(source, target, every, count, THUMB_WIDTH), 0),
    )
    thumb_height = _even(THUMB_WIDTH * info.height / info.width)
    vtt = thumbnails_webvtt("thumbs.jpg", every, count, THUMB_WIDTH, thumb_height, info.duration)
    asset = VideoAsset(
        source=source,
        site_dir=site_path(course, source.with_suffix("")),
        probe=info,
        renditions=renditions,
        poster=poster,
        thumbs=thumbs,
        thumbs_vtt=text_output(cache, "thumbs.vtt", vtt),
    )
    for lang, caption in caption_files(source).items():
        text = to_webvtt(read_captions(caption.read_text(encoding="utf-8"), caption.suffix))
        asset.captions[lang] = text_output(cache, f"captions.{lang}.vtt", text)
    return asset


def rendition_heights(config: MediaConfig, source_height: int) -> list[tuple[int, VideoRendition]]:
    """The configured heights the source can fill (never upscaled); a small source gets its own height."""
    settings = sorted(config.renditions, key=lambda r: r.height)
    chosen = [(r.height, r) for r in settings if r.height <= source_height]
    return chosen or [(max(2, source_height // 2 * 2), settings[0])]


def _even(value: float) -> int:
    return max(2, round(value / 2) * 2)


def audio_asset(course: Course, source: Path, config: MediaConfig, cache: MediaCache) -> AudioAsset:
    info = probe_file(source)
    suffix = ".ogg" if config.audio_format == "opus" else ".m4a"
    recipe = {"kind": "audio", "format": config.audio_format, "b": config.audio_bitrate, "I": config.loudness}
    name = f"audio{suffix}"

    make = ffmpeg_job(
        lambda target: encoder.normalised_audio(
            source, target, config.loudness, config.audio_format, config.audio_bitrate
        ),
        info.duration,
    )
    path = cache.path(cache.key(cache.source_digest(source), recipe), name)
    output = Output(name, path, make, info.duration, source.name, source)
    transcripts = {}
    for candidate in sorted(source.parent.glob(f"{source.stem}.*.txt")):
        lang = candidate.name[len(source.stem) + 1 : -4]
        transcripts[lang] = candidate.read_text(encoding="utf-8")
    return AudioAsset(source, site_path(course, source.with_suffix("")), info, output, transcripts)


def image_asset(course: Course, source: Path, config: MediaConfig, cache: MediaCache) -> ImageAsset:
    from PIL import Image

    with Image.open(source) as image:
        width, height = image.size
    digest = cache.source_digest(source)
    sizes = []
    for target_width in config.image_widths:
        if target_width >= width:
            break
        name = f"{source.stem}-{target_width}w{_image_suffix(source)}"
        recipe = {"kind": "image", "w": target_width, "q": config.image_quality}

        make = functools.partial(_resize_job, source, width=target_width, quality=config.image_quality)
        path = cache.path(cache.key(digest, recipe), name)
        sizes.append((target_width, Output(name, path, make, label=source.name, source=source)))
    return ImageAsset(source, site_path(course, source), width, height, sizes)


def _image_suffix(source: Path) -> str:
    return ".jpg" if source.suffix.lower() in (".jpg", ".jpeg") else source.suffix.lower()


def _resize_job(source: Path, target: Path, _: Progress, width: int, quality: int) -> None:
    resize_image(source, target, width, quality)


def resize_image(source: Path, target: Path, width: int, quality: int) -> None:
    from PIL import Image, ImageOps

    with Image.open(source) as opened:
        image = ImageOps.exif_transpose(opened)
        height = max(1, round(image.height * width / image.width))
        resized = image.resize((width, height), Image.Resampling.LANCZOS)
        kind = {".jpg": "JPEG", ".png": "PNG", ".webp": "WEBP"}[_image_suffix(source)]
        if kind == "JPEG" and resized.mode not in ("RGB", "L"):
            resized = resized.convert("RGB")
        options = {"quality": quality, "optimize": True} if kind != "PNG" else {"optimize": True}
        if kind == "JPEG":
            options["progressive"] = True
        resized.save(target, kind, **options)


def embed_asset(course: Course, source: Path, title: str, height: int) -> EmbedAsset:
    if source.is_dir():
        files = {site_path(course, f): f for f in sorted(source.rglob("*")) if f.is_file()}
        return EmbedAsset(title, site_path(course, source / "index.html"), height, files, is_model=False)
    return EmbedAsset(
        title, site_path(course, source), height, {site_path(course, source): source}, is_model=True
    )


def plan_media(site: Site, config: MediaConfig, cache: MediaCache) -> MediaLibrary:
    """Every output the lessons need; assumes `check_media` found no error."""
    library = MediaLibrary()
    videos: dict[Path, VideoAsset] = {}
    audios: dict[Path, AudioAsset] = {}
    for course in site.courses:
        for _, lesson in course.lessons():
            for variant in lesson.variants.values():
                library.lessons[variant.path] = lesson_media(course, variant, config, cache, videos, audios)
                for image in raster_images(site, variant):
                    if image not in library.images and Path(os.path.abspath(course.path)) in image.parents:
                        library.images[image] = image_asset(course, image, config, cache)
    return library
