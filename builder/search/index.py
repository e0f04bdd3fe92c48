"""The search index in `build/search/`: whoosh behind one small interface.

`update_index(path, documents)` (called by `oqu build`) reindexes only the courses whose
documents changed; `SearchIndex(path).search(...)` answers the service and `oqu search`.
Queries are built from analysed terms, never parsed as whoosh query syntax: every word must
match (in the title or the text) in the query's language; if nothing does, words one letter
apart are tried (single-letter typos), then any of the words.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.fields import ID, NUMERIC, STORED, TEXT, Schema
from whoosh.query import And, FuzzyTerm, Or, Query, Term
from whoosh.searching import Hit, Searcher

from builder.search.analyzers import ANALYSIS_VERSION, LANGUAGES, analyze, check_language, whoosh_analyzer
from builder.search.documents import SearchDocument, digest
from builder.search.snippets import make_snippet

STATE_FILE = "state.json"
INDEX_NAME = "oqu"
TITLE_BOOST = 3.0
# The cheapest typo tolerance whoosh offers: the first letter must match, one edit allowed, and
# only for words long enough that one letter is not a different word.
FUZZY_MIN_LENGTH = 5


def make_schema() -> Schema:
    fields: dict[str, Any] = {
        "id": ID(stored=True, unique=True),
        "kind": ID(stored=True),
        "course": ID(stored=True),
        "lang": ID(stored=True),
        "access": ID(stored=True),
        "lesson": ID(stored=True),
        "module": ID(stored=True),
        "group": ID(sortable=True),
        "url": STORED(),
        "title": STORED(),
        "heading": STORED(),
        "text": STORED(),
        "course_title": STORED(),
        "module_title": STORED(),
        "seconds": NUMERIC(stored=True, signed=True),
    }
    for lang in LANGUAGES:
        analyzer = whoosh_analyzer(lang)
        fields[f"title_{lang}"] = TEXT(analyzer=analyzer, field_boost=TITLE_BOOST, phrase=False)
        fields[f"text_{lang}"] = TEXT(analyzer=analyzer, phrase=False)
    return Schema(**fields)


# -- writing --------------------------------------------------------------------------------


@dataclass
class IndexReport:
    reindexed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    documents: int = 0


def read_state(path: Path) -> dict[str, Any]:
    try:
        state = json.loads((path / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) else {}


def update_index(path: Path, documents: dict[str, list[SearchDocument]]) -> IndexReport:
    """Bring the index at `path` up to date with `documents` (course id -> its documents)."""
    state = read_state(path)
    fresh = state.get("analysis") != ANALYSIS_VERSION or not whoosh_index.exists_in(path, INDEX_NAME)
    if fresh:
        shutil.rmtree(path, ignore_errors=True)
        path.mkdir(parents=True)
        whoosh_index.create_in(path, make_schema(), indexname=INDEX_NAME)
        state = {}
    known: dict[str, str] = state.get("courses", {})
    digests = {course: digest(docs) for course, docs in documents.items()}
    report = IndexReport(
        reindexed=sorted(c for c in documents if known.get(c) != digests[c]),
        removed=sorted(set(known) - set(documents)),
    )
    if report.reindexed or report.removed:
        _rewrite_courses(path, {c: documents[c] for c in report.reindexed}, report.removed)
    report.documents = sum(len(docs) for docs in documents.values())
    state = {"analysis": ANALYSIS_VERSION, "courses": digests}
    (path / STATE_FILE).write_text(json.dumps(state, indent=1, sort_keys=True), encoding="utf-8")
    return report


def _rewrite_courses(path: Path, changed: dict[str, list[SearchDocument]], removed: list[str]) -> None:
    ix = whoosh_index.open_dir(path, indexname=INDEX_NAME)
    writer = ix.writer()
    try:
        for course in [*changed, *removed]:
            writer.delete_by_term("course", course)
        for docs in changed.values():
            for document in docs:
                writer.add_document(**index_fields(document))
    except BaseException:
        writer.cancel()
        raise
    writer.commit()
    ix.close()


def index_fields(document: SearchDocument) -> dict[str, Any]:
    values = document.as_dict()
    values["group"] = f"{document.course}/{document.lesson or '-'}/{document.lang}/{document.kind}"
    values[f"title_{document.lang}"] = f"{document.title} {document.heading}".strip()
    values[f"text_{document.lang}"] = document.text
    return values


# -- searching ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchHit:
    kind: str
    course: str
    lang: str
    url: str
    title: str
    heading: str
    snippet: str  # HTML: the text escaped, matched words in <mark>
    score: float
    text: str = field(default="", repr=False)  # the plain text the snippet is cut from
    course_title: str = ""
    module_title: str = ""
    lesson: str = ""
    seconds: int | None = None


@dataclass(frozen=True)
class SearchResults:
    query: str
    match: str  # "all" words, "similar" words (a typo), "any" word, or "none"
    hits: list[SearchHit]


class SearchIndexMissing(Exception):
    """No index at the path: nothing has been built yet."""


class SearchIndex:
    def __init__(self, path: Path) -> None:
        if not whoosh_index.exists_in(path, INDEX_NAME):
            raise SearchIndexMissing(f"no search index in {path} (run `oqu build`)")
        self.path = path
        self._index = whoosh_index.open_dir(path, indexname=INDEX_NAME)

    def search(
        self,
        text: str,
        lang: str | None = None,
        *,
        courses: Collection[str] | None = None,
        limit: int = 10,
        snippets: bool = True,
    ) -> SearchResults:
        """The best `limit` hits for `text`, at most one per lesson, kind and language.

        `courses`: only these courses (None: all). `lang`: only that language (None: all).
        """
        langs = [check_language(lang)] if lang else list(LANGUAGES)
        terms = {code: _unique(analyze(text, code)) for code in langs}
        if not any(terms.values()) or (courses is not None and not courses):
            return SearchResults(text, "none", [])
        course_filter = Or([Term("course", c) for c in sorted(courses)]) if courses is not None else None
        try:
            with self._index.searcher() as searcher:
                for match, query in _attempts(terms):
                    if query is None:
                        continue
                    hits = _run(searcher, query, course_filter, limit)
                    if snippets:
                        hits = [
                            _with_snippet(hit, terms.get(hit.lang, []), match == "similar") for hit in hits
                        ]
                    if hits:
                        return SearchResults(text, match, hits)
        except (OSError, whoosh_index.EmptyIndexError) as error:  # replaced by a build right now
            raise SearchIndexMissing(f"the search index in {self.path} cannot be read: {error}") from None
        return SearchResults(text, "none", [])

    def close(self) -> None:
        self._index.close()


def _unique(terms: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(terms))


def _attempts(terms: dict[str, list[str]]) -> Iterable[tuple[str, Query | None]]:
    yield "all", _query(terms, And, fuzzy=False)
    if any(len(term) >= FUZZY_MIN_LENGTH for words in terms.values() for term in words):
        yield "similar", _query(terms, And, fuzzy=True)
    if any(len(words) > 1 for words in terms.values()):
        yield "any", _query(terms, Or, fuzzy=False)


def _query(terms: dict[str, list[str]], combine: type[And] | type[Or], fuzzy: bool) -> Query | None:
    per_language = [
        combine([_word(lang, term, fuzzy) for term in words]) for lang, words in terms.items() if words
    ]
    return Or(per_language) if per_language else None


def _word(lang: str, term: str, fuzzy: bool) -> Query:
    if fuzzy and len(term) >= FUZZY_MIN_LENGTH:
        return Or(
            [FuzzyTerm(f"{field}_{lang}", term, maxdist=1, prefixlength=1) for field in ("title", "text")]
        )
    return Or([Term(f"title_{lang}", term), Term(f"text_{lang}", term)])


def _run(searcher: Searcher, query: Query, course_filter: Query | None, limit: int) -> list[SearchHit]:
    results = searcher.search(query, limit=limit, filter=course_filter, collapse="group", collapse_limit=1)
    return [_hit(hit) for hit in results]


def _with_snippet(hit: SearchHit, terms: list[str], similar: bool) -> SearchHit:
    return dataclasses.replace(hit, snippet=make_snippet(hit.text, hit.lang, terms, similar))


def _hit(hit: Hit) -> SearchHit:
    fields = hit.fields()
    text = fields.get("text", "")
    seconds = fields.get("seconds", -1)
    return SearchHit(
        kind=fields["kind"],
        course=fields["course"],
        lang=fields["lang"],
        url=fields["url"],
        title=fields.get("title", ""),
        heading=fields.get("heading", ""),
        snippet="",
        text=text,
        score=round(float(hit.score or 0.0), 4),
        course_title=fields.get("course_title", ""),
        module_title=fields.get("module_title", ""),
        lesson=fields.get("lesson", ""),
        seconds=seconds if seconds is not None and seconds >= 0 else None,
    )
