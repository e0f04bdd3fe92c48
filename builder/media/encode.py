"""Make every missing output in parallel (up to the core count), each into the cache atomically."""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from builder.media.cache import MediaCache
from builder.media.encoder import MediaError
from builder.media.library import MediaLibrary, Output
from builder.media.plans import plan_media
from builder.model import Site
from builder.problems import ContentError, Problems

# (file label, seconds done, seconds in total): one call when a file starts, then as it encodes.
MediaProgress = Callable[[str, float, float], None]


@dataclass(frozen=True)
class EncodeReport:
    made: int
    cached: int
    failed: list[tuple[Output, str]]


def encode_media(
    library: MediaLibrary,
    cache: MediaCache,
    on_progress: MediaProgress = lambda *_: None,
    workers: int | None = None,
) -> EncodeReport:
    """Make what the cache lacks; an output that fails is reported, never left half-written."""
    outputs = library.outputs()
    missing = [output for output in outputs if not output.path.is_file()]
    # The longest encodes first, so the pool is not left waiting on one big file at the end.
    missing.sort(key=lambda output: -output.seconds)
    failed: list[tuple[Output, str]] = []
    workers = workers or os.cpu_count() or 1
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(missing) or 1))) as pool:
        for output, error in zip(
            missing, pool.map(lambda o: _make(o, cache, on_progress), missing), strict=True
        ):
            if error:
                failed.append((output, error))
    cache.prune({output.path for output in outputs})
    return EncodeReport(made=len(missing) - len(failed), cached=len(outputs) - len(missing), failed=failed)


def _make(output: Output, cache: MediaCache, on_progress: MediaProgress) -> str:
    label = f"{output.label} → {output.name}" if output.label else output.name
    on_progress(label, 0.0, output.seconds)
    try:
        with cache.writing(output.path) as scratch:
            output.make(scratch, lambda done: on_progress(label, done, output.seconds))
    except (MediaError, OSError) as exc:
        return str(exc)
    on_progress(label, output.seconds, output.seconds)
    return ""


def build_media(site: Site, cache_dir: Path, on_progress: MediaProgress = lambda *_: None) -> MediaLibrary:
    """The build's media phase: plan every output, make what is missing; ContentError if any fails."""
    cache = MediaCache(cache_dir)
    library = plan_media(site, site.config.media, cache)
    report = encode_media(library, cache, on_progress)
    cache.save_index()
    if report.failed:
        problems = Problems(site.root)
        for output, message in report.failed:
            problems.error(output.source or output.path, 1, f"cannot encode {output.name}: {message}")
        raise ContentError(problems.errors)
    library.made, library.cached = report.made, report.cached
    return library
