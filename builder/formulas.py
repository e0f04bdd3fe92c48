"""LaTeX formulas in lessons become MathML at build time: no script, readable offline and in print."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

_INLINE_RE = re.compile(r"(?<![\\$\w])\$(?=[^\s$])([^$\n]+?)(?<=[^\s\\])\$(?![\w$])")
_FENCE_RE = re.compile(r"^\s*(`{3,}|~{3,})")
_CODE_SPAN_RE = re.compile(r"(`+).+?\1")


@dataclass(frozen=True)
class Formula:
    line: int
    latex: str
    display: bool


class FormulaError(ValueError):
    pass


_UNKNOWN_COMMAND_RE = re.compile(r"<mi>(\\[A-Za-z]+)</mi>")
_WORDS_RE = re.compile(r"(?<!^)(?=[A-Z])")


@functools.lru_cache(maxsize=4096)
def to_mathml(latex: str, display: bool) -> str:
    """MathML for a LaTeX formula; unbalanced braces and unknown commands are errors. Kept per
    process: the check converts every formula and the page generation converts it again (an
    error is raised again each time: lru_cache keeps no exceptions)."""
    source = latex.strip()
    if _brace_depth(source) != 0:
        raise FormulaError(f"cannot read formula '{source}': unbalanced braces")
    # imported here: a site (or a rebuild) without a formula does not load latex2mathml, whose
    # xml.sax.saxutils brings urllib.request and http.client (~0.02 s)
    from latex2mathml.converter import convert

    try:
        mathml = convert(source, display="block" if display else "inline")
    except Exception as exc:  # latex2mathml raises many exception types for bad input
        raise FormulaError(f"cannot read formula '{source}': {_describe(exc)}") from None
    unknown = _UNKNOWN_COMMAND_RE.search(mathml)
    if unknown:
        raise FormulaError(f"cannot read formula '{source}': unknown command {unknown.group(1)}")
    return mathml


def _brace_depth(source: str) -> int:
    depth = 0
    for index, char in enumerate(source):
        if index and source[index - 1] == "\\":
            continue
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return depth
    return depth


def _describe(exc: Exception) -> str:
    if str(exc):
        return str(exc)
    return _WORDS_RE.sub(" ", type(exc).__name__.removesuffix("Error")).lower()


def find_formulas(body: str, first_line: int = 1) -> Iterator[Formula]:
    if "$" not in body:
        return
    for kind, index, text in _segments(body):
        if kind == "display":
            yield Formula(first_line + index, text, True)
        elif kind == "prose" and "$" in text:
            for match in _INLINE_RE.finditer(_mask_code(text)):
                yield Formula(first_line + index, match.group(1), False)


def render_formulas(body: str, render: Callable[[str, bool], str] | None = None) -> str:
    """Replace `$…$` and `$$…$$` by MathML (or by `render(latex, display)`, e.g. SVG for print),
    leaving code untouched. Assumes checked input."""
    if "$" not in body:
        return body
    render = render or _mathml_html
    out: list[str] = []
    for kind, _, text in _segments(body):
        if kind == "display":
            out.append(f"\n{render(text, True)}\n")
        elif kind == "prose":
            out.append(_render_inline(text, render))
        else:
            out.append(text)
    return "\n".join(out)


def _mathml_html(latex: str, display: bool) -> str:
    if display:  # tabindex: a wide formula scrolls sideways, and a keyboard must be able to scroll it
        return f'<div class="oqu-math" tabindex="0">{to_mathml(latex, True)}</div>'
    return f'<span class="oqu-math">{to_mathml(latex, False)}</span>'


def _render_inline(line: str, render: Callable[[str, bool], str]) -> str:
    if "$" not in line:
        return line
    masked = _mask_code(line)
    pieces, last = [], 0
    for match in _INLINE_RE.finditer(masked):
        pieces += [line[last : match.start()], render(match.group(1), False)]
        last = match.end()
    pieces.append(line[last:])
    return "".join(pieces)


def _mask_code(line: str) -> str:
    return _CODE_SPAN_RE.sub(lambda m: " " * len(m.group(0)), line)


def _segments(body: str) -> Iterator[tuple[str, int, str]]:
    """('prose' | 'code' | 'display', first line index, text) in document order."""
    lines = body.split("\n")
    index = 0
    fence: str | None = None
    while index < len(lines):
        line = lines[index]
        marker = _FENCE_RE.match(line)
        if fence is not None:
            if line.strip().startswith(fence) and not line.strip().strip(fence[0]):
                fence = None
            yield "code", index, line
        elif marker:
            fence = marker.group(1)
            yield "code", index, line
        elif line.strip().startswith("$$"):
            start, latex = index, line.strip()[2:]
            while not latex.rstrip().endswith("$$") and index + 1 < len(lines):
                index += 1
                latex += "\n" + lines[index]
            yield "display", start, latex.rstrip()[:-2] if latex.rstrip().endswith("$$") else latex
        else:
            yield "prose", index, line
        index += 1
