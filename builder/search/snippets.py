"""Snippets: a window of a hit's text around its first match, escaped, matched words in <mark>.

Engine-independent and cheap: the words of the window are stemmed with the same analyzer as the
query (any inflected form is marked), instead of re-running a search engine's highlighter.
"""

from __future__ import annotations

import html
from collections.abc import Collection

from builder.search.analyzers import STEMMERS, STOP_WORDS, WORD_RE, normalize

SNIPPET_CHARS = 200
BEFORE_MATCH = 60


def matches(
    text: str, lang: str, terms: Collection[str], similar: bool = False, until: int | None = None
) -> list[tuple[int, int]]:
    """(start, end) of every word of `text` whose stem is one of `terms` (or one letter apart);
    with `until`, only up to that many characters after the first match (the snippet's window:
    the rest of a long text is not stemmed)."""
    stem, stop = STEMMERS[lang], STOP_WORDS[lang]
    found: list[tuple[int, int]] = []
    for match in WORD_RE.finditer(text):
        if found and until is not None and match.start() > found[0][0] + until:
            break
        word = normalize(match.group())
        if word in stop:
            continue
        term = stem(word)
        if term in terms or (similar and any(_one_apart(term, wanted) for wanted in terms)):
            found.append(match.span())
    return found


def _one_apart(a: str, b: str) -> bool:
    """One substitution, insertion or deletion, the first letter kept (as the index's typo query)."""
    if a == b:
        return True
    if a[:1] != b[:1] or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long = sorted((a, b), key=len)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def make_snippet(text: str, lang: str, terms: Collection[str], similar: bool = False) -> str:
    spans = matches(text, lang, terms, similar, until=SNIPPET_CHARS)
    start = _window_start(text, spans[0][0]) if spans else 0
    end = min(len(text), start + SNIPPET_CHARS)
    if end < len(text):
        end = text.rfind(" ", start, end) if text.rfind(" ", start, end) > start else end
    parts = ["…"] if start > 0 else []
    cursor = start
    for begin, finish in spans:
        if begin < start or finish > end:
            continue
        parts += [
            html.escape(text[cursor:begin], quote=False),
            f"<mark>{html.escape(text[begin:finish])}</mark>",
        ]
        cursor = finish
    parts.append(html.escape(text[cursor:end], quote=False))
    if end < len(text):
        parts.append("…")
    return "".join(parts)


def _window_start(text: str, first: int) -> int:
    if first <= BEFORE_MATCH:
        return 0
    space = text.find(" ", first - BEFORE_MATCH, first)
    return space + 1 if space >= 0 else first
