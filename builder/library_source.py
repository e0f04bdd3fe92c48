"""The text of the library code that the build's faster paths stand for, as one digest.

Where the build replaces a library's code path with a faster one that gives the same bytes
(builder/mkdocs_markdown.py, mkdocs_fragments.py, mkdocs_setup.py, mkdocs_runner.py,
jinja_getattr.py), it compares the SHA-256 of the installed functions' source with the digest
of the source it was written against: another version of the library runs its own code."""

from __future__ import annotations

import hashlib
import inspect


def source_digest(*functions: object) -> str:
    """The SHA-256 of the functions' source, one after another ("" when a source cannot be read:
    no guarded path then)."""
    try:
        text = "".join(inspect.getsource(function) for function in functions)  # type: ignore[arg-type]
    except (OSError, TypeError):
        return ""
    return hashlib.sha256(text.encode()).hexdigest()
