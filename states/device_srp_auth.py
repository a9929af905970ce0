"""DEVICE_SRP_AUTH: Cognito knows the device; start an SRP exchange for it (answered without asking).

ChallengeParameters: none needed. ChallengeResponses: DEVICE_KEY, SRP_A (a fresh ephemeral, never the
one used for the user's password; handed to DEVICE_PASSWORD_VERIFIER as a ``DeviceSrpHandOff``).
"""

from __future__ import annotations

from collections.abc import Mapping

from authflow.states.base import Context, Exchange, State, answer_challenge
from authflow.states.device_password_verifier import DeviceSrpHandOff

from authflow.devices import Device
from authflow.errors import ProtocolError

NAME = "DEVICE_SRP_AUTH"


def responses(device: Device, srp_a: str) -> dict[str, str]:
    return {"DEVICE_KEY": device.device_key, "SRP_A": srp_a}


def respond(ctx: Context, answer: Mapping[str, str]) -> Exchange:
    if ctx.device is None:
        raise ProtocolError("DEVICE_SRP_AUTH arrived but this sign-in has no device")
    ephemeral = ctx.new_ephemeral()
    DeviceSrpHandOff(ephemeral).leave(ctx)
    return answer_challenge(ctx, responses(ctx.device, ephemeral.srp_a))


STATES = (State(NAME, respond),)
