"""Words of the sign-in pages, in Kazakh, Russian and English (see the glossary).

They live in the service's catalogues (`quiz_service/core/translations/`) under `login.*`
(the sign-in form) and `pages.*` (the sign-in, profile and admin pages).
"""

from __future__ import annotations

from quiz_service.core.i18n import Words

LOGIN = Words("login")
PAGES = Words("pages")
