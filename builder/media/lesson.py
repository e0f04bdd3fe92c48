"""What a lesson page gets from the media phase: its players, its files, its images' attributes."""

from __future__ import annotations

import re
from pathlib import Path

from builder.links import iter_links
from builder.load import resolve_target
from builder.media.library import MediaLibrary
from builder.media.players import image_attributes, lesson_media_html
from builder.model import LessonVariant, Site

_LINK_TAIL_RE = re.compile(r""">?(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)""")


def lesson_files(
    library: MediaLibrary, site: Site, variant: LessonVariant, shared: bool = False
) -> dict[str, Path]:
    """Site path → file for the lesson's renditions, tracks, posters, embeds and image sizes
    (`shared`: not the renditions, which the course's shared folder has)."""
    files = library.files_for(variant, shared)
    for link in iter_links(variant.body, variant.body_line):
        if link.is_image and not link.is_external:
            target = resolve_target(site.content_dir, variant.path, link.path_and_anchor[0])
            if target is not None:
                files.update(library.image_files(target))
    return files


def lesson_player(
    library: MediaLibrary, variant: LessonVariant, lang: str, page_dir: str, shared: str | None = None
) -> str:
    media = library.lessons.get(variant.path)
    return lesson_media_html(media, variant.meta.chapters, lang, page_dir, shared) if media else ""


def video_seconds(library: MediaLibrary, variant: LessonVariant) -> float | None:
    media = library.lessons.get(variant.path)
    return media.video.probe.duration if media and media.video else None


def with_image_attributes(library: MediaLibrary, site: Site, variant: LessonVariant, page_dir: str) -> str:
    """The body with `{ width height loading srcset }` after each local photo (attr_list syntax)."""
    lines = variant.body.split("\n")
    links = [
        link for link in iter_links(variant.body, variant.body_line) if link.is_image and not link.is_external
    ]
    for link in sorted(links, key=lambda item: (item.line_index, -item.start)):
        target = resolve_target(site.content_dir, variant.path, link.path_and_anchor[0])
        image = library.images.get(target) if target else None
        line = lines[link.line_index]
        tail = _LINK_TAIL_RE.match(line, link.end)
        if image is None or tail is None or line[tail.end() :].lstrip().startswith("{"):
            continue  # an author's own attribute list wins
        lines[link.line_index] = line[: tail.end()] + image_attributes(image, page_dir) + line[tail.end() :]
    return "\n".join(lines)
