import re

import segno

from aidportal.kernel.qr import qr_svg


def modules_drawn(svg):
    """The dark modules of segno's single-path SVG, read back from the path
    (rows of horizontal strokes in module units, each at y + 0.5)."""
    path = re.search(r' d="([^"]+)"', svg).group(1)
    dark = set()
    x = y = 0.0
    for command, a, b in re.findall(r"([Mmh])(-?[\d.]+)(?: (-?[\d.]+))?", path):
        if command == "M":
            x, y = float(a), float(b)
        elif command == "m":
            x, y = x + float(a), y + float(b)
        else:
            for column in range(int(x), int(x + float(a))):
                dark.add((int(y - 0.5), column))
            x += float(a)
    return dark


def modules_of(data):
    code = segno.make(data, error="m", micro=False)
    border = 4  # segno's quiet zone, which the drawing starts after
    return {
        (row + border, column + border)
        for row, line in enumerate(code.matrix)
        for column, value in enumerate(line)
        if value
    }


def test_the_svg_draws_the_qr_code_of_the_address():
    address = "https://aid.example.cn/articles/42/"
    svg = qr_svg(address, label="本文网址二维码")
    assert modules_drawn(svg) == modules_of(address)
    assert modules_drawn(svg) != modules_of("https://aid.example.cn/articles/43/")


def test_the_svg_is_named_and_has_no_style_attribute():
    svg = qr_svg("https://aid.example.cn/articles/42/", label="二维码 <本文>")
    assert svg.startswith('<svg role="img" ')
    assert "<title>二维码 &lt;本文&gt;</title>" in svg
    assert "style=" not in svg
    assert "<?xml" not in svg
