"""What a search reads from a whoosh index, in a comparable form: the tests of the builder's
index writer and of the document-by-document update compare two indexes with it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index

from builder.search.index import INDEX_NAME


def index_content(path: Path, *, live_only: bool = False) -> dict[str, Any]:
    """The index at `path`: its stored documents and, for each term, the documents it is posted to
    with their weights and field lengths. By default everything the segments hold, deleted
    documents' postings (named as such) and each field's length totals included; `live_only`:
    only what the live documents hold (an index updated in place and one made anew then compare
    equal, whatever their deleted documents)."""
    ix = whoosh_index.open_dir(path, indexname=INDEX_NAME)
    with ix.reader() as reader:
        content: dict[str, Any] = {
            "stored": sorted(reader.all_stored_fields(), key=lambda stored: stored["id"]),
            "docs": reader.doc_count(),
        }
        docs = {docnum: stored["id"] for docnum, stored in reader.iter_docs()}
        for name in sorted(ix.schema.names()):
            if not live_only:
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
                    if docnum in docs or not live_only:
                        postings.append(
                            (
                                docs.get(docnum, f"deleted {docnum}"),
                                matcher.weight(),
                                reader.doc_field_length(docnum, name),
                            )
                        )
                    matcher.next()
                if postings or not live_only:
                    content[f"{name}:{term!r}"] = sorted(postings)
    ix.close()
    return content
