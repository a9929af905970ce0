"""Remembered devices: what a client keeps so that Cognito can skip MFA on a known device.

After a sign-in that returns NewDeviceMetadata, the client confirms the device (ConfirmDevice with an SRP
verifier of a random device password) and keeps a :class:`Device`. Next time, InitiateAuth carries the
DEVICE_KEY and Cognito may answer DEVICE_SRP_AUTH instead of an MFA challenge; the engine then proves it
holds the device password (DEVICE_PASSWORD_VERIFIER) without sending it.
"""

from __future__ import annotations

from collections.abc import Generator, Mapping
from dataclasses import dataclass
from typing import Any

from authflow import srp
from authflow.calls import Reply, Request
from authflow.errors import MalformedResponseError


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


def confirm(
    access_token: str, metadata: Mapping[str, str], name: str | None, *, remember: bool = True
) -> Generator[Request, Reply, Device]:
    """The requests that keep a new device (for the engine to send, like a state's): ConfirmDevice with the SRP
    verifier of a new random device password, then (``remember``) UpdateDeviceStatus to remembered when Cognito
    leaves that to the user. Returns the :class:`Device` to keep. Confirming alone is what a pool that tracks
    devices needs for the sign-in's refresh token to work (Cognito refuses the refresh of an unconfirmed
    device); remembering lets the device skip MFA later."""
    try:
        device_key, group_key = metadata["DeviceKey"], metadata["DeviceGroupKey"]
    except KeyError:
        raise MalformedResponseError("NewDeviceMetadata without DeviceKey/DeviceGroupKey") from None
    password, verifier, salt = srp.generate_device_verifier(group_key, device_key)
    reply = yield Request("ConfirmDevice", {
        "AccessToken": access_token,
        "DeviceKey": device_key,
        "DeviceSecretVerifierConfig": {"PasswordVerifier": verifier, "Salt": salt},
        "DeviceName": name,
    })
    if remember and reply.get("UserConfirmationNecessary"):
        yield Request("UpdateDeviceStatus", {
            "AccessToken": access_token, "DeviceKey": device_key, "DeviceRememberedStatus": "remembered",
        })
    return Device(device_key, group_key, password)
