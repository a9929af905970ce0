"""states/password_verifier.py: the SRP claim on the published vectors, unsafe or missing parameters refused, and
the hand-off from the state that sent SRP_A used once."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from authflow.states import password_verifier
from authflow.states.base import Challenge

from authflow import srp
from authflow.errors import MalformedResponseError, ProtocolError, SRPError
from tests.helpers.states import challenge, context, run_exchange, vectors


def test_password_verifier_v1_signature() -> None:
    v = vectors()["alexrudd_cognito_srp"]
    ch = Challenge(
        name="PASSWORD_VERIFIER",
        parameters={
            "SRP_B": v["SRP_B"],
            "SALT": v["SALT"],
            "SECRET_BLOCK": v["SECRET_BLOCK"],
            "USER_ID_FOR_SRP": v["USER_ID_FOR_SRP"],
            "USERNAME": v["USER_ID_FOR_SRP"],
        },
        username="typed-alias",
    )
    now = datetime(2018, 7, 10, 11, 1, 0, tzinfo=timezone.utc)  # "Tue Jul 10 11:01:00 UTC 2018"
    responses = password_verifier.responses(
        ch, password=v["password"], ephemeral=srp.ClientEphemeral(int(v["a_dec"])),
        pool_name=v["pool_name"], now=now,
    )
    assert responses == {
        "PASSWORD_CLAIM_SECRET_BLOCK": v["SECRET_BLOCK"],
        "PASSWORD_CLAIM_SIGNATURE": v["expected_PASSWORD_CLAIM_SIGNATURE"],
        "TIMESTAMP": v["TIMESTAMP"],
    }


def test_password_verifier_alias_vector_signs_with_user_id_for_srp() -> None:
    v = vectors()["simonmcallister_v2"]
    sub = v["USER_ID_FOR_SRP (sub)"]
    ch = Challenge(
        name="PASSWORD_VERIFIER",
        parameters={"SRP_B": v["SRP_B"], "SALT": v["SALT"], "SECRET_BLOCK": v["SECRET_BLOCK"],
                    "USER_ID_FOR_SRP": sub},
        username=v["username_typed"],
    )
    responses = password_verifier.responses(
        ch, password=v["password"], ephemeral=srp.ClientEphemeral(int(v["a_hex"], 16)),
        pool_name=srp.pool_name_of(v["pool_id"]), now=datetime(2000, 2, 1, 3, 4, 5, tzinfo=timezone.utc),
    )
    assert responses["PASSWORD_CLAIM_SIGNATURE"] == v["expected_PASSWORD_CLAIM_SIGNATURE"]
    assert responses["TIMESTAMP"] == "Tue Feb 1 03:04:05 UTC 2000"


@pytest.mark.parametrize("srp_b", ["0", format(srp.N, "x")])
def test_password_verifier_refuses_malicious_b(srp_b: str) -> None:
    ch = challenge("PASSWORD_VERIFIER", SRP_B=srp_b, SALT="ab", SECRET_BLOCK="c2VjcmV0", USER_ID_FOR_SRP="alice")
    with pytest.raises(SRPError):
        password_verifier.responses(
            ch, password="pw", ephemeral=srp.ClientEphemeral(), pool_name="P",
            now=datetime.now(timezone.utc),
        )


@pytest.mark.parametrize("missing", ["SRP_B", "SALT", "SECRET_BLOCK", "USER_ID_FOR_SRP"])
def test_password_verifier_missing_parameter_is_malformed(missing: str) -> None:
    params = {"SRP_B": "1234", "SALT": "ab", "SECRET_BLOCK": "c2VjcmV0", "USER_ID_FOR_SRP": "alice"}
    del params[missing]
    with pytest.raises(MalformedResponseError, match=missing):
        password_verifier.responses(
            Challenge("PASSWORD_VERIFIER", params), password="pw", ephemeral=srp.ClientEphemeral(),
            pool_name="P", now=datetime.now(timezone.utc),
        )


def test_password_verifier_takes_the_exchange_from_carry_once() -> None:
    v = vectors()["alexrudd_cognito_srp"]
    ch = Challenge("PASSWORD_VERIFIER", {"SRP_B": v["SRP_B"], "SALT": v["SALT"], "SECRET_BLOCK": v["SECRET_BLOCK"],
                                         "USER_ID_FOR_SRP": v["USER_ID_FOR_SRP"]}, "typed-alias", v["USER_ID_FOR_SRP"])
    ctx = context(ch, pool_name=v["pool_name"], now=lambda: datetime(2018, 7, 10, 11, 1, 0, tzinfo=timezone.utc))
    password_verifier.SrpHandOff(v["password"], srp.ClientEphemeral(int(v["a_dec"]))).leave(ctx)
    requests, _ = run_exchange(password_verifier.respond(ctx, {}), {})
    assert requests[0].parameters["ChallengeResponses"]["PASSWORD_CLAIM_SIGNATURE"] == \
        v["expected_PASSWORD_CLAIM_SIGNATURE"]
    assert ctx.carry == {}
    with pytest.raises(ProtocolError, match="SRP exchange"):
        run_exchange(password_verifier.respond(ctx, {}), {})
