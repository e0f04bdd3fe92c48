"""The builder's whoosh writer (builder/search/index.py: terms counted at once, postings grouped by
term, lengths read once per field) writes the index whoosh's own writer writes: every stored
field, term, posting (document, weight), field length and total, on a new index and after a
course is reindexed (deleted documents, segments merged)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
from whoosh import index as whoosh_index
from whoosh.writing import SegmentWriter

import builder.search.index as search_index
from builder.model import Site
from builder.search.documents import SearchDocument, site_documents
from builder.search.index import INDEX_NAME, update_index


def _content(path: Path) -> dict[str, Any]:
    """Everything a search reads from the index at `path`, in a comparable form."""
    ix = whoosh_index.open_dir(path, indexname=INDEX_NAME)
    with ix.reader() as reader:
        content: dict[str, Any] = {
            "stored": sorted(reader.all_stored_fields(), key=lambda stored: stored["id"]),
            "docs": reader.doc_count(),
        }
        docs = {docnum: stored["id"] for docnum, stored in reader.iter_docs()}
        for name in sorted(ix.schema.names()):
            total = reader.field_length(name)
            content[f"length {name}"] = (
                total,
                reader.min_field_length(name) if total else None,
                reader.max_field_length(name) if total else None,
            )
            if not ix.schema[name].indexed:
                continue
            for term in reader.lexicon(name):
                postings = []
                matcher = reader.postings(name, term)
                while matcher.is_active():
                    docnum = matcher.id()
                    postings.append(
                        (
                            docs.get(docnum, f"deleted {docnum}"),
                            matcher.weight(),
                            reader.doc_field_length(docnum, name),
                        )
                    )
                    matcher.next()
                content[f"{name}:{term!r}"] = sorted(postings)
    ix.close()
    return content


def _write_both(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, documents: dict[str, list[SearchDocument]]
) -> tuple[dict[str, Any], dict[str, Any]]:
    update_index(tmp_path / "ours", documents)
    with monkeypatch.context() as patched:
        patched.setattr(search_index, "_SegmentWriter", SegmentWriter)  # whoosh's own, as it comes
        update_index(tmp_path / "whoosh", documents)
    return _content(tmp_path / "ours"), _content(tmp_path / "whoosh")


def test_the_index_is_the_one_whooshs_writer_writes(
    example_site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    documents = site_documents(example_site)
    ours, whooshs = _write_both(tmp_path, monkeypatch, documents)
    assert ours["docs"] == sum(len(docs) for docs in documents.values()) > 50
    assert sum(1 for key in ours if key.startswith("text_kk:")) > 500  # terms were indexed
    assert ours == whooshs

    # a course reindexed: its old documents deleted, the new segment merged with the first
    course = next(iter(documents))
    changed = [
        dataclasses.replace(document, text=f"{document.text} өрт өрт сөндіргіш жаңа мәтін")
        for document in documents[course][1:]
    ]
    ours, whooshs = _write_both(tmp_path, monkeypatch, {**documents, course: changed})
    assert ours["docs"] == sum(len(docs) for docs in documents.values()) - 1
    assert ours == whooshs


def test_the_flush_reads_each_fields_lengths_once(
    example_site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The writer's flush is its own: every posting's length comes from one column per field."""
    made: list[Any] = []
    make_lengths = search_index._Lengths.__init__

    def lengths(self: Any, reader: Any) -> None:
        made.append(self)
        make_lengths(self, reader)

    monkeypatch.setattr(search_index._Lengths, "__init__", lengths)
    update_index(tmp_path / "index", site_documents(example_site))
    assert len(made) == 1
    assert {"text_kk", "title_kk"} <= set(made[0].columns)


def _segment_files(path: Path) -> dict[str, bytes]:
    """The files inside the index's (one, compound) segment, named without the segment's id."""
    from whoosh.filedb.compound import CompoundStorage
    from whoosh.filedb.filestore import FileStorage

    (segment,) = path.glob("*.seg")
    segment_id = segment.stem.split("_", 1)[1]
    files = CompoundStorage(FileStorage(str(path)).open_file(segment.name), use_mmap=False)
    try:
        return {name.replace(segment_id, "SEG"): files.open_file(name).read() for name in files.list()}
    finally:
        files.close()


def test_terms_of_many_blocks_are_written_byte_for_byte_as_whoosh_writes_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Terms with more postings than a block holds (128; 300 documents here), weights and
    lengths varying inside a block: the segment's posting file (with each block's statistics:
    largest weight, shortest and longest length, which a search uses to skip blocks), terms,
    lengths and stored fields are whoosh's bytes."""
    words = ["өрт", "сөндіргіш", "қауіпсіздік", "эвакуация", "түтін"]
    documents = [
        SearchDocument(
            id=f"c/kk/l{number}/0",
            kind="lesson",
            course="c",
            lang="kk",
            access="open",
            url=f"kk/courses/c/m/l{number}/",
            title=f"Сабақ {words[number % 5]}",
            heading="",
            text=" ".join(words[: 1 + number % 5] * (1 + number % 7)),
            lesson=f"l{number}",
        )
        for number in range(300)
    ]
    ours, whooshs = _write_both(tmp_path, monkeypatch, {"c": documents})
    assert ours == whooshs
    assert len(ours["text_kk:" + repr("өрт".encode())]) == 300  # one term, three blocks
    ours_files, whooshs_files = _segment_files(tmp_path / "ours"), _segment_files(tmp_path / "whoosh")
    assert {name.rsplit(".", 1)[-1] for name in ours_files} >= {"pst", "trm"}
    assert ours_files == whooshs_files


def _index_with(path: Path, writer_class: Any, documents: list[dict[str, Any]]) -> None:
    path.mkdir()
    whoosh_index.create_in(path, search_index.make_schema(), indexname=INDEX_NAME)
    ix = whoosh_index.open_dir(path, indexname=INDEX_NAME)
    writer = writer_class(ix)
    for fields in documents:
        writer.add_document(**fields)
    writer.commit()
    ix.close()


def test_boosted_documents_and_whooshs_own_flush_give_whooshs_index(
    example_site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A document with boosts goes through whoosh's own `add_document`: its postings join the
    counted ones of the same terms; a segment whose field writer is not whoosh3's is flushed by
    whoosh's own `add_postings` with the counted postings given as whoosh's."""
    from builder.search import writer as search_writer

    fields = [search_index.index_fields(d) for docs in site_documents(example_site).values() for d in docs]
    fields[3] = {**fields[3], f"_text_{fields[3]['lang']}_boost": 2.5}  # a boosted field
    fields[7] = {**fields[7], "_boost": 1.5}
    _index_with(tmp_path / "whoosh", SegmentWriter, fields)
    _index_with(tmp_path / "ours", search_writer._SegmentWriter, fields)
    whooshs = _content(tmp_path / "whoosh")
    assert _content(tmp_path / "ours") == whooshs
    assert _segment_files(tmp_path / "ours") == _segment_files(tmp_path / "whoosh")

    class NotWhoosh3:  # the flush's check: not this class, so whoosh's own add_postings
        pass

    monkeypatch.setattr(search_writer, "W3FieldWriter", NotWhoosh3)
    _index_with(tmp_path / "theirs-flush", search_writer._SegmentWriter, fields)
    assert _content(tmp_path / "theirs-flush") == whooshs
