"""DEVICE_PASSWORD_VERIFIER: the SRP proof that the client holds the device password (no prompt).

The same computation as PASSWORD_VERIFIER with poolName := DeviceGroupKey, userId := DeviceKey and the
device's random password. ChallengeParameters: SRP_B, SALT, SECRET_BLOCK (USERNAME, DEVICE_KEY).
ChallengeResponses: DEVICE_KEY, PASSWORD_CLAIM_SECRET_BLOCK, PASSWORD_CLAIM_SIGNATURE, TIMESTAMP.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from authflow.states.base import Challenge, Context, Exchange, State, answer_challenge, require, take

from authflow import srp
from authflow.devices import Device
from authflow.errors import ProtocolError

NAME = "DEVICE_PASSWORD_VERIFIER"


@dataclass(frozen=True)
class DeviceSrpHandOff:
    """What DEVICE_SRP_AUTH hands DEVICE_PASSWORD_VERIFIER (through ``ctx.carry``: this flow object only): the
    fresh ephemeral whose A it sent for the device (never the one of the user's password)."""

    ephemeral: srp.ClientEphemeral = field(repr=False)

    def leave(self, ctx: Context) -> None:
        ctx.carry[DeviceSrpHandOff.__name__] = self

    @staticmethod
    def take(ctx: Context) -> DeviceSrpHandOff:
        """The hand-off of this device exchange (used once), or a ProtocolError when there is none."""
        return take(ctx, DeviceSrpHandOff.__name__, DeviceSrpHandOff, "a device SRP exchange in progress")


def responses(
    challenge: Challenge, *, device: Device, ephemeral: srp.ClientEphemeral, now: datetime
) -> dict[str, str]:
    secret_block = require(challenge, "SECRET_BLOCK")
    key = ephemeral.password_authentication_key(
        device.device_group_key, device.device_key, device.device_password,
        require(challenge, "SALT"), require(challenge, "SRP_B"),
    )
    timestamp = srp.format_timestamp(now)
    signature = srp.claim_signature(key, device.device_group_key, device.device_key, secret_block, timestamp)
    return {
        "DEVICE_KEY": device.device_key,
        "PASSWORD_CLAIM_SECRET_BLOCK": secret_block,
        "PASSWORD_CLAIM_SIGNATURE": signature,
        "TIMESTAMP": timestamp,
    }


def respond(ctx: Context, answer: Mapping[str, str]) -> Exchange:
    started = DeviceSrpHandOff.take(ctx)
    if ctx.device is None:
        raise ProtocolError("DEVICE_PASSWORD_VERIFIER arrived but this sign-in has no device")
    return answer_challenge(ctx, responses(ctx.challenge, device=ctx.device, ephemeral=started.ephemeral,
                                           now=ctx.now()))


STATES = (State(NAME, respond),)
