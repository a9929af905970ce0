"""Remembered devices: what a client keeps so that Cognito can skip MFA on a known device.

After a sign-in that returns NewDeviceMetadata, the client confirms the device (ConfirmDevice with an SRP
verifier of a random device password) and keeps a :class:`Device`. Next time, InitiateAuth carries the
DEVICE_KEY and Cognito may answer DEVICE_SRP_AUTH instead of an MFA challenge; the engine then proves it
holds the device password (DEVICE_PASSWORD_VERIFIER) without sending it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, repr=False)
class Device:
    """A confirmed device. ``device_password`` is a secret: keep the whole object as safely as a token."""

    device_key: str
    device_group_key: str
    device_password: str

    def to_dict(self) -> dict[str, str]:
        return {
            "DeviceKey": self.device_key,
            "DeviceGroupKey": self.device_group_key,
            "DevicePassword": self.device_password,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Device:
        return cls(str(data["DeviceKey"]), str(data["DeviceGroupKey"]), str(data["DevicePassword"]))

    def __repr__(self) -> str:
        return f"Device(device_key={self.device_key!r}, <password hidden>)"
