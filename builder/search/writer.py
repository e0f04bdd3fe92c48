"""The builder's whoosh writer: whoosh 2.7's `SegmentWriter` writing the same segment with less
Python per posting (a 1,000-lesson site has ~580,000 postings; whoosh's writer was ~70 % of its
search index's CPU).

- A field's terms are counted at once when the field is given as a list of terms (as
  `index.index_fields` gives them), and an `ID` field's one term made without a token object.
- Postings are grouped by term as they are added (whoosh keeps one tuple per posting, sizes each
  one and sorts them all at the flush).
- Each field's lengths are read once at the flush (whoosh asks the per-document reader again for
  every posting).
- A term's postings are handed to whoosh's postings writer a block (128 postings) at a time:
  whoosh's own block writer, term table and files, with its per-posting calls, type checks and
  statistics replaced by the same statistics over the block.

The segment's files are the ones whoosh's writer makes (tests/search/test_search_writer.py
compares whole indexes, new and after a course is reindexed; the posting files byte for byte).
"""

from __future__ import annotations

from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from itertools import chain
from operator import sub
from typing import Any

from whoosh.analysis.tokenizers import IDTokenizer
from whoosh.codec.whoosh3 import W3FieldWriter, W3PostingsWriter
from whoosh.formats import Existence, Frequency
from whoosh.system import pack_uint
from whoosh.writing import PostingPool, SegmentWriter

Posting = tuple[int, float, bytes | None]  # docnum, weight, value


class _Lengths:
    """A segment's field lengths, read once per field for every document: whoosh asks the
    per-document reader again for every posting when it writes the terms (measured: a fifth of
    indexing 1,000 lessons; then still ~8 % as one lookup per posting and one file check per
    posting of a field without lengths). The values are the reader's own (`None` where it
    stored a zero byte); a field with no length at all has no column, so its default."""

    def __init__(self, reader: Any) -> None:
        self.reader = reader
        self.columns: dict[str, list[Any]] = {}

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> Any:
        return self.column(fieldname, default)[docnum]

    def column(self, fieldname: str, default: int = 0) -> list[Any]:
        """Every document's length of `fieldname`, by document number."""
        try:
            return self.columns[fieldname]
        except KeyError:
            self.columns[fieldname] = self._column(fieldname, default)
            return self.columns[fieldname]

    def _column(self, fieldname: str, default: int) -> list[Any]:
        count = self.reader.doc_count_all() + 1  # whoosh's reader accepts doc_count_all() too
        if not self.reader.field_length(fieldname):  # no document had a length: no column
            return [default] * count
        return [self.reader.doc_field_length(docnum, fieldname, default) for docnum in range(count)]


class _GroupedPostings(PostingPool):
    """whoosh's posting pool kept as one list per term instead of one tuple per posting sorted
    at the flush (sorting ~600,000 tuples and sizing each one as it came were ~15 % of indexing
    1,000 lessons). The terms are sorted, and each term's postings (added in document order:
    already sorted); the postings come out in the order whoosh's sort gives them. Everything
    stays in memory (whoosh writes runs to disk past `limitmb`, 128 MB, ~800,000 postings)."""

    def __init__(self, tempstore: Any, segment: Any) -> None:
        super().__init__(tempstore, segment)
        self.terms: defaultdict[tuple[str, bytes], list[Posting]] = defaultdict(list)
        self.in_order = True  # every term's postings in document order (no segment merged)

    def add(self, item: tuple[str, bytes, int, float, bytes | None]) -> None:
        fieldname, tbytes, docnum, weight, vbytes = item
        self.terms[(fieldname, tbytes)].append((docnum, weight, vbytes))
        self.in_order = False  # whoosh's own paths (a merged segment) may add in any order

    def grouped(self) -> Iterator[tuple[str, bytes, list[Posting]]]:
        """(field, term, its postings by document), the terms in whoosh's order."""
        for key in sorted(self.terms):
            postings = self.terms[key]
            if not self.in_order:
                postings.sort()
            yield key[0], key[1], postings

    def iter_postings(self) -> Iterator[tuple[str, bytes, int, float, bytes | None]]:
        for fieldname, tbytes, postings in self.grouped():
            for docnum, weight, vbytes in postings:
                yield fieldname, tbytes, docnum, weight, vbytes


class _SegmentWriter(SegmentWriter):
    """whoosh's writer with a list of terms counted at once, its postings grouped by term as they
    are added, the lengths read once per field and each term's postings written a block at a time
    at the flush (the postings, lengths and stored values written are the same: tests/search
    compare whole indexes)."""

    def __init__(self, ix: Any) -> None:
        super().__init__(ix)
        self.pool = _GroupedPostings(self._tempstorage, self.newsegment)
        self._whooshs_own = {
            name for name, fieldobj in self.schema.items() if fieldobj.separate_spelling() or fieldobj.vector
        }

    def add_document(self, **fields: Any) -> None:
        """whoosh 2.7's `add_document` with the terms of each field made by `_field_terms` and
        put straight into their term's list. The same postings, lengths and stored values; a
        schema with spelling or vector fields goes through whoosh's own method."""
        schema = self.schema
        fieldnames = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(schema, fieldnames)
        if self._whooshs_own.intersection(fieldnames):
            super().add_document(**fields)
            return
        self._check_state()
        perdocwriter, docnum, terms = self.perdocwriter, self.docnum, self.pool.terms
        docboost = self._doc_boost(fields)
        perdocwriter.start_doc(docnum)
        try:
            for fieldname in fieldnames:
                value = fields.get(fieldname)
                if value is None:
                    continue
                fieldobj = schema[fieldname]
                length = 0
                if fieldobj.indexed:
                    fieldboost = self._field_boost(fields, fieldname, docboost)
                    if type(fieldobj.format) is Frequency and isinstance(value, list):
                        length = _add_counted(terms, fieldname, fieldobj, value, docnum, fieldboost)
                    else:
                        scorable = fieldobj.scorable
                        for tbytes, freq, weight, vbytes in _field_terms(fieldobj, value):
                            if scorable:
                                length += freq
                            terms[(fieldname, tbytes)].append((docnum, weight * fieldboost, vbytes))
                customval = fields.get(f"_stored_{fieldname}", value)
                perdocwriter.add_field(fieldname, fieldobj, customval if fieldobj.stored else None, length)
                if fieldobj.column_type and customval is not None:
                    perdocwriter.add_column_value(
                        fieldname, fieldobj.column_type, fieldobj.to_column_value(customval)
                    )
        except Exception:
            perdocwriter.cancel_doc()
            raise
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        reader = self.per_document_reader() if self.codec.length_stats else None
        lengths = _Lengths(reader) if reader is not None else None
        if type(self.fieldwriter) is W3FieldWriter:
            _write_terms(self.fieldwriter, self.schema, lengths, self.pool.grouped())
        else:
            self.fieldwriter.add_postings(self.schema, lengths, self.pool.iter_postings())
        self.fieldwriter.close()
        if reader is not None:
            reader.close()


def _add_counted(
    terms: defaultdict[tuple[str, bytes], list[Posting]],
    fieldname: str,
    fieldobj: Any,
    value: list[str],
    docnum: int,
    fieldboost: float,
) -> int:
    """Add the postings of a list of terms in whoosh's `Frequency` format (a token per term, each
    weighing 1.0): each term once with its count, the count times the format's boost times the
    field's, and the count packed; return the field's length (its number of terms when scorable)."""
    boost = fieldobj.format.field_boost
    for term, count in Counter(value).items():
        packed = _PACKED[count] if count < _PACKED_BELOW else pack_uint(count)
        terms[(fieldname, term.encode("utf-8"))].append((docnum, float(count) * boost * fieldboost, packed))
    return len(value) if fieldobj.scorable else 0


_PACKED_BELOW = 256
_PACKED = [pack_uint(count) for count in range(_PACKED_BELOW)]


def _field_terms(fieldobj: Any, value: Any) -> Iterable[tuple[bytes, int, float, bytes | None]]:
    """What `field.index(value)` gives: for a list of terms in whoosh's `Frequency` format (a
    token per term, each weighing 1.0), each term once with its count, the count times the
    format's boost, and the count packed; for a string in an `ID` field (whoosh's `IDTokenizer`,
    `Existence` format), the string as its one term; anything else from whoosh."""
    format_ = type(fieldobj.format)
    if format_ is Frequency and isinstance(value, list):
        boost = fieldobj.format.field_boost
        return [
            (term.encode("utf-8"), count, float(count) * boost, pack_uint(count))
            for term, count in Counter(value).items()
        ]
    if format_ is Existence and isinstance(value, str) and type(fieldobj.analyzer) is IDTokenizer:
        return [(value.encode("utf-8"), 1, fieldobj.format.field_boost, b"")]
    return fieldobj.index(value)


def _write_terms(
    fieldwriter: W3FieldWriter,
    schema: Any,
    lengths: _Lengths | None,
    terms: Iterable[tuple[str, bytes, list[Posting]]],
) -> None:
    """What whoosh's `FieldWriter.add_postings` does with the same postings, a term at a time:
    start each field and term, fill the postings writer's block and its statistics (the largest
    weight, the shortest and longest non-zero length) as `add_posting` would one by one, let
    whoosh write each full block when the next one starts and the last one at the term's end."""
    lastfn = None
    column: list[Any] | None = None
    for fieldname, btext, postings in terms:
        if fieldname != lastfn:
            if lastfn is not None:
                fieldwriter.finish_field()
            fieldwriter.start_field(fieldname, schema[fieldname])
            fieldwriter._postwriter = _BlockPostingsWriter.like(fieldwriter._postwriter)
            column = lengths.column(fieldname) if lengths is not None else None
            lastfn = fieldname
        if postings and postings[0][0] == -1:  # whoosh's spelling words: not postings
            postings = [posting for posting in postings if posting[0] != -1]
            if not postings:
                continue
        fieldwriter.start_term(btext)
        writer = fieldwriter._postwriter
        limit = writer._blocklimit
        for start in range(0, len(postings), limit):
            if start:
                writer._write_block()
            writer.fill(postings[start : start + limit], column)
        fieldwriter.finish_term()
    if lastfn is not None:
        fieldwriter.finish_field()


class _BlockPostingsWriter(W3PostingsWriter):
    """whoosh's postings writer given a block of postings at once (`fill`), and its document
    numbers' deltas and weights summed up without a generator per posting (the same values)."""

    @classmethod
    def like(cls, other: W3PostingsWriter) -> _BlockPostingsWriter:
        return cls(
            other._postfile,
            other._blocklimit,
            byteids=other._byteids,
            compression=other._compression,
            inlinelimit=other._inlinelimit,
        )

    def fill(self, postings: list[Posting], column: list[Any] | None) -> None:
        """The block `add_posting` would have made of `postings` (at most a block's worth, into
        an empty block), their lengths from `column`."""
        docnums, weights, values = zip(*postings, strict=True)
        self._ids = list(docnums) if self._byteids else array("I", docnums)
        self._weights = array("f", weights)
        self._values = [value for value in values if value]
        top = max(weights)  # the first of the largest, as add_posting keeps it
        self._maxweight = top if top > 0 else 0
        if column is not None:
            known = [length for length in map(column.__getitem__, docnums) if length]
            if known:
                self._minlength, self._maxlength = min(known), max(known)

    def _mini_ids(self) -> tuple[Any, ...]:
        ids = self._ids
        if self._byteids:
            return tuple(ids)
        return tuple(map(sub, ids, chain((0,), ids)))  # whoosh's delta_encode

    def _mini_weights(self) -> Any:
        weights = self._weights
        if weights.count(1.0) == len(weights):
            return None
        if weights.count(weights[0]) == len(weights):
            return weights[0]
        return tuple(weights)
