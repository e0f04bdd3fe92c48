"""Material's search index made with builder/search_sections.py is Material's, byte for byte: the
sections of pages with Material's parser quirks, of random HTML, and of the fixture site's
projects built both ways; HTML the tokenizer does not reproduce goes to Material's parser, and
another Material version keeps Material's method."""

from __future__ import annotations

import importlib.metadata
import inspect
import json
import random
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from material.plugins.search.plugin import SearchIndex, SearchPlugin

import builder.mkdocs_runner as mkdocs_runner
import builder.search_sections as search_sections
from builder.pipeline import build_site
from builder.search_sections import material_sections, page_sections, sections_equal

# Pages as Python-Markdown and Material's extensions write them, with the parser's quirks.
QUIRKS = {
    "nested headings": (
        '<h1 id="t">Тақырып</h1><div class="admonition note"><p class="admonition-title">Ескерту</p>'
        '<h3 id="in">Ішкі</h3><p>ішінде</p></div><p>сыртында</p><h2 id="next">Келесі</h2>'
        '<details><summary>S</summary><h4 id="deep">Терең</h4><div><h5 id="deeper">Одан</h5>x</div>y'
        "</details>z"
    ),
    "excluded blocks": (
        '<h2 id="a">A</h2><div class="outer"><div data-search-exclude><p>жасырын</p>'
        "<div>ішкі div жабылады</div>енді көрінеді</div>кейін</div>"
        '<p data-search-exclude="">жасырын p</p><p>көрінетін</p>'
        '<h2 id="x" data-search-exclude>Шығарылған бөлім</h2><p>оның мәтіні</p>'
        '<h3 id="y">Келесі</h3><p>y</p><table class="highlighttable"><tr><td class="linenos">'
        '<div class="linenodiv"><pre><span>1</span>\n<span>2</span></pre></div></td>'
        '<td class="code"><div class="highlight"><pre><span></span><code>a = 1\nb  = 2\n</code>'
        "</pre></div></td></tr></table><object><p>obj</p></object><p>after object</p>"
    ),
    "pre and code whitespace": (
        "<p>Мәтін\nекі жол</p>\n\n\n<pre><code>  бір\n\n   екі  \n</code></pre>\n  \n"
        "<p>   </p><p><code>x  y</code>\n<code>\n</code></p><ul>\n<li>\n</li>\n<li>a</li>\n</ul>\n"
        '<div class="highlight"><pre><span></span><code><span class="n">x</span> <span class="o">=</span>'
        ' <span class="mi">1</span>\n\n</code></pre></div><p>x<sub>2</sub>O, e<sup>x</sup><sub> </sub></p>'
        "<pre><code><span>x</span> <span> </span>\n<span>\n</span></code></pre><p>a <em> </em> <b>\n</b></p>"
    ),
    "entities and attributes": (
        '<h1 id="a&amp;b">A &amp; B &lt;tag&gt; &quot;q&quot; &#39;s &para; &nbsp;x</h1>'
        '<p title="&lt;t&gt;" class="">&laquo;Тырнақша&raquo; &amp;amp; &#x41; &unknown; &amp</p>'
        '<h2 id="e" title>Id &copy;</h2><p>a > b, <em>em</em> &gt; <strong>s</strong></p>'
    ),
    "permalinks": (
        '<h1 id="p">Бет<a class="headerlink" href="#p" title="Тұрақты сілтеме">&para;</a></h1>'
        '<h2 id="q">Бөлім <code>c</code><a class="headerlink" href="#q" title="Тұрақты сілтеме">'
        '<span>¶</span></a> соңы</h2><p><a class="headerlink" href="#z">мәтінде</a></p>'
    ),
    "tables admonitions details": (
        '<h2 id="t">Кесте</h2><table>\n<thead>\n<tr>\n<th>A</th>\n<th>B</th>\n</tr>\n</thead>\n<tbody>\n'
        "<tr>\n<td>1</td>\n<td><code>2</code></td>\n</tr>\n</tbody>\n</table>\n"
        '<div class="admonition warning">\n<p class="admonition-title">Назар</p>\n<p>Қауіп</p>\n'
        '</div>\n<details class="note" open="open">\n<summary>Толығырақ</summary>\n<p>Ішкі</p>\n'
        '</details>\n<div class="tabbed-set" data-tabs="1:2"><input checked="checked" id="__tabbed_1_1" '
        'name="__tabbed_1" type="radio" /><label for="__tabbed_1_1">Бір</label><div class="tabbed-content">'
        '<div class="tabbed-block"><p>бір</p></div></div></div>'
    ),
    "no h1 first, no id": (
        '<p>кіріспе</p><h2>id жоқ</h2><p>a</p><h3 id="s">Бар</h3><ol>\n<li><p>p</p></li>\n</ol>'
        '<H2 ID="UP">Бас әріп</H2><P>Үлкен</P><br><hr/><img alt="a" src="x.png" />'
        '<svg viewBox="0 0 1 1"><path d="M0 0"/><text>svg мәтіні</text></svg><!-- түсініктеме -->'
        "<math><mi>x</mi><mo>=</mo><mn>2</mn></math>"
    ),
    "h2 first, nested kept": (
        '<h2 id="f">Бірінші</h2><ul><li>a<ul><li>b</li><li> </li></ul></li></ul><pre> </pre>'
        "<p><code></code></p><p>\n</p><p>соңғы &amp;"
    ),
}

# HTML whose tokens `page_sections` leaves to Material's parser
NOT_HANDLED = {
    "stray less-than": "<p>a < b</p>",
    "single-quoted attribute": "<h2 id='s'>S</h2><p>x</p>",
    "unquoted attribute": "<h2 id=s>S</h2><p>x</p>",
    "script": "<p>a</p><script>if (a < b) { x = '</p>' }</script><p>b</p>",
    "style": "<style>p > a { }</style><p>b</p>",
    "space in end tag": "<p>a</ p><p>b</p>",
    "declaration": "<!DOCTYPE html><p>a</p>",
    "unterminated tag": '<p>a</p><a href="x',
    "comment with dashes": "<p>a</p><!-- a --!> b --><p>c</p><!--> d -->",
}


@pytest.mark.parametrize("name", QUIRKS)
def test_quirk_pages_give_materials_sections(name: str) -> None:
    ours = page_sections(QUIRKS[name])
    assert ours is not None, "handled by the fast tokenizer, not left to Material's parser"
    assert sections_equal(ours, material_sections(QUIRKS[name]))


def _random_html(rng: random.Random) -> str:
    """Nested elements Material's parser treats differently, in random order and depth."""
    tags = ["p", "div", "span", "code", "pre", "ul", "li", "h1", "h2", "h3", "a", "em", "td", "sub", "object"]
    texts = ["мәтін", " ", "\n", "\n\n  ", "a &amp; b", "&lt;x&gt;", "екі\nжол", "&para;", "  x  "]
    attrs = [
        "",
        ' id="i{n}"',
        " data-search-exclude",
        ' class="headerlink"',
        ' class="linenodiv"',
        ' title="t"',
    ]
    out: list[str] = []
    open_: list[str] = []
    for n in range(rng.randint(1, 60)):
        roll = rng.random()
        if roll < 0.35:
            tag = rng.choice(tags)
            out.append(f"<{tag}{rng.choice(attrs).format(n=n)}>")
            open_.append(tag)
        elif roll < 0.6 and open_:
            out.append(f"</{open_.pop()}>")
        elif roll < 0.65:
            out.append(
                rng.choice(["<br>", "<hr />", '<img src="x.png"/>', "<!-- c -->", f"</{rng.choice(tags)}>"])
            )
        else:
            out.append(rng.choice(texts))
    return "".join(out + [f"</{tag}>" for tag in reversed(open_) if rng.random() < 0.8])


def test_random_pages_give_materials_sections() -> None:
    rng = random.Random(17)
    compared = 0
    for _ in range(600):
        html = _random_html(rng)
        try:
            theirs = material_sections(html)
        except ValueError:  # Material's parser fails on some orders of kept tags: so must we
            with pytest.raises(ValueError):
                page_sections(html)
            continue
        ours = page_sections(html)
        assert ours is not None, html
        assert sections_equal(ours, theirs), html
        compared += 1
    assert compared > 500


def _page(html: str, toc: list[Any] | None = None) -> Any:
    return SimpleNamespace(content=html, meta={"tags": ["t"]}, toc=toc or [], url="lesson/", title="Сабақ")


def _entries(html: str, fast: bool) -> list[dict[str, Any]]:
    index = SearchIndex(lang=["ru"], separator=" ", pipeline=[], fields={})
    if fast:
        search_sections.add_entry_from_context(index, _page(html))
    else:
        index.add_entry_from_context(_page(html))
    return index.entries


@pytest.mark.parametrize("name", NOT_HANDLED)
def test_html_the_tokenizer_does_not_reproduce_goes_to_materials_parser(name: str) -> None:
    assert page_sections(NOT_HANDLED[name]) is None
    assert _entries(NOT_HANDLED[name], fast=True) == _entries(NOT_HANDLED[name], fast=False)


@pytest.mark.parametrize("name", QUIRKS)
def test_entries_are_materials(name: str) -> None:
    assert _entries(QUIRKS[name], fast=True) == _entries(QUIRKS[name], fast=False)


@pytest.fixture
def fresh_check() -> Iterator[None]:
    search_sections.usable.cache_clear()
    yield
    search_sections.usable.cache_clear()


def test_another_material_version_keeps_materials_method(
    fresh_check: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert search_sections.usable()
    search_sections.usable.cache_clear()
    monkeypatch.setattr(importlib.metadata, "version", lambda name: "9.9.0")
    config = SimpleNamespace(plugins={})
    search_sections.use_page_sections(config)
    assert config.plugins == {}


def test_a_failed_self_check_keeps_materials_method(
    fresh_check: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search_sections, "page_sections", lambda html: page_sections(html.replace("<p>", "")))
    assert not search_sections.usable()


def _differences(left: Path, right: Path) -> list[str]:
    found = [f"only one side: {p}" for p in sorted({*_files(left)} ^ {*_files(right)})]
    return found + [
        p for p in sorted(_files(left) & _files(right)) if (left / p).read_bytes() != (right / p).read_bytes()
    ]


def _files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def _search_indexes(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("search/search_index.json"))}


QUIRK_LESSON = """

## Ішкі тақырыптар

!!! note "Ескерту"
    ### Ескертудегі тақырып

    Мәтін `код  екі бос орын` және &amp; &lt;белгі&gt;.

??? tip "Толығырақ"
    Жасырын мәтін.

    | A | B |
    |---|---|
    | 1 | 2 |

<div data-search-exclude markdown>
Іздеуге кірмейтін мәтін.

<div>ішкі</div>

Содан кейін көрінеді.
</div>

<p data-search-exclude="true">Бұл да кірмейді</p>

```python
def f():

    return  1
```

Соңғы H~2~O^x^ абзац.
"""


def test_fixture_site_search_indexes_are_materials_byte_for_byte(
    minimal_site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every project of the fixture site (a lesson with the quirks added) built with Material's
    parser and with `page_sections`: the same search_index.json files and the same site."""
    lesson = sorted((minimal_site / "content/courses").rglob("*.md"))[-1]
    with lesson.open("a", encoding="utf-8") as text:
        text.write(QUIRK_LESSON)
    assert search_sections.usable()  # its self-check done before the pages are counted
    fast: list[bool] = []
    counted = search_sections.page_sections

    def counting(html: str) -> list[Any] | None:
        sections = counted(html)
        fast.append(sections is not None)
        return sections

    monkeypatch.setattr(search_sections, "page_sections", counting)
    contexts: list[str] = []
    page_context = search_sections.page_context

    def counting_context(search: Any, context: Any, /, **kwargs: Any) -> None:
        contexts.append(kwargs["page"].url)
        page_context(search, context, **kwargs)

    monkeypatch.setattr(search_sections, "page_context", counting_context)
    monkeypatch.setattr(mkdocs_runner.os, "cpu_count", lambda: 1)  # in this process: counted
    build_site(minimal_site, minimal_site / "fast", paper=False)
    assert fast and all(fast), "every page's sections made by page_sections"
    assert len(contexts) == len(fast), "Material's on_page_context replaced by page_context"
    monkeypatch.setattr(search_sections, "usable", lambda: False)
    build_site(minimal_site, minimal_site / "material", paper=False)
    assert _differences(minimal_site / "fast/site", minimal_site / "material/site") == []
    ours, theirs = (
        _search_indexes(minimal_site / "fast/site"),
        _search_indexes(minimal_site / "material/site"),
    )
    assert len(ours) >= 3 and ours == theirs
    docs = [doc for data in ours.values() for doc in json.loads(data)["docs"]]
    assert any("Ескертудегі тақырып" in doc["title"] for doc in docs)  # the quirk lesson is in it
    assert not any("Іздеуге кірмейтін" in doc["text"] or "Бұл да" in doc["text"] for doc in docs)
    page = (minimal_site / "fast/site/kk/courses/first-aid/practice/bandage/index.html").read_text(
        encoding="utf-8"
    )
    assert "Іздеуге кірмейтін" in page and "Бұл да кірмейді" in page  # excluded from search only
    assert 'data-search-exclude="true"' not in page  # Material removes attributes with a value


@pytest.mark.parametrize(
    "html",
    [
        '<p data-search-exclude="true">a</p><h2 data-search-boost="2" id="b">B</h2>',
        "<p data-search-exclude>bare: kept by Material's expression</p>",
        "<p>no attribute</p>",
    ],
)
def test_page_context_is_materials_on_page_context(html: str) -> None:
    def plugin() -> Any:
        search = SearchPlugin()
        search.config = SimpleNamespace(enabled=True)
        search.search_index = SearchIndex(lang=["ru"], separator=" ", pipeline=[], fields={})
        return search

    theirs, ours = plugin(), plugin()
    material_page, page = _page(html), _page(html)
    theirs.on_page_context({}, page=material_page, config={}, nav=None)
    search_sections.page_context(ours, {}, page=page, config={}, nav=None)
    assert page.content == material_page.content
    assert ours.search_index.entries == theirs.search_index.entries


def test_data_search_attributes_are_removed_as_by_materials_expression(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`without_data_search` is `DATA_SEARCH_RE.sub("", html)`: on texts of the expression's pieces
    and the whitespace it may take before them (a no-break space too), and on pages."""
    rng = random.Random(17)
    pieces = [
        "data-search-",
        "exclude",
        '="x"',
        '=""',
        '"',
        "=",
        " ",
        "\n",
        "\u00a0",
        "\t",
        "a",
        "<p ",
        ">",
        "-",
    ]
    for _ in range(30000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 16)))
        assert search_sections.without_data_search(text) == search_sections.DATA_SEARCH_RE.sub("", text), text
    page = '<p data-search-exclude="true">a</p>\n<h2  data-search-boost="2" id="b">B</h2><p data-search-exclude>c</p>'
    assert (
        search_sections.without_data_search(page)
        == '<p>a</p>\n<h2  id="b">B</h2><p data-search-exclude>c</p>'
    )
    material = inspect.getsource(SearchPlugin.on_page_context)
    assert f'r"{search_sections.DATA_SEARCH_RE.pattern}"' in material, (
        "compare with search_sections.page_context"
    )
    monkeypatch.setattr(search_sections, "CORE_FIRST", False)
    assert search_sections.without_data_search(page) == search_sections.DATA_SEARCH_RE.sub("", page)
