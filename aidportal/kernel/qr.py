"""QR codes of page addresses, drawn on the server as inline SVG (segno):
readers scan them with WeChat or a phone's camera; no third-party script."""

import segno
from django.utils.safestring import SafeString, mark_safe

# Each module is a 4 px square; segno's quiet zone (4 modules) frames it.
SCALE = 4


def qr_svg(data: str, *, label: str) -> SafeString:
    """An ``<svg role="img">`` whose accessible name is ``label``, drawn as
    one path in black, with no style attribute (the site's CSP) and no XML
    declaration (it is meant for inline use in HTML); segno escapes the
    label."""
    code = segno.make(data, error="m", micro=False)
    svg = code.svg_inline(scale=SCALE, title=label, svgclass=None, lineclass=None)
    return mark_safe(svg.replace("<svg ", '<svg role="img" ', 1))
