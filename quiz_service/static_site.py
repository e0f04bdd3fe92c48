"""Serving the built static site (build/site) at `/`, as any plain web server would.

Directory URLs answer with their index.html, a missing file with the site's own 404.html (the
one of the address's language folder, `/<lang>/404.html`, when the build wrote one),
and nothing outside the site folder (or hidden in it) is ever reachable. /api/ and /auth/
belong to the service, never to the site. Files of `access: enrolled` courses go only to
their readers (auth.access): anonymous visitors are sent to sign in, others get a 403 page.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import quote

from flask import Flask, Response, abort, current_app, redirect, request, send_file
from werkzeug.routing import PathConverter
from werkzeug.security import safe_join
from werkzeug.wrappers import Response as WerkzeugResponse  # redirect()'s type, base of Flask's

from auth import access
from quiz_service.core.i18n import LANGUAGES

INDEX = "index.html"
NOT_FOUND_PAGE = "404.html"

# Types that matter to browsers and that some systems' mime.types get wrong or lack.
CONTENT_TYPES = {
    ".html": "text/html",
    ".css": "text/css",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".json": "application/json",
    ".map": "application/json",
    ".svg": "image/svg+xml",
    ".webmanifest": "application/manifest+json",
    ".vtt": "text/vtt",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".wasm": "application/wasm",
    ".webp": "image/webp",
    ".mp4": "video/mp4",
    ".webm": "video/webm",
    ".mp3": "audio/mpeg",
    ".xml": "application/xml",
    ".txt": "text/plain",
}


class SitePathConverter(PathConverter):
    """A path that does not start with a folder the service owns."""

    regex = r"(?!(?:api|auth)(?:/|$))[^/].*?"


def init_app(app: Flask) -> None:
    app.url_map.converters["sitepath"] = SitePathConverter
    app.add_url_rule("/", "static_site", serve_site_file, methods=["GET"])
    app.add_url_rule("/<sitepath:path>", "static_site", serve_site_file, methods=["GET"])


def serve_site_file(path: str = "") -> WerkzeugResponse:
    """The file at `path`, decided and looked up on the one normalised path (auth.access)."""
    site_dir: Path = current_app.config["SITE_DIR"]
    normal = access.normalise_site_path("/" + path)
    if normal is None or _is_hidden(normal):
        return not_found(site_dir, normal)
    relative = normal.lstrip("/")
    joined = safe_join(str(site_dir), relative) if relative else str(site_dir)
    if joined is None:
        return not_found(site_dir, normal)
    refusal = access.refusal(normal)
    if refusal is not None:
        return refusal
    target = Path(joined)
    if target.is_dir():
        if relative and not normal.endswith("/"):
            return _redirect_to_folder(relative)
        target = target / INDEX
    if not target.is_file():
        return not_found(site_dir, normal)
    response = send_file(target, mimetype=content_type(target))
    if access.course_of_path(normal) is not None:
        response.headers["Cache-Control"] = "private, no-cache"  # never in a shared cache
    return response


def _is_hidden(path: str) -> bool:
    return any(part.startswith(".") and part != ".well-known" for part in path.split("/"))


def _redirect_to_folder(path: str) -> WerkzeugResponse:
    query = request.query_string.decode("ascii", "replace")
    return redirect(quote(f"/{path}/") + (f"?{query}" if query else ""), code=301)


def content_type(path: Path) -> str:
    known = CONTENT_TYPES.get(path.suffix.lower())
    guessed, _ = mimetypes.guess_type(path.name)
    return known or guessed or "application/octet-stream"


def not_found(site_dir: Path, path: str | None = None) -> Response:
    """The 404 page of the address's language folder, else the site's, else the service's."""
    first = (path or "/").lstrip("/").split("/", 1)[0]
    pages = [site_dir / first / NOT_FOUND_PAGE] if first in LANGUAGES else []
    for page in [*pages, site_dir / NOT_FOUND_PAGE]:
        if page.is_file():
            return Response(page.read_bytes(), status=404, mimetype="text/html")
    abort(404)
