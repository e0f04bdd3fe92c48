"""QR codes that lead from paper to the page online (segno, SVG, no raster)."""

from __future__ import annotations

from html import escape

import segno


def qr_html(url: str, label: str) -> str:
    """A QR code of `url` with the URL printed under it, so it also works without a phone."""
    code = segno.make(url, error="m", micro=False)
    data = code.svg_data_uri(scale=4, border=4, dark="#000", light="#fff")
    return (
        f'<figure class="oqu-qr"><img src="{escape(data)}" alt="{escape(label)}">'
        f'<figcaption><a href="{escape(url)}">{escape(url)}</a></figcaption></figure>'
    )
