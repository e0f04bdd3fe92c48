"""Words of proctoring's pages, kk / ru / en: `proctor.*` in the service's catalogues."""

from __future__ import annotations

from quiz_service.core.i18n import Words

PROCTOR = Words("proctor")
