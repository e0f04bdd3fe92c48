"""The site's quizzes as `oqu check` and `oqu build` load them, importing the quiz loader only
for a site that has quizzes: the loader (the quiz schemas, GIFT, the question types: ~0.07 s to
import) is not loaded for a site without them, such as a one-lesson rebuild of one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from builder.model import Site
from builder.problems import Problems

if TYPE_CHECKING:
    from builder.quizzes.model import Quiz


def load_site_quizzes(site: Site, problems: Problems) -> list[Quiz]:
    """`builder.quizzes.load.load_site_quizzes`: every quiz of every course, lessons' `quizzes:`
    references checked. Without a `quizzes/` folder in any course and a lesson naming a quiz,
    that is no quiz and no problem, which is answered here."""
    if not any((course.path / "quizzes").is_dir() for course in site.courses) and not any(
        getattr(variant.meta, "quizzes", None)
        for course in site.courses
        for _, lesson in course.lessons()
        for variant in lesson.variants.values()
    ):
        return []
    from builder.quizzes.load import load_site_quizzes as load

    return load(site, problems)
