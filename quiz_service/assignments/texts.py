"""Words of assignments and the gradebook, kk / ru / en: the service's catalogues, `assign.*`."""

from __future__ import annotations

from quiz_service.core.i18n import Words

ASSIGN = Words("assign")
