"""Per project build, Material's navigation items and interface words are rendered once and reused
(builder/mkdocs_fragments.py), and the theme's assets are copied once for the site instead of into
every project (builder/mkdocs_runner.py): the same site, byte for byte, as rendering every page
anew and copying the assets into each project."""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import jinja2
import mkdocs.structure.files
import pytest
from test_mkdocs_setup import _differences  # the same tree comparison

import builder.mkdocs_fragments as mkdocs_fragments
import builder.mkdocs_runner as mkdocs_runner
from builder.pipeline import build_site

MATERIAL_NAV_ITEM = "{% macro render(nav_item, path, level, parent) %}"


def _add_lessons(site: Path, count: int) -> None:
    """More lessons in the fixture's modules: navigation sections with several items each."""
    for module in sorted(p for p in (site / "content/courses").glob("*/*") if p.is_dir()):
        lessons = sorted(module.glob("*.kk.md"))
        if not lessons:
            continue
        text = lessons[0].read_text(encoding="utf-8")
        for i in range(count):
            name = lessons[0].name.replace(".kk.md", f"-more-{i}.kk.md")
            (module / name).write_text(
                text.replace("title:", f"id: {module.name}-more-{i}\ntitle:", 1), "utf-8"
            )


def test_remembered_fragments_give_the_same_site(minimal_site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Sections of several pages (items of the page's own section are remembered too), pages at
    two depths (the course's home page and its lessons: the links differ)."""
    _add_lessons(minimal_site, 2)
    linked: list[int] = []
    words: list[int] = []
    fresh_linked = mkdocs_fragments._Fragments._linked
    fresh_word = mkdocs_fragments._Fragments.word

    def count_linked(self: Any, context: Any, text: str) -> str:
        linked.append(text.count(mkdocs_fragments.MARK) // 2)
        return fresh_linked(self, context, text)

    def count_word(self: Any, t: Any, key: Any) -> str:
        words.append(key in self.words)
        return fresh_word(self, t, key)

    monkeypatch.setattr(mkdocs_fragments._Fragments, "_linked", count_linked)
    monkeypatch.setattr(mkdocs_fragments._Fragments, "word", count_word)
    monkeypatch.setattr(os, "cpu_count", lambda: 1)  # the projects built in this process: counted
    build_site(minimal_site, minimal_site / "remembered", paper=False)
    assert sum(linked) > 20  # navigation links filled in from remembered items
    assert sum(words) > 100  # interface words looked up once per project
    monkeypatch.setattr(mkdocs_runner, "REMEMBER_FRAGMENTS", False)
    linked.clear()
    build_site(minimal_site, minimal_site / "fresh", paper=False)
    assert linked == []
    page = (minimal_site / "remembered/site/kk/courses/first-aid/index.html").read_text(encoding="utf-8")
    assert 'class="md-nav__link"' in page and "md-nav__item--active" in page
    lesson = minimal_site / "remembered/site/kk/courses/first-aid/basics/01-basics-more-1/index.html"
    assert 'href="../01-basics-more-0/"' in lesson.read_text(encoding="utf-8")  # a sibling, relative
    assert _differences(minimal_site / "remembered/site", minimal_site / "fresh/site") == []


def test_the_page_level_rebuild_does_not_remember(minimal_site: Path) -> None:
    """A one-lesson rebuild renders pages against a navigation whose pages are read one by one:
    it renders every item anew (and the same pages as a full build, tests/builder's rebuild tests)."""
    from builder.incremental import LiveProject
    from builder.load import load_site
    from builder.projects import plan_projects

    site, problems = load_site(minimal_site)
    assert site is not None, problems.errors
    project = next(p for p in plan_projects(site) if "courses" in p.dest)
    live = LiveProject(project, minimal_site / "live", minimal_site / "live-site")
    assert "oqu_nav_fragment" not in live.env.globals
    assert isinstance(live.env.loader, mkdocs_fragments._RewritingLoader)


def test_a_template_of_another_text_is_left_as_it_is() -> None:
    changed = MATERIAL_NAV_ITEM.replace("parent", "parent, more") + "{{ 1 }}{% endmacro %}"
    assert mkdocs_fragments.rewrite_source(mkdocs_fragments.NAV_ITEM, changed) == changed
    assert mkdocs_fragments.rewrite_source("partials/toc.html", MATERIAL_NAV_ITEM) == MATERIAL_NAV_ITEM
    known = "{% macro render(nav_item, path, level, parent) %}x{% endmacro %}"
    rewritten = mkdocs_fragments.rewrite_source(mkdocs_fragments.NAV_ITEM, known)
    assert "oqu_fresh_render" in rewritten and "oqu_nav_fragment" in rewritten


def test_the_theme_assets_are_copied_once_and_the_site_is_the_same(
    minimal_site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copied: list[str] = []
    copy_file = mkdocs.structure.files.File.copy_file

    def counted(self: mkdocs.structure.files.File, dirty: bool = False) -> None:
        copied.append(self.dest_uri)
        copy_file(self, dirty)

    monkeypatch.setattr(mkdocs.structure.files.File, "copy_file", counted)
    monkeypatch.setattr(os, "cpu_count", lambda: 1)  # the projects built in this process: counted
    build_site(minimal_site, minimal_site / "once", paper=False)
    theme_assets = [uri for uri in copied if uri.startswith("assets/")]
    assert "assets/stylesheets/" in "".join(theme_assets)
    assert len(theme_assets) == len(set(theme_assets))  # each once for the whole site
    monkeypatch.setattr(mkdocs_runner, "provide_shared_assets", lambda src, theme: None)
    monkeypatch.setattr(mkdocs_runner, "ASSETS_AS_WRITTEN", False)
    copied.clear()
    build_site(minimal_site, minimal_site / "per-project", paper=False)
    assert len([uri for uri in copied if uri.startswith("assets/")]) > len(theme_assets)  # as before
    assert _differences(minimal_site / "once/site", minimal_site / "per-project/site") == []


def test_shared_asset_refs_are_the_patterns_substitution() -> None:
    """The `assets/`-first rewrite gives what ASSET_REF_RE's substitution gives, on strings made of
    the pieces that matter (quotes, dots, slashes, `assets/` and its parts)."""
    import random

    from builder.mkdocs_setup import ASSET_REF_RE

    def by_pattern(html: str, climb: str) -> str:
        return ASSET_REF_RE.sub(lambda m: f"{m['quote']}{m['up']}{climb}assets/", html)

    pieces = ['"', "'", "(", ".", "/", "../", "./", "assets/", "asset", "s/", "a", " ", "assets"]
    rng = random.Random(17)
    for _ in range(20_000):
        html = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 14)))
        climb = "../" * rng.randint(0, 3)
        assert mkdocs_runner.shared_asset_refs(html, climb) == by_pattern(html, climb), (html, climb)
    page = '<link href="../../assets/a.css"><img src="./assets/b.svg"><a href="x/assets/c">'
    assert mkdocs_runner.shared_asset_refs(page, "../") == (
        '<link href="../../../assets/a.css"><img src="../assets/b.svg"><a href="x/assets/c">'
    )


# Page URLs of one project (directory URLs, `.html` ones, the top) and links of every kind: siblings,
# under a page, the page itself, its folder, higher up, climbing, absolute, with a scheme, anchors.
PAGE_URLS = ["", "m/", "m/a/", "m/b/", "m/a/x/", "m/b/x/", "n/a/", "n/", "m/c.html", "m/d.html", "a/", "m/m/"]
LINKS = [
    "", ".", "./", "m/", "m/a/", "m/a/x/", "m/a/x/y.png", "m/b/", "m/c/", "m/", "n/a/", "a/", "a/b/", "m/m/",
    "m/a", "../x/", "../../m/a/", "assets/style.css", "m/a/#top", "/abs/", "https://oqu.kz/", "#top",
    "m/../n/a/", "m/./a/", "m//a/", "m", "m/a/x",
]  # fmt: skip


def test_links_made_relative_by_folder_are_the_url_filters() -> None:
    """Every link from every page, asked in many orders (what is remembered depends on the page
    that asked first): the `url` filter's own text."""
    import random
    from types import SimpleNamespace

    from mkdocs.utils.templates import url_filter

    assert mkdocs_fragments.relative_links_by_folder()  # the installed MkDocs is the known one
    pages = {url: SimpleNamespace(url=url) for url in PAGE_URLS}
    asks = [(url, link) for url in PAGE_URLS for link in LINKS]
    rng = random.Random(3)
    for _ in range(30):
        rng.shuffle(asks)
        fragments = mkdocs_fragments._Fragments(url_filter, by_folder=True)
        for url, link in asks:
            context = {"page": pages[url], "base_url": "."}
            assert fragments._relative(context, link) == url_filter(context, link), (url, link)
        assert fragments.relative  # something was remembered
    context = {"page": pages["m/a/"], "base_url": "."}
    assert fragments._relative(context, "m/b/") == "../b/" and fragments._relative(context, "m/a/x/") == "x/"


def test_another_mkdocs_makes_every_link_with_its_filter(monkeypatch: pytest.MonkeyPatch) -> None:
    mkdocs_fragments.relative_links_by_folder.cache_clear()
    monkeypatch.setattr(mkdocs_fragments, "URL_WRITTEN_FOR", "0" * 64)
    try:
        assert not mkdocs_fragments.relative_links_by_folder()
        env = jinja2.Environment(loader=mkdocs_fragments._RewritingLoader(jinja2.DictLoader({})))
        env.filters["url"] = lambda context, value: value
        mkdocs_fragments.enable(env)
        assert not env.globals["oqu_nav_fragment"].__self__.by_folder
    finally:
        mkdocs_fragments.relative_links_by_folder.cache_clear()


def test_links_made_relative_by_folder_give_the_same_site(
    minimal_site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _add_lessons(minimal_site, 2)
    remembered: list[int] = []
    relative = mkdocs_fragments._Fragments._relative

    def counted(self: Any, context: Any, value: Any) -> str:
        remembered.append(len(self.relative))
        return relative(self, context, value)

    monkeypatch.setattr(mkdocs_fragments._Fragments, "_relative", counted)
    monkeypatch.setattr(os, "cpu_count", lambda: 1)  # the projects built in this process
    build_site(minimal_site, minimal_site / "by-folder", paper=False)
    assert max(remembered) > 10
    monkeypatch.setattr(mkdocs_fragments, "BY_FOLDER", False)
    remembered.clear()
    build_site(minimal_site, minimal_site / "per-page", paper=False)
    assert max(remembered) == 0
    assert _differences(minimal_site / "by-folder/site", minimal_site / "per-page/site") == []


def test_remembered_active_sections_give_the_same_site(
    minimal_site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An active section's own text recorded once (its children's calls as markers) and filled in
    on every page under it: the same pages as the section rendered anew on each."""
    _add_lessons(minimal_site, 2)
    recorded: list[bool] = []  # active sections
    tops: list[bool] = []  # the navigation's list, once per project
    filled: list[int] = []
    fresh_recorded = mkdocs_fragments._Fragments._recorded
    fresh_section = mkdocs_fragments._Fragments._section

    def count_recorded(self: Any, render: Any, item: Any) -> Any:
        entry = fresh_recorded(self, render, item)
        (tops if item is mkdocs_fragments._TOP else recorded).append(entry is not None)
        return entry

    def count_section(self: Any, *args: Any) -> str:
        filled.append(1)
        return fresh_section(self, *args)

    monkeypatch.setattr(mkdocs_fragments._Fragments, "_recorded", count_recorded)
    monkeypatch.setattr(mkdocs_fragments._Fragments, "_section", count_section)
    monkeypatch.setattr(os, "cpu_count", lambda: 1)  # the projects built in this process: counted
    build_site(minimal_site, minimal_site / "by-section", paper=False)
    assert recorded and all(recorded)  # every active section kept
    assert len(filled) > 2 * len(recorded)  # and reused on the other pages under it
    assert tops and all(tops) and len(tops) < len(filled)
    monkeypatch.setattr(mkdocs_fragments, "BY_SECTION", False)
    recorded.clear()
    filled.clear()
    tops.clear()
    build_site(minimal_site, minimal_site / "per-page", paper=False)
    assert recorded == [] and filled == [] and tops == []
    lesson = minimal_site / "by-section/site/kk/courses/first-aid/basics/01-basics-more-1/index.html"
    text = lesson.read_text(encoding="utf-8")
    assert 'href="../01-basics-more-0/"' in text and "md-nav__item--active" in text
    assert mkdocs_fragments.CHILD not in text and mkdocs_fragments.MARK not in text
    assert _differences(minimal_site / "by-section/site", minimal_site / "per-page/site") == []


def test_a_section_whose_text_holds_the_child_marker_is_rendered_anew() -> None:
    """A title with the marker character: the recorded text cannot be split back; not kept."""
    fragments = mkdocs_fragments._Fragments(lambda context, value: str(value))
    section = object()
    assert fragments._recorded(lambda: f"<li>{mkdocs_fragments.CHILD}title</li>", section) is None

    def with_child() -> str:
        return "<ul>" + fragments.nav_item({}, None, "child", "p_1", 2, section) + "</ul>"

    entry = fragments._recorded(with_child, section)
    assert entry is not None and entry[2] == [("child", "p_1", 2, section)]
    assert entry[1] == f"<ul>{mkdocs_fragments.CHILD}0{mkdocs_fragments.CHILD}</ul>"


def test_the_pages_toc_rendered_once_gives_the_same_site(
    minimal_site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Material includes `partials/toc.html` twice per page (the page's navigation item and the
    secondary sidebar): rendered once, the second include is the first's text."""
    rendered: list[bool] = []
    fresh_toc = mkdocs_fragments._Fragments.toc

    def count_toc(self: Any, context: Any, render: Any) -> str:
        before = self.page_toc
        text = fresh_toc(self, context, render)
        rendered.append(self.page_toc is not before)
        return text

    monkeypatch.setattr(mkdocs_fragments._Fragments, "toc", jinja2.pass_context(count_toc))
    monkeypatch.setattr(os, "cpu_count", lambda: 1)  # the projects built in this process: counted
    build_site(minimal_site, minimal_site / "once", paper=False)
    assert rendered.count(False) > 10 and rendered.count(True) > 10  # reused and made
    monkeypatch.setattr(mkdocs_fragments, "BY_PAGE_TOC", False)
    rendered.clear()
    build_site(minimal_site, minimal_site / "twice", paper=False)
    assert rendered == []
    lesson = (minimal_site / "once/site/kk/courses/first-aid/index.html").read_text(encoding="utf-8")
    assert lesson.count('<nav class="md-nav md-nav--secondary"') == 2
    assert _differences(minimal_site / "once/site", minimal_site / "twice/site") == []


def test_the_toc_template_is_one_macro_with_the_same_text() -> None:
    material = (
        '{#-\n  generated\n-#}\n{% set title = lang.t("toc") %}\n<nav class="x" aria-label="{{ title }}">'
        "{{ page.toc }}</nav>\n"
    )
    rewritten = mkdocs_fragments.rewrite_source(mkdocs_fragments.TOC, material)
    assert "oqu_fresh_toc" in rewritten and rewritten.endswith("</nav>" + mkdocs_fragments._TOC_CALL + "\n")
    env = jinja2.Environment(loader=jinja2.DictLoader({"a": material, "b": rewritten}))
    page = {"toc": "T"}
    lang = {"t": lambda key: f"word {key}"}
    assert env.get_template("a").render(page=page, lang=lang) == env.get_template("b").render(
        page=page, lang=lang
    )
    changed = material.replace('lang.t("toc")', "lang.t('toc')")
    assert mkdocs_fragments.rewrite_source(mkdocs_fragments.TOC, changed) == changed


def test_page_independent_partials_rendered_once_give_the_same_site(
    minimal_site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[str] = []
    fresh_partial = mkdocs_fragments._Fragments.partial

    def count_partial(self: Any, context: Any, render: Any, name: str) -> str:
        if name not in self.partials:
            made.append(name)
        return fresh_partial(self, context, render, name)

    monkeypatch.setattr(mkdocs_fragments._Fragments, "partial", jinja2.pass_context(count_partial))
    monkeypatch.setattr(os, "cpu_count", lambda: 1)  # the projects built in this process: counted
    build_site(minimal_site, minimal_site / "once", paper=False)
    assert {"partials/search.html", "partials/logo.html", "partials/top.html"} <= set(made)
    assert len(made) < 10 * len(set(made))  # once per project, not per page
    monkeypatch.setattr(mkdocs_fragments, "BY_PROJECT_PARTIALS", False)
    made.clear()
    build_site(minimal_site, minimal_site / "per-page", paper=False)
    assert made == []
    assert _differences(minimal_site / "once/site", minimal_site / "per-page/site") == []


@pytest.mark.parametrize("name", sorted(mkdocs_fragments.PAGE_INDEPENDENT))
def test_page_independent_partials_are_materials_text(name: str) -> None:
    """The digests are of the installed Material's text (a new release: read the new text for
    anything of the page before updating them), and the wrapped text renders the same."""
    import material

    source = (Path(material.__file__).parent / "templates" / name).read_text(encoding="utf-8")
    rewritten = mkdocs_fragments.rewrite_source(name, source)
    assert rewritten != source, f"{name} changed: is it still the same on every page?"
    assert "page" not in source.replace("page-", "")  # reads nothing of the page
    texts = {"a": source, "b": rewritten}
    env = jinja2.Environment(loader=jinja2.FunctionLoader(lambda n: texts.get(n, f"<svg>{n}</svg>\n")))
    env.filters["url"] = lambda value: f"url({value})"
    values = {
        "config": {
            "theme": {"icon": {"logo": "material/x", "admonition": {"note": "material/x"}}, "palette": [{}]}
        },
        "features": ["content.tabs.link", "search.share", "search.suggest"],
        "lang": {"t": lambda key: f"word {key}"},
    }
    assert env.get_template("a").render(values) == env.get_template("b").render(values)
    assert mkdocs_fragments.rewrite_source(name, source + " ") == source + " "


def test_the_header_runs_are_materials_text() -> None:
    """Material's header cut into its page-independent runs renders the same (the title, the
    language switcher and the tabs stay the page's own), with and without the memo."""
    import material

    source = (Path(material.__file__).parent / "templates" / mkdocs_fragments.HEADER).read_text(
        encoding="utf-8"
    )
    rewritten = mkdocs_fragments.rewrite_source(mkdocs_fragments.HEADER, source)
    assert rewritten.count("oqu_partial(") == 3, "Material's header changed: read it for the page again"
    texts = {"a": source, "b": rewritten, "partials/alternate.html": "<alternate {{ page.url }}>"}
    texts["partials/tabs.html"] = "<tabs {{ page.url }}>"  # the page's parts; other partials: stand-ins
    env = jinja2.Environment(loader=jinja2.FunctionLoader(lambda n: texts.get(n, f"<{n}>\n")))
    env.filters["url"] = lambda value: f"url({value})"
    for features in ([], ["navigation.tabs", "navigation.tabs.sticky"]):  # a project's features
        fragments = mkdocs_fragments._Fragments(lambda context, value: f"url({value})")
        for page in (
            SimpleNamespace(meta={"title": "Meta title"}, title="T", url="a/"),
            SimpleNamespace(meta={}, title="Title", url="b/"),
        ):
            values = {
                "config": {
                    "theme": {"icon": {}, "palette": [{}]},
                    "extra": {"alternate": [{"link": "/ru/"}]},
                    "plugins": {"material/search": SimpleNamespace(config=SimpleNamespace(enabled=True))},
                    "repo_url": "https://example.org",
                    "site_name": "Site",
                },
                "features": features,
                "lang": {"t": lambda key: f"word {key}"},
                "nav": SimpleNamespace(homepage=SimpleNamespace(url="")),
                "page": page,
            }
            expected = env.get_template("a").render(values)
            assert env.get_template("b").render(values) == expected
            remembered = env.get_template("b").render(values, oqu_partial=fragments.partial)
            assert remembered == expected and (page.meta.get("title") or page.title) in expected
            assert f"<alternate {page.url}>" in expected and (f"<tabs {page.url}>" in expected) == bool(
                features
            )
    assert set(fragments.partials) == {"header-0", "header-1", "header-2"}
    assert mkdocs_fragments.rewrite_source(mkdocs_fragments.HEADER, source + " ") == source + " "


def test_the_navigation_list_is_materials_text() -> None:
    """Material's navigation after its import, as one macro, renders the same; remembered, the
    top items are called again on each page (the page's own item rendered anew)."""
    import material

    source = (Path(material.__file__).parent / "templates" / mkdocs_fragments.NAV).read_text(encoding="utf-8")
    rewritten = mkdocs_fragments.rewrite_source(mkdocs_fragments.NAV, source)
    assert "oqu_fresh_nav" in rewritten, "Material's nav.html changed: read it for the page again"
    item = (
        "{% macro oqu_fresh_render(nav_item, path, level, parent) %}<li {{ path }} {{ level }} {{ nav_item.title }}"
        "{{ ' here' if nav_item == page }} {{ nav_item.url | url }}>{% endmacro %}"
        "{% macro render(nav_item, path, level, parent) %}{{ oqu_nav_fragment(oqu_fresh_render, nav_item, path,"
        " level, parent) if oqu_nav_fragment is defined else oqu_fresh_render(nav_item, path, level, parent) }}"
        "{% endmacro %}"
    )
    texts = {"a": source, "b": rewritten, "partials/nav-item.html": item}
    env = jinja2.Environment(loader=jinja2.FunctionLoader(lambda n: texts.get(n, f"<{n}>\n")))
    fragments = mkdocs_fragments._Fragments(lambda context, value: f"url({value} from {context['page'].url})")
    env.filters["url"] = fragments.url
    items = [SimpleNamespace(title=f"T{i}", url=f"p{i}/", active=False, children=None) for i in range(3)]
    for page in items:
        page.active = True
        values = {
            "config": {"extra": {}, "site_name": "Site", "repo_url": "https://example.org"},
            "features": [],
            "lang": {"t": lambda key: f"word {key}"},
            "nav": SimpleNamespace(homepage=items[0], items=items),
            "page": page,
        }
        expected = env.get_template("a").render(values)
        assert env.get_template("b").render(values) == expected
        remembered = env.get_template("b").render(
            values, oqu_nav_list=fragments.nav_list, oqu_nav_fragment=fragments.nav_item
        )
        assert remembered == expected and f"{page.title} here url({page.url} from {page.url})" in expected
        page.active = False
    assert isinstance(fragments.top, tuple) and len(fragments.top[2]) == 3
