"""The service's gettext catalogues: complete in kk / ru / en, no unused key, CLDR plurals.

Every interface word of the service is a message of `quiz_service/core/translations/<lang>/
LC_MESSAGES/messages.po` with a key as its id (`<table>.<name>`, CONTRIBUTING.md). The pages
read a table's words as `w.name`, `t.name`, `p.name`, `texts["name"]`, `words["name"]`, or build
a key from a prefix (`w["kind." ~ quiz.kind]`, `texts["title" + suffix]`).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.plurals import get_plural

from auth.texts import LOGIN, PAGES
from builder import i18n as builder_i18n
from quiz_service.core import i18n
from quiz_service.core.errors import PAGE_TEXTS
from quiz_service.proctoring.texts import PROCTOR
from quiz_service.quizzes.reports.texts import REPORT_TEXTS
from quiz_service.quizzes.texts import TEACH

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [
    path
    for folder in ("quiz_service", "auth")
    for path in sorted((ROOT / folder).rglob("*"))
    if path.suffix in {".py", ".html"} and "translations" not in path.parts
]
TABLES = {
    "login": LOGIN,
    "pages": PAGES,
    "errors": PAGE_TEXTS,
    "teach": TEACH,
    "reports": REPORT_TEXTS,
    "proctor": PROCTOR,  # proctoring's pages (quiz_service/proctoring)
}
# `x.name` / `x["name"]` on one of the names the code gives a table of words.
WORD_USE = re.compile(r"\b(?:w|t|p|texts|words)(?:\.([a-z][a-z_0-9]*)\b|\[\"([a-z][a-z_0-9.-]*)\"\])")
# Attributes on those names that are not words: str methods, a matching pair's `p.left`, ….
NOT_WORDS = {
    "format",
    "get",
    "items",
    "strip",
    "split",
    "left",
    "left_id",
    "right",
    "right_id",
    "pathname",
    "set",
}


def keys(language: str) -> set[str]:
    return {str(message.id) for message in i18n.catalogue(language) if message.id}


def names() -> set[str]:
    return {key.split(".", 1)[1] for key in keys("kk")}


def source_text() -> str:
    return "\n".join(path.read_text(encoding="utf-8") for path in SOURCES)


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_every_language_has_every_key_filled(language: str) -> None:
    assert keys(language) == keys("kk")
    strings = {
        m.id: m.string if isinstance(m.string, tuple) else (m.string,)
        for m in i18n.catalogue(language)
        if m.id
    }
    empty = [key for key, forms in strings.items() if not all(forms)]
    assert empty == []


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_plural_forms_follow_cldr(language: str) -> None:
    catalogue = i18n.catalogue(language)
    expected = get_plural(language)
    assert catalogue.num_plurals == expected.num_plurals
    assert catalogue.plural_expr == expected.plural_expr
    for message in catalogue:
        if isinstance(message.string, tuple):
            assert len(message.string) == expected.num_plurals, message.id


def test_every_word_the_code_uses_is_in_the_catalogues() -> None:
    used = {attribute or item for attribute, item in WORD_USE.findall(source_text())}
    missing = sorted(used - NOT_WORDS - names())
    assert missing == []


def standalone_names(text: str) -> set[str]:
    """Every string that occurs in `text` with no word character or hyphen on either side and is
    made of word characters, hyphens, dots and slashes (what a key's name is made of): each run of
    those characters, and each part of a run from one dot or slash to another. Built in one pass,
    so that a key is looked up instead of searching the whole source once per key."""
    found: set[str] = set()
    for run in set(re.findall(r"[\w./-]+", text)):
        starts = [0] + [m.end() for m in re.finditer(r"[./]", run)]
        ends = [m.start() for m in re.finditer(r"[./]", run)] + [len(run)]
        found.update(run[start:end] for start in starts for end in ends if end > start)
    return found


def test_no_key_is_unused() -> None:
    text = source_text()
    standalone = standalone_names(text)

    def used(name: str) -> bool:
        if name in standalone:  # as the search `(?<![\w-])name(?![\w-])` would find it
            return True
        # a key built from a prefix: "kind." ~ quiz.kind, "title" + suffix, f"role.{role}"
        prefix = name.split(".")[0] if "." in name else name.rsplit("_", 1)[0]
        return bool(re.search(rf"[\"']{re.escape(prefix)}[._\"']", text)) and prefix != name

    unused = sorted(key for key in keys("kk") if not used(key.split(".", 1)[1]))
    assert unused == []


def test_the_standalone_names_are_what_the_search_finds() -> None:
    text = 'w.title x-title "a.b/c" login.title_more teach.kind.exam zones.Asia/Almaty -d e-'
    for name in ("title", "a.b/c", "b", "c", "a.b", "kind.exam", "teach.kind", "Asia/Almaty", "Almaty",
                 "title_more", "x-title", "d", "e", "nothing", "itle", "kind.ex", "b/c", "Asia"):  # fmt: skip
        searched = bool(re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text))
        assert (name in standalone_names(text)) == searched, name


def test_tables_read_from_the_catalogues() -> None:
    for table, words in TABLES.items():
        for language in i18n.LANGUAGES:
            for name, text in words[language].items():
                assert text == i18n.gettext(f"{table}.{name}", language) and text.strip()


def test_a_key_missing_in_a_language_falls_back_to_the_next() -> None:
    ru = i18n.catalogue("ru")
    saved = ru["login.title"].string
    ru["login.title"].string = ""
    try:
        assert i18n.gettext("login.title", "ru") == "Кіру"  # kk, the site's first language
        assert i18n.fallback_order("en") == ("en", "kk", "ru")
    finally:
        ru["login.title"].string = saved


def test_plural_forms_by_the_language_rule() -> None:
    from babel.messages.catalog import Catalog

    ru = Catalog(locale="ru")
    assert ru.num_plurals == 3  # CLDR: one, few, many
    forms = ("{count} попытка", "{count} попытки", "{count} попыток")
    original = i18n.catalogue("ru")
    original.add(("try", "tries"), forms)
    try:
        assert [i18n.ngettext("try", n, "ru") for n in (1, 3, 5, 21)] == [
            "1 попытка",
            "3 попытки",
            "5 попыток",
            "21 попытка",
        ]
    finally:
        original.delete("try")


def test_every_key_pybabel_extracts_is_in_the_catalogues() -> None:
    """What `make i18n` writes to build/messages.pot: the literal keys of gettext()/ngettext()."""
    from babel.messages.extract import extract_from_dir

    extracted = {
        message[2] if isinstance(message[2], str) else message[2][0]
        for folder in ("quiz_service", "auth")
        for message in extract_from_dir(str(ROOT / folder), keywords={"gettext": None, "ngettext": (1,)})
    }
    assert sorted(extracted - keys("kk")) == []


# The builder's catalogues (builder/locales/), read by builder.i18n.t().
BUILDER_SOURCES = [
    path
    for folder in ("builder", "quiz_service")
    for path in sorted((ROOT / folder).rglob("*"))
    if path.suffix in {".py", ".html", ".js"} and "locales" not in path.parts and "vendor" not in path.parts
]


def builder_keys(language: str) -> set[str]:
    return {str(message.id) for message in builder_i18n.catalogue(language) if message.id}


@pytest.mark.parametrize("language", builder_i18n.LANGUAGES)
def test_the_builder_catalogues_are_complete_with_cldr_plurals(language: str) -> None:
    catalogue = builder_i18n.catalogue(language)
    assert builder_keys(language) == builder_keys("kk")
    assert all(message.string for message in catalogue if message.id)
    assert (catalogue.num_plurals, catalogue.plural_expr) == tuple(get_plural(language))


def test_every_builder_key_is_used_and_every_used_key_exists() -> None:
    text = "\n".join(path.read_text(encoding="utf-8") for path in BUILDER_SOURCES)
    keys = builder_keys("kk")
    literal = {
        key
        for key in re.findall(r"(?<![.\w])(?:t|say)\(\s*[\"']([a-z_][\w.-]*)[\"']", text)
        if not key.endswith(".")
    }
    assert sorted(literal - keys) == []

    def used(key: str) -> bool:
        if f'"{key}"' in text or f"'{key}'" in text:
            return True
        # a key built from its prefix: t(f"lesson_type.{kind}"), the quiz script's "quiz." words
        prefix = key.split(".")[0]
        return "." in key and bool(re.search(rf"[\"']{re.escape(prefix)}\.", text))

    assert sorted(key for key in keys if not used(key)) == []


def test_the_builder_words_come_from_the_catalogues() -> None:
    for key, texts in builder_i18n.STRINGS.items():
        for language in builder_i18n.LANGUAGES:
            assert texts[language] == builder_i18n.catalogue(language)[key].string
