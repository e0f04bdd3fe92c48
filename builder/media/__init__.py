"""Media: video, audio, images and interactive models made fit for a browser on a slow connection.

The build's media phase: `check_media` (during `oqu check`), `plan_media`, `encode_media`; the
lesson pages then call `players.lesson_media_html` and link the cache files into the project.
"""

from builder.media.cache import MediaCache
from builder.media.encode import EncodeReport, MediaProgress, build_media, encode_media
from builder.media.library import LessonMedia, MediaLibrary, check_media
from builder.media.plans import plan_media

__all__ = [
    "EncodeReport",
    "LessonMedia",
    "MediaCache",
    "MediaLibrary",
    "MediaProgress",
    "build_media",
    "check_media",
    "encode_media",
    "plan_media",
]
