"""Checks at the boundary where Cognito's replies come in, and text from the server made fit to show.

Every reply :meth:`~authflow.transport.UserPool.call` returns has passed :func:`check_reply`: it is a JSON
object of bounded depth, size and string length, so that nothing later (the states, the token cache, the
CLI) meets a structure nested thousands deep or a string of megabytes. The values the engine uses are
checked where they are used (hex and base64 in SRP, base32 secrets, token fields, numbers in range), each
failure a :class:`~authflow.errors.MalformedResponseError` or kin.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from authflow.errors import MalformedResponseError

#: Deeper than any Cognito reply (WebAuthn options, the deepest, are about 5 levels).
MAX_DEPTH = 16
#: More values than any Cognito reply holds (ListWebAuthnCredentials pages hold at most a few hundred).
MAX_NODES = 20_000
#: Longer than any one value Cognito sends (tokens and SECRET_BLOCK are a few KB).
MAX_STRING = 256 * 1024


def check_reply(reply: Any, operation: str) -> None:
    """Raise MalformedResponseError if ``reply`` is deeper, larger or has longer strings than a real reply."""
    nodes = 0
    containers: list[tuple[Any, int]] = [([reply], 0)]  # (container, its depth): only containers are stacked
    while containers:
        value, depth = containers.pop()
        items = value.values() if isinstance(value, dict) else value
        nodes += len(items)
        if nodes > MAX_NODES:
            raise MalformedResponseError(f"{operation}: the answer holds more values than any Cognito answer")
        for item in items:
            if isinstance(item, str):
                if len(item) > MAX_STRING:
                    raise MalformedResponseError(f"{operation}: the answer holds a string of {len(item)} characters")
            elif isinstance(item, (dict, list)):
                if depth >= MAX_DEPTH:
                    raise MalformedResponseError(f"{operation}: the answer is nested deeper than {MAX_DEPTH} levels")
                containers.append((item, depth + 1))


_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: str, limit: int = 300) -> str:
    """Server text made safe to show a person: control characters (ANSI escapes included) and
    direction overrides removed, line breaks and tabs turned into spaces, cut to ``limit`` characters."""
    if text.isprintable() and len(text) <= limit and "  " not in text and text == text.strip():
        return text  # the common case: nothing to clean (isprintable is False for controls and unassigned)
    cleaned = _CONTROL.sub("", _ESCAPES.sub("", text).replace("\r", " ").replace("\n", " ").replace("\t", " "))
    cleaned = "".join(ch for ch in cleaned if unicodedata.category(ch) not in ("Cs", "Co", "Cn"))
    cleaned = re.sub(r" {2,}", " ", cleaned).strip()
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1].rstrip() + "…"


def checked_int(value: Any, what: str, low: int, high: int) -> int:
    """An integer in [low, high] from a JSON number (an integral float is accepted, NaN/Infinity are not)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise MalformedResponseError(f"{what} is not a number")
    if isinstance(value, float):
        if not value.is_integer():
            raise MalformedResponseError(f"{what} is not a whole number")
        value = int(value)
    if not low <= value <= high:
        raise MalformedResponseError(f"{what} is out of range ({low} to {high})")
    return int(value)


def optional_str(mapping: Any, key: str, what: str) -> str | None:
    value = mapping.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise MalformedResponseError(f"{what} is not a string")
    return value
