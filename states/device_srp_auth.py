"""DEVICE_SRP_AUTH: Cognito knows the device; start an SRP exchange for it (answered without asking).

ChallengeParameters: none needed. ChallengeResponses: DEVICE_KEY, SRP_A (a fresh ephemeral, never the
one used for the user's password; left in ``ctx.carry`` for DEVICE_PASSWORD_VERIFIER).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from authflow.states.base import Context, Exchange, State, answer_challenge

from authflow.errors import ProtocolError

if TYPE_CHECKING:
    from authflow.devices import Device  # which imports states.base: no cycle at run time

NAME = "DEVICE_SRP_AUTH"


def responses(device: Device, srp_a: str) -> dict[str, str]:
    return {"DEVICE_KEY": device.device_key, "SRP_A": srp_a}


def respond(ctx: Context, answer: Mapping[str, str]) -> Exchange:
    if ctx.device is None:
        raise ProtocolError("DEVICE_SRP_AUTH arrived but this sign-in has no device")
    ephemeral = ctx.new_ephemeral()
    ctx.carry["device_ephemeral"] = ephemeral
    return answer_challenge(ctx, responses(ctx.device, ephemeral.srp_a))


STATES = (State(NAME, respond),)
