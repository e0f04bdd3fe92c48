"""Search in Kazakh, Russian and English over lessons, lecture captions and courses.

`build_search_index` is the builder's step (into `build/search/`); `SearchIndex` answers
queries for the service and `oqu search`; `analyzers` is the one place where text becomes terms.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from builder.model import Course, Site

if TYPE_CHECKING:
    from builder.search.index import IndexReport, SearchHit, SearchIndex, SearchIndexMissing, SearchResults

# Loaded when first asked for (PEP 562): the build's own process imports `builder.search.page`
# (the site's search page), which runs this file, and needs none of whoosh (~0.12 s of a
# one-lesson rebuild's imports); the index is made in a forked process, which imports it there.
_FROM_INDEX = {"IndexReport", "SearchHit", "SearchIndex", "SearchIndexMissing", "SearchResults"}


def __getattr__(name: str) -> Any:
    if name not in _FROM_INDEX:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from builder.search import index

    value = getattr(index, name)
    globals()[name] = value
    return value


__all__ = [
    "IndexReport",
    "SearchHit",
    "SearchIndex",
    "SearchIndexMissing",
    "SearchResults",
    "build_search_index",
]


def build_search_index(site: Site, path: Path) -> IndexReport:
    """Index every course of `site` into `path`, reindexing only the courses that changed.

    A course whose inputs (its loaded texts, quizzes, caption files, the site's languages and this
    package's code) have the key the last build stored keeps its entries without its documents
    being made again: turning 1,000 lessons into search documents is a fixed cost of every build."""
    from builder.search.documents import course_documents
    from builder.search.index import index_is_current, read_state, update_index

    state = read_state(path)
    known = state.get("inputs", {}) if index_is_current(path, state) else {}
    inputs = {course.id: course_inputs(site, course) for course in site.courses}
    kept = [c for c, key in inputs.items() if known.get(c) == key and c in state.get("courses", {})]
    documents = {
        course.id: course_documents(site, course) for course in site.courses if course.id not in kept
    }
    return update_index(path, documents, kept=kept, inputs=inputs)


def course_inputs(site: Site, course: Course) -> str:
    """A key of everything `course_documents` reads for `course` (a changed key: made again).

    A lesson read from a file whose bytes' hash is known (`LessonVariant.digest`: every build's
    lessons, builder/lesson_cache.py) enters by that hash instead of by its body: the body is cut
    from those bytes by the builder's code (whose own key, `code_key`, is part of this one). The
    repr of every body was ~6 MB at 1,000 lessons, ~0.1 s of the indexer's CPU in every build."""
    from dataclasses import replace

    from builder.lesson_cache import code_key
    from builder.search.captions import caption_files

    here = str(site.content_dir)  # the same content in another checkout has the same key

    def update(text: str) -> None:
        digest.update(text.replace(here, "").encode())

    digest = hashlib.sha256(f"{_code_key()};{code_key()}".encode())
    update(repr((site.languages, replace(course, modules=[]))))
    for module in course.modules:
        update(repr(replace(module, lessons=[])))
        for lesson in module.lessons:
            update(repr(replace(lesson, variants={})))
            for lang, variant in lesson.variants.items():
                if variant.digest:  # the file's bytes: its body and front matter
                    update(repr((lang, replace(variant, body=""), variant.digest)))
                else:
                    update(repr((lang, variant)))
    for quiz in sorted((q for q in site.quizzes if q.course == course.id), key=lambda q: q.id):
        update(repr(quiz))
    for _, lesson in course.lessons():
        for variant in lesson.variants.values():
            video = variant.meta.video
            if not video or "://" in video:
                continue
            for lang, caption in sorted(caption_files((variant.path.parent / video).resolve()).items()):
                stat = caption.stat()
                update(f"{lang}:{caption}:{stat.st_size}:{stat.st_mtime_ns}")
    return digest.hexdigest()


@cache
def _code_key() -> str:
    """The search package's own code: documents made by other code are made again."""
    digest = hashlib.sha256()
    for source in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(source.read_bytes())
    return digest.hexdigest()
