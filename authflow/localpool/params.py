"""Reading a request's parameters the way Cognito validates them (its InvalidParameterException wording)."""

from __future__ import annotations

from typing import Any

from authflow.localpool.errors import PoolError, invalid_parameter
from authflow.localpool.limits import check_attribute_values


def _member(name: str) -> str:
    return name[:1].lower() + name[1:]


def required_str(params: dict[str, Any], name: str) -> str:
    value = params.get(name)
    if value is None or value == "":
        raise PoolError(
            "InvalidParameterException",
            f"1 validation error detected: Value null at '{_member(name)}' failed to satisfy constraint: "
            "Member must not be null",
        )
    if not isinstance(value, str):
        raise PoolError("InvalidParameterException", f"Invalid type for parameter {name}")
    return value


def optional_str(params: dict[str, Any], name: str) -> str | None:
    value = params.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise PoolError("InvalidParameterException", f"Invalid type for parameter {name}")
    return value


def string_map(params: dict[str, Any], name: str) -> dict[str, str]:
    value = params.get(name) or {}
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise PoolError("InvalidParameterException", f"{name} must be a map of strings")
    return value


def enum_value(params: dict[str, Any], name: str, allowed: tuple[str, ...] | list[str]) -> str:
    value = required_str(params, name)
    if value not in allowed:
        raise PoolError(
            "InvalidParameterException",
            f"1 validation error detected: Value '{value}' at '{_member(name)}' failed to satisfy "
            f"constraint: Member must satisfy enum value set: [{', '.join(allowed)}]",
        )
    return value


def attribute_map(p: dict[str, Any], key: str = "UserAttributes") -> dict[str, str]:
    """A list of ``{"Name": ..., "Value": ...}`` (Value may be left out: empty) as a dict of strings."""
    items = p.get(key) or []
    if not isinstance(items, list) or not all(
        isinstance(i, dict) and isinstance(i.get("Name"), str) and isinstance(i.get("Value", ""), str) for i in items
    ):
        raise invalid_parameter(f"Invalid {key}")
    check_attribute_values(items, _member(key))
    return {i["Name"]: i.get("Value", "") for i in items}
