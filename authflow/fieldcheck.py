"""An answer checked against its prompt's fields before anything is sent.

A value that breaks its field's ``pattern`` would only come back from Cognito as CodeMismatchException, and
each wrong code counts toward the user's lockout: it is refused here instead, with
:class:`~authflow.errors.InvalidAnswerError` (the driver asks the same question again, no call made, no
attempt used). What people type around a code is tidied first: surrounding spaces, inner spaces and dashes
(``"123 456"``, ``"123-456"``), and digits of other scripts (full-width digits, U+FF10-FF19, Arabic-Indic
digits, U+0660-0669...) become ASCII digits. Secrets (passwords) have no pattern and are passed through untouched.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

from authflow.errors import InvalidAnswerError
from authflow.prompts import Field, Prompt

__all__ = ["ascii_digits", "check_answer", "clean_code"]

#: The name of a field that holds a one-time code (see ``states/base.py``'s ``code_field``).
CODE_FIELD = "code"


def ascii_digits(text: str) -> str:
    """``text`` with every decimal digit of any script (full-width, Arabic-Indic, Devanagari...) as ASCII."""
    if text.isascii():
        return text
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in text)


def clean_code(text: str) -> str:
    """A typed or pasted code as Cognito wants it: ASCII digits, no spaces or dashes anywhere."""
    return re.sub(r"[\s\-\u2010-\u2015\u2212]", "", ascii_digits(text))


def _matches(pattern: str, value: str) -> bool:
    try:
        return re.fullmatch(pattern, value) is not None
    except re.error:  # a pattern we cannot read is not ours to enforce
        return True


def _cleaned(fld: Field, value: str) -> str:
    return clean_code(value) if fld.name == CODE_FIELD else value.strip()


def check_answer(prompt: Prompt, answer: Mapping[str, str]) -> dict[str, str]:
    """``answer`` with its patterned fields tidied (see the module); raises
    :class:`~authflow.errors.InvalidAnswerError` for the first value that still breaks its field's pattern.
    A field left out or empty is not checked here (the state says what is missing)."""
    checked = dict(answer)
    for fld in prompt.fields:
        value = checked.get(fld.name)
        if fld.pattern is None or fld.secret or not value or not value.strip():
            continue
        value = checked[fld.name] = _cleaned(fld, value)
        if not _matches(fld.pattern, value):
            raise InvalidAnswerError(f"{fld.label} {_expected(fld)}; nothing was sent", field=fld.name)
    return checked


def _expected(fld: Field) -> str:
    """What the field's value must look like, in words where the pattern is a run of digits."""
    pattern = fld.pattern or ""
    found = re.fullmatch(r"\^?(?:\\d|\[0-9\])\{(\d+)(?:,(\d+))?\}\$?", pattern)
    if found is None:
        return "is not in the expected form"
    low, high = found.group(1), found.group(2)
    return f"must be {low} digits" if not high or high == low else f"must be {low} to {high} digits"
