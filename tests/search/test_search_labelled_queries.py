"""The labelled queries (labelled_queries.yml) over the example content: each finds its lessons."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from builder.search import SearchIndex

QUERIES: list[dict[str, object]] = yaml.safe_load(
    (Path(__file__).parent / "labelled_queries.yml").read_text(encoding="utf-8")
)


def test_the_set_covers_the_three_languages_and_inflection() -> None:
    languages = Counter(str(query["lang"]) for query in QUERIES)
    assert len(QUERIES) >= 40
    assert set(languages) == {"kk", "ru", "en"}
    notes = " ".join(str(query.get("note", "")) for query in QUERIES)
    assert "only the genitive plural" in notes and "genitive plural query" in notes


@pytest.mark.parametrize("query", QUERIES, ids=[f"{q['lang']}:{q['q']}" for q in QUERIES])
def test_the_query_finds_its_lessons_in_the_first_five(
    query: dict[str, object], example_index: SearchIndex
) -> None:
    results = example_index.search(str(query["q"]), str(query["lang"]), limit=5)
    found = [hit.lesson or hit.course for hit in results.hits]
    assert set(query["expect"]) & set(found), f"{query['q']!r} found {found}"  # type: ignore[arg-type]
    assert all(hit.lang == query["lang"] for hit in results.hits)
