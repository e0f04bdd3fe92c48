"""Python-Markdown's inline loop with a search first and MkDocs' raw-HTML anchor parse skipped where
it can find nothing (builder/mkdocs_markdown.py) give what the libraries' own code gives: pages
converted both ways, the fixture site built both ways byte for byte, the version guards."""

from __future__ import annotations

import os
import random
import re
from pathlib import Path
from typing import Any

import markdown
import pytest
from markdown import treeprocessors
from mkdocs.config import load_config
from mkdocs.structure import pages
from test_mkdocs_setup import _add_stateful_markdown, _differences

import builder.mkdocs_markdown as mkdocs_markdown
from builder.mkdocs_setup import quiet_mkdocs
from builder.pipeline import build_site
from builder.projects import MARKDOWN_EXTENSIONS

# Every inline pattern of oqu's extensions, and their edges: escapes before backticks and plus
# signs, code spans of several backticks, inline highlighting, keys, links and references in
# emphasis, autolinks, raw HTML, entities, hard line breaks, the pymdownx delimiters.
PAGES = [
    "Мәтін `код` және ``екі ` белгі`` мен \\`қашқан\\` және `#!python print(1)` соңы.",
    "Пернелер ++ctrl+alt+delete++, қашқан \\++ctrl++ және \\\\++alt++, жалғыз + белгі, ++.",
    'Сілтеме [мәтін](../a/ "атауы") және ![сурет](img.png){ width="10" } және [анықтама][r].\n\n[r]: http://x.kz',
    "**қалың** *көлбеу* __қалың__ _көлбеу_ ***екеуі*** ==белгі== ^^асты^^ ~~сызылған~~ H~2~O x^2^",
    '<https://oqu.kz/a> <mail@oqu.kz> <span class="x">шикі</span> &amp; &copy; &#169; &#xA9; & жай',
    "Жол соңы  \nжаңа жол, *[ішкі `код` және ++ctrl++](a/)* және [^1].\n\n[^1]: Ескерту `код`.",
    "| `a` | **b** |\n|---|---|\n| ++x++ | [c](d/) |\n\n- [ ] `міндет`\n- [x] ==орындалды==",
    '!!! note "Ескерту `код`"\n    Ішінде ++enter++ және `x` және <b>қалың</b>.\n\n??? tip\n    *жасырын*',
    "``` python\nprint('`')\n```\n\nКейін `inline` және \\\\` және \\` соңы ` ашық",
    "*[ӨҚ]: Өрт қауіпсіздігі\n\nӨҚ ережесі `ӨҚ` ішінде *ӨҚ* және [ӨҚ](x/).",
    "[TOC]\n\n## Бірінші\n\nМәтін [TOC] ішінде.\n\n## [TOC]\n\n```\n[TOC]\n```\n\n> [TOC]",
]

TOKENS = [
    "`", "``", "\\", "\\\\", "+", "++", "ctrl", "*", "**", "_", "__", "=", "==", "^", "^^", "~", "~~",
    "[", "]", "(", ")", "![", "](x/)", "<", ">", "<b>", "</b>", "&amp;", "&", "#!python ", "http://a.kz",
    "a@b.kz", "  \n", "\n", "\n\n", "[TOC]", "\n\n[TOC]\n\n", "## ",
    " ", " ", "сөз", "word", "{: #id }", ":", "|", "- ", "1. ", "#",
]  # fmt: skip


def _converter(tmp_path: Path) -> markdown.Markdown:
    """A converter with oqu's Markdown extensions as MkDocs configures them."""
    config_file = tmp_path / "mkdocs.yml"
    (tmp_path / "docs").mkdir(exist_ok=True)
    extensions = MARKDOWN_EXTENSIONS.replace("{permalink_title}", '"¶"').replace("{footnote_back}", '"↩"')
    config_file.write_text(f"site_name: t\n{extensions}", encoding="utf-8")
    config = load_config(config_file=str(config_file))
    return markdown.Markdown(
        extensions=config["markdown_extensions"], extension_configs=config["mdx_configs"]
    )


def _random_pages(count: int) -> list[str]:
    rng = random.Random(17)
    return ["".join(rng.choice(TOKENS) for _ in range(rng.randint(1, 60))) for _ in range(count)]


@pytest.fixture
def fast_inline() -> None:
    quiet_mkdocs()
    assert mkdocs_markdown.use_fast_inline()  # the installed Python-Markdown is the known one
    assert mkdocs_markdown.use_toc_marker_check()


def _convert_both_ways(md: markdown.Markdown, text: str, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    monkeypatch.setattr(mkdocs_markdown, "FAST_INLINE", False)
    monkeypatch.setattr(mkdocs_markdown, "SKIP_ABSENT_TOC_MARKER", False)
    md.reset()
    library = md.convert(text)
    monkeypatch.setattr(mkdocs_markdown, "FAST_INLINE", True)
    monkeypatch.setattr(mkdocs_markdown, "SKIP_ABSENT_TOC_MARKER", True)
    md.reset()
    fast = md.convert(text)
    return library, fast


def test_pages_convert_as_python_markdown_does(
    fast_inline: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    md = _converter(tmp_path)
    calls: list[int] = []
    handle = mkdocs_markdown.handle_inline

    def counted(self: Any, data: str, patternIndex: int = 0) -> str:
        calls.append(patternIndex)
        return handle(self, data, patternIndex)

    monkeypatch.setattr(mkdocs_markdown, "handle_inline", counted)
    for text in PAGES:
        library, fast = _convert_both_ways(md, text, monkeypatch)
        assert fast == library, text
    assert len(calls) > 50  # the fast loop ran (nested texts with a later first pattern too)
    assert any(index > 0 for index in calls)
    md.reset()
    page = md.convert(PAGES[1])
    assert "<kbd" in page and "++ctrl++" in page  # the keys, the escaped keys
    md.reset()
    page = md.convert(PAGES[-1])
    assert page.startswith('<div class="toc">') and page.count('class="toc"') == 2  # the markers replaced


def test_random_texts_convert_as_python_markdown_does(
    fast_inline: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    md = _converter(tmp_path)
    for text in _random_pages(600):
        library, fast = _convert_both_ways(md, text, monkeypatch)
        assert fast == library, repr(text)


def test_the_prefiltered_expressions_are_the_extensions_and_need_their_character() -> None:
    """`NEEDS` keys are the installed extensions' expressions (else the prefilter is never used),
    and no text without the character matches (600 random texts of the other tokens, and texts
    where the character was replaced)."""
    import pymdownx.inlinehilite
    import pymdownx.keys

    assert set(mkdocs_markdown.NEEDS) == {pymdownx.inlinehilite.BACKTICK_CODE_RE, pymdownx.keys.RE_EARLY_KBD}
    rng = random.Random(5)
    for expression, needs in mkdocs_markdown.NEEDS.items():
        compiled = re.compile(expression, re.DOTALL | re.UNICODE)
        tokens = [t for t in TOKENS if not any(c in t for c in needs)] + ["\\\\\\", "+ +", "` `"]
        samples = [PAGES[i].translate({ord(c): " " for c in needs}) for i in range(len(PAGES))]
        samples += ["".join(rng.choice(tokens) for _ in range(40)).replace(needs, "") for _ in range(600)]
        assert any(compiled.search(text) for text in PAGES)  # it does match where the character is
        assert not any(compiled.search(text) for text in samples if needs not in text)


def test_another_toc_extension_keeps_its_marker_search(monkeypatch: pytest.MonkeyPatch) -> None:
    from markdown.extensions import toc

    monkeypatch.setattr(toc.TocTreeprocessor, "replace_marker", mkdocs_markdown._REPLACE_MARKER)
    monkeypatch.setattr(mkdocs_markdown, "TOC_WRITTEN_FOR", "0" * 64)
    assert not mkdocs_markdown.use_toc_marker_check()
    assert toc.TocTreeprocessor.replace_marker is mkdocs_markdown._REPLACE_MARKER


def test_another_python_markdown_keeps_its_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        treeprocessors.InlineProcessor, "_InlineProcessor__handleInline", mkdocs_markdown._ORIGINAL
    )
    monkeypatch.setattr(treeprocessors.InlineProcessor, "run", mkdocs_markdown._RUN)
    monkeypatch.setattr(mkdocs_markdown, "WRITTEN_FOR", "0" * 64)
    assert not mkdocs_markdown.use_fast_inline()
    assert treeprocessors.InlineProcessor.run is mkdocs_markdown._RUN
    assert (
        treeprocessors.InlineProcessor.__dict__["_InlineProcessor__handleInline"] is mkdocs_markdown._ORIGINAL
    )


# Raw HTML with and without anchors: `id` and `name` in any case, on any tag, self-closing,
# in a comment, words that only contain the letters, no tag at all.
RAW_HTML = [
    'Мәтін <div class="a">x</div>',
    '<p id="first">x</p> <a name="second">y</a> <span name="no">z</span>',
    "<P ID=Upper>x</P> <A NAME='n'>y</A> <img iD=mixed/>",
    '<!-- id="commented" --> <div data-id="x" hidden>x</div> identity named',
    "id name <b>x</b>",
    'no tag id="x" name=y',
    '<a href="#x" title="name">x</a> <input name="field" id=f>',
    "",
    "<![bogus[ мәтін ]]> <b>x</b>",  # MkDocs' parse raises here: so must the fast one
]


def _anchors(preprocessor: Any, text: str) -> set[str] | str:
    """The anchors found, or the error raised (Python's HTML parser raises on some declarations)."""
    try:
        assert preprocessor.run(text.split("\n")) == text.split("\n")
    except AssertionError as error:
        return f"raised {error}"
    return set(preprocessor.present_anchor_ids)


def test_raw_html_anchors_are_mkdocs(monkeypatch: pytest.MonkeyPatch) -> None:
    fast_class = mkdocs_markdown._raw_html_class()
    assert fast_class is not None  # the installed MkDocs is the known one
    assert type(mkdocs_markdown.raw_html_preprocessor()) is fast_class
    parsed: list[str] = []
    run = pages._RawHTMLPreprocessor.run

    def counted(self: Any, lines: list[str]) -> list[str]:
        parsed.append("\n".join(lines))
        return run(self, lines)

    monkeypatch.setattr(pages._RawHTMLPreprocessor, "run", counted)
    texts = RAW_HTML + [t.replace("x/)", "<a id=q>") for t in _random_pages(300)]
    for text in texts:
        assert _anchors(fast_class(), text) == _anchors(pages._RawHTMLPreprocessor(), text), text
    assert _anchors(fast_class(), RAW_HTML[2]) == {"Upper", "n", "mixed/"}  # as MkDocs reads them
    assert parsed.count(RAW_HTML[0]) == 1  # MkDocs' own parse only: the fast one skipped it
    assert parsed.count(RAW_HTML[1]) == 2  # both parsed it
    assert str(_anchors(fast_class(), RAW_HTML[-1])).startswith("raised")
    monkeypatch.setattr(mkdocs_markdown, "SKIP_EMPTY_RAW_HTML", False)
    assert type(mkdocs_markdown.raw_html_preprocessor()) is pages._RawHTMLPreprocessor


def test_another_mkdocs_keeps_its_raw_html_preprocessor(monkeypatch: pytest.MonkeyPatch) -> None:
    mkdocs_markdown._raw_html_class.cache_clear()
    monkeypatch.setattr(mkdocs_markdown, "RAW_HTML_WRITTEN_FOR", "0" * 64)
    try:
        assert type(mkdocs_markdown.raw_html_preprocessor()) is pages._RawHTMLPreprocessor
    finally:
        mkdocs_markdown._raw_html_class.cache_clear()


def test_the_fixture_site_is_the_same_byte_for_byte(
    minimal_site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _add_stateful_markdown(minimal_site)
    lesson = next((minimal_site / "content/courses").rglob("*.kk.md"))
    with lesson.open("a", encoding="utf-8") as text:
        text.write("\n\n" + "\n\n".join(PAGES[i] for i in (0, 1, 3, 4, 8)) + '\n\n<p id="anchor">шикі</p>\n')
    monkeypatch.setattr(os, "cpu_count", lambda: 1)  # the projects built in this process
    inline: list[int] = []
    parsed: list[bool] = []
    handle, needs_parse = mkdocs_markdown.handle_inline, mkdocs_markdown._needs_parse
    monkeypatch.setattr(mkdocs_markdown, "handle_inline", lambda *a: inline.append(1) or handle(*a))
    monkeypatch.setattr(
        mkdocs_markdown, "_needs_parse", lambda t: parsed.append(needs_parse(t)) or parsed[-1]
    )
    build_site(minimal_site, minimal_site / "fast", paper=False)
    assert len(inline) > 100 and True in parsed and False in parsed  # both ways were taken
    monkeypatch.setattr(mkdocs_markdown, "FAST_INLINE", False)
    monkeypatch.setattr(mkdocs_markdown, "SKIP_EMPTY_RAW_HTML", False)
    monkeypatch.setattr(mkdocs_markdown, "SKIP_ABSENT_TOC_MARKER", False)
    build_site(minimal_site, minimal_site / "library", paper=False)
    assert list((minimal_site / "fast/site").rglob("*.html"))
    assert _differences(minimal_site / "fast/site", minimal_site / "library/site") == []
