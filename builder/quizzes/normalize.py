"""Normalising short answers and reading numbers as students type them."""

from __future__ import annotations

import re
import unicodedata

# Letters that look the same but are different code points: typed from Russian, Latin or
# Bashkir/Tatar keyboard layouts, or by old Kazakh fonts. Each maps to the Kazakh letter.
_VARIANTS = str.maketrans(
    {
        "ё": "е",
        "ǝ": "ә",
        "ə": "ә",
        "ɵ": "ө",
        "ҡ": "қ",
        "ҥ": "ң",
        "ҕ": "ғ",
        "ӊ": "ң",
        "ӈ": "ң",
        "ӄ": "қ",
        "ї": "і",
        "ı": "і",
    }
)
# Latin letters that look like Cyrillic ones; used only in words that already hold Cyrillic.
_LATIN_LOOKALIKES = str.maketrans(
    {
        "a": "а",
        "e": "е",
        "o": "о",
        "p": "р",
        "c": "с",
        "x": "х",
        "y": "у",
        "i": "і",
        "h": "һ",
        "k": "к",
        "m": "м",
        "t": "т",
        "b": "в",
    }
)
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_SPACE = re.compile(r"\s+")


def normalize_answer(text: str) -> str:
    """Case, spacing, Unicode form and Kazakh/Russian letter variants folded away."""
    folded = unicodedata.normalize("NFC", text).casefold().translate(_VARIANTS)
    words = [_fold_word(word) for word in _SPACE.split(folded.strip()) if word]
    return " ".join(words)


def _fold_word(word: str) -> str:
    return word.translate(_LATIN_LOOKALIKES) if _CYRILLIC.search(word) else word


_NUMBER = re.compile(r"^[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?$")


def parse_number(text: str) -> float | None:
    """A number written with a dot or a comma (Kazakh and Russian write 2,5); None if it is not one."""
    cleaned = text.strip().replace("\u2212", "-").replace(" ", "").replace("\u00a0", "")
    if not _NUMBER.match(cleaned):
        return None
    return float(cleaned.replace(",", "."))
