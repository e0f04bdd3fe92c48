"""The interface languages: Kazakh first, then Russian and English.

Every word the service shows lives in a gettext catalogue, one per language:
`core/translations/<lang>/LC_MESSAGES/messages.po`. The message ids are keys,
`<table>.<name>` (`login.title`, `teach.save`). The `.po` files are read with Babel at first
use (no compile step, so a checkout, an editable install and the wheel all see the same words).
A key missing or empty in a language falls back to the next language of the site (kk, ru,
en), never to a blank.

Flask-Babel (`init_app`) knows the request's locale (the same `request_language`) and the
site's zone, so `flask_babel.format_decimal`, `format_datetime`, `gettext` and the templates'
`_()` work in a request. Its translations are these same catalogues, compiled in memory at
first use with the same fallback (no `.mo` on disk). The service's own lookups stay
`gettext(key, lang, **values)` here: `{name}` placeholders, the language given explicitly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from functools import cache
from gettext import c2py
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from flask import Flask, current_app, has_request_context, request
from flask_babel import Babel, Domain, get_locale

LANGUAGES = ("kk", "ru", "en")
DEFAULT_LANGUAGE = "kk"
LANGUAGE_NAMES = {"kk": "Қазақша", "ru": "Русский", "en": "English"}
CATALOGUES = Path(__file__).parent / "translations"

Texts = Mapping[str, Mapping[str, str]]


def request_language() -> str:
    """The language asked for by `?lang=` (or a form's `lang` field), else the language folder
    of a site address (`/ru/courses/…`), else Kazakh."""
    if not has_request_context():
        return DEFAULT_LANGUAGE
    asked = request.values.get("lang", "")
    if asked in LANGUAGES:
        return asked
    folder = request.path.lstrip("/").split("/", 1)[0]
    return folder if folder in LANGUAGES else DEFAULT_LANGUAGE


@cache
def catalogue(language: str) -> Catalog:
    """The catalogue of `language`, read once from its `.po` file."""
    with (CATALOGUES / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return read_po(po, locale=language)


def fallback_order(language: str) -> tuple[str, ...]:
    """`language`, then the site's other languages in their order."""
    first = language if language in LANGUAGES else DEFAULT_LANGUAGE
    return (first, *(other for other in LANGUAGES if other != first))


def _text(key: str, language: str) -> str | tuple[str, ...] | None:
    for candidate in fallback_order(language):
        message = catalogue(candidate).get(key)
        string = message.string if message is not None else None
        if isinstance(string, str) and string:
            return string
        if isinstance(string, (tuple, list)) and string and all(string):
            return tuple(string)
    return None


def gettext(key: str, language: str, **values: object) -> str:
    """The text of `key` in `language` (or the next language that has it), placeholders filled."""
    text = _text(key, language)
    if text is None:
        raise KeyError(key)
    if isinstance(text, tuple):
        text = text[0]
    return text.format(**values) if values else text


def ngettext(key: str, count: int, language: str, **values: object) -> str:
    """The plural form of `key` for `count` by the language's CLDR rule, `{count}` filled."""
    for candidate in fallback_order(language):
        message = catalogue(candidate).get(key)
        forms = message.string if message is not None else None
        if isinstance(forms, tuple) and all(forms):
            text = str(forms[_plural_index(candidate, count)])
            return text.format(count=count, **values)
    raise KeyError(key)


@cache
def _plural_rule(language: str) -> Callable[[int], int]:
    # The catalogue's Plural-Forms header is Babel's, from CLDR (tests/test_catalogues.py).
    return c2py(catalogue(language).plural_expr)


def _plural_index(language: str, count: int) -> int:
    return int(_plural_rule(language)(count))


class Words(Mapping[str, Mapping[str, str]]):
    """One table of words read from the catalogues: `words[lang][name]` is `<table>.<name>`.

    What the hand-made tables were (a dict per language), so `texts_for(words, lang)` and
    `words[lang][name]` still work; every language has every name, with the per-key fallback.
    """

    def __init__(self, table: str) -> None:
        self.table = table

    def names(self) -> list[str]:
        prefix = f"{self.table}."
        return [
            str(m.id)[len(prefix) :]
            for m in catalogue(DEFAULT_LANGUAGE)
            if m.id and str(m.id).startswith(prefix)
        ]

    def __getitem__(self, language: str) -> Mapping[str, str]:
        if language not in LANGUAGES:
            raise KeyError(language)
        return _table(self.table, language)

    def __iter__(self) -> Iterator[str]:
        return iter(LANGUAGES)

    def __len__(self) -> int:
        return len(LANGUAGES)


@cache
def _table(table: str, language: str) -> Mapping[str, str]:
    names = Words(table).names()
    return {name: gettext(f"{table}.{name}", language) for name in names}


def texts_for(texts: Texts, language: str) -> Mapping[str, str]:
    return texts.get(language) or texts[DEFAULT_LANGUAGE]


def _compiled(language: str) -> Translations:
    """The language's catalogue as gettext translations, compiled in memory (empty ones left out)."""
    mo = BytesIO()
    write_mo(mo, catalogue(language))
    mo.seek(0)
    return Translations(mo)


@cache
def translations(language: str) -> Translations:
    """gettext translations of `language`, falling back per key to the site's next languages."""
    first, *rest = (_compiled(candidate) for candidate in fallback_order(language))
    for fallback in rest:
        first.add_fallback(fallback)
    return first


class CatalogueDomain(Domain):
    """Flask-Babel's domain with our catalogues: the `.po` files themselves, no `.mo` on disk."""

    def get_translations(self) -> Translations:
        locale = get_locale()
        return translations(locale.language if locale is not None else DEFAULT_LANGUAGE)


class ServiceBabel(Babel):
    @property
    def domain_instance(self) -> Domain:
        return CatalogueDomain()


def request_time_zone() -> str:
    return str(current_app.config.get("TIME_ZONE") or "Asia/Almaty")


def init_app(app: Flask) -> None:
    """Flask-Babel: the request's language (`request_language`) and the site's zone."""
    ServiceBabel(
        app,
        default_locale=DEFAULT_LANGUAGE,
        default_timezone=app.config.get("TIME_ZONE") or "Asia/Almaty",
        locale_selector=request_language,
        timezone_selector=request_time_zone,
    )
