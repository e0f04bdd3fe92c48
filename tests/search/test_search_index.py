"""The index over the example content and over small made-up courses: hits, links, snippets, updates."""

from __future__ import annotations

import dataclasses
import json
import threading
from pathlib import Path

import pytest

from builder.model import Site
from builder.search import SearchIndex
from builder.search.analyzers import stem_ru
from builder.search.documents import SearchDocument, markdown_sections, site_documents
from builder.search.index import update_index
from builder.search.snippets import make_snippet


def test_a_caption_hit_links_to_the_second_of_the_lecture(example_index: SearchIndex) -> None:
    results = example_index.search("оттегі пайыз", "kk")
    caption = next(hit for hit in results.hits if hit.kind == "caption")
    assert caption.url == "kk/courses/fire-safety/combustion/fire-triangle/#t=26"
    assert caption.seconds == 26
    assert "<mark>оттегі</mark>" in caption.snippet.lower()


def test_a_section_hit_links_to_its_heading_anchor(example_index: SearchIndex) -> None:
    hit = example_index.search("эвакуациялау уақытын", "kk").hits[0]
    assert hit.url == "kk/courses/fire-safety/extinguishing/evacuation/#эвакуациялау-уақыты"
    assert hit.heading == "Эвакуациялау уақыты"
    assert hit.course_title == "Өрт қауіпсіздігінің негіздері"


def test_inflected_forms_are_marked_in_the_snippet(example_index: SearchIndex) -> None:
    hit = example_index.search("өрт", "kk", courses={"fire-safety"}).hits[0]
    marked = {word.split("</mark>")[0].lower() for word in hit.snippet.split("<mark>")[1:]}
    assert len(marked) >= 2 and all(word.startswith("өрт") for word in marked)


def test_only_the_allowed_courses_answer(example_index: SearchIndex) -> None:
    everywhere = {hit.course for hit in example_index.search("сабақ", "kk", limit=20).hits}
    assert everywhere == {"dl-orientation", "fire-safety"}
    only_open = example_index.search("сабақ", "kk", courses={"dl-orientation"}, limit=20)
    assert {hit.course for hit in only_open.hits} == {"dl-orientation"}
    assert example_index.search("сабақ", "kk", courses=set()).hits == []


def test_one_wrong_letter_is_forgiven_and_said(example_index: SearchIndex) -> None:
    results = example_index.search("тотықтырғыщ", "kk")
    assert results.match == "similar"
    assert results.hits[0].lesson == "fire-triangle"


def test_no_language_searches_every_language(example_index: SearchIndex) -> None:
    languages = {hit.lang for hit in example_index.search("онлайн прокторинг", limit=20).hits}
    assert languages == {"kk", "ru"}


def test_query_syntax_is_just_words(example_index: SearchIndex) -> None:
    results = example_index.search('өрт AND (title_kk:* OR "')
    assert results.hits and all(hit.lang in ("kk", "ru", "en") for hit in results.hits)
    assert example_index.search("*** ??? ---").match == "none"


def test_markdown_sections_and_their_anchors() -> None:
    body = (
        "# Сабақ\n\nКіріспе **мәтін** [сілтеме](other.md).\n\n## Жану және өрт\n\nМәтін.\n\n"
        '```\n## код ішінде\n```\n\n## Жану және өрт\n\n!!! warning "Абай болыңыз"\n    Ескерту.\n'
    )
    sections = markdown_sections(body)
    assert [(s.heading, s.anchor) for s in sections] == [
        ("", ""),
        ("Жану және өрт", "жану-және-өрт"),
        ("Жану және өрт", "жану-және-өрт_1"),
    ]
    assert sections[0].text == "Кіріспе мәтін сілтеме."
    assert "код ішінде" in sections[1].text
    assert sections[2].text == "Абай болыңыз Ескерту."


def _document(course: str, text: str) -> SearchDocument:
    return SearchDocument(
        id=f"{course}/kk/lesson/0",
        kind="lesson",
        course=course,
        lang="kk",
        access="open",
        url=f"kk/courses/{course}/m/lesson/",
        title="Сабақ",
        heading="",
        text=text,
        lesson="lesson",
    )


def test_updates_touch_only_the_courses_that_changed(tmp_path: Path) -> None:
    path = tmp_path / "search"
    first = {"a": [_document("a", "Өрт сөндіргіш")], "b": [_document("b", "Эвакуациялау жоспары")]}
    assert update_index(path, first).reindexed == ["a", "b"]
    assert update_index(path, first).reindexed == []
    changed = {"a": [_document("a", "Жану үшбұрышы")]}
    report = update_index(path, changed)
    assert (report.reindexed, report.removed) == (["a"], ["b"])
    index = SearchIndex(path)
    assert [hit.course for hit in index.search("үшбұрыштың", "kk").hits] == ["a"]
    assert index.search("сөндіргіш", "kk").hits == []
    assert index.search("жоспары", "kk").hits == []
    assert json.loads((path / "state.json").read_text())["courses"].keys() == {"a"}


def test_snippets_are_escaped(tmp_path: Path) -> None:
    hostile = _document("x", 'Өрт <script>alert("x")</script> & <img src=x onerror=alert(1)> өрттің')
    update_index(tmp_path / "search", {"x": [hostile]})
    snippet = SearchIndex(tmp_path / "search").search("өрт", "kk").hits[0].snippet
    assert "<script>" not in snippet and "<img" not in snippet
    assert "&lt;script&gt;" in snippet and "&amp;" in snippet
    assert snippet.replace("<mark>", "").replace("</mark>", "").count("<") == 0


def test_answers_and_private_files_stay_out(example_site: Site) -> None:
    documents = [d for docs in site_documents(example_site).values() for d in docs]
    assert {d.kind for d in documents} == {"lesson", "caption", "question", "course"}
    assert all(not d.url.startswith(("/", "http")) and "service" not in d.url for d in documents)
    assert all(dataclasses.asdict(d)["access"] in ("open", "enrolled") for d in documents)


def test_a_snippet_is_a_window_around_the_first_match() -> None:
    text = "Кіріспе сөз. " * 20 + "Өрттердің сыныптары & <b>өрт</b> сөндіргіш. " + "Қорытынды. " * 30
    snippet = make_snippet(text, "kk", ["өрт"])
    assert snippet.startswith("…") and snippet.endswith("…")
    assert "<mark>Өрттердің</mark> сыныптары &amp; &lt;b&gt;<mark>өрт</mark>&lt;/b&gt;" in snippet
    assert len(snippet.replace("<mark>", "").replace("</mark>", "")) < 260
    assert make_snippet("Қысқа мәтін.", "kk", ["жоқ"]) == "Қысқа мәтін."
    assert make_snippet("Тотықтырғыштар бар.", "kk", ["тотықтырғыщ"], similar=True) == (
        "<mark>Тотықтырғыштар</mark> бар."
    )


def test_a_typo_that_changes_the_stripped_ending_is_forgiven(example_index: SearchIndex) -> None:
    # Snowball strips a different ending from the misspelt word: its stem is two letters from
    # the right one, so only the retry on the word as typed can find it.
    assert (stem_ru("огнетушитили"), stem_ru("огнетушители")) == ("огнетушит", "огнетушител")
    results = example_index.search("огнетушитили", "ru")
    assert results.match == "similar"
    assert results.hits[0].lesson == "extinguishers"
    assert "<mark>огнетушитель</mark>" in results.hits[0].snippet.lower()


def test_a_known_word_is_not_replaced_by_its_neighbours(example_index: SearchIndex) -> None:
    results = example_index.search("өзіндік жұмыс кестесі", "kk")
    assert results.match == "any"


def test_an_open_index_sees_the_next_build(tmp_path: Path) -> None:
    path = tmp_path / "search"
    update_index(path, {"a": [_document("a", "Өрт сөндіргіш")]})
    index = SearchIndex(path)
    assert [hit.course for hit in index.search("сөндіргіштер", "kk").hits] == ["a"]
    update_index(path, {"b": [_document("b", "Эвакуациялау жоспары")]})
    assert index.search("сөндіргіштер", "kk").hits == []
    assert [hit.course for hit in index.search("жоспар", "kk").hits] == ["b"]
    index.close()


def test_a_thread_per_request_reuses_one_searcher(tmp_path: Path) -> None:
    update_index(tmp_path / "search", {"a": [_document("a", "Өрт сөндіргіш")]})
    index = SearchIndex(tmp_path / "search")
    for _ in range(5):  # as `oqu serve` does: each request in a new thread
        thread = threading.Thread(target=index.search, args=("сөндіргіштер", "kk"))
        thread.start()
        thread.join()
    assert len(index._idle) == 1
    index.close()


def test_the_marks_removed_apart_are_the_patterns_substitution(
    example_site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`_without_marks` (emphasis and table characters, then a line's heading, list and number
    marks found from its newline) gives `_MARKUP_RE.sub(" ", text)`: on every lesson body of the
    example, on strings made of the pieces that matter, and as the documents of the whole site."""
    import random

    from builder.search import documents

    texts = [
        v.body for c in example_site.courses for _, lesson in c.lessons() for v in lesson.variants.values()
    ]
    assert sum("|" in text for text in texts) and sum("\n- " in text for text in texts)  # tables, lists
    pieces = ["*", "_", "`", "|", ">", "~", "^", "=", "#", "-", "+", "1", "12", ".", " ", "\n", "\t"]
    pieces += ["ә", "\u00a0", "١", "\r", "- ", "1. "]  # other spaces and digits, marks with their space
    rng = random.Random(17)
    texts += ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 16))) for _ in range(30_000)]
    for text in texts:
        assert documents._without_marks(text) == documents._MARKUP_RE.sub(" ", text), repr(text)
    split = site_documents(example_site)
    monkeypatch.setattr(documents, "SPLIT_MARKUP", False)
    assert site_documents(example_site) == split
