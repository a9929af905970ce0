"""The authenticator-setup QR code, as the wizard prints it, scans on dark and on light terminals.

The wizard's output (escape sequences included) is played on a small terminal model with a dark and with
a light colour scheme, drawn as an image (Pillow) and decoded (zxing-cpp, inverted codes not accepted):
what a phone pointed at the screen would read."""

from __future__ import annotations

import io
import re

import pytest
import zxingcpp
from PIL import Image
from prompt_toolkit.data_structures import Size
from prompt_toolkit.output.vt100 import Vt100_Output

from authflow.qr import QUIET_ZONE, qr_text
from authflow.wizard import TerminalHandler

URI = "otpauth://totp/MfaOnly01:sean?secret=FQ2UFD6XPQHLDXK25AFKFHUQXZKCQ34D&issuer=MfaOnly01"
UPPER, LOWER = "█▀", "█▄"  # glyphs that paint the upper / lower half of a cell in the foreground colour


class Screen(io.StringIO):
    encoding = "utf-8"

    def isatty(self) -> bool:
        return False


def printed_by_the_wizard(text: str) -> str:
    screen = Screen()
    output = Vt100_Output(screen, lambda: Size(rows=60, columns=120), term="xterm-256color")
    TerminalHandler(output=output).say(text.rstrip("\n"), "class:qr")  # as the TOTP setup shows it
    return screen.getvalue()


def _is_dark(code: list[int], default_dark: bool) -> bool:
    """Whether an SGR colour (``[5, n]`` or ``[2, r, g, b]``, [] for the default) is dark."""
    if not code:
        return default_dark
    if code[0] == 2:
        r, g, b = code[1:4]
    elif code[1] < 16:
        return code[1] in (0, 1, 2, 3, 4, 5, 6, 8)
    elif code[1] < 232:
        r, g, b = (((code[1] - 16) // m % 6) * 51 for m in (36, 6, 1))
    else:
        r = g = b = 8 + 10 * (code[1] - 232)
    return 0.299 * r + 0.587 * g + 0.114 * b < 128


def terminal_pixels(stream: str, *, dark_scheme: bool) -> list[list[bool]]:
    """Play ``stream`` on a terminal whose default colours are light-on-dark (or dark-on-light): for each
    character cell, two pixels (upper, lower), True where the screen is dark."""
    rows: list[list[bool]] = [[], []]
    fg: list[int] = []
    bg: list[int] = []
    for part in re.split(r"(\x1b\[[0-9;?]*[A-Za-z])", stream.replace("\r", "")):
        if part.startswith("\x1b["):
            if part.endswith("m"):
                numbers = [int(n) for n in part[2:-1].split(";") if n]
                while numbers:
                    n = numbers.pop(0)
                    if n == 0:
                        fg, bg = [], []
                    elif n in (38, 48):
                        take = 2 if numbers[0] == 5 else 4
                        colour, numbers = numbers[:take], numbers[take:]
                        fg, bg = (colour, bg) if n == 38 else (fg, colour)
            continue
        for char in part:
            if char == "\n":
                rows += [[], []]
                continue
            fg_dark, bg_dark = _is_dark(fg, not dark_scheme), _is_dark(bg, dark_scheme)
            rows[-2].append(fg_dark if char in UPPER else bg_dark)
            rows[-1].append(fg_dark if char in LOWER else bg_dark)
    return [row for row in rows if row]


def decode(pixels: list[list[bool]], scale: int = 6) -> list[str]:
    width = max(len(row) for row in pixels)
    image = Image.new("L", (width * scale, len(pixels) * scale), 128)  # grey outside what was printed
    for y, row in enumerate(pixels):
        for x, dark in enumerate(row):
            image.paste(0 if dark else 255, (x * scale, y * scale, (x + 1) * scale, (y + 1) * scale))
    return [barcode.text for barcode in zxingcpp.read_barcodes(image, try_invert=False)]


@pytest.mark.parametrize("dark_scheme", [True, False], ids=["dark terminal", "light terminal"])
def test_the_qr_code_scans_on_dark_and_light_terminals(dark_scheme: bool) -> None:
    pixels = terminal_pixels(printed_by_the_wizard(qr_text(URI)), dark_scheme=dark_scheme)
    assert decode(pixels) == [URI]


def test_the_quiet_zone_is_four_modules() -> None:
    lines = qr_text(URI).splitlines()
    assert lines[0].strip() == "" and lines[1].strip() == ""  # 4 module rows above: two lines of cells
    assert lines[2].strip() != ""
    assert all(line.startswith(" " * QUIET_ZONE) and line.endswith(" " * QUIET_ZONE) for line in lines)
    assert not any(line.startswith(" " * (QUIET_ZONE + 1)) for line in lines[2:3])  # the finder starts at 4


def test_the_model_can_tell_a_code_that_inverts() -> None:
    # Without colours of its own the code takes the terminal's: light modules on a dark terminal are
    # dark, so it reads inverted and does not scan on one of the two schemes.
    plain = qr_text(URI)
    assert decode(terminal_pixels(plain, dark_scheme=False)) == [URI]
    assert decode(terminal_pixels(plain, dark_scheme=True)) == []


@pytest.mark.parametrize("columns", [80, 60])
def test_the_compact_code_keeps_its_rows_whole_with_its_text_beside_or_under_it(columns: int) -> None:
    """A 24-line terminal: which account, the secret and what to do are beside the compact code in 80 columns,
    under it where there is no room beside it; never wrapped into the code's rows (that breaks the picture)."""
    screen = Screen()
    output = Vt100_Output(screen, lambda: Size(rows=24, columns=columns), term="xterm-256color")
    TerminalHandler(output=output)._compact_qr(URI, "FQ2UFD6XPQHLDXK25AFKFHUQXZKCQ34D", "sean")
    shown = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", screen.getvalue()).replace("\r", "").rstrip("\n").split("\n")
    rows = qr_text(URI, border=2, error="l").rstrip("\n").split("\n")
    assert all(line.startswith(row) for line, row in zip(shown, rows, strict=False)), shown  # every row whole
    assert all(len(line) <= columns for line in shown), shown
    text = [" ".join(line[len(rows[i]) if i < len(rows) else 0 :].split()) for i, line in enumerate(shown)]
    for said in ("Add sean to your authenticator app.", "FQ2U FD6X PQHL DXK2", "5AFK FHUQ XZKC Q34D",
                 "Then type the 6-digit code"):
        assert any(said in line for line in text), (said, shown)
    assert len(shown) == (len(rows) if columns == 80 else len(rows) + 5), shown  # beside: no line more
