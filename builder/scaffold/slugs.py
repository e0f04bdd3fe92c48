"""Ids from titles: Kazakh and Russian Cyrillic spelled in Latin letters (Kazakhstan's 2021 Latin
alphabet, without diacritics, for Kazakh letters), lowercase, words joined by '-'."""

from __future__ import annotations

import re

_LETTERS = {
    "а": "a", "ә": "a", "б": "b", "в": "v", "г": "g", "ғ": "g", "д": "d", "е": "e", "ё": "e",
    "ж": "zh", "з": "z", "и": "i", "й": "i", "і": "i", "к": "k", "қ": "q", "л": "l", "м": "m",
    "н": "n", "ң": "n", "о": "o", "ө": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u",
    "ұ": "u", "ү": "u", "ф": "f", "х": "kh", "һ": "h", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "iu", "я": "ia",
}  # fmt: skip


def slugify(title: str, limit: int = 48) -> str:
    """'Жану үшбұрышы' -> 'zhanu-ushburyshy'; empty when nothing Latin or Cyrillic is left."""
    latin = "".join(_LETTERS.get(char, char) for char in title.lower())
    words = re.findall(r"[a-z0-9]+", latin)
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > limit and slug:
            break
        slug = candidate[:limit]
    return slug
