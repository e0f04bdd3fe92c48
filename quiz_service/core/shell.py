"""The header and footer every page of the service shares: the site's name and contact (from
the service bundle), the menu features add to (`core.pages.add_menu_item`), the shell's words.

Separate from `pages` so that the error pages (`core.errors`, below `pages`) wear it too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import current_app

from quiz_service.core import service_bundle
from quiz_service.core.i18n import Words, texts_for

EXTENSION = "oqu_pages"
PageContext = Callable[[], Mapping[str, Any]]
SHELL = Words("shell")


def _always() -> bool:
    return True


@dataclass(frozen=True, slots=True)
class MenuItem:
    """A link of the header's menu: its word (`shell.<word>`), its address in a language, and
    whether the current visitor sees it (a teacher's tools only for teachers)."""

    word: str
    url: Callable[[str], str]
    shown: Callable[[], bool] = _always
    order: int = 50  # smaller first


@dataclass(frozen=True, slots=True)
class MenuLink:
    text: str
    url: str


class PageShell:
    """What auth (or another layer above) adds to every page; installed by `init_app`."""

    def __init__(self) -> None:
        self.providers: list[PageContext] = []
        self.sign_in_endpoint: str | None = None
        self.menu: list[MenuItem] = []


def site_texts(lang: str) -> dict[str, str | None]:
    """The site's name and contact for the header and the footer, from the service bundle (the
    shell's own words when nothing is built yet)."""
    loaded = "oqu_service_bundle" in current_app.extensions  # not while the app is being made
    manifest = service_bundle.current().manifest if loaded else None
    site = manifest.site if manifest is not None else None
    name = (site.name.get(lang) if site else None) or texts_for(SHELL, lang)["site"]
    institution = (site.institution.get(lang) if site else None) or ""
    return {"name": name, "institution": institution, "contact_email": site.contact_email if site else None}


def menu_links(lang: str) -> list[MenuLink]:
    words = texts_for(SHELL, lang)
    installed = current_app.extensions.get(EXTENSION)
    items = sorted(installed.menu if installed else [], key=lambda item: item.order)
    return [MenuLink(words[item.word], item.url(lang)) for item in items if item.shown()]


def shell_context(lang: str) -> dict[str, Any]:
    """`shell` (its words), `site`, `menu` and an empty `account` (auth fills it in)."""
    return {"shell": texts_for(SHELL, lang), "site": site_texts(lang), "menu": menu_links(lang), "account": None}
