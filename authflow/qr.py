"""A QR code drawn with text, for the otpauth:// URI of a new TOTP secret.

Two modules per character cell, with Unicode half blocks: a dark module is drawn in the foreground colour
(``█`` both, ``▀`` the upper, ``▄`` the lower), a light one is left as background. Printed dark on light
(the wizard's ``qr`` style sets both colours, so the code reads the same on dark and light terminals),
with the 4-module quiet zone that the QR standard asks for around it.
"""

from __future__ import annotations

import segno

QUIET_ZONE = 4
_GLYPHS = {(False, False): " ", (True, True): "█", (True, False): "▀", (False, True): "▄"}


#: The compact form for a short terminal (24 lines): low error correction (the smallest symbol) and a 2-module
#: quiet zone, which phone scanners read: an otpauth:// URI then takes 21 lines instead of 23-25.
COMPACT = {"border": 2, "error": "l"}


def qr_text(data: str, *, border: int = QUIET_ZONE, error: str = "m") -> str:
    """``data`` as a QR code made of text lines (newline-terminated); dark modules are the glyphs."""
    symbol = segno.make(data, error=error, boost_error=error != "l")
    rows = [[bool(module) for module in row] for row in symbol.matrix_iter(border=border)]
    if len(rows) % 2:
        rows.append([False] * len(rows[0]))  # the last cell row's lower half: more quiet zone
    pairs = zip(rows[::2], rows[1::2], strict=True)
    return "".join("".join(_GLYPHS[cell] for cell in zip(upper, lower, strict=True)) + "\n" for upper, lower in pairs)
