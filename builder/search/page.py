"""The site-wide search page of each catalogue project (`/<lang>/find/`).

`search/` is taken: Material writes its client-side index to `search/search_index.json`. The
page asks the service (assets/oqu/search.js); when the service cannot be reached (an offline
copy, a partner's mirror) it offers each course's own client-side search, opened with `?q=`.
Every word of the page comes from builder.i18n; the script carries none.
"""

from __future__ import annotations

import html
import json

from builder import pages
from builder.i18n import t
from builder.model import Site

FIND_PAGE = "find.md"


def find_page(site: Site, lang: str) -> str:
    words = {
        "nothing": t("search.nothing", lang),
        "similar": t("search.similar", lang),
        "any": t("search.any", lang),
        "video": t("search.video_at", lang),
        "failed": t("search.failed", lang),
        "sign_in_more": t("search.sign_in_more", lang),
        "sign_in": t("sign_in", lang),
    }
    courses = "".join(
        f'<option value="{pages.hesc(course.id)}">{pages.hesc(pages.tr(course.config.title, lang))}</option>'
        for course in pages.sorted_courses(site)
    )
    fallback = "".join(
        f'<li><a data-oqu-course-search href="{pages.hesc(_course_href(lang, course.id, course.languages))}">'
        f"{pages.hesc(pages.tr(course.config.title, lang))}</a></li>"
        for course in pages.sorted_courses(site)
    )
    attributes = {
        "data-oqu-find": "",
        "data-service": site.config.service_url,
        "data-lang": lang,
        "data-words": json.dumps(words, ensure_ascii=False),
    }
    attrs = " ".join(f'{name}="{html.escape(value, quote=True)}"' for name, value in attributes.items())
    return "\n".join(
        [
            pages.front_matter(t("search", lang)),
            f"# {t('search', lang)}",
            "",
            f'<div class="oqu-find" {attrs} markdown="0">',
            f"<p>{pages.hesc(t('search.intro', lang))}</p>",
            '<form class="oqu-find__form" role="search" action="./" method="get">',
            f'<input type="search" name="q" required maxlength="200" autocomplete="off" '
            f'aria-label="{pages.hesc(t("search", lang))}" '
            f'placeholder="{pages.hesc(t("search.placeholder", lang))}">',
            f'<select name="course" aria-label="{pages.hesc(t("courses", lang))}">'
            f'<option value="">{pages.hesc(t("search.all_courses", lang))}</option>{courses}</select>',
            f'<button type="submit" class="md-button md-button--primary">{pages.hesc(t("search", lang))}</button>',
            "</form>",
            '<p class="oqu-find__more" hidden></p>',
            '<p class="oqu-find__status" role="status" aria-live="polite"></p>',
            '<ol class="oqu-find__results"></ol>',
            '<div class="oqu-find__offline" hidden>',
            f"<p>{pages.hesc(t('search.offline', lang))}</p>",
            f"<ul>{fallback}</ul>",
            "</div>",
            f"<noscript><p>{pages.hesc(t('search.offline', lang))}</p><ul>{fallback}</ul></noscript>",
            "</div>",
            "",
        ]
    )


def _course_href(lang: str, course_id: str, languages: list[str]) -> str:
    shown = lang if lang in languages else languages[0]
    return f"../courses/{course_id}/" if shown == lang else f"../../{shown}/courses/{course_id}/"
