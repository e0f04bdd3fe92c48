"""The builder's whoosh writer (builder/search/index.py: terms counted at once, postings grouped by
term, lengths read once per field) writes the index whoosh's own writer writes: every stored
field, term, posting (document, weight), field length and total, on a new index and after a
course is reindexed (deleted documents, segments merged)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
from search_index_content import index_content
from whoosh import index as whoosh_index
from whoosh.writing import SegmentWriter

import builder.search.index as search_index
from builder.model import Site
from builder.search import writer as search_writer
from builder.search.documents import SearchDocument, site_documents
from builder.search.index import INDEX_NAME, update_index


def _write_both(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, documents: dict[str, list[SearchDocument]]
) -> tuple[dict[str, Any], dict[str, Any]]:
    update_index(tmp_path / "ours", documents)
    with monkeypatch.context() as patched:
        patched.setattr(search_index, "_SegmentWriter", SegmentWriter)  # whoosh's own, as it comes
        update_index(tmp_path / "whoosh", documents)
    return index_content(tmp_path / "ours"), index_content(tmp_path / "whoosh")


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
    monkeypatch.setattr(search_writer, "STORED_LEVEL", 3)  # whoosh's: every file byte for byte
    ours, whooshs = _write_both(tmp_path, monkeypatch, {"c": documents})
    assert ours == whooshs
    assert len(ours["text_kk:" + repr("өрт".encode())]) == 300  # one term, three blocks
    ours_files, whooshs_files = _segment_files(tmp_path / "ours"), _segment_files(tmp_path / "whoosh")
    assert {name.rsplit(".", 1)[-1] for name in ours_files} >= {"pst", "trm"}
    assert ours_files == whooshs_files


def test_the_stored_fields_written_uncompressed_read_back_the_same(
    example_site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stored fields at zlib's level 0 (not compressed): a search reads the same values, every
    other file of the segment is whoosh's byte for byte, the stored column is larger."""
    assert search_writer.STORED_LEVEL == 0
    documents = site_documents(example_site)
    ours, whooshs = _write_both(tmp_path, monkeypatch, documents)
    assert ours["stored"] == whooshs["stored"] and len(ours["stored"]) > 50
    assert ours == whooshs
    ours_files, whooshs_files = _segment_files(tmp_path / "ours"), _segment_files(tmp_path / "whoosh")
    stored = next(name for name in ours_files if name.endswith("._stored.col"))
    assert len(ours_files.pop(stored)) > len(whooshs_files.pop(stored))
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
    fields = [search_index.index_fields(d) for docs in site_documents(example_site).values() for d in docs]
    fields[3] = {**fields[3], f"_text_{fields[3]['lang']}_boost": 2.5}  # a boosted field
    fields[7] = {**fields[7], "_boost": 1.5}
    monkeypatch.setattr(search_writer, "STORED_LEVEL", 3)  # whoosh's: every file byte for byte
    _index_with(tmp_path / "whoosh", SegmentWriter, fields)
    _index_with(tmp_path / "ours", search_writer._SegmentWriter, fields)
    whooshs = index_content(tmp_path / "whoosh")
    assert index_content(tmp_path / "ours") == whooshs
    assert _segment_files(tmp_path / "ours") == _segment_files(tmp_path / "whoosh")

    class NotWhoosh3:  # the flush's check: not this class, so whoosh's own add_postings
        pass

    monkeypatch.setattr(search_writer, "W3FieldWriter", NotWhoosh3)
    _index_with(tmp_path / "theirs-flush", search_writer._SegmentWriter, fields)
    assert index_content(tmp_path / "theirs-flush") == whooshs
