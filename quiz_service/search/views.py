"""GET /api/v1/search?q=&lang=&course=: ranked hits with snippets, only from visible courses."""

from __future__ import annotations

from typing import Literal

from flask import Blueprint, current_app, g
from pydantic import BaseModel, ConfigDict, Field

from builder.search import SearchIndex, SearchIndexMissing
from quiz_service.core import service_bundle
from quiz_service.core.errors import MESSAGES, ApiError
from quiz_service.core.openapi import operation
from quiz_service.search.access import can_see_course, visible_courses

bp = Blueprint("search", __name__, url_prefix="/api/v1")


class SearchQuery(BaseModel):
    """The query string of a search."""

    model_config = ConfigDict(extra="forbid")

    q: str = Field(min_length=1, max_length=200, description="The words to find, in any inflected form.")
    lang: Literal["kk", "ru", "en"] | None = Field(default=None, description="Only this language.")
    course: str | None = Field(
        default=None, pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=80, description="Only this course (its id)."
    )
    limit: int = Field(default=10, ge=1, le=50)


class SearchHitOut(BaseModel):
    kind: Literal["lesson", "caption", "question", "course"]
    course: str
    lang: str
    url: str = Field(description="Site-relative: a lesson heading's anchor, or #t=SECONDS for a caption.")
    title: str
    heading: str
    snippet: str = Field(description="HTML: the text escaped, matched words in <mark>.")
    course_title: str
    module_title: str
    seconds: int | None


class SearchResponse(BaseModel):
    query: str
    match: Literal["all", "similar", "any", "none"]
    hits: list[SearchHitOut]


@bp.get("/search")
@operation("Find lessons, lecture moments and courses", query=SearchQuery, response=SearchResponse)
def search(query: SearchQuery) -> SearchResponse:
    manifest = service_bundle.current().manifest
    course_ids = [course.id for course in manifest.courses] if manifest else []
    allowed = visible_courses(g.get("user"), course_ids)
    if query.course is not None:
        allowed = _one_course(query.course, course_ids, allowed)
    try:
        results = _index().search(query.q, query.lang, courses=allowed, limit=query.limit)
    except SearchIndexMissing:  # a build replacing the whole index right now
        current_app.extensions.pop("oqu_search_index", None)
        raise ApiError(503, "search_unavailable", "Search is being rebuilt; try again in a moment.") from None
    hits = [
        SearchHitOut(
            kind=hit.kind,  # type: ignore[arg-type]
            course=hit.course,
            lang=hit.lang,
            url=hit.url,
            title=hit.title,
            heading=hit.heading,
            snippet=hit.snippet,
            course_title=hit.course_title,
            module_title=hit.module_title,
            seconds=hit.seconds,
        )
        for hit in results.hits
    ]
    return SearchResponse(query=query.q, match=results.match, hits=hits)  # type: ignore[arg-type]


def _one_course(course_id: str, course_ids: list[str], allowed: set[str]) -> set[str]:
    if course_id not in course_ids:
        raise ApiError(404, "unknown_course", f"There is no course '{course_id}'.")
    if not can_see_course(g.get("user"), course_id):
        if g.get("user") is None:
            raise ApiError(401, "unauthorized", MESSAGES[401], {"WWW-Authenticate": "Bearer"})
        raise ApiError(403, "forbidden", "This course is open to its enrolled students only.")
    return allowed & {course_id}


def _index() -> SearchIndex:
    index: SearchIndex | None = current_app.extensions.get("oqu_search_index")
    if index is None:
        try:
            index = SearchIndex(current_app.config["SEARCH_DIR"])
        except SearchIndexMissing:
            raise ApiError(
                503, "search_unavailable", "Search is not ready: the site has not been built."
            ) from None
        current_app.extensions["oqu_search_index"] = index
    return index
