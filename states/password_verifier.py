"""PASSWORD_VERIFIER: the SRP proof that the client knows the password (answered without asking).

ChallengeParameters: SRP_B, SALT, SECRET_BLOCK, USER_ID_FOR_SRP, USERNAME.
ChallengeResponses: USERNAME (= USER_ID_FOR_SRP), PASSWORD_CLAIM_SECRET_BLOCK (as received),
PASSWORD_CLAIM_SIGNATURE, TIMESTAMP. The password and the ephemeral whose SRP_A started the exchange are
left in ``ctx.carry`` by the state that sent SRP_A (``awaiting_password``); each is used once.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from authflow.states.base import Challenge, Context, Exchange, State, answer_challenge, require, take

from authflow import srp

NAME = "PASSWORD_VERIFIER"


def user_id(challenge: Challenge) -> str:
    """The internal username: USER_ID_FOR_SRP, never the alias the person typed."""
    return require(challenge, "USER_ID_FOR_SRP")


def responses(
    challenge: Challenge,
    *,
    password: str,
    ephemeral: srp.ClientEphemeral,
    pool_name: str,
    now: datetime,
) -> dict[str, str]:
    """The signed claim. Raises SRPError (before anything is sent) when B or u fails a safety check."""
    uid = user_id(challenge)
    secret_block = require(challenge, "SECRET_BLOCK")
    key = ephemeral.password_authentication_key(
        pool_name, uid, password, require(challenge, "SALT"), require(challenge, "SRP_B")
    )
    timestamp = srp.format_timestamp(now)
    return {
        "PASSWORD_CLAIM_SECRET_BLOCK": secret_block,
        "PASSWORD_CLAIM_SIGNATURE": srp.claim_signature(key, pool_name, uid, secret_block, timestamp),
        "TIMESTAMP": timestamp,
    }


def respond(ctx: Context, answer: Mapping[str, str]) -> Exchange:
    password = take(ctx, "password", str, "the password of an SRP exchange in progress")
    ephemeral = take(ctx, "ephemeral", srp.ClientEphemeral, "an SRP exchange in progress")
    claim = responses(ctx.challenge, password=password, ephemeral=ephemeral, pool_name=ctx.pool_name, now=ctx.now())
    return answer_challenge(ctx, claim)


STATES = (State(NAME, respond),)
