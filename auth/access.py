"""Gated courses: who may fetch the files of `/<lang>/courses/<id>/…` of the built site.

The service bundle's manifest says which courses are `access: enrolled`. In the embedded
mode the service serves the site itself and asks `decide`; in production nginx asks
`GET /auth/request` (auth_request) with the raw request URI in `X-Original-URI`. Both decide on
one normalised path (`normalise_request_uri`, `normalise_site_path`) that reads a URI as nginx
does when it looks for the file; what cannot be normalised is closed.
"""

from __future__ import annotations

import posixpath
import re
from urllib.parse import quote, unquote

from flask import current_app, g, redirect
from werkzeug.wrappers import Response as WerkzeugResponse  # redirect()'s type, base of Flask's

from auth.enrolment import CourseAccess, may_read
from auth.texts import PAGES
from quiz_service.core import db, service_bundle
from quiz_service.core.errors import error_page
from quiz_service.core.i18n import DEFAULT_LANGUAGE, LANGUAGES, texts_for

# The course folder of a site path (after normalisation); "courses" in any case, as a
# case-insensitive file system would read it. `/<lang>/courses/` and its index.html are the
# catalogue of courses, not a course.
COURSE_PATH = re.compile(r"^/(?P<lang>[^/]+)/courses/(?P<course>[^/]+)(?P<rest>/.*)?$", re.IGNORECASE)
CATALOGUE_FILES = frozenset({"index.html"})
# What no file of the built site is named with, and what servers read differently
# (NUL, control characters, backslash as a separator on some systems, a percent sign left
# after decoding once, which a second decoding would turn into something else).
UNSAFE_CHARACTERS = re.compile(r"[\x00-\x1f\x7f\\%]")


def courses() -> dict[str, CourseAccess]:
    """The manifest's courses by id (cached per loaded bundle)."""
    cache = current_app.extensions.setdefault("oqu_course_access", {})
    bundle = service_bundle.current()
    if cache.get("bundle") is not bundle:
        listed = bundle.manifest.courses if bundle.manifest else []
        cache.update(
            bundle=bundle,
            courses={
                course.id: CourseAccess(
                    id=course.id,
                    access=course.access,
                    titles=dict(course.title),
                    teachers=frozenset(teacher.lower() for teacher in course.teachers),
                )
                for course in listed
            },
        )
    known: dict[str, CourseAccess] = cache["courses"]
    return known


def normalise_request_uri(raw_uri: str) -> str | None:
    """The site path that a raw request URI names, as nginx resolves it; None if unsure.

    Decoded once (as nginx and WSGI servers decode), then as `normalise_site_path`. Only an
    origin-form URI (`/…`) is read: `//host/…` is a path here, as it is for nginx, never a host.
    """
    path = raw_uri.split("#", 1)[0].split("?", 1)[0]
    if not path.startswith("/"):
        return None
    try:
        decoded = unquote(path, errors="strict")
    except UnicodeDecodeError:
        return None
    return normalise_site_path(decoded)


def normalise_site_path(path: str) -> str | None:
    """One path for a decoded site path: slashes merged, `.` and `..` resolved, or None.

    nginx merges slashes and resolves dot segments before it looks for a file, and refuses to
    go above the root; anything with a character that servers or file systems read differently
    is None, which every caller treats as closed.
    """
    if UNSAFE_CHARACTERS.search(path):
        return None
    folder = path.endswith("/") or path.endswith("/.") or path.endswith("/..")
    normal = posixpath.normpath("/" + path.lstrip("/"))
    normal = "/" + normal.lstrip("/")  # normpath keeps a leading "//"
    if folder and normal != "/":
        normal += "/"
    return normal


def course_of_path(path: str) -> CourseAccess | None:
    """The gated course a normalised site path belongs to, or None for anything public."""
    match = COURSE_PATH.match(path)
    if match is None:
        return None
    name = match["course"]
    if match["rest"] is None and name.lower() in CATALOGUE_FILES:
        return None
    course = courses().get(name) if name == name.lower() else None
    if course is None and _no_such_course(match["lang"], name):
        return None  # nothing to protect: the site answers 404, to everyone alike
    if course is None:
        # A course folder the manifest does not list (no bundle yet, a build newer than the
        # loaded bundle, or a name in another case or with trailing dots that a file system may
        # take for a listed one): closed until the manifest says it is open, never open by default.
        return CourseAccess(id=name.lower(), access="enrolled", titles={})
    return None if course.is_open else course


def _no_such_course(language: str, name: str) -> bool:
    """True when this host has the site's `language` folder and no course folder `name` in it.

    A service host without the site (nginx serves it from elsewhere) cannot tell: the course
    stays closed there. A name that a case-insensitive file system would match stays closed too.
    """
    folder = current_app.config["SITE_DIR"] / language
    return (
        folder.is_dir()
        and not (folder / "courses" / name).exists()
        and not (folder / "courses" / name.lower()).exists()
    )


def decide(path: str | None) -> int:
    """200 when the current user may fetch the normalised site `path`, 401 when signing in may
    help, else 403. A path that could not be normalised (None) is closed to everyone."""
    if path is None:
        return 403
    course = course_of_path(path)
    if course is None:
        return 200
    user = g.get("user")
    if user is None:
        return 401
    return 200 if may_read(db.session(), user, course) else 403


def refusal(path: str | None) -> WerkzeugResponse | None:
    """None when the current user may fetch the normalised site `path`; else where to go:
    sign in first (303, back to the path afterwards) or the "enrolled students only" page (403).
    The embedded server and nginx (through `/auth/request/refused`) show the same."""
    verdict = decide(path)
    if verdict == 200:
        return None
    language = _language_of(path or "/")
    if verdict == 401 and path is not None:
        back = quote(quote(path), safe="")
        return redirect(f"/auth/login?next={back}&lang={language}", code=303)
    texts = texts_for(PAGES, language)
    return error_page(403, title=texts["course_closed_title"], message=texts["course_closed"])


def _language_of(path: str) -> str:
    first = path.lstrip("/").split("/", 1)[0]
    return first if first in LANGUAGES else DEFAULT_LANGUAGE
