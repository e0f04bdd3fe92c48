"""The builder's whoosh writer: whoosh 2.7's `SegmentWriter` writing the same segment with less
Python per posting (a 1,000-lesson site has ~580,000 postings; whoosh's writer was ~70 % of its
search index's CPU).

- A field's terms are counted at once when the field is given as a list of terms (as
  `index.index_fields` gives them), and an `ID` field's one term made without a token object.
- Postings are grouped by term as they are added (whoosh keeps one tuple per posting, sizes each
  one and sorts them all at the flush); a counted field's posting is its document and count
  only, under the term as a string: the weight, the packed count and the term's bytes are made
  at the flush, once per block or term instead of once per posting.
- Each document's fields follow a plan made once per field name (whoosh looks the field up,
  builds the boost keys and checks the types again for every field of every document).
- Each field's lengths are read once at the flush (whoosh asks the per-document reader again for
  every posting).
- A term's postings are written a block (128 postings) at a time into a buffer, with the block's
  statistics, the term's statistics and its row of the term table computed as whoosh's
  postings writer, term info and ordered hash writer compute them; the buffers go to whoosh's
  files once per field (whoosh wrote each block and row through three layers of file objects,
  whose position it recomputed per call).

The segment's files are the ones whoosh's writer makes (tests/search/test_search_writer.py
compares whole indexes, new and after a course is reindexed; the posting and term files byte
for byte).
"""

from __future__ import annotations

import zlib
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from itertools import chain
from operator import sub
from pickle import dumps
from typing import Any

from whoosh.analysis.tokenizers import IDTokenizer
from whoosh.codec.whoosh3 import (
    LENGTHS_COLUMN,
    WHOOSH3_HEADER_MAGIC,
    W3FieldWriter,
    W3PerDocWriter,
    W3TermInfo,
)
from whoosh.columns import CompressedBytesColumn, PickleColumn
from whoosh.fields import NUMERIC
from whoosh.filedb.filetables import OrderedHashWriter
from whoosh.filedb.filetables import _lengths as _ROW_LENGTHS
from whoosh.formats import Existence, Frequency
from whoosh.system import pack_int, pack_long, pack_uint, pack_ushort
from whoosh.util.numeric import length_to_byte
from whoosh.writing import PostingPool, SegmentWriter

Posting = tuple[int, float, bytes | None]  # docnum, weight, value
Counted = tuple[int, int]  # docnum, how many times the term is in the field


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
    1,000 lessons). `terms`: whoosh's postings by (field, term bytes); `counted`: a counted
    field's postings (document, count) by field and term string, the field's format boost in
    `boosts` (the weight is the count times it). The terms are sorted (a string's UTF-8 bytes
    sort as its characters do), and each term's postings (added in document order: already
    sorted); the postings come out in the order whoosh's sort gives them. Everything stays in
    memory (whoosh writes runs to disk past `limitmb`, 128 MB, ~800,000 postings)."""

    def __init__(self, tempstore: Any, segment: Any) -> None:
        super().__init__(tempstore, segment)
        self.terms: defaultdict[tuple[str, bytes], list[Posting]] = defaultdict(list)
        self.counted: dict[str, defaultdict[str, list[Counted]]] = {}
        self.boosts: dict[str, float] = {}
        self.in_order = True  # every term's postings in document order (no segment merged)

    def add(self, item: tuple[str, bytes, int, float, bytes | None]) -> None:
        fieldname, tbytes, docnum, weight, vbytes = item
        self.terms[(fieldname, tbytes)].append((docnum, weight, vbytes))
        self.in_order = False  # whoosh's own paths (a merged segment) may add in any order

    def counted_terms(self, fieldname: str, boost: float) -> defaultdict[str, list[Counted]]:
        """The lists of a counted field's postings by term (its format's boost: `boost`)."""
        try:
            return self.counted[fieldname]
        except KeyError:
            self.boosts[fieldname] = boost
            return self.counted.setdefault(fieldname, defaultdict(list))

    def grouped(self) -> Iterator[tuple[str, bytes, list[Any], float | None]]:
        """(field, term, its postings by document, the field's boost if they are counted
        postings else None), the terms in whoosh's order."""
        whooshs: dict[str, dict[bytes, list[Posting]]] = defaultdict(dict)
        for (fieldname, tbytes), postings in self.terms.items():
            whooshs[fieldname][tbytes] = postings
        for fieldname in sorted(whooshs.keys() | self.counted.keys()):
            theirs = whooshs.get(fieldname, {})
            counted: dict[str, list[Counted]] = self.counted.get(fieldname, {})
            boost = self.boosts.get(fieldname, 1.0)
            if not theirs:
                for term in sorted(counted):
                    yield fieldname, term.encode("utf-8"), counted[term], boost
                continue
            ours = {term.encode("utf-8"): postings for term, postings in counted.items()}
            for tbytes in sorted(theirs.keys() | ours.keys()):
                if tbytes not in theirs:
                    yield fieldname, tbytes, ours[tbytes], boost
                    continue
                postings = theirs[tbytes]
                if tbytes in ours:  # both kinds (a document given to whoosh's own method)
                    postings = postings + _weighed(ours[tbytes], boost)
                    postings.sort()
                elif not self.in_order:
                    postings.sort()
                yield fieldname, tbytes, postings, None

    def iter_postings(self) -> Iterator[tuple[str, bytes, int, float, bytes | None]]:
        for fieldname, tbytes, postings, boost in self.grouped():
            if boost is not None:
                postings = _weighed(postings, boost)
            for docnum, weight, vbytes in postings:
                yield fieldname, tbytes, docnum, weight, vbytes


def _weighed(postings: list[Counted], boost: float) -> list[Posting]:
    """Counted postings as whoosh's: the count times the boost, the count packed."""
    return [(docnum, float(count) * boost, _packed(count)) for docnum, count in postings]


_PACKED_BELOW = 256
_PACKED = [pack_uint(count) for count in range(_PACKED_BELOW)]


def _packed(count: int) -> bytes:
    return _PACKED[count] if count < _PACKED_BELOW else pack_uint(count)


# How a field's value becomes postings (`_FieldPlan.kind`)
_COUNTED = 1  # a list of terms in whoosh's `Frequency` format: counted, a posting per term
_ONE_ID = 2  # a string in an `ID` field (`IDTokenizer`, `Existence`): the string is its one term
_WHOOSHS = 3  # anything else: the field's own `index`
_NUMBER = 4  # a `NUMERIC` field: its `index` (a term per precision tier), kept per number


class _FieldPlan:
    """What `add_document` does with one field's value, decided once per field name."""

    __slots__ = (
        "boost",
        "column_type",
        "fieldobj",
        "indexed",
        "kind",
        "length_column",
        "numbers",
        "scorable",
        "stored",
    )

    def __init__(self, fieldname: str, fieldobj: Any) -> None:
        format_ = type(fieldobj.format)
        self.fieldobj = fieldobj
        self.indexed = bool(fieldobj.indexed)
        self.scorable = bool(fieldobj.scorable)
        self.stored = bool(fieldobj.stored)
        self.column_type = fieldobj.column_type
        self.boost = fieldobj.format.field_boost if fieldobj.format is not None else 1.0
        self.length_column = f"_{fieldname}_len"  # whoosh3's `_lenfield`
        if format_ is Frequency:
            self.kind = _COUNTED
        elif format_ is Existence and type(fieldobj.analyzer) is IDTokenizer:
            self.kind = _ONE_ID
        elif type(fieldobj) is NUMERIC:
            self.kind = _NUMBER
        else:
            self.kind = _WHOOSHS
        self.numbers: dict[int, list[tuple[bytes, int, float, bytes]]] = {}


# zlib's level for the stored fields (each document's pickled values: whoosh3 compresses them at
# level 3, ~0.33 s of CPU at 1,000 lessons, where level 1 is as slow on Cyrillic text). Level 0
# writes them as zlib's stored blocks: whoosh's reader decompresses any level the same way, so
# every search reads the same values; the index file is larger (9.7 -> 16.3 MB at 1,000
# lessons). Read when a writer is made: the tests comparing whole segments with whoosh's set 3.
STORED_LEVEL = 0


def _store_at_level(perdocwriter: Any, level: int) -> None:
    """Write the stored fields' column at zlib's `level` (whoosh3's column: a pickle column over
    a compressed bytes column; another codec's is left as it is)."""
    stored = getattr(perdocwriter, "_colwriters", {}).get("_stored")
    child: Any = getattr(stored, "_child", None)
    if type(stored) is PickleColumn.Writer and type(child) is CompressedBytesColumn.Writer:
        child._level = level


class _SegmentWriter(SegmentWriter):
    """whoosh's writer with a list of terms counted at once, its postings grouped by term as they
    are added, the lengths read once per field and each term's postings written a block at a time
    at the flush (the postings, lengths and stored values written are the same: tests/search
    compare whole indexes)."""

    def __init__(self, ix: Any) -> None:
        super().__init__(ix)
        _store_at_level(self.perdocwriter, STORED_LEVEL)
        self.pool = _GroupedPostings(self._tempstorage, self.newsegment)
        self._whooshs_own = {
            name for name, fieldobj in self.schema.items() if fieldobj.separate_spelling() or fieldobj.vector
        }
        self._plans: dict[str, _FieldPlan] = {}
        self._length_writers: dict[str, Any] = {}
        self._length_bytes: dict[int, int] = {}

    def add_document(self, **fields: Any) -> None:
        """whoosh 2.7's `add_document` with each field's postings put straight into their term's
        list by the field's plan. The same postings, lengths and stored values; a document with
        boosts or custom stored values (`_…` keys), a schema with spelling or vector fields, or
        another codec's per-document writer go through whoosh's own method."""
        fieldnames = sorted(fields)
        if (
            any(name.startswith("_") for name in fieldnames)
            or type(self.perdocwriter) is not W3PerDocWriter
            or self._whooshs_own.intersection(fieldnames)
        ):
            super().add_document(**fields)
            return
        plans = [self._plan(name) for name in fieldnames]  # an unknown name raises whoosh's error
        self._check_state()
        perdocwriter, docnum = self.perdocwriter, self.docnum
        perdocwriter.start_doc(docnum)
        try:
            stored = perdocwriter._storedfields
            for fieldname, plan in zip(fieldnames, plans, strict=True):
                value = fields[fieldname]
                if value is None:
                    continue
                length = self._add_postings(fieldname, plan, value, docnum) if plan.indexed else 0
                if plan.stored:
                    stored[fieldname] = value
                if length:
                    self._add_length(fieldname, plan, length, docnum)
                if plan.column_type:
                    perdocwriter.add_column_value(
                        fieldname, plan.column_type, plan.fieldobj.to_column_value(value)
                    )
        except Exception:
            perdocwriter.cancel_doc()
            raise
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1

    def _plan(self, fieldname: str) -> _FieldPlan:
        try:
            return self._plans[fieldname]
        except KeyError:
            self._check_fields(self.schema, [fieldname])
            plan = self._plans[fieldname] = _FieldPlan(fieldname, self.schema[fieldname])
            return plan

    def _add_postings(self, fieldname: str, plan: _FieldPlan, value: Any, docnum: int) -> int:
        """Add a field's postings (no boost: the field boost is 1.0); return its length."""
        if plan.kind == _COUNTED and type(value) is list:
            lists = self.pool.counted_terms(fieldname, plan.boost)
            for term, count in Counter(value).items():
                lists[term].append((docnum, count))
            return len(value) if plan.scorable else 0
        terms = self.pool.terms
        if plan.kind == _ONE_ID and type(value) is str:
            terms[(fieldname, value.encode("utf-8"))].append((docnum, plan.boost * 1.0, b""))
            return 1 if plan.scorable else 0
        if plan.kind == _NUMBER and type(value) is int:  # the same terms for the same number
            items = plan.numbers.get(value)
            if items is None:
                items = plan.numbers[value] = list(plan.fieldobj.index(value))
        else:
            items = plan.fieldobj.index(value)
        length = 0
        for tbytes, freq, weight, vbytes in items:
            if plan.scorable:
                length += freq
            terms[(fieldname, tbytes)].append((docnum, weight * 1.0, vbytes))
        return length

    def _add_length(self, fieldname: str, plan: _FieldPlan, length: int, docnum: int) -> None:
        """What whoosh3's per-document writer does with a field's length (its length column
        made as whoosh makes it, the first time)."""
        perdocwriter = self.perdocwriter
        try:
            lb = self._length_bytes[length]
        except KeyError:
            lb = self._length_bytes[length] = length_to_byte(length)
        writer = self._length_writers.get(fieldname)
        if writer is None:
            perdocwriter.add_column_value(plan.length_column, LENGTHS_COLUMN, lb)
            self._length_writers[fieldname] = perdocwriter._get_column(plan.length_column)
        else:
            writer.add(docnum, lb)
        perdocwriter._fieldlengths[fieldname] += length

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        reader = self.per_document_reader() if self.codec.length_stats else None
        lengths = _Lengths(reader) if reader is not None else None
        fieldwriter = self.fieldwriter
        if (
            type(fieldwriter) is W3FieldWriter
            and type(fieldwriter._tindex) is OrderedHashWriter
            and self.codec._inlinelimit <= 1
        ):
            _write_terms(fieldwriter, self.schema, lengths, self.pool.grouped())
        else:
            fieldwriter.add_postings(self.schema, lengths, self.pool.iter_postings())
        fieldwriter.close()
        if reader is not None:
            reader.close()


def _write_terms(
    fieldwriter: W3FieldWriter,
    schema: Any,
    lengths: _Lengths | None,
    terms: Iterable[tuple[str, bytes, list[Any], float | None]],
) -> None:
    """What whoosh's `FieldWriter.add_postings` writes for the same postings, a term at a time:
    each field started by whoosh, each term's blocks and term info (`_term_blocks`) and its row
    of the term table (`_TermTable`) written into buffers that go to whoosh's files at the end."""
    codec = fieldwriter._codec
    posts = _Buffer(fieldwriter._postfile)
    table = _TermTable(fieldwriter._tindex)
    block = _BlockWriter(codec._blocklimit, codec._compression)
    lastfn = None
    prefix = b""
    column: list[Any] | None = None
    for fieldname, tbytes, postings, boost in terms:
        if fieldname != lastfn:
            if lastfn is not None:
                fieldwriter.finish_field()
            fieldwriter.start_field(fieldname, schema[fieldname])
            column = lengths.column(fieldname) if lengths is not None else None
            block.fixed = fieldwriter._format.fixed_value_size()
            prefix = pack_ushort(fieldwriter._fieldid)
            lastfn = fieldname
        if boost is None and postings and postings[0][0] == -1:  # whoosh's spelling words: not postings
            postings = [posting for posting in postings if posting[0] != -1]
            if not postings:
                continue
        table.add(prefix + tbytes, block.term(posts, postings, boost, column))
    if lastfn is not None:
        fieldwriter.finish_field()
    posts.flush()
    table.flush()


class _Buffer:
    """Bytes for a whoosh file, kept here and written in one piece by `flush`; `tell` is the
    file's position as whoosh's would be after writing everything so far."""

    def __init__(self, dbfile: Any) -> None:
        self.dbfile = dbfile
        self.base = dbfile.tell()
        self.data = bytearray()

    def tell(self) -> int:
        return self.base + len(self.data)

    def flush(self) -> None:
        if self.data:
            self.dbfile.write(bytes(self.data))
            self.base, self.data = self.dbfile.tell(), bytearray()


class _TermTable(_Buffer):
    """whoosh's `OrderedHashWriter.add` (the term table's rows) into a buffer: the same keys'
    order check, position index, row bytes and hash buckets."""

    def __init__(self, writer: OrderedHashWriter) -> None:
        super().__init__(writer.dbfile)
        self.writer = writer

    def add(self, key: bytes, value: bytes) -> None:
        writer = self.writer
        if key <= writer.lastkey:
            raise ValueError(f"Keys must increase: {writer.lastkey!r}..{key!r}")
        pos = self.base + len(self.data)
        writer.index.append(pos)
        self.data += _ROW_LENGTHS.pack(len(key), len(value))
        self.data += key
        self.data += value
        h = writer.hashfn(key)
        writer.buckets[h & 255].append((h, pos))
        writer.lastkey = key


class _BlockWriter:
    """whoosh3's `W3PostingsWriter` and `W3TermInfo` for one term's postings at once: the blocks
    (`limit` postings each) with their statistics, data and info as `_write_block` pickles and
    compresses them, and the term info's bytes (never inlined: whoosh's `inlinelimit` 1)."""

    def __init__(self, limit: int, compression: int) -> None:
        self.limit = limit
        self.compression = compression
        self.fixed: int | None = None  # the field format's fixed value size

    def term(
        self, posts: _Buffer, postings: list[Any], boost: float | None, column: list[Any] | None
    ) -> bytes:
        """Write a term's blocks to `posts`; return its term info's bytes. `boost`: the postings
        are counted ones (document, count) of a field with that boost, else None."""
        start = posts.tell()
        data = posts.data
        data += WHOOSH3_HEADER_MAGIC
        total: float = 0
        maxweight: float = 0
        df, minlength, maxlength = 0, None, 0
        limit = self.limit
        count = len(postings)
        for first in range(0, count, limit):
            ids, weights, values, top = self._block(postings[first : first + limit], boost)
            blockmin, blockmax = None, 0
            if column is not None:
                known = list(filter(None, map(column.__getitem__, ids)))  # the non-zero lengths
                if known:
                    blockmin, blockmax = min(known), max(known)
            top = top if top > 0 else 0
            total += sum(weights)  # W3TermInfo.add_block
            df += len(ids)
            minlength = blockmin if minlength is None else min(minlength, blockmin)
            maxlength = max(maxlength, blockmax)
            maxweight = max(maxweight, top)
            block = (
                tuple(map(sub, ids, chain((0,), ids))),
                _mini_weights(weights),
                self._mini_values(values),
            )
            databytes = dumps(block, 2)
            if self.compression:
                databytes = zlib.compress(databytes, self.compression)
            info = (
                len(ids),
                ids[-1],
                top,
                self.compression,
                length_to_byte(blockmin),
                length_to_byte(blockmax),
            )
            infobytes = dumps(info, 2)
            size = len(infobytes) + len(databytes)
            data += pack_int(-size if first + limit >= count else size)
            data += infobytes
            data += databytes
        return (
            W3TermInfo._struct.pack(
                False,
                total,
                df,
                0 if minlength is None else length_to_byte(minlength),
                length_to_byte(maxlength),
                maxweight,
                postings[0][0],
                postings[-1][0],
            )
            + pack_long(start)
            + pack_int(posts.tell() - start)
        )

    @staticmethod
    def _block(
        postings: list[Any], boost: float | None
    ) -> tuple[array[int], array[float], list[bytes], float]:
        """A block's document numbers, weights (as whoosh keeps them: 32-bit floats), non-empty
        values and largest weight (of the weights as given, before they are 32-bit floats)."""
        if boost is None:
            docnums, given, values = zip(*postings, strict=True)
            return array("I", docnums), array("f", given), [value for value in values if value], max(given)
        docnums, counts = zip(*postings, strict=True)
        most = max(counts)
        weights = array("f", counts) if boost == 1.0 else array("f", [count * boost for count in counts])
        packed = (
            list(map(_PACKED.__getitem__, counts)) if most < _PACKED_BELOW else list(map(_packed, counts))
        )
        return array("I", docnums), weights, packed, float(most) * boost

    def _mini_values(self, values: list[bytes]) -> Any:
        fixed = self.fixed
        if fixed is None or fixed < 0:
            return tuple(values)
        if fixed == 0:
            return None
        return b"".join(values)


def _mini_weights(weights: array[float]) -> Any:
    """whoosh's `_mini_weights`: None when every weight is 1.0, one weight when all are equal."""
    if weights.count(1.0) == len(weights):
        return None
    if weights.count(weights[0]) == len(weights):
        return weights[0]
    return tuple(weights)
