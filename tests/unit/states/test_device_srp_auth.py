"""states/device_srp_auth.py: a fresh ephemeral's A for the remembered device, handed to
DEVICE_PASSWORD_VERIFIER."""

from __future__ import annotations

import pytest
from authflow.states import device_srp_auth
from authflow.states.device_password_verifier import DeviceSrpHandOff

from authflow.devices import Device
from authflow.errors import ProtocolError
from tests.helpers.states import challenge, context, run_exchange

DEVICE = Device("us-east-1_fec070d2-0000-4000-8000-000000000000", "-wt2ha1Zd", "device-password")


def test_a_fresh_ephemeral_is_sent_and_handed_over() -> None:
    ctx = context(challenge("DEVICE_SRP_AUTH"), device=DEVICE)
    requests, _ = run_exchange(device_srp_auth.respond(ctx, {}), {"ChallengeName": "DEVICE_PASSWORD_VERIFIER"})
    [request] = requests
    sent = request.parameters["ChallengeResponses"]
    assert sent["DEVICE_KEY"] == DEVICE.device_key and request.parameters["ChallengeName"] == "DEVICE_SRP_AUTH"
    handed = DeviceSrpHandOff.take(ctx)
    assert handed.ephemeral.srp_a == sent["SRP_A"]
    assert ctx.carry == {}  # used once


def test_without_a_device_nothing_is_sent() -> None:
    with pytest.raises(ProtocolError, match="no device"):
        run_exchange(device_srp_auth.respond(context(challenge("DEVICE_SRP_AUTH")), {}))
