"""oqu's own interface words in kk, ru and en (GLOSSARY.md terms); Material's own are in the theme.

The words are the messages of `builder/locales/<lang>/LC_MESSAGES/messages.po`, one gettext
catalogue per language read at import by Babel (no compile step);
the message ids are the keys of `t()` (`catalogue`, `search.intro`). A key missing or empty in a
language falls back to the site's next language (kk, ru, en). Dates are Babel's, from CLDR's
kk / ru / en data.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.numbers import format_decimal, get_decimal_symbol, get_group_symbol, get_minus_sign_symbol

if TYPE_CHECKING:
    from babel.messages.catalog import Catalog

LANGUAGES = ("kk", "ru", "en")
LOCALES = Path(__file__).parent / "locales"

# How a date reads in each language; the month names are CLDR's (format context, wide):
# "2026 жылғы 7 желтоқсан", "7 декабря 2026 г.", "7 December 2026".
DATE_PATTERNS = {"kk": "y 'жылғы' d MMMM", "ru": "d MMMM y 'г.'", "en": "d MMMM y"}

# babel.dates is imported by the functions that format a date or name a zone: importing it reads
# the machine's own zone (babel.localtime) and pytz, ~0.02 s that `oqu --help` and `oqu check`
# need not pay (a build loads it anyway, through MkDocs' localization). The month names come from
# the same CLDR data through `Locale.months` (what babel.dates.get_month_names returns).


@cache
def number_signs(lang: str) -> dict[str, str]:
    """How `lang` writes numbers (CLDR, through Babel), for the pages' scripts: decimal and group
    signs, the minus, and where a percent's sign goes (`{0}%` in kk and en, `{0}\u00a0%` in ru)."""
    pattern = Locale.parse(lang).percent_formats[None].pattern
    return {
        "decimal": get_decimal_symbol(lang),
        "group": get_group_symbol(lang),
        "minus": get_minus_sign_symbol(lang),
        "percent": pattern.replace("#,##0", "{0}", 1),
    }


def catalogue_file(lang: str) -> Path:
    return LOCALES / lang / "LC_MESSAGES" / "messages.po"


@cache
def catalogue(lang: str) -> Catalog:
    """The builder's catalogue of `lang`, read once from its `.po` file by Babel."""
    from babel.messages.pofile import read_po

    with catalogue_file(lang).open("rb") as po:
        return read_po(po, locale=lang)


def _babel_messages(lang: str) -> dict[str, str]:
    return {
        str(message.id): message.string if isinstance(message.string, str) else ""
        for message in catalogue(lang)
    }


def fallback_order(lang: str) -> tuple[str, ...]:
    first = lang if lang in LANGUAGES else LANGUAGES[0]
    return (first, *(other for other in LANGUAGES if other != first))


def _strings() -> dict[str, dict[str, str]]:
    texts = {lang: _babel_messages(lang) for lang in LANGUAGES}
    keys = [key for key in texts[LANGUAGES[0]] if key]
    return {key: {lang: _lookup(texts, key, lang) for lang in LANGUAGES} for key in keys}


def _lookup(texts: dict[str, dict[str, str]], key: str, lang: str) -> str:
    for candidate in fallback_order(lang):
        text = texts[candidate].get(key)
        if text:
            return text
    raise KeyError(key)


# Every key with its text in each language (read from the catalogues, fallbacks applied).
STRINGS: dict[str, dict[str, str]] = _strings()


def t(key: str, lang: str, **values: object) -> str:
    """The interface text `key` in `lang`, with `{name}` placeholders filled."""
    text = STRINGS[key].get(lang) or STRINGS[key]["kk"]
    return text.format(**values) if values else text


def format_size(size: int, lang: str) -> str:
    """A file's size as the language writes it: `2,5 МБ` (kk, ru), `2.5 MB` (en), `12 кБ`."""
    if size >= 100_000:
        return f"{format_decimal(size / 1_000_000, '#,##0.#', locale=lang)}\u00a0{t('units.megabyte', lang)}"
    return f"{max(1, round(size / 1000))}\u00a0{t('units.kilobyte', lang)}"


def utc_offset(zone: ZoneInfo, at: dt.datetime) -> str:
    """`UTC+5`, `UTC+5:30`, `UTC−3`: the zone's offset at `at`, as the service names it too."""
    offset = at.astimezone(zone).utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    if minutes == 0:
        return "UTC"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{'+' if minutes > 0 else chr(0x2212)}{hours}" + (f":{rest:02d}" if rest else "")


def zone_name(zone: ZoneInfo, lang: str) -> str:
    """The zone's name in `lang`: ours (`zones.Asia/Almaty`: "Астана уақыты"), else CLDR's city."""
    key = f"zones.{zone.key}"
    if key in STRINGS:
        return t(key, lang)
    from babel.dates import get_timezone_location

    return str(get_timezone_location(zone.key, locale=lang, return_city=True))


def format_date(day: dt.date, lang: str) -> str:
    from babel.dates import format_date as babel_format_date

    lang = lang if lang in DATE_PATTERNS else "kk"
    return babel_format_date(day, DATE_PATTERNS[lang], locale=lang)


def format_datetime(moment: dt.datetime, lang: str) -> str:
    lang = lang if lang in DATE_PATTERNS else "kk"
    # the wall-clock time of `moment` as given (its own zone), 24-hour in all three languages
    return f"{format_date(moment.date(), lang)}, {moment:%H:%M}"


def script_formats(lang: str) -> dict[str, Any]:
    """How a page's script writes dates and numbers in `lang`, from the same CLDR data (Babel) as
    `format_datetime`: Chromium ships no Kazakh locale data, so `Intl` alone would write kk dates
    and numbers in English ("2026 M12 7", "12.5")."""
    lang = lang if lang in DATE_PATTERNS else "kk"
    pattern = re.sub(
        r"'([^']*)'|MMMM|y|d",
        lambda m: (
            m.group(1)
            if m.group(1) is not None
            else {"MMMM": "{month}", "y": "{year}", "d": "{day}"}[m.group(0)]
        ),
        DATE_PATTERNS[lang],
    )
    return {
        "months": [Locale.parse(lang).months["format"]["wide"][n] for n in range(1, 13)],
        "date_pattern": pattern + ", {time}",  # as format_datetime: the date, then 24-hour time
        "decimal": get_decimal_symbol(lang),
        "group": get_group_symbol(lang),
    }
