"""The HTML players the builder puts into lesson pages (raw HTML blocks inside the Markdown).

URLs are relative to the lesson page's own URL (`<module>/<lesson>/`), because MkDocs does not
rewrite URLs inside raw HTML. Every text from content is escaped.
"""

from __future__ import annotations

import posixpath
from html import escape
from urllib.parse import quote

from builder.i18n import format_size, t
from builder.media.library import AudioAsset, EmbedAsset, ImageAsset, LessonMedia, Output, VideoAsset
from builder.schema import Chapter

SPEEDS = ("0.75", "1", "1.25", "1.5", "2")
IMAGE_SIZES = "(min-width: 76.25em) 46rem, 100vw"  # Material's content column at its widest


def lesson_media_html(
    media: LessonMedia, chapters: list[Chapter], lang: str, page_dir: str, shared: str | None = None
) -> str:
    """The video, audio and interactive players of one lesson page, or an empty string;
    `shared`: the course's shared renditions folder, relative to the project's root."""
    parts = []
    if media.video:
        parts.append(video_html(media.video, media.chapters, chapters, lang, page_dir, shared))
    if media.audio:
        parts.append(audio_html(media.audio, lang, page_dir))
    parts += [embed_html(embed, lang, page_dir) for embed in media.embeds]
    return "\n\n".join(parts)


def _url(site_path: str, page_dir: str) -> str:
    return escape(quote(posixpath.relpath(site_path, page_dir)), quote=True)


def clock(seconds: float) -> str:
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def _size(output: Output, lang: str) -> str:
    try:
        size = output.path.stat().st_size
    except OSError:
        return ""
    return format_size(size, lang)


def video_html(
    video: VideoAsset,
    chapters_track: Output | None,
    chapters: list[Chapter],
    lang: str,
    page_dir: str,
    shared: str | None = None,
) -> str:
    def url(output: Output) -> str:
        return _url(f"{video.site_dir}/{output.name}", page_dir)

    def rendition_url(output: Output) -> str:
        if shared is None:
            return url(output)
        climb = "../" * len(page_dir.strip("/").split("/")) if page_dir.strip("/") else ""
        return escape(quote(f"{climb}{shared}/{video.site_dir}/{output.name}"), quote=True)

    largest = video.renditions[-1]
    sources = []
    for index, rendition in reversed(list(enumerate(video.renditions))):
        smaller = video.renditions[index - 1] if index else None
        media = f' media="(min-width: {smaller.width + 1}px)"' if smaller else ""
        sources.append(
            f'<source src="{rendition_url(rendition.output)}" type="video/mp4"{media} data-height="{rendition.height}">'
        )
    default = lang if lang in video.captions else next(iter(video.captions), "")
    tracks = [
        f'<track kind="captions" src="{url(output)}" srclang="{code}" '
        f'label="{escape(t("language_name." + code, lang))}"{" default" if code == default else ""}>'
        for code, output in video.captions.items()
    ]
    if chapters_track:
        chapters_lang = chapters_track.name.split(".")[1]  # chapters.<lesson language>.vtt
        tracks.append(f'<track kind="chapters" src="{url(chapters_track)}" srclang="{chapters_lang}">')
    tracks.append(f'<track kind="metadata" label="thumbnails" src="{url(video.thumbs_vtt)}">')
    download = _download_link(
        rendition_url(largest.output), f"{largest.height}p", _size(largest.output, lang), lang
    )
    return "".join(
        [
            '<figure class="oqu-media oqu-video" data-oqu-player>',
            f'<video controls preload="metadata" playsinline width="{largest.width}" '
            f'height="{largest.height}" poster="{url(video.poster)}">',
            *sources,
            *tracks,
            f"<p>{escape(t('media.unsupported', lang))} {download}</p>",
            "</video>",
            _figcaption(t("media.video", lang), video.probe.duration, download, lang),
            _chapter_list(chapters, lang),
            "</figure>",
        ]
    )


def _download_link(href: str, what: str, size: str, lang: str) -> str:
    details = ", ".join(part for part in (what, size) if part)
    return (
        f'<a class="oqu-download" href="{href}" download>{escape(t("media.download", lang))} ({details})</a>'
    )


def _figcaption(kind: str, seconds: float, download: str, lang: str) -> str:
    options = "".join(
        f'<option value="{speed}"{" selected" if speed == "1" else ""}>{speed}×</option>' for speed in SPEEDS
    )
    speed = (
        f'<label class="oqu-speed" hidden>{escape(t("media.speed", lang))} '
        f"<select data-oqu-speed>{options}</select></label>"
    )
    duration = f'<span class="oqu-media-duration">{escape(kind)} · {clock(seconds)}</span>'
    return f"<figcaption>{duration} {speed} {download}</figcaption>"


def _chapter_list(chapters: list[Chapter], lang: str) -> str:
    if not chapters:
        return ""
    items = "".join(
        f'<li><button type="button" data-oqu-seek="{chapter.seconds}">{clock(chapter.seconds)}</button> '
        f"{escape(chapter.title)}</li>"
        for chapter in chapters
    )
    return (
        f'<details class="oqu-chapters" open><summary>{escape(t("media.chapters", lang))}</summary>'
        f"<ol>{items}</ol></details>"
    )


def audio_html(audio: AudioAsset, lang: str, page_dir: str) -> str:
    href = _url(f"{audio.site_dir}/{audio.output.name}", page_dir)
    mime = "audio/ogg; codecs=opus" if audio.output.name.endswith(".ogg") else "audio/mp4"
    download = _download_link(href, audio.output.name.rsplit(".", 1)[-1], _size(audio.output, lang), lang)
    transcript = audio.transcripts.get(lang) or next(iter(audio.transcripts.values()), "")
    details = ""
    if transcript:
        paragraphs = "".join(
            f"<p>{escape(block.strip())}</p>" for block in transcript.split("\n\n") if block.strip()
        )
        details = (
            f'<details class="oqu-transcript"><summary>{escape(t("media.transcript", lang))}</summary>'
            f"{paragraphs}</details>"
        )
    return (
        '<figure class="oqu-media oqu-audio" data-oqu-player>'
        f'<audio controls preload="metadata"><source src="{href}" type="{mime}"></audio>'
        f"{_figcaption(t('media.audio', lang), audio.probe.duration, download, lang)}{details}</figure>"
    )


def embed_html(embed: EmbedAsset, lang: str, page_dir: str) -> str:
    href = _url(embed.site_path, page_dir)
    title = escape(embed.title)
    if embed.is_model:  # drawn by theme/assets/oqu/model-viewer.js; the download link always works
        return (
            f'<figure class="oqu-embed oqu-model"><canvas data-oqu-model="{href}" width="960" '
            f'height="{embed.height}" tabindex="0" role="img" aria-label="{title}" hidden></canvas>'
            f'<figcaption>{title} — <a href="{href}" download>{escape(t("media.model", lang))}</a>'
            "</figcaption></figure>"
        )
    # No allow-same-origin: a third-party export must not read the site's cookies or call the API.
    return (
        f'<figure class="oqu-embed"><iframe src="{href}" title="{title}" loading="lazy" '
        f'sandbox="allow-scripts allow-forms allow-popups allow-pointer-lock" '
        f'allow="fullscreen" referrerpolicy="no-referrer" width="100%" height="{embed.height}"></iframe>'
        f'<figcaption>{title} — <a href="{href}" target="_blank" rel="noopener">'
        f"{escape(t('media.open_separately', lang))}</a></figcaption></figure>"
    )


def image_attributes(image: ImageAsset, page_dir: str) -> str:
    """attr_list attributes for a Markdown image: size, lazy loading and the smaller copies."""
    folder = image.site_path.rsplit("/", 1)[0]
    srcset = [f"{_url(f'{folder}/{output.name}', page_dir)} {width}w" for width, output in image.sizes]
    srcset.append(f"{_url(image.site_path, page_dir)} {image.width}w")
    return (
        f'{{ width="{image.width}" height="{image.height}" loading="lazy" decoding="async" '
        f'srcset="{", ".join(srcset)}" sizes="{IMAGE_SIZES}" }}'
    )
