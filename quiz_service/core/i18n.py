"""The interface languages: Kazakh first, then Russian and English."""

from __future__ import annotations

from collections.abc import Mapping

from flask import request

LANGUAGES = ("kk", "ru", "en")
DEFAULT_LANGUAGE = "kk"

Texts = Mapping[str, Mapping[str, str]]


def request_language() -> str:
    """The language asked for by `?lang=` (or a form's `lang` field), else Kazakh."""
    asked = request.values.get("lang", "")
    return asked if asked in LANGUAGES else DEFAULT_LANGUAGE


def texts_for(texts: Texts, language: str) -> Mapping[str, str]:
    return texts.get(language) or texts[DEFAULT_LANGUAGE]
