"""Three of the Markdown conversion's steps done with less work, the same output (issue #17, part 5).

**Inline patterns tried only where their expression finds something.** Python-Markdown's
`InlineProcessor` runs every inline pattern (18 with oqu's extensions) over every text of a
page: for each pattern, `__handleInline` looks the pattern up in the registry (a sort check per
lookup) and calls `__applyPattern`, which checks the pattern's excluded ancestors and starts a
`finditer` of its expression; on most texts nothing matches and the call returns
`(data, False, 0)`. That loop (~1 million calls at 1,000 lessons, the two patterns that start
with a lookbehind scanning every text from every position) was the largest single cost of a
course project. `handle_inline` is the same loop with the registry read once per page (`run`) and each
pattern's expression tried with `search` first (for the two costly ones, only when the text
holds the character they cannot match without, `NEEDS`): when it finds nothing from
`startIndex`, `finditer` would have found nothing either and `__applyPattern` would have
returned `(data, False, 0)` (its ancestor check returns the same), so the loop moves to the
next pattern from index 0 as it does after that return. Otherwise `__applyPattern` runs as
before. Installed by `use_fast_inline` only when the installed Python-Markdown's three methods
have the source this was written against (`WRITTEN_FOR`, a digest): another release keeps its
own loop.

**MkDocs' raw-HTML anchors found without an HTML parse where there can be none.** MkDocs runs
an HTML parser over every page's whole Markdown source to collect the `id` (and `<a name>`)
attributes of its raw HTML (`_RawHTMLPreprocessor`, for its anchor validation). An attribute
named `id` or `name` cannot be in a text whose lower-cased form holds neither word (the parser
lower-cases attribute names as they are written), nor any tag in a text without `<`: such a
page's set is empty, and the parse is skipped unless the text holds a declaration (`<!`: the
parser can raise there, and the page must fail as it did) (99 % of the bench site's pages; oqu's lesson
pages all hold raw HTML). `raw_html_preprocessor` gives that subclass only while MkDocs' two
methods have the known source (`RAW_HTML_WRITTEN_FOR`).

**The toc extension's marker looked for only where it is.** `TocTreeprocessor.replace_marker`
walks every element of a page and joins its text to find a paragraph reading just the marker
(`[TOC]`); where no element's text holds the marker it replaces nothing, and is skipped
(`use_toc_marker_check`, guarded by a digest of its code, `TOC_WRITTEN_FOR`).

All are pinned by tests/builder/test_mkdocs_markdown.py (pages converted both ways, the fixture
site built both ways byte for byte). When upgrading Python-Markdown or MkDocs, compare the
methods with these, run that test, then set the digests.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from markdown import inlinepatterns, treeprocessors, util
from markdown.extensions import toc

from builder.library_source import source_digest as library_digest

# sha256 of `InlineProcessor.run`'s, `__handleInline`'s and `__applyPattern`'s source (Python-Markdown 3.11.4)
WRITTEN_FOR = "0c0cb08db0fa9da44237944143f9d3af0decf790a67a1a661fc29b6f487dbeb4"

_ORIGINAL: Callable[..., str] = treeprocessors.InlineProcessor._InlineProcessor__handleInline
_RUN: Callable[..., Any] = treeprocessors.InlineProcessor.run
_REPLACE_MARKER: Callable[..., None] = toc.TocTreeprocessor.replace_marker
_APPLY: Callable[..., tuple[str, bool, int]] = treeprocessors.InlineProcessor._InlineProcessor__applyPattern


def source_digest() -> str:
    """The digest of the installed Python-Markdown's three methods' source ("" if unreadable)."""
    return library_digest(_RUN, _ORIGINAL, _APPLY)


def _patterns(processor: Any) -> tuple[list[Any], list[Callable[[str, int], Any] | None]]:
    """The registry's inline patterns and each one's expression's `search` (None for an old-style
    pattern): read once per page by `_run` (the registry is not changed while a page's texts
    are processed), else now."""
    snapshot = processor.__dict__.get("_oqu_patterns")
    if snapshot is not None:
        return snapshot
    patterns = list(processor.inlinePatterns)
    return patterns, [_search(p) if isinstance(p, inlinepatterns.InlineProcessor) else None for p in patterns]


KEYS_EARLY = r"""(?x)
(?:
    # Escape
    (?<!\\)(?P<escapes>(?:\\{2})+)(?=\+)|
    # Key
    (?<!\\)\+{2}
    (
        (?:(?:[\w\-]+|"(?:\\.|[^\\"])+"|'(?:\\.|[^\\'])+')\+(?!\+))*?
        (?:[\w\-]+|"(?:\\.|[^\\"])+"|'(?:\\.|[^\\'])+')
    )
    \+{2}
)
"""

# Expressions that match only in a text holding one of the given characters, by their source:
# the prefilter depends on the expression alone, whichever extension registers it. Both scan
# the whole text in C from every position (a lookbehind first): the two costliest of oqu's
# inline patterns, most texts hold neither character.
NEEDS: dict[str, str] = {
    # pymdownx.inlinehilite's backtick: both alternatives need a backtick (one behind a lookahead)
    r"(?:(?<!\\)((?:\\{2})+)(?=`+)|(?<!\\)`)": "`",
    # pymdownx.keys' (`RE_EARLY_KBD`): both alternatives need a plus sign
    KEYS_EARLY: "+",
}


def _search(pattern: Any) -> Callable[[str, int], Any]:
    expression = pattern.getCompiledRegExp()
    needs = NEEDS.get(expression.pattern)
    if needs is None:
        return expression.search
    search = expression.search

    def search_if_possible(data: str, start: int) -> Any:
        for char in needs:
            if char in data:
                return search(data, start)
        return None

    return search_if_possible


def handle_inline(self: Any, data: str, patternIndex: int = 0) -> str:
    """`InlineProcessor.__handleInline`, each pattern tried with a search first."""
    if isinstance(data, util.AtomicString):
        return data
    patterns, searches = _patterns(self)
    start = 0
    count = len(patterns)
    while patternIndex < count:
        search = searches[patternIndex]
        if search is not None and search(data, start) is None:
            patternIndex += 1  # what `__applyPattern` returns then: (data, False, 0)
            start = 0
            continue
        data, matched, start = _APPLY(self, patterns[patternIndex], data, patternIndex, start)
        if not matched:
            patternIndex += 1
    return data


# False: Python-Markdown's own loop, read at each call (the test comparing the two sets it).
FAST_INLINE = True


def _dispatch(self: Any, data: str, patternIndex: int = 0) -> str:
    if FAST_INLINE:
        return handle_inline(self, data, patternIndex)
    return _ORIGINAL(self, data, patternIndex)


def _run(self: Any, tree: Any, ancestors: list[str] | None = None) -> Any:
    """`InlineProcessor.run` with the patterns read once for the page."""
    if not FAST_INLINE:
        return _RUN(self, tree, ancestors)
    outer = self.__dict__.get("_oqu_patterns")  # a run inside a run (an extension's) keeps its own
    self._oqu_patterns = _patterns(self) if outer is None else outer
    try:
        return _RUN(self, tree, ancestors)
    finally:
        self._oqu_patterns = outer


def use_fast_inline() -> bool:
    """Install `handle_inline` (once per process) when the library's source is the known one."""
    current = treeprocessors.InlineProcessor.__dict__.get("_InlineProcessor__handleInline")
    if current is _dispatch:
        return True
    if source_digest() != WRITTEN_FOR:
        return False
    treeprocessors.InlineProcessor._InlineProcessor__handleInline = _dispatch
    treeprocessors.InlineProcessor.run = _run
    return True


# sha256 of MkDocs' `_RawHTMLPreprocessor.run` and `_HTMLHandler.handle_starttag` (MkDocs 1.6.1)
RAW_HTML_WRITTEN_FOR = "c4d1193f18a14a3138981f50f6dd72afc25f171e644fa0cd0c14c9982f412adc"
# False: MkDocs' own preprocessor on every page, read at each call (the test comparing the two).
SKIP_EMPTY_RAW_HTML = True


def _needs_parse(text: str) -> bool:
    """Whether MkDocs' parse of `text` can find an `id` or `name` attribute, or raise: Python's
    HTML parser raises only on a declaration (`<![` marked sections of unknown keywords), kept
    to MkDocs' parse so that such a page fails as it did."""
    if "<" not in text:
        return False
    if "<!" in text:
        return True
    lowered = text.lower()
    return "id" in lowered or "name" in lowered


@functools.cache
def _raw_html_class() -> Any:
    """MkDocs' `_RawHTMLPreprocessor` that skips the parse where it can find nothing (None when
    MkDocs' code is not the known one)."""
    from mkdocs.structure import pages

    original = pages._RawHTMLPreprocessor
    if library_digest(original.run, pages._HTMLHandler.handle_starttag) != RAW_HTML_WRITTEN_FOR:
        return None

    class RawHTMLAnchors(original):  # type: ignore[misc,valid-type]
        def run(self, lines: list[str]) -> list[str]:
            if _needs_parse("\n".join(lines)):
                return super().run(lines)
            self.present_anchor_ids: set[str] = set()
            return lines

    return RawHTMLAnchors


def raw_html_preprocessor() -> Any:
    """A new MkDocs raw-HTML anchor preprocessor for one page (MkDocs' own unless the fast one
    applies)."""
    from mkdocs.structure import pages

    fast = _raw_html_class() if SKIP_EMPTY_RAW_HTML else None
    return (fast or pages._RawHTMLPreprocessor)()


# sha256 of Python-Markdown's `TocTreeprocessor.replace_marker` and `iterparent` (3.11.4)
TOC_WRITTEN_FOR = "da7f724eabf9a1d98f3a0779421cc492e54411083637f1b9a730b9949a7d7306"
# False: the toc extension's own marker search on every page, read at each call (the test).
SKIP_ABSENT_TOC_MARKER = True


def _replace_marker_if_present(self: Any, root: Any, elem: Any) -> None:
    """`TocTreeprocessor.replace_marker`, which walks every element and joins its text to find
    a paragraph reading just the marker (`[TOC]`), skipped on a page where no element's text
    holds the marker: nothing would be replaced (~1 % of a project)."""
    if SKIP_ABSENT_TOC_MARKER and not any(el.text and self.marker in el.text for el in root.iter()):
        return
    _REPLACE_MARKER(self, root, elem)


def use_toc_marker_check() -> bool:
    """Install `_replace_marker_if_present` when the toc extension's code is the known one."""
    if toc.TocTreeprocessor.__dict__.get("replace_marker") is _replace_marker_if_present:
        return True
    if library_digest(_REPLACE_MARKER, toc.TocTreeprocessor.iterparent) != TOC_WRITTEN_FOR:
        return False
    toc.TocTreeprocessor.replace_marker = _replace_marker_if_present
    return True
