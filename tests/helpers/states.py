"""What the tests of ``states/`` modules share: a challenge, the context the engine hands a state, and
driving a state's exchange as the engine would (pure code: no server)."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from authflow.states.base import Challenge, Context, Exchange, Follow, Outcome, Request

from authflow import srp
from authflow.errors import MissingAnswerError
from authflow.prompts import PromptKind

VECTORS_PATH = Path(__file__).resolve().parents[1] / "vectors" / "srp-vectors.json"


#: A reply's CodeDeliveryDetails: where Cognito says the account's code went.
DELIVERY = {"CodeDeliveryDetails": {"Destination": "n***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email"}}


@cache
def vectors() -> dict[str, Any]:
    """The published SRP vectors (a copy in tests/vectors)."""
    loaded: dict[str, Any] = json.loads(VECTORS_PATH.read_text())
    return loaded


def challenge(name: str, **parameters: str) -> Challenge:
    return Challenge(name=name, parameters=parameters, username="alice@example.com", user_id="alice")


def context(ch: Challenge, **overrides: Any) -> Context:
    """What the engine hands a state: here a fixed clock, no randomness needed, session "S1"."""
    values: dict[str, Any] = dict(
        challenge=ch, username=ch.username or "alice@example.com", user_id=ch.user_id or "alice", session="S1",
        pool_name="Pool1", auth_flow="USER_SRP_AUTH", preferred_challenge=None, custom_srp=False,
        totp_issuer="Demo Pool", device=None, now=lambda: datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc),
        new_ephemeral=srp.ClientEphemeral,
    )
    values.update(overrides)
    return Context(**values)


def account_context(**overrides: Any) -> Context:
    """The context of an account state (sign-up, confirmation, reset) for nina, before any Session."""
    return context(Challenge("start", username="nina", user_id="nina"), session=None, **overrides)


def run_exchange(exchange: Exchange, *replies: dict[str, Any]) -> tuple[list[Request], Outcome]:
    """Drive a state's exchange as the engine would, answering its requests with ``replies`` in order."""
    requests: list[Request] = []
    pending = list(replies)
    try:
        request = next(exchange)
        while True:
            requests.append(request)
            request = exchange.send(pending.pop(0))
    except StopIteration as end:
        assert not pending, "replies left over"
        return requests, end.value


def answered(module: Any, ch: Challenge, answer: dict[str, str]) -> dict[str, str]:
    """The ChallengeResponses a one-request state sends for ``answer`` (and a check that it follows the reply)."""
    requests, outcome = run_exchange(module.respond(context(ch), answer), {"ChallengeName": "NEXT"})
    [request] = requests
    assert request.operation == "RespondToAuthChallenge"
    assert request.parameters["ChallengeName"] == ch.name and request.parameters["Session"] == "S1"
    assert outcome == Follow({"ChallengeName": "NEXT"})
    responses = dict(request.parameters["ChallengeResponses"])
    assert responses.pop("USERNAME") == "alice"  # always the internal username
    return responses


def assert_code_challenge(module: Any, key: str, kind: PromptKind) -> None:
    """A one-time-code challenge (SMS_MFA, EMAIL_OTP, SMS_OTP, SOFTWARE_TOKEN_MFA): its prompt of ``kind``
    with one ``code`` field, and the code cleaned of what people paste with it, sent as ``key``."""
    ch = challenge(module.NAME, CODE_DELIVERY_DESTINATION="+*******0100", CODE_DELIVERY_DELIVERY_MEDIUM="SMS")
    prompt = module.prompt(context(ch))
    assert prompt.kind is kind
    assert prompt.challenge_name == module.NAME
    assert [f.name for f in prompt.fields] == ["code"]
    assert answered(module, ch, {"code": " 123 456 "}) == {key: "123456"}
    with pytest.raises(MissingAnswerError):
        answered(module, ch, {"code": "  "})
