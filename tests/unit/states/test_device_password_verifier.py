"""states/device_password_verifier.py: the SRP proof of the device password, and the hand-off from DEVICE_SRP_AUTH."""

from __future__ import annotations

from datetime import datetime, timezone

from authflow.states.base import Challenge

from authflow import srp


def test_device_password_verifier_proves_the_device_password() -> None:
    import base64

    from authflow.states import device_password_verifier, device_srp_auth

    from authflow.devices import Device

    group, key = "-wt2ha1Zd", "us-east-1_fec070d2-0000-4000-8000-000000000000"
    password, verifier_b64, salt_b64 = srp.generate_device_verifier(group, key)
    device = Device(key, group, password)
    verifier = int.from_bytes(base64.b64decode(verifier_b64), "big")
    salt_hex = base64.b64decode(salt_b64).hex()
    client = srp.ClientEphemeral()
    assert device_srp_auth.responses(device, client.srp_a) == {"DEVICE_KEY": key, "SRP_A": client.srp_a}
    server = srp.ServerEphemeral(verifier)
    block = base64.b64encode(b"opaque").decode()
    ch = Challenge("DEVICE_PASSWORD_VERIFIER", {"SRP_B": server.srp_b, "SALT": salt_hex, "SECRET_BLOCK": block})
    now = datetime(2026, 11, 22, 1, 2, 3, tzinfo=timezone.utc)
    answer = device_password_verifier.responses(ch, device=device, ephemeral=client, now=now)
    expected = srp.claim_signature(server.session_key(client.public), group, key, block, "Sun Nov 22 01:02:03 UTC 2026")
    assert answer == {"DEVICE_KEY": key, "PASSWORD_CLAIM_SECRET_BLOCK": block,
                      "PASSWORD_CLAIM_SIGNATURE": expected, "TIMESTAMP": "Sun Nov 22 01:02:03 UTC 2026"}
    assert password not in repr(device)
