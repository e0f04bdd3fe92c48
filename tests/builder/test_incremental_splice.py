"""The page-level rebuild splices a page's search entries into the project's index as text: the
same bytes as parsing the whole index, replacing the page's run of entries and writing it again
(what it did before), without parsing the index."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import builder.incremental as incremental

CONFIG = {"lang": ["kk"], "separator": '[\\s\\-"{},]+', "fields": {"title": {"boost": 1000.0}}}


def entry(location: str, title: str = "Тақырып", **more: Any) -> dict[str, Any]:
    return {"location": location, "title": title, "text": f"<p>{title} мәтіні</p>", **more}


def index_text(docs: list[dict[str, Any]]) -> str:
    """As Material's search plugin writes it (generate_search_index)."""
    return json.dumps({"config": CONFIG, "docs": docs}, separators=(",", ":"), default=str)


def splice(path: Path, pages: list[list[Any]]) -> bool:
    """What rebuild_pages does with the index: the runs found, the new index written."""
    text = path.read_bytes()
    runs = incremental._search_index_runs(text, pages)
    if runs is None:
        return False
    incremental._write_spliced(path, text, runs)
    return True


def by_parsing(text: str, pages: list[list[Any]]) -> str | None:
    """The splice as it was: the whole index parsed, the page's run replaced, all of it dumped."""
    data = json.loads(text)
    docs = data["docs"]
    for url, *entries in pages:
        positions = [i for i, e in enumerate(docs) if e["location"].split("#", 1)[0] == url]
        if not positions or positions != list(range(positions[0], positions[-1] + 1)):
            return None
        docs[positions[0] : positions[-1] + 1] = entries
    return json.dumps({"config": data["config"], "docs": docs}, separators=(",", ":"), default=str)


# Tricky texts: a string holding the entry's opening text, quotes, backslashes, non-ASCII.
TRICKY = 'он {"location":"a/" және \\" "\\\\" } ] , {"location":"b/#x"}'
DOCS = [
    entry(""),
    entry("#kirispe", "Кіріспе"),
    entry("a/", TRICKY),
    entry("a/#one", "Бір"),
    entry("a/#two", "Екі", tags=["алғашқы", "көмек"]),
    entry("a/b/", "Ішкі бет"),
    entry("a/b/#x"),
    entry("ab/", "Ұқсас мекенжай"),
    entry("қазақша/", "Кирилл мекенжайы", boost=2.5),
    entry("z/", "Соңғы", tags=["т"]),
    entry("z/#end", "Соңы"),
]
NEW = [entry("{url}", "Жаңа"), entry("{url}#jana", 'Жаңа "бөлім" \\ {"location":"x/"}')]


def new_entries(url: str, count: int) -> list[dict[str, Any]]:
    return [{**e, "location": e["location"].format(url=url)} for e in NEW[:count]]


@pytest.mark.parametrize("url", ["", "a/", "a/b/", "ab/", "қазақша/", "z/"])
@pytest.mark.parametrize("count", [0, 1, 2])
def test_a_page_spliced_as_text_is_the_parsed_splice(tmp_path: Path, url: str, count: int) -> None:
    path = tmp_path / "search_index.json"
    text = index_text(DOCS)
    path.write_text(text, encoding="utf-8")
    pages = [[url, *new_entries(url, count)]]
    assert splice(path, pages) is True
    assert path.read_text(encoding="utf-8") == by_parsing(text, pages)


@pytest.mark.parametrize(
    "urls, counts",
    [
        (["z/", "", "a/b/"], [2, 1, 0]),
        (["a/", ""], [0, 0]),  # next to each other, the first in the list, without entries now
        (["z/", "ab/", "қазақша/"], [0, 0, 0]),  # next to each other, the last in the list
        (["ab/", "қазақша/", "a/b/"], [0, 2, 1]),
    ],
)
def test_several_pages_spliced_at_once(tmp_path: Path, urls: list[str], counts: list[int]) -> None:
    path = tmp_path / "search_index.json"
    text = index_text(DOCS)
    path.write_text(text, encoding="utf-8")
    pages = [[url, *new_entries(url, count)] for url, count in zip(urls, counts, strict=True)]
    assert splice(path, pages) is True
    assert path.read_text(encoding="utf-8") == by_parsing(text, pages)


def test_the_only_page_of_an_index(tmp_path: Path) -> None:
    path = tmp_path / "search_index.json"
    for count in (0, 2):
        text = index_text([entry("a/"), entry("a/#one")])
        path.write_text(text, encoding="utf-8")
        pages = [["a/", *new_entries("a/", count)]]
        assert splice(path, pages) is True
        assert path.read_text(encoding="utf-8") == by_parsing(text, pages)


@pytest.mark.parametrize(
    "docs, url",
    [
        (DOCS, "missing/"),  # the page had no entries
        (DOCS, "a"),  # only a prefix of other pages' locations
        (DOCS, "a/#one"),  # not a page's URL
        ([entry("a/"), entry("b/"), entry("a/#two")], "a/"),  # not one run
        ([entry("b/"), entry("a/"), entry("c/"), entry("a/")], "a/"),
    ],
)
def test_what_cannot_be_spliced_is_left_alone(tmp_path: Path, docs: list[dict[str, Any]], url: str) -> None:
    path = tmp_path / "search_index.json"
    text = index_text(docs)
    path.write_text(text, encoding="utf-8")
    pages = [[url, *new_entries(url, 1)]]
    assert by_parsing(text, pages) is None
    assert splice(path, pages) is False
    assert path.read_text(encoding="utf-8") == text


def test_an_index_not_as_material_writes_it_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "search_index.json"
    text = json.dumps({"docs": DOCS, "config": CONFIG})
    path.write_text(text, encoding="utf-8")
    assert splice(path, [["a/", *new_entries("a/", 1)]]) is False
    assert path.read_text(encoding="utf-8") == text


def test_the_index_is_not_parsed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "search_index.json"
    text = index_text(DOCS)
    path.write_text(text, encoding="utf-8")

    def no_parsing(*args: object, **kwargs: object) -> None:
        raise AssertionError("the whole index was parsed")

    monkeypatch.setattr(json, "loads", no_parsing)
    monkeypatch.setattr(json.JSONDecoder, "decode", no_parsing)
    assert splice(path, [["a/", *new_entries("a/", 2)]]) is True
