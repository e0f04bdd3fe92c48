"""Kazakh hyphenation points for print.

WeasyPrint hyphenates through pyphen, which has Russian and English dictionaries but no Kazakh.
Kazakh syllables are regular (a syllable has one vowel; between vowels one consonant starts the
next syllable, of two or more the last one does), so kk text gets soft hyphens (U+00AD) at those
points; `hyphens: auto` then breaks there and nowhere else.
"""

from __future__ import annotations

import itertools
import re

SOFT_HYPHEN = "\u00ad"
VOWELS = set("аәеёиоөуұүыіэюяАӘЕЁИОӨУҰҮЫІЭЮЯ")
_WORD_RE = re.compile(r"[а-яёәғқңөұүһіА-ЯЁӘҒҚҢӨҰҮҺІ]{6,}")
_TEXT_RE = re.compile(r"(?:(?<=>)|^)[^<>]+")  # text between tags; pieces start at a tag's end
_CODE_RE = re.compile(r"(<(?:pre|code)\b.*?</(?:pre|code)>)", re.DOTALL)
_MIN_PART = 2


def hyphenate_kazakh_word(word: str) -> str:
    vowels = [index for index, letter in enumerate(word) if letter in VOWELS]
    breaks = []
    for left, right in itertools.pairwise(vowels):
        consonants = right - left - 1
        if consonants == 0:
            continue
        point = right - 1  # one consonant starts the next syllable; of several, the last one
        if word[point] in "ьъЬЪ":  # the signs stay with the consonant before them
            point += 1
        if _MIN_PART <= point <= len(word) - _MIN_PART:
            breaks.append(point)
    pieces, last = [], 0
    for point in breaks:
        pieces.append(word[last:point])
        last = point
    pieces.append(word[last:])
    return SOFT_HYPHEN.join(pieces)


def hyphenate_kazakh_html(markup: str) -> str:
    """Soft hyphens in the text between tags (never inside tags, attributes, data URIs or code)."""

    def text(match: re.Match[str]) -> str:
        return _WORD_RE.sub(lambda w: hyphenate_kazakh_word(w.group(0)), match.group(0))

    pieces = _CODE_RE.split(markup)  # odd pieces are code, copied as they are
    return "".join(piece if index % 2 else _TEXT_RE.sub(text, piece) for index, piece in enumerate(pieces))
