"""The words of the notices' pages and the banner (catalogue table `notices`)."""

from quiz_service.core.i18n import Words

NOTICES = Words("notices")
