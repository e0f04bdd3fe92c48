"""A changed course is brought up to date document by document (builder/search/index.py,
`documents.json`): after an edit the index holds exactly the documents and terms an index made
anew holds, and only the changed documents were written again."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
from search_index_content import index_content

import builder.search.index as search_index
from builder.model import Site
from builder.search.documents import SearchDocument, site_documents
from builder.search.index import DOCUMENTS_FILE, update_index


def _written(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    written: list[str] = []
    real = search_index.index_fields

    def counted(document: SearchDocument) -> dict[str, Any]:
        written.append(document.id)
        return real(document)

    monkeypatch.setattr(search_index, "index_fields", counted)
    return written


def test_an_edit_rewrites_only_the_changed_documents(
    example_site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    documents = site_documents(example_site)
    course = max(documents, key=lambda c: len(documents[c]))
    docs = documents[course]
    assert len(docs) > 6
    update_index(tmp_path / "edited", documents)
    assert (tmp_path / "edited" / DOCUMENTS_FILE).is_file()

    edited = dataclasses.replace(docs[1], text=f"{docs[1].text} өрт сөндіргіш жаңа мәтін")
    added = dataclasses.replace(docs[2], id=f"{docs[2].id}/new", heading="Жаңа бөлім")
    after = {**documents, course: [docs[0], edited, *docs[3:], added]}  # docs[2] gone
    written = _written(monkeypatch)
    report = update_index(tmp_path / "edited", after)
    assert report.reindexed == [course]
    assert sorted(written) == sorted([edited.id, added.id])

    update_index(tmp_path / "anew", after)
    assert index_content(tmp_path / "edited", live_only=True) == index_content(
        tmp_path / "anew", live_only=True
    )


def test_without_the_digests_a_changed_course_is_rewritten_whole(
    example_site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No digests file (an index from before it, or a build stopped between the index's commit and
    the file's write): the course's documents are deleted by its term and all written again."""
    documents = site_documents(example_site)
    course = max(documents, key=lambda c: len(documents[c]))
    docs = documents[course]
    update_index(tmp_path / "ix", documents)
    (tmp_path / "ix" / DOCUMENTS_FILE).unlink()
    after = {**documents, course: [dataclasses.replace(docs[0], text="жаңа"), *docs[1:]]}
    written = _written(monkeypatch)
    update_index(tmp_path / "ix", after)
    assert len(written) == len(docs)
    update_index(tmp_path / "anew", after)
    assert index_content(tmp_path / "ix", live_only=True) == index_content(tmp_path / "anew", live_only=True)

    written.clear()  # the digests are back: the next edit is a diff again
    again = {**after, course: [dataclasses.replace(docs[0], text="тағы жаңа"), *docs[1:]]}
    update_index(tmp_path / "ix", again)
    assert written == [docs[0].id]


def test_the_digests_made_together_are_the_digests_made_apart(example_site: Site) -> None:
    """A course's digest and its documents' digests from one JSON text per document are the
    ones `digest` makes of the course's list and of each document alone (state.json and
    documents.json keep their values)."""
    from builder.search.documents import digest, digests

    documents = site_documents(example_site)
    first = max(documents.values(), key=len)
    assert len(first) > 5
    for docs in [*documents.values(), [], first[:1]]:
        whole, each = digests(docs)
        assert whole == digest(docs)
        assert each == [digest([document]) for document in docs]
    odd = dataclasses.replace(first[0], text='"кавычки" \\ \n\t \u2028 é', heading="</script>")
    assert digests([odd, first[0]]) == (digest([odd, first[0]]), [digest([odd]), digest([first[0]])])
