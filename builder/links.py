"""Links and images in lesson Markdown: found outside code, resolved against the content tree."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

_LINK_RE = re.compile(
    r"(?P<bang>!?)\[(?P<text>(?:[^\[\]]|\[[^\]]*\])*)\]"
    r"\(\s*<?(?P<target>[^)\s>]+)>?(?:\s+(?:\"[^\"]*\"|'[^']*'))?\s*\)"
)
_HTML_SRC_RE = re.compile(r"<(?:img|source|a)\b[^>]*?\b(?:src|href)=\"(?P<target>[^\"]+)\"", re.I)
_HTML_ALT_RE = re.compile(r"\balt=\"(?P<alt>[^\"]*)\"", re.I)
_FENCE_RE = re.compile(r"^\s*(`{3,}|~{3,})")
_INLINE_CODE_RE = re.compile(r"(`+)(.+?)\1")
_EXTERNAL_RE = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//|#)", re.I)


@dataclass(frozen=True)
class Link:
    line: int
    target: str
    is_image: bool
    alt: str
    line_index: int
    start: int
    end: int

    @property
    def is_external(self) -> bool:
        return bool(_EXTERNAL_RE.match(self.target))

    @property
    def path_and_anchor(self) -> tuple[str, str]:
        path, _, anchor = self.target.partition("#")
        return path, anchor


def iter_links(body: str, first_line: int = 1) -> Iterator[Link]:
    """Every Markdown link, image and HTML src/href in `body`, outside code blocks and spans."""
    return iter(_links(body, first_line))


_FOUND: dict[tuple[str, int], tuple[Link, ...]] = {}
_FOUND_LIMIT = 8192


def _links(body: str, first_line: int) -> tuple[Link, ...]:
    """Found once per text: a build asks about each lesson's links about a dozen times (the
    check, its files, image sizes, link rewriting, search), measured at a fifth of a one-lesson
    rebuild's own CPU at 1,000 lessons. Links are frozen, so the tuple is shared safely."""
    found = _FOUND.get((body, first_line))
    if found is None:
        found = tuple(_find_links(body, first_line))
        remember_links(body, first_line, found)
    return found


def remember_links(body: str, first_line: int, links: tuple[Link, ...]) -> None:
    """Give the links of `body` found earlier (builder/lesson_cache.py keeps them between
    builds); the oldest text is forgotten past 8,192."""
    if len(_FOUND) >= _FOUND_LIMIT:
        del _FOUND[next(iter(_FOUND))]
    _FOUND[(body, first_line)] = links


def _find_links(body: str, first_line: int) -> Iterator[Link]:
    for index, line in _prose_lines(body):
        if "](" not in line and "=" not in line:
            continue
        masked = _INLINE_CODE_RE.sub(lambda m: " " * len(m.group(0)), line)
        for match in _LINK_RE.finditer(masked):
            yield Link(
                line=first_line + index,
                target=match.group("target"),
                is_image=bool(match.group("bang")),
                alt=match.group("text").strip(),
                line_index=index,
                start=match.start("target"),
                end=match.end("target"),
            )
        for match in _HTML_SRC_RE.finditer(masked):
            tag = masked[match.start() : masked.find(">", match.start()) + 1]
            alt = _HTML_ALT_RE.search(tag)
            yield Link(
                line=first_line + index,
                target=match.group("target"),
                is_image=tag.lower().startswith("<img"),
                alt=alt.group("alt").strip() if alt else "",
                line_index=index,
                start=match.start("target"),
                end=match.end("target"),
            )


def _prose_lines(body: str) -> Iterator[tuple[int, str]]:
    if "```" not in body and "~~~" not in body:  # no fence can open: every line is prose
        yield from enumerate(body.split("\n"))
        return
    fence: str | None = None
    for index, line in enumerate(body.split("\n")):
        marker = _FENCE_RE.match(line)
        if fence is None and marker:
            fence = marker.group(1)[0] * len(marker.group(1))
            continue
        if fence is not None:
            if line.strip().startswith(fence) and line.strip().strip(fence[0]) == "":
                fence = None
            continue
        yield index, line


def replace_links(body: str, new_target: dict[tuple[int, int], str], links: list[Link]) -> str:
    """Rewrite link targets; `new_target` maps (line_index, start) to the replacement."""
    lines = body.split("\n")
    for link in sorted(links, key=lambda item: (item.line_index, -item.start)):
        replacement = new_target.get((link.line_index, link.start))
        if replacement is None:
            continue
        line = lines[link.line_index]
        lines[link.line_index] = line[: link.start] + replacement + line[link.end :]
    return "\n".join(lines)
