"""oqu's Kazakh interface strings for Material for MkDocs (builder/theme/partials/languages/kk.html).

Material ships no `kk` translation and its partials/language.html resolves each key as
`lang.t(key) or en.t(key)`, so a missing or empty key shows English silently. These tests
take the list of keys from the installed Material's own en.html, so a Material upgrade that
adds a key fails here instead of leaking English into the interface.
"""

from __future__ import annotations

import importlib.resources
import json
import re
from pathlib import Path

import jinja2
import pytest
from jinja2 import nodes

REPO = Path(__file__).resolve().parents[2]
THEME_DIR = REPO / "builder" / "theme"
KK_HTML = THEME_DIR / "partials" / "languages" / "kk.html"
MATERIAL_TEMPLATES = importlib.resources.files("material") / "templates"
EN_HTML = MATERIAL_TEMPLATES / "partials" / "languages" / "en.html"

# Keys whose value is configuration rather than interface text: they may equal the English
# value and may be written in Latin letters.
NOT_TEXT = {
    "language",
    "direction",
    "search.config.lang",
    "search.config.pipeline",
    "search.config.separator",
}
# Latin-letter words allowed inside Kazakh interface text (abbreviations, not English).
LATIN_ALLOWED = {"RSS"}

LATIN_WORD = re.compile(r"[A-Za-z]+")
CYRILLIC = re.compile(r"[\u0400-\u04FF]")


def _env() -> jinja2.Environment:
    # Same lookup order as MkDocs with `custom_dir`: our theme first, then Material's.
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(THEME_DIR), str(MATERIAL_TEMPLATES)]),
        undefined=jinja2.StrictUndefined,
    )


def _dict_keys(source: str) -> list[str]:
    """The keys of the dict literal inside `{% macro t(key) %}`, read from the Jinja AST."""
    tree = _env().parse(source)
    macros = [m for m in tree.find_all(nodes.Macro) if m.name == "t"]
    assert len(macros) == 1, "expected exactly one `{% macro t(key) %}`"
    dicts = list(macros[0].find_all(nodes.Dict))
    assert len(dicts) == 1, "expected exactly one dict literal in macro t"
    keys = []
    for pair in dicts[0].items:
        assert isinstance(pair.key, nodes.Const) and isinstance(pair.key.value, str)
        keys.append(pair.key.value)
    return keys


def _values(template_name: str, keys: list[str]) -> dict[str, str]:
    module = _env().get_template(template_name).module
    return {key: str(module.t(key)) for key in keys}


EN_KEYS = _dict_keys(EN_HTML.read_text(encoding="utf-8"))
EN = _values("partials/languages/en.html", EN_KEYS)


@pytest.fixture(scope="module")
def kk() -> dict[str, str]:
    keys = _dict_keys(KK_HTML.read_text(encoding="utf-8"))
    duplicates = {k for k in keys if keys.count(k) > 1}
    assert not duplicates, f"duplicate keys in kk.html: {sorted(duplicates)}"
    return _values("partials/languages/kk.html", keys)


def test_material_en_html_was_parsed() -> None:
    assert len(EN_KEYS) > 40
    assert {"language", "search.placeholder", "footer.next", "clipboard.copy"} <= set(EN_KEYS)


def test_kk_defines_no_unknown_keys(kk: dict[str, str]) -> None:
    assert sorted(set(kk) - set(EN_KEYS)) == []


@pytest.mark.parametrize("key", EN_KEYS)
def test_every_key_is_translated(kk: dict[str, str], key: str) -> None:
    assert key in kk, f"kk.html lacks {key!r}; Material would show {EN[key]!r}"
    value = kk[key]
    assert value.strip(), f"{key!r} is empty; an empty value falls back to English"
    if key in NOT_TEXT:
        return
    assert value != EN[key], f"{key!r} is still the English {EN[key]!r}"
    assert CYRILLIC.search(value), f"{key!r} = {value!r} has no Kazakh (Cyrillic) text"
    latin = set(LATIN_WORD.findall(value)) - LATIN_ALLOWED
    assert not latin, f"{key!r} = {value!r} contains Latin words {sorted(latin)}"
    assert ("#" in value) == ("#" in EN[key]), f"{key!r} must keep the '#' count placeholder"


def test_language_and_direction(kk: dict[str, str]) -> None:
    assert kk["language"] == "kk"
    assert kk["direction"] == "ltr"


def test_search_config_suits_kazakh(kk: dict[str, str]) -> None:
    # Any value but "en" makes the worker load lunr.<lang>.min.js: oqu's theme has lunr.kk
    # (builder/search/lunr_kk.py, the service's Kazakh stemmer and stop words).
    assert kk["search.config.lang"] == "kk"
    assert (THEME_DIR / "assets" / "javascripts" / "lunr" / "min" / "lunr.kk.min.js").is_file()
    pipeline = {p.strip() for p in kk["search.config.pipeline"].split(",")}
    # lunr's English trimmer strips every non-[A-Za-z0-9_] character, i.e. all Cyrillic.
    assert pipeline == {"stopWordFilter", "stemmer"}
    # The separator is compiled by the browser (JavaScript); this pattern means the same
    # in Python's re.
    separator = re.compile(kk["search.config.separator"])
    text = "ТЖМ-ның «Өзіндік жұмыс» (ҚО) курсант/тыңдаушы, 2.5 балл — әріптес…"
    tokens = [t for t in separator.split(text) if t]
    assert tokens == [
        "ТЖМ",
        "ның",
        "Өзіндік",
        "жұмыс",
        "ҚО",
        "курсант",
        "тыңдаушы",
        "2.5",
        "балл",
        "әріптес",
    ]
    assert separator.split("әғқңөұүһі") == ["әғқңөұүһі"]


def test_material_resolves_kk_from_custom_dir(kk: dict[str, str]) -> None:
    """Through Material's own partials/language.html, as the theme uses it."""
    template = _env().get_template(
        "partials/language.html", globals={"config": {"theme": {"language": "kk"}}}
    )
    for key in EN_KEYS:
        assert str(template.module.t(key)) == kk[key], key


def test_mkdocs_build_uses_kk(kk: dict[str, str], tmp_path: Path) -> None:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "index.md").write_text("# Қашықтан оқыту\n\nБілім алушы іздеу.\n", encoding="utf-8")
    (docs / "two.md").write_text("# Сабақ\n\nДәріс.\n", encoding="utf-8")
    config_file = tmp_path / "mkdocs.yml"
    config_file.write_text(
        json.dumps(
            {
                "site_name": "Сынақ",
                "theme": {
                    "name": "material",
                    "language": "kk",
                    "custom_dir": str(THEME_DIR),
                    "features": ["navigation.footer", "navigation.top", "search.share"],
                },
                "plugins": ["search"],
                # "Made with Material for MkDocs" is hard-coded English in Material's
                # partials/copyright.html, not a translation key; this hides it.
                "extra": {"generator": False},
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    config = load_config(str(config_file), site_dir=str(tmp_path / "site"))
    build(config)

    page = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="kk"' in page
    assert f'placeholder="{kk["search.placeholder"]}"' in page
    assert kk["footer.next"] in page
    assert kk["top"] in page
    chrome = re.sub(r"<(script|style|svg)\b.*?</\1>", "", page, flags=re.S)
    for key in sorted(set(EN_KEYS) - NOT_TEXT):
        assert f'"{EN[key]}"' not in chrome and f">{EN[key]}<" not in chrome, EN[key]

    index = json.loads((tmp_path / "site" / "search" / "search_index.json").read_text("utf-8"))
    assert index["config"]["lang"] == [kk["search.config.lang"]]
    assert index["config"]["pipeline"] == kk["search.config.pipeline"].split(",")
    assert index["config"]["separator"] == kk["search.config.separator"]
