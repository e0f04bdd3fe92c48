"""Words of the schedule pages (`schedules.*` in the service's catalogues), kk / ru / en."""

from __future__ import annotations

from quiz_service.core.i18n import Words

SCHEDULES = Words("schedules")
