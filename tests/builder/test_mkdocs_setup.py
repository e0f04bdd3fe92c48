"""The MkDocs internals oqu patches in its own processes (builder/mkdocs_setup.py) give the same
site, byte for byte, as MkDocs' own code: here the one Markdown converter reset between pages."""

from __future__ import annotations

import filecmp
from pathlib import Path

import pytest

import builder.mkdocs_setup as mkdocs_setup
from builder.pipeline import build_site

# What keeps state between documents in a converter: footnotes, heading ids (repeated across
# pages), abbreviations, tabs and code blocks (counters), raw HTML (the stash), a details block.
STATEFUL = """

## Қайталанатын тақырып

Мәтін[^1] және ӨҚ қысқартуы.

*[ӨҚ]: Өрт қауіпсіздігі

=== "Бірінші"

    ```python
    print("бір")
    ```

=== "Екінші"

    Екінші қойынды.

??? note "Толығырақ"
    Ішкі мәтін.

<div class="oqu-raw">шикі HTML</div>

## Қайталанатын тақырып

[^1]: Ескерту.
"""


def _add_stateful_markdown(site: Path) -> None:
    for lesson in sorted((site / "content/courses").rglob("*.md")):
        with lesson.open("a", encoding="utf-8") as text:
            text.write(STATEFUL)


def _differences(left: Path, right: Path) -> list[str]:
    found: list[str] = []
    compared = filecmp.dircmp(left, right)
    found += [f"{left.name}: only one side: {name}" for name in compared.left_only + compared.right_only]
    for name in compared.common_files:
        if (left / name).read_bytes() != (right / name).read_bytes():
            found.append(str(left / name))
    for name in compared.common_dirs:
        found += _differences(left / name, right / name)
    return found


def test_one_converter_per_project_renders_as_mkdocs_does(
    minimal_site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _add_stateful_markdown(minimal_site)
    build_site(minimal_site, minimal_site / "reused")
    monkeypatch.setattr(mkdocs_setup, "REUSE_MARKDOWN_CONVERTER", False)
    build_site(minimal_site, minimal_site / "mkdocs")
    page = (minimal_site / "reused/site/kk/courses/first-aid/practice/bandage/index.html").read_text(
        encoding="utf-8"
    )
    assert 'class="footnote"' in page and "tabbed-set" in page and "<abbr" in page  # it was rendered
    assert _differences(minimal_site / "reused/site", minimal_site / "mkdocs/site") == []
