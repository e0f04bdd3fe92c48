"""Search in Kazakh, Russian and English over lessons, lecture captions and courses.

`build_search_index` is the builder's step (into `build/search/`); `SearchIndex` answers
queries for the service and `oqu search`; `analyzers` is the one place where text becomes terms.
"""

from __future__ import annotations

from pathlib import Path

from builder.model import Site
from builder.search.documents import site_documents
from builder.search.index import (
    IndexReport,
    SearchHit,
    SearchIndex,
    SearchIndexMissing,
    SearchResults,
    update_index,
)

__all__ = [
    "IndexReport",
    "SearchHit",
    "SearchIndex",
    "SearchIndexMissing",
    "SearchResults",
    "build_search_index",
]


def build_search_index(site: Site, path: Path) -> IndexReport:
    """Index every course of `site` into `path`, reindexing only the courses that changed."""
    return update_index(path, site_documents(site))
