"""Words of the teacher tools (teaching and overrides), kk / ru / en.

They live in the service's catalogues (`quiz_service/core/translations/`) under `teach.*`.
"""

from __future__ import annotations

from quiz_service.core.i18n import Words

TEACH = Words("teach")
