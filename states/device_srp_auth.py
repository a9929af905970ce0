"""DEVICE_SRP_AUTH: Cognito knows the device; start an SRP exchange for it (answered without asking).

ChallengeParameters: none needed. ChallengeResponses: DEVICE_KEY, SRP_A (a fresh ephemeral, never the
one used for the user's password).
"""

from __future__ import annotations

from authflow.devices import Device

NAME = "DEVICE_SRP_AUTH"


def responses(device: Device, srp_a: str) -> dict[str, str]:
    return {"DEVICE_KEY": device.device_key, "SRP_A": srp_a}
