"""Formulas for print: WeasyPrint draws no MathML, so each formula becomes an SVG (ziamath)."""

from __future__ import annotations

import base64
import re
from html import escape

_VIEWBOX_RE = re.compile(r'viewBox="([-\d.]+) ([-\d.]+) ([-\d.]+) ([-\d.]+)"')
FONT_SIZE = 11  # points, the body text's size (print.css)


def formula_html(latex: str, display: bool) -> str:
    """An <img> of the formula sized in points and sitting on the text's baseline; alt is the LaTeX."""
    import ziamath  # half a second to import: only builds with formulas on paper pay it, not every `oqu`

    svg = ziamath.Latex(latex.strip(), size=FONT_SIZE * (1.1 if display else 1)).svg()
    box = _VIEWBOX_RE.search(svg)
    assert box is not None, "ziamath always writes a viewBox"
    _, top, width, height = (float(value) for value in box.groups())
    descent = height + top  # the viewBox starts at minus the ascent; the baseline is y = 0
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    image = (
        f'<img class="oqu-formula" alt="{escape(latex.strip())}" src="data:image/svg+xml;base64,{data}" '
        f'style="width:{width:.2f}pt;height:{height:.2f}pt;vertical-align:{-descent:.2f}pt">'
    )
    return f'<div class="oqu-formula-display">{image}</div>' if display else image
