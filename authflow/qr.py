"""A QR code drawn with text, for the otpauth:// URI of a new TOTP secret.

The drawing uses Unicode half blocks (two modules per character cell), no colour escapes, so it reads in
any terminal and survives being captured into a transcript. Dark modules are drawn as spaces on a light
quiet zone, the way authenticator apps expect a terminal QR code to look on a dark background.
"""

from __future__ import annotations

import io

import segno


def qr_text(data: str, *, border: int = 2) -> str:
    """``data`` as a QR code made of text lines (newline-terminated)."""
    out = io.StringIO()
    segno.make(data, error="m").terminal(out=out, compact=True, border=border)
    return out.getvalue()
