"""PASSWORD_VERIFIER: the SRP proof that the client knows the password (answered without asking).

ChallengeParameters: SRP_B, SALT, SECRET_BLOCK, USER_ID_FOR_SRP, USERNAME.
ChallengeResponses: USERNAME (= USER_ID_FOR_SRP), PASSWORD_CLAIM_SECRET_BLOCK (as received),
PASSWORD_CLAIM_SIGNATURE, TIMESTAMP. The password and the ephemeral whose SRP_A started the exchange come
from the state that sent SRP_A (``awaiting_password``) as one :class:`SrpHandOff` left in ``ctx.carry``,
used once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from authflow.states.base import Challenge, Context, Exchange, State, answer_challenge, require, take

from authflow import srp

NAME = "PASSWORD_VERIFIER"


@dataclass(frozen=True)
class SrpHandOff:
    """What the state that sent SRP_A hands PASSWORD_VERIFIER (through ``ctx.carry``: this flow object only,
    never a snapshot): the password, and the ephemeral whose A was sent. Neither is shown in a repr."""

    password: str = field(repr=False)
    ephemeral: srp.ClientEphemeral = field(repr=False)

    def leave(self, ctx: Context) -> None:
        """Leave it for PASSWORD_VERIFIER (replacing any earlier one)."""
        ctx.carry[SrpHandOff.__name__] = self

    @staticmethod
    def take(ctx: Context) -> SrpHandOff:
        """The hand-off left for this exchange (used once), or a ProtocolError when there is none."""
        return take(ctx, SrpHandOff.__name__, SrpHandOff, "an SRP exchange in progress")


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
    started = SrpHandOff.take(ctx)
    claim = responses(ctx.challenge, password=started.password, ephemeral=started.ephemeral, pool_name=ctx.pool_name,
                      now=ctx.now())
    return answer_challenge(ctx, claim)


STATES = (State(NAME, respond),)
