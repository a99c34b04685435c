"""Code128 (subset B) as SVG, and the QR code of the public tracking page (SPEC.md §2.1).

Code128 is written here rather than pulled in as a dependency: subset B is one table and a
checksum. Each symbol is six alternating bar/space widths (bar first) adding up to 11 modules;
the stop symbol has a seventh, final bar and adds up to 13. The checksum is the start value plus
the sum of each data value times its position (1-based), modulo 103 (ISO/IEC 15417 §5.4).
"""

from __future__ import annotations

from urllib.parse import quote

import segno
from django.conf import settings

# Widths (bar, space, bar, space, bar, space) of the symbols with values 0–105 (ISO/IEC 15417).
PATTERNS: tuple[str, ...] = (
    "212222", "222122", "222221", "121223", "121322", "131222", "122213", "122312", "132212",
    "221213", "221312", "231212", "112232", "122132", "122231", "113222", "123122", "123221",
    "223211", "221132", "221231", "213212", "223112", "312131", "311222", "321122", "321221",
    "312212", "322112", "322211", "212123", "212321", "232121", "111323", "131123", "131321",
    "112313", "132113", "132311", "211313", "231113", "231311", "112133", "112331", "132131",
    "113123", "113321", "133121", "313121", "211331", "231131", "213113", "213311", "213131",
    "311123", "311321", "331121", "312113", "312311", "332111", "314111", "221411", "431111",
    "111224", "111422", "121124", "121421", "141122", "141221", "112214", "112412", "122114",
    "122411", "142112", "142211", "241211", "221114", "413111", "241112", "134111", "111242",
    "121142", "121241", "114212", "124112", "124211", "411212", "421112", "421211", "212141",
    "214121", "412121", "111143", "111341", "131141", "114113", "114311", "411113", "411311",
    "113141", "114131", "311141", "411131", "211412", "211214", "211232",
)  # fmt: skip
START_B = 104
STOP = "2331112"
QUIET_ZONE = 10  # modules of white on each side (ISO/IEC 15417 §4.3.4: at least 10X)


class BarcodeError(ValueError):
    pass


def code128b_values(text: str) -> list[int]:
    """Symbol values of ``text`` in subset B, with the start and the checksum (not the stop)."""
    if not text:
        raise BarcodeError("empty text")
    values = [START_B]
    for char in text:
        code = ord(char)
        if not 32 <= code <= 127:
            raise BarcodeError(f"{char!r} cannot be encoded in Code128 subset B")
        values.append(code - 32)
    checksum = (START_B + sum(i * v for i, v in enumerate(values[1:], start=1))) % 103
    values.append(checksum)
    return values


def code128b_widths(text: str) -> str:
    """All module widths, bar first, from the start symbol to the stop symbol inclusive."""
    return "".join(PATTERNS[v] for v in code128b_values(text)) + STOP


def code128_svg(text: str, *, height: float = 40, module: float = 1) -> str:
    """An inline SVG of ``text`` as Code128 subset B. Sizes are in user units; scale with CSS."""
    widths = code128b_widths(text)
    total = sum(int(w) for w in widths) + 2 * QUIET_ZONE
    x = QUIET_ZONE
    rects = []
    for i, w in enumerate(widths):
        width = int(w)
        if i % 2 == 0:  # bars sit at even positions
            rects.append(
                f'<rect x="{x * module:g}" y="0" width="{width * module:g}" height="{height:g}"/>'
            )
        x += width
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="barcode" role="img" '
        f'aria-label="{_attr(text)}" viewBox="0 0 {total * module:g} {height:g}" '
        f'preserveAspectRatio="none" shape-rendering="crispEdges">'
        f'<rect width="100%" height="100%" fill="#fff"/><g fill="#000">{"".join(rects)}</g></svg>'
    )


def tracking_url(code: str) -> str:
    """The public page where anyone holding the code follows the dossier."""
    base = (getattr(settings, "MOTCUA_PUBLIC_URL", "") or "http://127.0.0.1:8000").rstrip("/")
    return f"{base}/tra-cuu/?ma={quote(code, safe='')}"


def qr_data_uri(data: str) -> str:
    """A QR code (error correction M) of ``data`` as an SVG data URI for an ``<img>``."""
    return segno.make(data, error="m", micro=False).svg_data_uri(scale=4, border=2)


def _attr(value: str) -> str:
    return (
        value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")
    )
