"""wizard.wrap_parts: styled terminal text wrapped between words, never inside one."""

from __future__ import annotations

from authflow.wizard import wrap_parts


def text(parts: list[tuple[str, str]]) -> str:
    return "".join(t for _, t in parts)


def test_long_lines_break_between_words_and_keep_their_indent() -> None:
    line = "  role authflow-demo-signed-in, until 2026-12-07T05:03:01Z (`authflow credentials` prints them whole)."
    wrapped = text(wrap_parts([("class:info", line)], 80)).split("\n")
    assert all(len(row) <= 80 for row in wrapped) and len(wrapped) == 2
    assert wrapped[1].startswith("  ") and not wrapped[1].startswith("   ")
    assert " ".join(" ".join(wrapped).split()) == " ".join(line.split())


def test_styles_are_kept_across_parts_and_short_text_is_unchanged() -> None:
    parts = [("class:error", "✗ That code is not right. "),
             ("class:dim", "(CodeMismatchException: Invalid code or auth state for the user.)")]
    wrapped = wrap_parts(parts, 40)
    assert all(len(row) <= 40 for row in text(wrapped).split("\n"))
    assert {s for s, _ in wrapped} == {"class:error", "class:dim"}
    assert text(wrap_parts(parts, 200)) == text(parts)
    assert text(wrap_parts([("x", "a\nb  c")], 80)) == "a\nb  c"


def test_a_word_wider_than_the_line_is_left_whole() -> None:
    key = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP" * 3
    assert text(wrap_parts([("x", f"secret: {key}")], 40)) == f"secret:\n{key}"


def test_a_qr_code_is_never_wrapped() -> None:
    """A QR row's spaces are light modules: breaking there would ruin the picture, whatever the width."""
    from authflow.qr import qr_text

    qr = qr_text("otpauth://totp/authflow:sean?secret=JBSWY3DPEHPK3PXP&issuer=authflow").rstrip("\n")
    assert text(wrap_parts([("class:qr", qr)], 30)) == qr
    row = qr.split("\n")[5]
    beside = wrap_parts([("class:qr", row), ("", "  "), ("class:info", "Scan it with your authenticator")], 50)
    assert text(beside).split("\n")[0].startswith(row)
