"""Material's per-page template fragments that are the same on many pages of a project, rendered
once per project build and reused (same output bytes).

Material renders the whole navigation tree on every page (`partials/nav-item.html`'s `render`
macro, once per item: ~11 % of a course project's CPU at 1,000 lessons) and looks every
interface word up in a dictionary literal built anew at each call (`partials/language.html`'s
`t` macro, ~3 %). Most of that output does not depend on the page being rendered:

- a navigation item that is not active (neither the page nor one of its sections) renders the
  same for every page but for its links, which MkDocs' `url` filter makes relative to the page.
  Such an item is rendered once with each link left as a marker holding the filter's input;
  on each page the markers are replaced by what the `url` filter gives there (the same call
  with the same page, so the same text);
- an interface word depends only on the project's language and the key.

Both are wired in by rewriting the two templates' sources as the Jinja environment loads them
(the original macro renamed, a wrapper under its name); the wrapper calls the memo only when a
project build enabled it (`enable`, a MkDocs plugin's `on_env`), and the original macro
otherwise (the page-level rebuild and `oqu preview`, which render a few pages against a
navigation whose pages are populated one by one). A Material release whose templates do not
have the rewritten text is used as it is (no memo). The golden-page and byte-for-byte tests of
tests/builder pin the output.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable
from typing import Any

import jinja2
from jinja2.utils import pass_context

from builder import jinja_getattr

# A link inside a remembered navigation fragment: NUL, the `url` filter's input, NUL.
MARK = "\x00"
# A child's place in a remembered active section: SOH, the child's number, SOH.
CHILD = "\x01"

NAV_ITEM = "partials/nav-item.html"
LANGUAGE = "partials/language.html"

_NAV_RENDER = "{% macro render(nav_item, path, level, parent) %}"
_NAV_WRAPPER = (
    "\n{% macro render(nav_item, path, level, parent) -%}\n"
    "{{ oqu_nav_fragment(oqu_fresh_render, nav_item, path, level, parent) if oqu_nav_fragment is defined"
    " else oqu_fresh_render(nav_item, path, level, parent) }}\n"
    "{%- endmacro %}\n"
)
_LANG_T = "{% macro t(key) %}{{ lang.t(key) or fallback.t(key) or key }}{% endmacro %}"
_LANG_WRAPPER = (
    "{% macro oqu_fresh_t(key) %}{{ lang.t(key) or fallback.t(key) or key }}{% endmacro %}"
    "{% macro t(key) %}{{ oqu_word(oqu_fresh_t, key) if oqu_word is defined else oqu_fresh_t(key) }}"
    "{% endmacro %}"
)


TOC = "partials/toc.html"
_TOC_START = '{% set title = lang.t("toc") %}'
_TOC_END = "</nav>"
_TOC_CALL = "{% endmacro %}{{ oqu_toc(oqu_fresh_toc) if oqu_toc is defined else oqu_fresh_toc() }}"


# Material's partials whose text reads nothing of the page (only `config`, `features`, `lang`
# and their own variables; links only through the `url` filter), by the sha256 of the text read
# so (mkdocs-material 9.8.2): rendered once per project with their links as markers. Another
# text (another release, a theme's override) is rendered as it is on every page.
PAGE_INDEPENDENT = {
    "partials/search.html": "bfd556535abcddb99396ab2a7e3acc2ebcd3f36756007d3969396caa4126be30",
    "partials/logo.html": "e0925ef6c190174a5162ed1ecc55295016dd8a7beec3018db3e04aac283a2dd9",
    "partials/top.html": "98f6f9ac2ebf6ef943b62c0b0781a373cc03ca7e0959cfc60d9c3c7060157227",
    "partials/palette.html": "fb935107ae7d3d7475965019eec36c1ad72bf1d154254dab2474921fcd2710e3",
    "partials/icons.html": "461a02930eb982ef17829cfe5ebb9f8dca6eb1eb0c9da2391c130b0fe8eb5fa7",
    "partials/javascripts/content.html": "3722e156f0f6339de39fbbfc178b6e401d1a4fb890f189ac5b80c2504bda7dcf",
}
_LEADING_COMMENT_RE = re.compile(r"\{#-.*?-#\}\s*", re.DOTALL)


def _page_independent_source(name: str, source: str) -> str:
    """The partial's whole text as the macro `oqu_fresh_partial`, called through `oqu_partial`
    when a project build enabled the memo: the macro starts after the leading comment (which
    strips the whitespace after it) and ends before the last newline (which Jinja drops)."""
    head = _LEADING_COMMENT_RE.match(source)
    start = head.end() if head else 0
    end = len(source) - 1 if source.endswith("\n") else len(source)
    call = f"{{{{ oqu_partial(oqu_fresh_partial, {name!r}) if oqu_partial is defined else oqu_fresh_partial() }}}}"
    return f"{source[:start]}{{% macro oqu_fresh_partial() %}}{source[start:end]}{{% endmacro %}}{call}{source[end:]}"


HEADER = "partials/header.html"
# Material's header (mkdocs-material 9.8.2, by the sha256 of its text): between the page's title
# and the language switcher (`alternate.html`, which links the page itself), and before the
# tabs (the page's tab is active), its text reads only `config`, `features`, `lang`, `nav`'s
# home page and its own variables (links through the `url` filter). Those three runs are
# remembered like the PAGE_INDEPENDENT partials, cut where the page's parts begin and end.
HEADER_WRITTEN_FOR = "8cf3fb15bcf969ff596649616fd99366b3c31c08d57a86d05308efc16d8fa75f"
_HEADER_CUTS = (
    "{% if page.meta and page.meta.title %}",  # the title: the page's own
    "{% endif %}\n          </span>\n        </div>\n      </div>\n    </div>\n",  # after the title
    "{% if config.extra.alternate %}",  # the language switcher: the page's own
    '{% if "material/search" in config.plugins %}',  # after it
    '{% if "navigation.tabs.sticky" in features %}\n    {% if "navigation.tabs" in features %}',  # the tabs
)


def _header_source(source: str) -> str:
    """The header with its three page-independent runs as macros called through `oqu_partial`;
    as it is when a cut is not found once."""
    if any(source.count(cut) != 1 for cut in _HEADER_CUTS):
        return source
    a, title, after_title, switcher, search, tabs = (
        source.index(_HEADER_CUTS[0]),
        source.index(_HEADER_CUTS[1]),
        source.index(_HEADER_CUTS[1]) + len("{% endif %}"),
        source.index(_HEADER_CUTS[2]),
        source.index(_HEADER_CUTS[3]),
        source.index(_HEADER_CUTS[4]),
    )
    head = _LEADING_COMMENT_RE.match(source)
    start = head.end() if head else 0
    if not start <= a < title < switcher < search < tabs:
        return source
    del title
    runs = [(start, a), (after_title, switcher), (search, tabs)]
    pieces, last = [], 0
    for number, (begin, end) in enumerate(runs):
        macro = f"oqu_header_{number}"
        call = f"{{{{ oqu_partial({macro}, 'header-{number}') if oqu_partial is defined else {macro}() }}}}"
        pieces += [source[last:begin], f"{{% macro {macro}() %}}{source[begin:end]}{{% endmacro %}}{call}"]
        last = end
    return "".join([*pieces, source[last:]])


NAV = "partials/nav.html"
# Material's navigation (mkdocs-material 9.8.2, by the sha256 of its text): after its import
# of nav-item.html it reads only `config`, `features`, `lang`, `nav` (its home page and items)
# and the items' renders (links through the `url` filter).
NAV_WRITTEN_FOR = "af33f6e032f632eb055c365eb5f1a975bf8456152fa768e69a1aad6d470b843f"
_NAV_IMPORT = '{% import "partials/nav-item.html" as item with context %}'
_NAV_CALL = "{% endmacro %}{{ oqu_nav_list(oqu_fresh_nav) if oqu_nav_list is defined else oqu_fresh_nav() }}"


def _nav_source(source: str) -> str:
    """The navigation after its import as the macro `oqu_fresh_nav` (the newline after the import
    inside it), called through `oqu_nav_list` when a project build enabled the memo."""
    if source.count(_NAV_IMPORT) != 1 or not source.endswith("\n"):
        return source
    start = source.index(_NAV_IMPORT) + len(_NAV_IMPORT)
    return f"{source[:start]}{{% macro oqu_fresh_nav() %}}{source[start:-1]}{_NAV_CALL}\n"


def rewrite_source(name: str, source: str) -> str:
    """The template's source with its memo wrapper (or as it is when its text is not the one
    this module knows)."""
    if name == NAV and hashlib.sha256(source.encode()).hexdigest() == NAV_WRITTEN_FOR:
        return _nav_source(source)
    if name == HEADER and hashlib.sha256(source.encode()).hexdigest() == HEADER_WRITTEN_FOR:
        return _header_source(source)
    if name in PAGE_INDEPENDENT and hashlib.sha256(source.encode()).hexdigest() == PAGE_INDEPENDENT[name]:
        return _page_independent_source(name, source)
    if name == TOC and source.count(_TOC_START) == 1 and source.rstrip().endswith(_TOC_END):
        # the whole text in a macro, from its first tag (the comment before strips the newline)
        body = source.rstrip()
        return (
            body.replace(_TOC_START, "{% macro oqu_fresh_toc() %}" + _TOC_START)
            + _TOC_CALL
            + source[len(body) :]
        )
    if name == NAV_ITEM and source.count(_NAV_RENDER) == 1 and source.rstrip().endswith("{% endmacro %}"):
        return source.replace(_NAV_RENDER, "{% macro oqu_fresh_render(nav_item, path, level, parent) %}") + (
            _NAV_WRAPPER
        )
    if name == LANGUAGE and source.count(_LANG_T) == 1:
        return source.replace(_LANG_T, _LANG_WRAPPER)
    return source


class _RewritingLoader(jinja2.BaseLoader):
    """The theme's loader, with `rewrite_source` applied to its templates."""

    def __init__(self, inner: jinja2.BaseLoader) -> None:
        self.inner = inner
        self.has_source_access = inner.has_source_access

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str | None, Callable[[], bool] | None]:
        source, filename, uptodate = self.inner.get_source(environment, template)
        return rewrite_source(template, source), filename, uptodate

    def list_templates(self) -> list[str]:
        return self.inner.list_templates()


def install(env: jinja2.Environment) -> None:
    """Load the two templates with their wrappers (each still renders its original macro until
    `enable`). Not for an environment that escapes output (the fragments are joined as text).
    Jinja's attribute lookup is made faster on every environment (builder/jinja_getattr.py)."""
    jinja_getattr.install(env)
    if env.autoescape or env.loader is None or isinstance(env.loader, _RewritingLoader):
        return
    env.loader = _RewritingLoader(env.loader)


def enable(env: jinja2.Environment) -> None:
    """Remember navigation fragments and interface words for the pages rendered with `env` (one
    project build: every page is populated before the first is rendered)."""
    if not isinstance(env.loader, _RewritingLoader) or "url" not in env.filters:
        return
    fragments = _Fragments(env.filters["url"], relative_links_by_folder())
    env.filters["url"] = fragments.url
    env.globals["oqu_nav_fragment"] = fragments.nav_item
    env.globals["oqu_word"] = fragments.word
    if BY_PAGE_TOC:
        env.globals["oqu_toc"] = fragments.toc
    if BY_PROJECT_PARTIALS:
        env.globals["oqu_partial"] = fragments.partial
    if BY_SECTION:
        env.globals["oqu_nav_list"] = fragments.nav_list


class _Fragments:
    def __init__(self, url_filter: Callable[..., str], by_folder: bool = False) -> None:
        self.url_filter = url_filter
        self.by_folder = by_folder and BY_FOLDER  # links made relative once per folder of pages
        self.by_section = BY_SECTION  # an active section's own text remembered
        self.pages: dict[str, tuple[tuple[str, ...], str] | None] = {}  # page URL: folder, own name
        self.links: dict[str, tuple[str, ...] | None] = {}  # link: its parts (None: not relative)
        self.relative: dict[tuple[str, tuple[str, ...]], str] = {}
        self.marking = 0  # > 0 while a remembered fragment is rendered: links become markers
        self.marks = 0  # markers made since the outermost fragment began
        self.spoiled = False  # a marker character in a link's input: that fragment is not kept
        self.nav: dict[tuple[Any, ...], tuple[Any, str, int]] = {}
        self.words: dict[str, str] = {}
        # an active section's own text, its children's calls left as CHILD markers: (the section
        # kept, its text, each child's (item, path, level)); None: rendered anew on every page
        self.sections: dict[tuple[Any, ...], tuple[Any, str, list[tuple[Any, Any, Any, Any]]] | None] = {}
        self.partials: dict[str, tuple[str, int] | None] = {}  # text with link markers, their count
        self.page_toc: tuple[Any, Any, str] | None = None  # the last page, its toc, its toc's text
        self.recording: Any = None  # the section whose children become markers, while recorded
        self.children: list[tuple[Any, Any, Any, Any]] = []  # their calls: item, path, level, parent
        self.top: tuple[Any, str, list[tuple[Any, Any, Any, Any]]] | bool | None = False  # the nav's list

    @pass_context
    def url(self, context: Any, value: Any) -> str:
        if not self.marking:
            return self._relative(context, value)
        text = str(value)
        if MARK in text:
            self.spoiled = True
            return self.url_filter(context, value)
        self.marks += 1
        return f"{MARK}{text}{MARK}"

    @pass_context
    def nav_item(self, context: Any, render: Any, item: Any, path: Any, level: Any, parent: Any) -> str:
        """`render(item, path, level, parent)`, remembered for an item that is not active."""
        page = context.get("page")
        if self.recording is not None and (  # a child of the section recorded, or a top item of the nav
            parent is self.recording or (self.recording is _TOP and isinstance(parent, jinja2.Undefined))
        ):
            self.children.append((item, path, level, parent))
            return f"{CHILD}{len(self.children) - 1}{CHILD}"
        if not isinstance(path, str) or not isinstance(level, int):
            return str(render(item, path, level, parent))
        if not _same_on_every_page(item, page):
            if self.by_section and not self.marking and _active_section(item, page):
                return self._section(context, render, item, path, level, parent)
            return str(render(item, path, level, parent))
        key = (id(item), path, level, _parent_state(parent))
        if key not in self.nav:
            marked = self._marked(lambda: str(render(item, path, level, parent)))
            if marked is None:
                return str(render(item, path, level, parent))
            self.nav[key] = (item, *marked)  # the item kept: its id stays its own
        _, text, marks = self.nav[key]
        if self.marking:
            self.marks += marks
            return text
        return self._linked(context, text)

    def _section(self, context: Any, render: Any, item: Any, path: str, level: int, parent: Any) -> str:
        """An active section (the page is under it): its own text is the same on every page under
        it but for its links and its children, whose calls (`render(child, path_i, level + 1,
        section)`, in order) are made here with the same arguments. Recorded once with the links
        as markers and each child's call as a CHILD marker. Its text depends on the page only
        through `index == page` with `navigation.indexes` (the page is the section's index page):
        such a page keeps its own entry."""
        page = context.get("page")
        own_index = page if getattr(page, "is_index", False) and page in (item.children or ()) else None
        key = (id(item), path, level, _parent_state(parent), id(own_index))
        if key not in self.sections:
            self.sections[key] = self._recorded(lambda: str(render(item, path, level, parent)), item)
        entry = self.sections[key]
        if entry is None:
            return str(render(item, path, level, parent))
        return self._filled(context, render, entry[1], entry[2])

    @pass_context
    def nav_list(self, context: Any, render_list: Any) -> str:
        """Material's navigation after its import: the same on every page of the project but for
        its links and its top items, whose calls (`item.render(nav_item, path, 1)`) are made here
        with the same arguments (the page's own `render` macro, from its `item` import)."""
        render = getattr(context.get("item"), "oqu_fresh_render", None)
        if self.marking or not self.by_section or not isinstance(render, jinja2.runtime.Macro):
            return str(render_list())
        if self.top is False:
            self.top = self._recorded(lambda: str(render_list()), _TOP)
        if not isinstance(self.top, tuple):
            return str(render_list())
        return self._filled(context, render, self.top[1], self.top[2])

    def _filled(self, context: Any, render: Any, text: str, children: list[tuple[Any, Any, Any, Any]]) -> str:
        """A recorded text with its links made relative and its children's calls made."""
        parts = text.split(CHILD)
        for i in range(0, len(parts), 2):
            parts[i] = self._linked(context, parts[i])
        for i in range(1, len(parts), 2):
            parts[i] = self.nav_item(context, render, *children[int(parts[i])])
        return "".join(parts)

    def _recorded(
        self, render: Callable[[], str], item: Any
    ) -> tuple[Any, str, list[tuple[Any, Any, Any, Any]]] | None:
        outer = self.recording, self.children
        self.recording, self.children = item, []
        try:
            marked = self._marked(render)
            children = self.children
        finally:
            self.recording, self.children = outer
        if marked is None or marked[0].count(CHILD) != 2 * len(children):
            return None
        parts = marked[0].split(CHILD)
        if parts[1::2] != [str(i) for i in range(len(children))]:
            return None
        return item, marked[0], children  # the item kept: its id stays its own

    def _marked(self, render: Callable[[], str]) -> tuple[str, int] | None:
        """The fragment with its links as markers and their count; None if it cannot be kept."""
        outer_marks, outer_spoiled = self.marks, self.spoiled
        self.marking += 1
        self.marks, self.spoiled = 0, False
        try:
            text = render()
            marks, spoiled = self.marks, self.spoiled
        finally:
            self.marking -= 1
            self.marks, self.spoiled = outer_marks, outer_spoiled
        if spoiled or text.count(MARK) != 2 * marks:
            return None
        return text, marks

    def _linked(self, context: Any, text: str) -> str:
        parts = text.split(MARK)
        parts[1::2] = [self._relative(context, link) for link in parts[1::2]]
        return "".join(parts)

    def _relative(self, context: Any, value: Any) -> str:
        """The `url` filter's result, remembered per folder of pages: MkDocs makes a link relative
        to the page's URL by the parts they share (`get_relative_url`), so two pages of one folder
        (`m/a/`, `m/b/`) get the same text for a link that goes under neither page's own name:
        their common parts with it are the same, within the folder. A link under the page, an
        absolute one, or a page at the top is made by the filter itself."""
        page = context.get("page") if self.by_folder else None
        if page is None or not isinstance(value, str):
            return self.url_filter(context, value)
        url = page.url
        if url not in self.pages:
            self.pages[url] = _folder_and_name(url)
        if value not in self.links:
            self.links[value] = _relative_link_parts(value)
        place, parts = self.pages[url], self.links[value]
        if place is None or parts is None:
            return self.url_filter(context, value)
        folder, name = place
        if len(parts) > len(folder) and parts[len(folder)] == name and parts[: len(folder)] == folder:
            return self.url_filter(context, value)  # under the page: its own
        key = (value, folder)
        text = self.relative.get(key)
        if text is None:
            text = self.relative[key] = self.url_filter(context, value)
        return text

    @pass_context
    def partial(self, context: Any, render: Any, name: str) -> str:
        """A partial of PAGE_INDEPENDENT: rendered once per project, its links filled per page."""
        if self.marking:
            return str(render())
        if name not in self.partials:
            self.partials[name] = self._marked(lambda: str(render()))
        entry = self.partials[name]
        if entry is None:
            return str(render())
        text, marks = entry
        return self._linked(context, text) if marks else text

    @pass_context
    def toc(self, context: Any, render: Any) -> str:
        """Material's `partials/toc.html`, rendered once per page: the page's item in the
        navigation and the secondary sidebar include it, and its text depends only on the
        page's toc and the project (the interface word, the toc extension's title)."""
        page = context.get("page")
        toc = getattr(page, "toc", None)
        if page is None or self.marking:
            return str(render())
        if self.page_toc is None or self.page_toc[0] is not page or self.page_toc[1] is not toc:
            self.page_toc = (page, toc, str(render()))
        return self.page_toc[2]

    def word(self, t: Any, key: Any) -> str:
        """Material's `lang.t(key)`: the same text for every page of a project."""
        if not isinstance(key, str):
            return str(t(key))
        if key not in self.words:
            self.words[key] = str(t(key))
        return self.words[key]


# What is recorded while the navigation's list is (its items' calls have no parent).
_TOP = object()


def _parent_state(parent: Any) -> tuple[int, bool] | None:
    return None if isinstance(parent, jinja2.Undefined) else (id(parent), bool(parent.active))


def _active_section(item: Any, page: Any) -> bool:
    """A section holding the page (MkDocs marks it active while the page is rendered); Material's
    blog views (items with `pages`) are left alone."""
    if page is None or isinstance(page, jinja2.Undefined) or item is page:
        return False
    return bool(getattr(item, "active", False) and getattr(item, "children", None)) and not getattr(
        item, "pages", None
    )


def _same_on_every_page(item: Any, page: Any) -> bool:
    """An item that is neither the page nor holds it renders the same on every page (but for its
    links): MkDocs marks the page and its sections active while it is rendered. Material's blog
    views (items with `pages`) are left alone."""
    if page is None or isinstance(page, jinja2.Undefined):
        return False
    return not getattr(item, "active", True) and not getattr(item, "pages", None) and item is not page


# False: the PAGE_INDEPENDENT partials rendered anew on every page (read when a project's memo is made).
BY_PROJECT_PARTIALS = True
# False: the page's toc rendered anew at each include (read when a project's memo is made).
BY_PAGE_TOC = True
# False: an active section rendered anew on every page, read when a project's memo is made (the
# test comparing the two sets it).
BY_SECTION = True
# False: every link made relative by MkDocs' `url` filter on each page, read when a project's
# memo is made (the test comparing the two sets it).
BY_FOLDER = True
# sha256 of the MkDocs functions whose results `_relative` reuses (MkDocs 1.6.1): the `url`
# filter, `normalize_url`, `get_relative_url`, `_norm_parts`, `_get_norm_url` and `Page.url`.
URL_WRITTEN_FOR = "c78a24b19512a0a381c0d89ae7eb46f0eafa85898e2d0ae793fd144ac6c9daed"


def _url_functions() -> list[Any]:
    import mkdocs.structure.pages
    import mkdocs.utils
    import mkdocs.utils.templates

    utils = mkdocs.utils
    norm_url = getattr(utils._get_norm_url, "__wrapped__", utils._get_norm_url)
    return [
        getattr(mkdocs.utils.templates.url_filter, "__wrapped__", mkdocs.utils.templates.url_filter),
        utils.normalize_url,
        utils.get_relative_url,
        utils._norm_parts,
        norm_url,
        vars(mkdocs.structure.pages.Page)["url"].fget,
    ]


def url_source_digest() -> str:
    from builder.library_source import source_digest

    return source_digest(*_url_functions())


@functools.cache
def relative_links_by_folder() -> bool:
    """Whether the installed MkDocs makes links relative with the known code (once per process)."""
    return url_source_digest() == URL_WRITTEN_FOR


def _folder_and_name(url: str) -> tuple[tuple[str, ...], str] | None:
    """A page URL's folder parts and last part as `get_relative_url` reads them (None: the top)."""
    from mkdocs.utils import _norm_parts

    dirname, _, basename = url.rpartition("/")
    parts = _norm_parts(dirname if "." in basename else url)
    return (tuple(parts[:-1]), parts[-1]) if parts else None


def _relative_link_parts(link: str) -> tuple[str, ...] | None:
    """A link's parts as `get_relative_url` reads them; None when `normalize_url` does not make it
    relative to the page (a URL with a scheme, an absolute path, an anchor)."""
    from mkdocs.utils import _get_norm_url, _norm_parts

    path, level = _get_norm_url(link)
    return None if level == -1 else tuple(_norm_parts(path))


@functools.cache
def fragments_plugin() -> Any:
    """A MkDocs plugin (made at first use) whose `on_env` enables the memo for one project build."""
    from mkdocs.plugins import BasePlugin

    class RememberedFragments(BasePlugin):  # a plugin without options
        def on_env(self, env: Any, /, *, config: Any, files: Any) -> Any:
            enable(env)
            return env

    return RememberedFragments
