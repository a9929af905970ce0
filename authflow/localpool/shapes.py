"""Every request's members checked against the Cognito API's input shapes before a handler sees them.

``shapes.json`` holds the input shapes of the operations the pool serves, taken from the service model that
botocore ships (tests/localpool/test_shapes.py checks it is current and rewrites it with
``AUTHFLOW_WRITE_SHAPES=1``). A member of the wrong JSON type is a SerializationException, a string, list
or map longer than the model's maximum is Cognito's ``1 validation error detected`` InvalidParameterException;
unknown members are ignored, as Cognito ignores them. Handlers then read well-typed values and check the rest
(required members, formats, the pool's rules) themselves.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from authflow.localpool.errors import PoolError, invalid_parameter

SHAPES_PATH = Path(__file__).with_name("shapes.json")

_TYPES: dict[str, tuple[type, ...]] = {
    "structure": (dict,), "map": (dict,), "list": (list,), "string": (str,), "boolean": (bool,),
    "integer": (int,), "long": (int,), "double": (int, float), "float": (int, float), "timestamp": (int, float, str),
}
_EXPECTED = {
    "structure": "a structure", "map": "a map", "list": "a list", "string": "a string", "boolean": "a boolean",
    "integer": "an integer", "long": "an integer", "double": "a number", "float": "a number",
    "timestamp": "a timestamp",
}


@cache
def _model() -> dict[str, Any]:
    model: dict[str, Any] = json.loads(SHAPES_PATH.read_text(encoding="utf-8"))
    return model


def _member(name: str) -> str:
    return name[:1].lower() + name[1:]


def _serialization(path: str, kind: str) -> PoolError:
    return PoolError("SerializationException", f"Value at '{path}' is not {_EXPECTED[kind]}.")


def _too_long(path: str, maximum: int) -> PoolError:
    return invalid_parameter(
        f"1 validation error detected: Value at '{path}' failed to satisfy constraint: Member must have length "
        f"less than or equal to {maximum}"
    )


def _check(shapes: dict[str, Any], name: str, value: Any, path: str) -> None:
    shape = shapes[name]
    kind = shape["type"]
    if kind == "document" or value is None:
        return
    expected = _TYPES.get(kind)
    if expected is None:
        return
    if not isinstance(value, expected) or (kind != "boolean" and isinstance(value, bool)):
        raise _serialization(path, kind)
    _walk(shapes, shape, kind, value, path)


def _walk(shapes: dict[str, Any], shape: dict[str, Any], kind: str, value: Any, path: str) -> None:
    """(A value of the right JSON type.) Its length, and what it holds."""
    maximum = shape.get("max")
    if maximum is not None and len(value) > maximum:
        raise _too_long(path, maximum)
    if kind == "structure":
        members = shape["members"]
        for member, item in value.items():
            if member in members:
                _check(shapes, members[member], item, f"{path}.{_member(member)}" if path else _member(member))
    elif kind == "list":
        for number, item in enumerate(value, 1):
            _check(shapes, shape["member"], item, f"{path}.{number}.member")
    elif kind == "map":
        for key, item in value.items():
            _check(shapes, shape["key"], key, f"{path}.key")
            _check(shapes, shape["value"], item, f"{path}.{key[:64]}")


def check_request(operation: str, params: dict[str, Any]) -> None:
    """Raise the error Cognito's front end gives when ``params`` do not fit ``operation``'s input shape."""
    model = _model()
    shape = model["operations"].get(operation)
    if shape is not None:
        _check(model["shapes"], shape, params, "")
