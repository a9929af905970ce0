"""With botocore's DEBUG logging on, the calls show in the log and no secret does."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from authflow import ScriptedHandler, UserPool, sign_in
from authflow.localpool import LocalUserPool
from authflow.redaction import redact


@pytest.fixture
def debug_log() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(name)s %(message)s"))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def test_debug_logs_show_the_calls_without_any_secret(debug_log: io.StringIO) -> None:
    secrets: list[str] = []
    with LocalUserPool("demo") as local:
        client = local.add_client(secret=True, explicit_auth_flows=["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH",
                                                                    "ALLOW_REFRESH_TOKEN_AUTH"])
        assert client.secret
        pool = UserPool(local.pool_id, client.id, client.secret, endpoint_url=local.endpoint_url)
        tina = sign_in(pool, "tina", ScriptedHandler(password="Tina-Passw0rd!",
                                                     totp_secret="JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"))
        alice = sign_in(pool, "alice", ScriptedHandler(password="Alice-Passw0rd!"), "USER_PASSWORD_AUTH")
        # MFA_SETUP in the pool that requires MFA: the new TOTP secret travels in AssociateSoftwareToken.
        mfa_pool = UserPool("us-east-1_MfaOnly01", "authflowdemomfaclient00001", endpoint_url=local.endpoint_url)
        sean = sign_in(mfa_pool, "sean", ScriptedHandler(password="Sean-Passw0rd!", totp_secret_out=secrets.append,
                                                        mfa_setup_choice="SOFTWARE_TOKEN_MFA"))
        sent = [r.params for r in local.requests()]
    log = debug_log.getvalue()
    assert "botocore.endpoint" in log and "RespondToAuthChallenge" in log and "SOFTWARE_TOKEN_MFA" in log
    values = ["Tina-Passw0rd!", "Alice-Passw0rd!", "Sean-Passw0rd!", "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", *secrets]
    for tokens in (tina, alice, sean):
        values += [tokens.access_token, tokens.id_token or "", tokens.refresh_token or ""]
    for body in sent:  # what was actually sent: sessions, SECRET_HASH, SRP claims, codes
        for section in ("AuthParameters", "ChallengeResponses"):
            for key, value in (body.get(section) or {}).items():
                if key in ("SECRET_HASH", "PASSWORD_CLAIM_SIGNATURE", "SOFTWARE_TOKEN_MFA_CODE", "PASSWORD"):
                    values.append(value)
        for key in ("Session", "UserCode"):
            if body.get(key):
                values.append(body[key])
    assert secrets and len(values) > 12
    leaked = [v[:12] + "..." for v in values if v and v in log]
    assert leaked == []


def test_redact_hides_values_in_json_reprs_and_bytes() -> None:
    redacted = redact('{"Session": "abc", "ChallengeName": "SMS_MFA"}')
    assert redacted == '{"Session": "<redacted>", "ChallengeName": "SMS_MFA"}'
    assert redact("{'PASSWORD': 'hunter2', 'USERNAME': 'ann'}") == "{'PASSWORD': '<redacted>', 'USERNAME': 'ann'}"
    assert "s3cret" not in redact('b\'{\\"ClientSecret\\": \\"s3cret\\"}\'')
    assert redact("token eyJhbGciOiJSUzI1.eyJzdWIiOiJhYmMi.c2lnbmF0dXJlMTIz end") == "token <redacted> end"
    verifier = '"DeviceSecretVerifierConfig": {"PasswordVerifier": "AAA", "Salt": "BBB"}'
    assert "AAA" not in redact(verifier) and "BBB" not in redact(verifier)
