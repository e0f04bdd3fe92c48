"""The page shell: a service page with the site's look (`core/base.html`), in the asked language.

The core's templates (`core/base.html`, `core/error.html`) are installed by `errors.init_app`.

Auth and every feature render their pages through `render_page`. The core knows nothing of
auth: what a page needs from it (the CSRF token of the forms, the language links of a sign-in
flow) comes from providers that auth adds with `add_page_context`, and the sign-in page that
`to_sign_in` sends visitors to is the endpoint auth names with `set_sign_in`. A feature's
pages for signed-in users wrap their views in `signed_in_page(refusal)`.

Every page has the static site's header: the site's name (from the service bundle), the
catalogue, a search box that asks the site-wide search page, the language links, the account,
and the menu items features add with `add_menu_item` ("My studies", "Teacher tools", …).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, cast
from zoneinfo import ZoneInfo

from flask import Flask, Response, current_app, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as WerkzeugResponse  # redirect()'s type, base of Flask's

from quiz_service.core import formatting
from quiz_service.core.domain import DomainError
from quiz_service.core.errors import error_page
from quiz_service.core.i18n import LANGUAGE_NAMES, request_language
from quiz_service.core.shell import EXTENSION, MenuItem, MenuLink, PageContext, PageShell, shell_context

__all__ = ["MenuItem", "MenuLink", "PageShell"]  # the header's menu, from core.shell

Page = Callable[..., WerkzeugResponse]  # a page, or a redirect after a form
Refusal = Callable[[DomainError], Response]
def init_app(app: Flask) -> None:
    app.extensions.setdefault(EXTENSION, PageShell())


def add_page_context(app: Flask, provider: PageContext) -> None:
    """Add names to every page's template context (a later provider wins over an earlier one)."""
    app.extensions[EXTENSION].providers.append(provider)


def add_menu_item(app: Flask, item: MenuItem) -> None:
    """A link in every page's header menu, after the catalogue (by `order`)."""
    app.extensions[EXTENSION].menu.append(item)


def set_sign_in(app: Flask, endpoint: str) -> None:
    """The sign-in page (`to_sign_in` adds `next` and `lang` to its URL)."""
    app.extensions[EXTENSION].sign_in_endpoint = endpoint


def render_page(
    template: str, *, status: int = 200, zone: ZoneInfo | None = None, **context: Any
) -> Response:
    """A page in the asked language: `lang`, `languages` and `language_url` for the shell, the
    formatters (`number`, `percent`, `score`, `moment`, `zone_label`: the language's signs, times
    in `zone`, the site's unless given), then what the providers add, then the view's `context`."""
    lang = request_language()
    page: dict[str, Any] = {
        "lang": lang,
        "languages": LANGUAGE_NAMES,
        "language_url": language_url,
        **shell_context(lang),
        **formatters(lang, zone or formatting.site_zone()),
    }
    for provider in current_app.extensions[EXTENSION].providers:
        page.update(provider())
    html = render_template(template, **(page | context))
    return Response(html, status=status, mimetype="text/html")


def formatters(lang: str, zone: ZoneInfo) -> dict[str, Callable[..., str]]:
    """The one number and time formatter, bound to a page's language and zone."""
    return {
        "number": lambda value: formatting.number(value, lang),
        "percent": lambda value: formatting.percent(value, lang),
        "score": lambda points, most, share=None: formatting.score(points, most, share, lang),
        "moment": lambda value: formatting.moment(value, lang, zone),
        "zone_label": lambda: formatting.zone_label(zone, lang),
    }


def language_url(code: str) -> str:
    """This page in another language: the same address with `lang`, or the site's home in it."""
    if request.method != "GET" or request.endpoint is None:
        return f"/{code}/"
    return url_for(request.endpoint, **(request.view_args or {}), lang=code)


def to_sign_in() -> Response:
    """To the sign-in page, back here afterwards (401 when no sign-in page is installed)."""
    endpoint = current_app.extensions[EXTENSION].sign_in_endpoint
    if endpoint is None:
        return error_page(401)
    target = url_for(endpoint, next=request.full_path.rstrip("?"), lang=request_language())
    return cast(Response, redirect(target))  # the app's response class: a Flask Response


def signed_in_page(refusal: Refusal) -> Callable[[Page], Page]:
    """A page for signed-in users (`g.user`, set by auth): signed-out visitors go to the sign-in
    page, and a refusal of the domain becomes `refusal(error)`, a page in the asked language."""

    def decorate(view: Page) -> Page:
        @functools.wraps(view)
        def wrapper(**kwargs: Any) -> WerkzeugResponse:
            if g.get("user") is None:
                return to_sign_in()
            try:
                return view(**kwargs)
            except DomainError as error:
                return refusal(error)

        return wrapper

    return decorate
