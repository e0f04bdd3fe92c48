"""Words of the reports pages and exports, kk / ru / en.

They live in the service's catalogues (`quiz_service/core/translations/`) under `reports.*`.
"""

from __future__ import annotations

from quiz_service.core.i18n import Words

REPORT_TEXTS = Words("reports")
