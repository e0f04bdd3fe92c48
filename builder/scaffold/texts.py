"""The words of the files `oqu init` and `oqu new` write, in kk, ru and en.

They are the `scaffold.*` messages of the builder's catalogues (`builder/locales/`).
"""

from __future__ import annotations

from builder.i18n import LANGUAGES, STRINGS, t

PREFIX = "scaffold."

# name -> language -> text, read from the catalogues (what the hand-made table was)
TEXTS: dict[str, dict[str, str]] = {
    key[len(PREFIX) :]: {lang: STRINGS[key][lang] for lang in LANGUAGES}
    for key in STRINGS
    if key.startswith(PREFIX)
}


def text(key: str, lang: str) -> str:
    return t(f"{PREFIX}{key}", lang)
