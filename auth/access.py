"""Gated courses: who may fetch the files of `/<lang>/courses/<id>/…` of the built site.

The service bundle's manifest says which courses are `access: enrolled`. In the embedded
mode the service serves the site itself and asks `site_file_allowed`; in production nginx
asks `GET /auth/request` (auth_request) with the original URI in `X-Original-URI`.
"""

from __future__ import annotations

import posixpath
import re
from urllib.parse import unquote, urlsplit

from flask import current_app, g

from auth.enrolment import CourseAccess, may_read
from quiz_service import db, service_bundle

COURSE_PATH = re.compile(r"^/(?P<lang>[^/]+)/courses/(?P<course>[a-z0-9][a-z0-9-]*)(?:/|$)")


def courses() -> dict[str, CourseAccess]:
    """The manifest's courses by id (cached per loaded bundle)."""
    cache = current_app.extensions.setdefault("oqu_course_access", {})
    bundle = service_bundle.current()
    if cache.get("bundle") is not bundle:
        listed = (bundle.manifest or {}).get("courses", [])
        cache.update(
            bundle=bundle,
            courses={
                str(course["id"]): CourseAccess(
                    id=str(course["id"]),
                    access=str(course.get("access", "open")),
                    titles=dict(course.get("title") or {}),
                    teachers=frozenset(str(t).lower() for t in course.get("teachers") or ()),
                )
                for course in listed
                if isinstance(course, dict) and "id" in course
            },
        )
    known: dict[str, CourseAccess] = cache["courses"]
    return known


def course_of_path(path: str) -> CourseAccess | None:
    """The gated course a site path belongs to, or None for anything public.

    The path is taken as given and once more percent-decoded, each normalised ("..", "//"):
    if either form falls in a gated course, so does the request (a proxy may pass the raw
    URI or the decoded one).
    """
    raw = urlsplit(path).path
    for form in (raw, unquote(raw)):
        course = _gated_course(posixpath.normpath("/" + form.lstrip("/")))
        if course is not None:
            return course
    return None


def _gated_course(path: str) -> CourseAccess | None:
    match = COURSE_PATH.match(path)
    if match is None:
        return None
    course = courses().get(match["course"])
    if course is None:
        # A course folder the manifest does not list (no bundle yet, or a build newer than the
        # loaded bundle): closed until the manifest says it is open, never open by default.
        return CourseAccess(id=match["course"], access="enrolled", titles={})
    return None if course.is_open else course


def decide(path: str) -> int:
    """200 when the current user may fetch `path`, 401 when signing in may help, else 403."""
    course = course_of_path(path)
    if course is None:
        return 200
    user = g.get("user")
    if user is None:
        return 401
    return 200 if may_read(db.session(), user, course) else 403
