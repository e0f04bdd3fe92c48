"""The search index in `build/search/`: whoosh behind one small interface.

`update_index(path, documents)` (called by `oqu build`) reindexes only the courses whose
documents changed; `SearchIndex(path).search(...)` answers the service and `oqu search`.
Queries are built from analysed terms, never parsed as whoosh query syntax: every word must
match (in the title or the text) in the query's language; if nothing does, words one letter
apart are tried (single-letter typos, in the stem or in the word as typed), then any of the words.

Speed (bench/search.py): the text field of a language holds the title too, so that a query
intersects one posting list per word (the title field only adds its boost to what matched);
searchers stay open in a small pool (whoosh rereads columns for every new one) and are
reopened when `state.json` changes; one hit per lesson is picked from a ranked window rather
than by whoosh's collapse, which turns off its skipping of low-scoring blocks.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import threading
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.fields import ID, NUMERIC, STORED, TEXT, Schema
from whoosh.query import And, AndMaybe, FuzzyTerm, Or, Query, Term
from whoosh.searching import Hit, Searcher

from builder.search.analyzers import (
    ANALYSIS_VERSION,
    LANGUAGES,
    analyze_words,
    check_language,
    index_terms,
    typo_terms,
    whoosh_analyzer,
)
from builder.search.documents import SearchDocument, digest, digests
from builder.search.snippets import make_snippet
from builder.search.writer import _Lengths, _SegmentWriter  # noqa: F401  (tests patch them here)

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
        fields[f"text_{lang}"] = TEXT(analyzer=analyzer, phrase=False)  # the title and the text
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


def index_is_current(path: Path, state: dict[str, Any]) -> bool:
    """The index at `path` exists and was analysed as this version analyses (else: built anew)."""
    return state.get("analysis") == ANALYSIS_VERSION and whoosh_index.exists_in(path, INDEX_NAME)


def update_index(
    path: Path,
    documents: dict[str, list[SearchDocument]],
    kept: Collection[str] = (),
    inputs: dict[str, str] | None = None,
) -> IndexReport:
    """Bring the index at `path` up to date with `documents` (course id -> its documents).

    `kept`: courses whose inputs are unchanged (`inputs`, course id -> a key of what their
    documents are made from, is stored for the next build to compare), so their documents were
    not even made; they stay in the index as they are."""
    state = read_state(path)
    if not index_is_current(path, state):
        if kept:
            raise ValueError("a new index needs every course's documents")
        shutil.rmtree(path, ignore_errors=True)
        path.mkdir(parents=True)
        whoosh_index.create_in(path, make_schema(), indexname=INDEX_NAME)
        state = {}
    known: dict[str, str] = state.get("courses", {})
    counts: dict[str, int] = state.get("counts", {})
    made_digests = {course: digests(docs) for course, docs in documents.items()}
    courses = {course: whole for course, (whole, _) in made_digests.items()}
    courses |= {course: known[course] for course in kept}
    each = {course: by_document for course, (_, by_document) in made_digests.items()}
    report = IndexReport(
        reindexed=sorted(c for c in documents if known.get(c) != courses[c]),
        removed=sorted(set(known) - set(courses)),
    )
    if report.reindexed or report.removed or not (path / DOCUMENTS_FILE).exists():
        before = _read_document_digests(path, known)
        (path / DOCUMENTS_FILE).unlink(missing_ok=True)  # a build stopped before the next write: no diff
        changed = {c: _changes(documents[c], before.get(c), each[c]) for c in report.reindexed}
        if report.reindexed or report.removed:
            _rewrite_courses(path, changed, report.removed)
        made = {c: changes.digests for c, changes in changed.items()}
        _write_document_digests(path, courses, documents, before, made, each)
    counts = {course: len(docs) for course, docs in documents.items()} | {c: counts.get(c, 0) for c in kept}
    report.documents = sum(counts.values())
    state = {"analysis": ANALYSIS_VERSION, "courses": courses, "counts": counts, "inputs": inputs or {}}
    (path / STATE_FILE).write_text(json.dumps(state, indent=1, sort_keys=True), encoding="utf-8")
    return report


# Each course's documents' digests (document id -> digest), beside the course's digest they make:
# a course that changed is brought up to date document by document (a one-lesson edit: that
# lesson's few documents deleted and added, not the course's hundreds). A file of its own, as
# the service reads `state.json` on every query.
DOCUMENTS_FILE = "documents.json"


@dataclass
class _CourseChanges:
    """What a changed course's part of the index needs: every document of the course made again
    (`gone` None: the course's documents deleted by its term), or the documents whose digest is
    new added after the ids in `gone` were deleted."""

    add: list[SearchDocument]
    gone: list[str] | None = None
    digests: dict[str, str] | None = None  # every document's of the course (None: two share an id)


def _document_digests(
    documents: list[SearchDocument], each: list[str] | None = None
) -> dict[str, str] | None:
    """Document id -> digest (`each`: every document's `digest([document])`, made with its
    course's); None when two documents share an id (no diff by id then)."""
    if each is None:
        each = [digest([document]) for document in documents]
    by_id = {document.id: key[:32] for document, key in zip(documents, each, strict=True)}
    return by_id if len(by_id) == len(documents) else None


def _changes(
    documents: list[SearchDocument], before: dict[str, str] | None, each: list[str] | None = None
) -> _CourseChanges:
    now = _document_digests(documents, each)
    if before is None or now is None:
        return _CourseChanges(documents, digests=now)
    add = [d for d in documents if before.get(d.id) != now[d.id]]
    gone = sorted(i for i, key in before.items() if now.get(i) != key)
    if len(add) + len(gone) > len(documents):  # most of the course: rewritten whole
        return _CourseChanges(documents, digests=now)
    return _CourseChanges(add, gone, now)


def _read_document_digests(path: Path, known: dict[str, str]) -> dict[str, dict[str, str]]:
    """The stored digests of each course whose index part is the one `known` (state.json) names."""
    try:
        stored = json.loads((path / DOCUMENTS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(stored, dict):
        return {}
    return {
        course: entry["documents"]
        for course, entry in stored.items()
        if isinstance(entry, dict) and entry.get("course") == known.get(course) and known.get(course)
    }


def _write_document_digests(
    path: Path,
    digests: dict[str, str],
    documents: dict[str, list[SearchDocument]],
    before: dict[str, dict[str, str]],
    made: dict[str, dict[str, str] | None],
    each: dict[str, list[str]] | None = None,
) -> None:
    """Each course's documents' digests; a kept course's are the stored ones (its documents were
    not made), and without them (an index from before this file) it is left out: rewritten whole
    when it changes."""
    entries: dict[str, Any] = {}
    for course, key in sorted(digests.items()):
        if course in made:
            mine = made[course]
        elif course in documents:
            mine = _document_digests(documents[course], (each or {}).get(course))
        else:
            mine = before.get(course)
        if mine is not None:
            entries[course] = {"course": key, "documents": mine}
    (path / DOCUMENTS_FILE).write_text(json.dumps(entries, sort_keys=True), encoding="utf-8")


def _rewrite_courses(path: Path, changed: dict[str, _CourseChanges], removed: list[str]) -> None:
    ix = whoosh_index.open_dir(path, indexname=INDEX_NAME)
    writer = _SegmentWriter(ix)
    try:
        for course, changes in changed.items():
            if changes.gone is None:
                writer.delete_by_term("course", course)
            for document_id in changes.gone or ():
                writer.delete_by_term("id", document_id)
        for course in removed:
            writer.delete_by_term("course", course)
        for changes in changed.values():
            for document in changes.add:
                writer.add_document(**index_fields(document))
    except BaseException:
        writer.cancel()
        raise
    writer.commit()
    ix.close()


def index_fields(document: SearchDocument) -> dict[str, Any]:
    values = document.as_dict()
    values["group"] = f"{document.course}/{document.lesson or '-'}/{document.lang}/{document.kind}"
    title = f"{document.title} {document.heading}".strip()
    # the terms, as whoosh_analyzer would make them (whoosh indexes a list of strings as given);
    # the text field's are those of f"{title}\n{text}" (no word spans the line break)
    title_terms = index_terms(title, document.lang)
    values[f"title_{document.lang}"] = title_terms
    values[f"text_{document.lang}"] = title_terms + index_terms(document.text, document.lang)
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
    """Open searchers are kept in a small pool: a request takes one and gives it back (a thread
    per request, as `oqu serve` runs, must not open one per request)."""

    def __init__(self, path: Path) -> None:
        if not whoosh_index.exists_in(path, INDEX_NAME):
            raise SearchIndexMissing(f"no search index in {path} (run `oqu build`)")
        self.path = path
        self._lock = threading.Lock()
        self._idle: list[_OpenIndex] = []

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
        words = {code: _unique_terms(analyze_words(text, code)) for code in langs}
        if not any(words.values()) or (courses is not None and not courses):
            return SearchResults(text, "none", [])
        try:
            opened = self._take()
        except (OSError, whoosh_index.EmptyIndexError) as error:  # replaced by a build right now
            raise SearchIndexMissing(f"the search index in {self.path} cannot be read: {error}") from None
        try:
            results = _search(opened, text, words, courses, limit, snippets)
        except (OSError, whoosh_index.EmptyIndexError) as error:
            opened.close()
            raise SearchIndexMissing(f"the search index in {self.path} cannot be read: {error}") from None
        self._give_back(opened)
        return results

    def _take(self) -> _OpenIndex:
        """An idle searcher of the index as it is now (a build may have changed it since)."""
        stamp = _stamp(self.path)
        stale = []
        with self._lock:
            while self._idle:
                opened = self._idle.pop()
                if opened.stamp == stamp:
                    break
                stale.append(opened)
            else:
                opened = None
        for each in stale:
            each.close()
        return opened or _OpenIndex(self.path, stamp)

    def _give_back(self, opened: _OpenIndex) -> None:
        with self._lock:
            self._idle.append(opened)

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for each in idle:
            each.close()


def _search(
    opened: _OpenIndex,
    text: str,
    words: dict[str, list[tuple[str, str]]],
    courses: Collection[str] | None,
    limit: int,
    snippets: bool,
) -> SearchResults:
    course_filter = opened.course_filter(courses)
    for match, query, terms in _attempts(opened.searcher, words):
        hits = opened.ranked(query, course_filter, limit)
        if snippets:
            hits = [_with_snippet(hit, terms.get(hit.lang, []), match == "similar") for hit in hits]
        if hits:
            return SearchResults(text, match, hits)
    return SearchResults(text, "none", [])


def _stamp(path: Path) -> tuple[int, int, bytes]:
    """What changes whenever `update_index` has changed the index: the folder (a build swaps in a
    new one) and the state file's content (a course's digest); read on every query, it is small."""
    folder = os.stat(path)
    try:
        state = (path / STATE_FILE).read_bytes()
    except FileNotFoundError:
        state = b""
    return (folder.st_dev, folder.st_ino, state)


class _OpenIndex:
    """An opened index with one searcher and the columns every query reads."""

    def __init__(self, path: Path, stamp: tuple[int, int, bytes]) -> None:
        self.stamp = stamp
        self.index = whoosh_index.open_dir(path, indexname=INDEX_NAME)
        self.searcher = self.index.searcher()
        reader = self.searcher.reader()
        self.groups = reader.column_reader("group")
        self.courses = frozenset(
            term.decode() if isinstance(term, bytes) else term for term in reader.lexicon("course")
        )

    def course_filter(self, courses: Collection[str] | None) -> Query | None:
        if courses is None or self.courses <= set(courses):
            return None  # every course allowed: no filter to compute
        return Or([Term("course", c) for c in sorted(courses)])

    def ranked(self, query: Query, course_filter: Query | None, limit: int) -> list[SearchHit]:
        """The best hit of each of the best `limit` groups (lesson, language, kind)."""
        window = limit * 3
        while True:
            results = self.searcher.search(query, limit=window, filter=course_filter)
            best: dict[str, Hit] = {}
            for hit in results:
                best.setdefault(self.groups[hit.docnum], hit)
                if len(best) == limit:
                    break
            if len(best) == limit or results.scored_length() < window:
                return [_hit(hit) for hit in best.values()]
            window *= 4

    def close(self) -> None:
        self.searcher.close()
        self.index.close()


def _unique_terms(pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """(word, term) with each term once, in order."""
    seen: dict[str, str] = {}
    for word, term in pairs:
        seen.setdefault(term, word)
    return [(word, term) for term, word in seen.items()]


Attempt = tuple[str, Query, dict[str, list[str]]]


def _attempts(searcher: Searcher, words: dict[str, list[tuple[str, str]]]) -> Iterable[Attempt]:
    """(match, query, the terms a snippet marks): all words, similar words, any word."""
    terms = {lang: [term for _, term in pairs] for lang, pairs in words.items() if pairs}
    yield "all", _combine(terms, And), terms
    similar = {lang: [_similar(searcher, lang, *pair) for pair in pairs] for lang, pairs in _nonempty(words)}
    if any(fuzzy for each in similar.values() for _, fuzzy in each):
        query = Or(
            [
                And([Or([_term(lang, term, fuzzy) for term in alternatives]) for alternatives, fuzzy in each])
                for lang, each in similar.items()
            ]
        )
        marked = {
            lang: _unique(term for alternatives, _ in each for term in alternatives)
            for lang, each in similar.items()
        }
        yield "similar", query, marked
    if any(len(each) > 1 for each in terms.values()):
        yield "any", _combine(terms, Or), terms


def _nonempty(words: dict[str, list[tuple[str, str]]]) -> list[tuple[str, list[tuple[str, str]]]]:
    return [(lang, pairs) for lang, pairs in words.items() if pairs]


def _similar(searcher: Searcher, lang: str, word: str, term: str) -> tuple[list[str], bool]:
    """(terms, fuzzy) standing for a word in the typo attempt: a word the index knows stays as it
    is; another (of 5+ letters) is matched one letter apart, both its term and the terms of the
    words one letter away from it as typed (a typo can change which ending the stemmer strips:
    огнетушитили)."""
    field = f"text_{lang}"
    reader = searcher.reader()
    if len(word) < FUZZY_MIN_LENGTH or reader.doc_frequency(field, term):
        return [term], False
    found = [other for other in typo_terms(word, lang) if reader.doc_frequency(field, other)]
    return _unique([term, *found]), True


def _unique(terms: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(terms))


def _combine(terms: dict[str, list[str]], combine: type[And] | type[Or]) -> Query:
    return Or(
        [_boosted(lang, each, combine([_term(lang, term) for term in each])) for lang, each in terms.items()]
    )


def _boosted(lang: str, terms: list[str], matched: Query) -> Query:
    """What matched, ranked higher where the words are in the title."""
    return AndMaybe(matched, Or([Term(f"title_{lang}", term) for term in terms]))


def _term(lang: str, term: str, fuzzy: bool = False) -> Query:
    field = f"text_{lang}"
    if fuzzy and len(term) >= FUZZY_MIN_LENGTH:
        return FuzzyTerm(field, term, maxdist=1, prefixlength=1)
    return Term(field, term)


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
