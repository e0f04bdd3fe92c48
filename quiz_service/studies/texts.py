"""The words of "My studies" (catalogue table `studies`)."""

from quiz_service.core.i18n import Words

STUDIES = Words("studies")
