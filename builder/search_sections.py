"""Material's search plugin, the same index for less CPU: every page's sections made by one
regular-expression pass instead of `html.parser.HTMLParser` and Material's `Parser`.

Material's `SearchIndex.add_entry_from_context` feeds each page's HTML to a pure-Python
`HTMLParser` subclass whose handlers intersect a set of skipped elements with the list of open
ones at every tag and text (Python-level `Element.__eq__`/`__hash__` per element): about 12 % of
a project's CPU. `page_sections` makes the same sections (the same `Section` objects, filled
with the same strings) from one `re.finditer` over the page, keeping counts of the open
elements per tag instead of the sets. It reproduces Material's quirks as they are, because the
output must stay byte for byte what Material writes:

- elements are compared by tag: an element with `data-search-exclude` (or the `linenodiv`
  class) puts its TAG on the skip list, so text under any open element of that tag is skipped
  until the first end tag of that tag closes (then the tag leaves the list, even if the
  excluded element is still open); `script`, `style` and `object` stay on it;
- the current section's heading is recognised by tag too (text inside any open `h2` while an
  `h2` section is current is title);
- whitespace: text outside `pre` has its newlines turned into spaces, whitespace-only text
  becomes one space and is dropped after whitespace; inside `pre` it is kept as is;
- text inside an open `<a class="headerlink">` is dropped from titles (the permalink);
- a heading nested in another element ends its section when that element closes (`depth`);
- the kept tags (`p`, `code`, `pre`, lists, `sub`, `sup`) are written as bare tags, and an
  element left empty is removed again.

The tokenizer is exact for the HTML Python-Markdown writes: text, start tags whose attributes
are bare or double-quoted, end tags and comments give what `HTMLParser` gives. Anything else
(a stray `<`, unquoted or single-quoted attribute values, `script`/`style` contents,
declarations) makes `page_sections` return None and the page goes to Material's own parser.

Upgrade hazard: this copies Material's `Parser` of mkdocs-material `WRITTEN_FOR`. With another
version installed, or when a self-check on a corpus of the quirks above disagrees with
Material's parser (a Python whose `html.parser` tokenizes differently), Material's own method
stays. tests/builder/test_search_sections.py pins the equivalence on that corpus and on the
fixture site's projects, byte for byte.
"""

from __future__ import annotations

import functools
import re
from html import escape, unescape
from typing import Any

WRITTEN_FOR = "9.8.2"  # mkdocs-material's version whose Parser this reproduces

# one token per match: text, a start tag (name, attributes, "/" if self-closing), an end tag,
# a comment (no group), or any other "<" (group 6: not handled here). Comments are taken only in
# the form every html.parser reads alike (newer ones end `<!-->` and `--!>` early)
TOKEN_RE = re.compile(
    r"([^<]+)"
    r'|<([a-zA-Z][a-zA-Z0-9]*)((?:[ \t\n\r\f]+[a-zA-Z_:][-a-zA-Z0-9_:.]*(?:="[^"]*")?)*)[ \t\n\r\f]*(/?)>'
    r"|</([a-zA-Z][-.a-zA-Z0-9:_]*)\s*>"
    r"|<!--(?![->])(?:[^-]|-(?!-))*-->"  # a comment without "--" inside: one in every Python
    r"|(<)"
)
ATTR_RE = re.compile(r'[ \t\n\r\f]+([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:(=)"([^"]*)")?')
TEXT, START, END, OTHER = 1, 4, 5, 6  # TOKEN_RE's lastindex for each kind (a comment: None)

# Material's Parser's sets (material/plugins/search/plugin.py)
ALWAYS_SKIPPED = ("object", "script", "style")
KEPT = frozenset(["p", "code", "pre", "li", "ol", "ul", "sub", "sup"])
VOID = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
    ]
)
HEADINGS = frozenset(["h1", "h2", "h3", "h4", "h5", "h6"])
RAW_TEXT = frozenset(["script", "style"])  # HTMLParser's CDATA content elements


# html.unescape, remembered: the same few texts (a permalink's "&para;") come on every page
unescaped = functools.lru_cache(maxsize=4096)(unescape)


class NotHandled(Exception):
    """The page has HTML the tokenizer does not reproduce exactly: Material's parser reads it."""


class _Sections:
    """The state of Material's `Parser`, with the open elements counted per tag."""

    def __init__(self) -> None:
        from material.plugins.search.plugin import Element, Section

        self.element, self.section_of = Element, Section
        self.data: list[Any] = []  # the sections, as Parser.data
        self.section: Any = None
        self.context: list[str] = []  # the open elements' tags
        self.open: dict[str, int] = {}  # open elements per tag
        self.skip = set(ALWAYS_SKIPPED)  # Parser.skip, by tag (its Element compares by tag)
        self.skipped = 0  # open elements whose tag is on the skip list
        self.permalinks: list[int] = []  # the context lengths of the open <a class="headerlink">

    def ensure_section(self) -> Any:
        if self.section is None:
            self.section = self.section_of(self.element("hx"))
            self.data.append(self.section)
        return self.section

    def in_title(self) -> bool:
        return self.open.get(self.section.el.tag, 0) > 0

    def start(self, tag: str, attrs: dict[str, str | None]) -> None:
        context, open_ = self.context, self.open
        context.append(tag)
        open_[tag] = open_.get(tag, 0) + 1
        if tag in self.skip:
            self.skipped += 1
        if tag == "a" and attrs.get("class") == "headerlink":
            self.permalinks.append(len(context))
        if tag in HEADINGS and "id" in attrs:
            self.heading(tag, attrs, len(context))
        section = self.ensure_section()
        if "data-search-exclude" in attrs or attrs.get("class") == "linenodiv":
            if tag not in self.skip:
                self.skip.add(tag)
                self.skipped += open_[tag]
            return
        if not self.skipped and tag in KEPT:
            (section.title if self.in_title() else section.text).append(f"<{tag}>")

    def heading(self, tag: str, attrs: dict[str, str | None], depth: int) -> None:
        if tag != "h1" and not self.data:  # ensure a top-level section
            self.data.append(self.section_of(self.element("hx"), depth))
        self.section = self.section_of(self.element(tag, attrs), depth)
        if self.data:
            self.section.id = attrs["id"]
        self.data.append(self.section)

    def end(self, tag: str) -> None:
        context = self.context
        if not context or context[-1] != tag:
            return
        depth = len(context)
        if self.section.depth > depth:  # leaving the element a heading was nested in
            for section in reversed(self.data):
                if section.depth <= depth:
                    self.section.depth = float("inf")
                    self.section = section
                    break
        context.pop()
        self.open[tag] -= 1
        if self.permalinks and self.permalinks[-1] == depth:
            self.permalinks.pop()
        if tag in self.skip:
            self.skipped -= 1
            if tag not in ALWAYS_SKIPPED:
                self.skip.remove(tag)
                self.skipped -= self.open[tag]
            return
        if not self.skipped and tag in KEPT:
            self.close_kept(tag)

    def close_kept(self, tag: str) -> None:
        """Parser.handle_endtag's end: the element removed again when only whitespace followed
        the first `<tag>` of the title or text, else its end tag written."""
        data = self.section.title if self.in_title() else self.section.text
        index = data.index(f"<{tag}>")
        for i in range(index + 1, len(data)):
            if not data[i].isspace():
                index = len(data)
                break
        if len(data) > index:
            del data[index:]
        else:
            data.append(f"</{tag}>")

    def text(self, data: str) -> None:
        if self.skipped:
            return
        in_pre = self.open.get("pre")
        blank = data.isspace()
        if not in_pre:  # (newlines turned into spaces leave a text with a visible character)
            data = " " if blank else data.replace("\n", " ")
        section = self.section
        if section is None:
            section = self.ensure_section()
        if self.open.get(section.el.tag):  # in the title
            if not self.permalinks:
                section.title.append(escape(data, quote=False))
        elif blank:
            text = section.text
            if in_pre or not text or not text[-1].isspace():
                text.append(data)
        else:  # escape(data, quote=False), inline
            section.text.append(data.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))


def page_sections(html: str) -> list[Any] | None:
    """The sections Material's `Parser` makes of `html` (fed whole, then closed), or None when
    the page has HTML this tokenizer does not reproduce exactly."""
    state = _Sections()
    try:
        for match in TOKEN_RE.finditer(html):
            kind = match.lastindex
            if kind == TEXT:
                text = match[1]
                state.text(unescaped(text) if "&" in text else text)
            elif kind == START:
                _start_tag(state, match)
            elif kind == END:
                state.end(match[5].lower())
            elif kind == OTHER:
                return None
    except NotHandled:
        return None
    return state.data


def _start_tag(state: _Sections, match: re.Match[str]) -> None:
    tag = match[2].lower()
    self_closing = bool(match[4])
    if tag in VOID:  # not an open element; its end tag (if self-closing) closes nothing
        return
    if tag in RAW_TEXT and not self_closing:
        raise NotHandled(tag)
    state.start(tag, _attributes(match[3], tag in HEADINGS) if match[3] else {})
    if self_closing:
        state.end(tag)


def _attributes(text: str, every_value: bool) -> dict[str, str | None]:
    """As HTMLParser: names lowercased, a bare name's value None, values unescaped: every value
    of a heading's (its Section keeps them), else only the class (the one value read; others,
    such as JSON in data- attributes, are long and full of entities)."""
    return {
        (key := name.lower()): (unescape(value) if value and (every_value or key == "class") else value)
        if equals
        else None
        for name, equals, value in ATTR_RE.findall(text)
    }


def add_entry_from_context(index: Any, page: Any) -> None:
    """Material's `SearchIndex.add_entry_from_context` with `page_sections` for its parser."""
    search = page.meta.get("search") or {}
    if search.get("exclude"):
        return
    sections = page_sections(page.content)
    if sections is None:
        sections = material_sections(page.content)
    for section in sections:
        if not section.is_excluded():
            index.create_entry_for_section(section, page.toc, page.url, page)


def material_sections(html: str) -> list[Any]:
    from material.plugins.search.plugin import Parser

    parser = Parser()
    parser.feed(html)
    parser.close()
    return list(parser.data)


@functools.cache
def usable() -> bool:
    """This Material is the one `page_sections` was written for, and both parsers agree on the
    quirks corpus here (a changed `html.parser` shows there)."""
    from importlib.metadata import version

    try:
        if version("mkdocs-material") != WRITTEN_FOR:
            return False
    except Exception:  # not installed as a distribution: do not guess
        return False
    return all(sections_equal(page_sections(html), material_sections(html)) for html in SELF_CHECK)


def sections_equal(ours: list[Any] | None, theirs: list[Any]) -> bool:
    if ours is None:
        return False
    return [_section_key(s) for s in ours] == [_section_key(s) for s in theirs]


def _section_key(section: Any) -> tuple[Any, ...]:
    return (section.el.tag, section.el.attrs, section.depth, section.id, section.title, section.text)


def use_page_sections(config: Any) -> None:
    """Have the MkDocs config's search plugin (if any) index pages with `page_sections`."""
    if usable():
        config.plugins["oqu-search-sections"] = _search_sections_plugin()()


@functools.cache
def _search_sections_plugin() -> Any:
    """A MkDocs plugin (made at first use: mkdocs.plugins is not imported with this module)
    that, once the search plugin made its index, swaps the index's entry method and the search
    plugin's `on_page_context` event handler (`page_context`)."""
    from material.plugins.search.plugin import SearchPlugin
    from mkdocs.plugins import BasePlugin

    class SearchSections(BasePlugin):  # a plugin without options
        def on_pre_build(self, *, config: Any) -> None:  # after every plugin's on_config
            for plugin in config.plugins.values():
                index = getattr(plugin, "search_index", None) if isinstance(plugin, SearchPlugin) else None
                if index is not None:
                    index.add_entry_from_context = functools.partial(add_entry_from_context, index)
                    _swap_page_context(config.plugins, plugin)

    return SearchSections


def _swap_page_context(plugins: Any, search: Any) -> None:
    """The search plugin's registered `on_page_context` replaced, in place, by `page_context`
    (only if it is registered as MkDocs 1.6 does: a bound method in `events["page_context"]`)."""
    handlers = getattr(plugins, "events", {}).get("page_context", [])
    for i, handler in enumerate(handlers):
        if getattr(handler, "__self__", None) is search and handler.__name__ == "on_page_context":
            handlers[i] = functools.partial(page_context, search)
            origins = getattr(plugins, "_event_origins", None)
            if isinstance(origins, dict):
                origins[handlers[i]] = origins.get(handler, "material/search")


DATA_SEARCH_RE = re.compile(r"\s?data-search-\w+=\"[^\"]+\"")  # Material's on_page_context's


def page_context(search: Any, context: Any, /, *, page: Any, config: Any, nav: Any) -> None:
    """Material's `SearchPlugin.on_page_context`, without its substitution on pages where no
    `data-search-` attribute can match (a regular-expression scan of every page)."""
    if not search.config.enabled:
        return
    search.search_index.add_entry_from_context(page)
    if "data-search-" in page.content:
        page.content = without_data_search(page.content)


# DATA_SEARCH_RE without its optional first character: a literal start, which `re` looks for
# quickly instead of trying the whole expression at every character of the page
_DATA_SEARCH_CORE_RE = re.compile(r"data-search-\w+=\"[^\"]+\"")
_SPACE_RE = re.compile(r"\s")
# False: DATA_SEARCH_RE.sub itself (read at each call: the test comparing the two sets it)
CORE_FIRST = True


def without_data_search(html: str) -> str:
    """`DATA_SEARCH_RE.sub("", html)`. Each of its matches holds a match of the core (the
    expression less its leading `\\s?`) and starts one character earlier when that character is
    whitespace and not in the previous match: the expression tried at a whitespace tries the
    core just after it (and nothing else: the core cannot start with whitespace), so its matches
    are the core's, found in the same order, each widened by the space before it. (Every oqu
    lesson page has `data-search-exclude` without a value: nothing to remove, found by a scan
    for the literal instead of the expression tried at every character: ~1 % of a project.)"""
    if not CORE_FIRST:
        return DATA_SEARCH_RE.sub("", html)
    pieces = []
    end = 0
    for match in _DATA_SEARCH_CORE_RE.finditer(html):
        start = match.start()
        if start > end and _SPACE_RE.match(html, start - 1):
            start -= 1
        pieces.append(html[end:start])
        end = match.end()
    if not pieces:
        return html
    pieces.append(html[end:])
    return "".join(pieces)


# Material's quirks, checked against its own parser before the first use in a process
SELF_CHECK = (
    '<h1 id="t">Title<a class="headerlink" href="#t" title="Permanent link">&para;</a></h1>\n'
    "<p>One &amp; two &lt;b&gt;\nlines</p>\n<pre><code>a  b\n\n  c &lt; d\n</code></pre>\n"
    '<h2 id="s">Section <code>x</code></h2>\n<div data-search-exclude><p>hidden</p><div>in</div>'
    "after</div><p>  </p><ul>\n<li>x</li>\n</ul>\n"
    '<div class="outer"><h3 id="n">Nested</h3><p>n</p></div><p>back</p>'
    '<table><tr><td>1</td></tr></table><!-- c --><br/><svg><path d="x"/></svg>',
    '<p>preface</p><h2 id="a" data-search-exclude>Ex</h2><p>ex</p><h3 id="b">B&#39;s</h3>'
    '<details class="note" open><summary>S</summary><p>d</p></details><p class="linenodiv">9</p>'
    '<h2 id="c"><span>Deep</span></h2><pre>  two  spaces\n</pre>\n\n<p>x<sub>2</sub></p>'
    "<pre><code><span>x</span> <span> </span>\n</code></pre><p>a <em> </em> <b>\n</b></p>",
)
