"""Words of the footprint's page, kk / ru / en: `footprint.*` in the service's catalogues."""

from __future__ import annotations

from quiz_service.core.i18n import Words

FOOTPRINT = Words("footprint")
PROGRESS = Words("progress")
