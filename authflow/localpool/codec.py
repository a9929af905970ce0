"""The local pool's model as JSON and back, generically: what the durable store writes.

:func:`encode` turns a dataclass (or a class with ``__slots__`` and annotations, such as
:class:`~authflow.localpool.model.PasswordRecord`) into JSON-able data, field by field; :func:`decode` builds
it again from its type hints. A field added to the model with a plain JSON-able type (str, int, float, bool,
None, lists, sets, tuples and dicts of them, bytes, another such class) and a default persists without any
change here: a row written before the field existed decodes with the default, and a field a row has that
the class no longer has is ignored.

Values typed ``Any`` keep what JSON keeps; bytes and SRP ephemerals inside them carry a tag
(``{"$bytes": ...}``, ``{"$srp": ...}``) so they come back as they were.
"""

from __future__ import annotations

import base64
import dataclasses
import types
import typing
from collections.abc import Callable
from typing import Any

from authflow import srp

#: Fields that never persist: Python objects with no data form (CUSTOM_AUTH's trigger functions).
NOT_PERSISTED = frozenset({"custom_auth"})

_BYTES = "$bytes"
_SRP = "$srp"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


_PLAIN = (str, bool, int, float, type(None))


def encode(value: Any, skip: frozenset[str] = NOT_PERSISTED) -> Any:
    """JSON-able data for ``value`` (sets sorted, so equal values encode to equal text)."""
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is dict:
        return {str(k): v if type(v) in _PLAIN else encode(v, skip) for k, v in value.items()}
    if kind is list or kind is tuple:
        return [v if type(v) in _PLAIN else encode(v, skip) for v in value]
    if isinstance(value, (str, bool, int, float)):  # subclasses (enums of str, ...)
        return value
    if isinstance(value, dict):
        return {str(k): encode(v, skip) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [encode(v, skip) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((encode(v, skip) for v in value), key=repr)
    if isinstance(value, bytes):
        return {_BYTES: _b64(value)}
    if isinstance(value, srp.ServerEphemeral):
        # Its secret b and the verifier: B = k*v + g^b is made again from them (from the fixed-base table).
        return {_SRP: [format(value._b, "x"), format(value._verifier, "x")]}
    names = _field_names(kind)
    if names is None:
        raise TypeError(f"cannot persist a {kind.__name__}")
    out: dict[str, Any] = {}
    for name in names:
        if name not in skip:
            field_value = getattr(value, name)
            out[name] = field_value if type(field_value) in _PLAIN else encode(field_value, skip)
    return out


_names: dict[type, tuple[str, ...] | None] = {}


def _field_names(cls: type) -> tuple[str, ...] | None:
    try:
        return _names[cls]
    except KeyError:
        pass
    names: tuple[str, ...] | None = None
    if dataclasses.is_dataclass(cls):
        names = tuple(f.name for f in dataclasses.fields(cls))
    elif getattr(cls, "__slots__", None) is not None and getattr(cls, "__annotations__", None):
        names = tuple(getattr(cls, "__slots__"))  # noqa: B009 - not every class has it
    _names[cls] = names
    return names


# --- decoding, by type hints -----------------------------------------------------------------------


def _decode_any(data: Any) -> Any:
    if isinstance(data, dict):
        if len(data) == 1 and _BYTES in data:
            return base64.b64decode(data[_BYTES])
        if len(data) == 1 and _SRP in data:
            b, verifier = (int(h, 16) for h in data[_SRP])
            ephemeral = srp.ServerEphemeral.__new__(srp.ServerEphemeral)
            ephemeral._b, ephemeral._verifier = b, verifier
            ephemeral.public = (srp.K * verifier + srp.g_pow(b)) % srp.N
            ephemeral._key = None
            return ephemeral
        return {k: _decode_any(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_decode_any(v) for v in data]
    return data


_Decoder = Callable[[Any], Any]
_decoders: dict[Any, _Decoder] = {}


def decode(hint: Any, data: Any) -> Any:
    """``data`` (from :func:`encode`) as a value of the type ``hint``."""
    decoder = _decoders.get(hint)
    if decoder is None:
        decoder = _decoders[hint] = _make_decoder(hint)
    return decoder(data)


def _make_decoder(hint: Any) -> _Decoder:
    if hint is Any or hint in (str, int, bool, type(None)):
        return _decode_any
    if hint is float:
        return lambda data: None if data is None else float(data)
    if hint is bytes:
        return lambda data: base64.b64decode(data[_BYTES] if isinstance(data, dict) else data)
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        choices = [arg for arg in args if arg is not type(None)]
        if len(choices) == 1:
            inner = choices[0]
            return lambda data: None if data is None else decode(inner, data)
        return _decode_any
    if origin is dict:
        value_hint = args[1] if args else Any
        return lambda data: {k: decode(value_hint, v) for k, v in data.items()}
    if origin is list:
        item = args[0] if args else Any
        return lambda data: [decode(item, v) for v in data]
    if origin in (set, frozenset):
        item = args[0] if args else Any
        return lambda data: origin(decode(item, v) for v in data)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return lambda data: tuple(decode(args[0], v) for v in data)
        return lambda data: tuple(decode(a, v) for a, v in zip(args, data, strict=True))
    if isinstance(hint, type):
        return _class_decoder(hint)
    return _decode_any


def _class_decoder(cls: type) -> _Decoder:
    hints = typing.get_type_hints(cls)
    if dataclasses.is_dataclass(cls):
        init = {f.name for f in dataclasses.fields(cls) if f.init}
        later = {f.name for f in dataclasses.fields(cls) if not f.init}

        def build(data: dict[str, Any]) -> Any:
            values = {name: decode(hints[name], v) for name, v in data.items() if name in init}
            obj = cls(**values)
            for name in later & data.keys():
                setattr(obj, name, decode(hints[name], data[name]))
            return obj

        return build
    names = _field_names(cls)
    if names is None:
        raise TypeError(f"cannot restore a {cls.__name__}")

    def restore(data: dict[str, Any]) -> Any:
        obj: Any = object.__new__(cls)
        for name in names:
            setattr(obj, name, decode(hints[name], data[name]))
        return obj

    return restore
