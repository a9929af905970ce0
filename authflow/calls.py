"""A Cognito call as data: what a ``states/`` module (or the device keeping of ``authflow/devices.py``) asks
the engine to send, and the reply it gets back. The transport (:meth:`authflow.transport.UserPool.send`)
completes and sends it; nothing here does I/O."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

#: Cognito's reply to one call, as a mapping (the operation's response body).
Reply = Mapping[str, Any]


@dataclass(frozen=True)
class Request:
    """One Cognito operation for the engine to send: ``operation`` by its API name, ``parameters`` its body
    (without what the transport adds: ClientId, ClientMetadata, SECRET_HASH, DEVICE_KEY)."""

    operation: str
    parameters: Mapping[str, Any] = field(default_factory=dict, repr=False)  # may hold a password or a code
