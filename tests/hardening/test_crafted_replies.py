"""Crafted replies that used to escape as AttributeError, TypeError, ValueError, RecursionError,
OverflowError or UnicodeDecodeError: each is now a typed error, through sign_in and the step API."""

from __future__ import annotations

from typing import Any

import pytest

from authflow import AuthFlow, ScriptedHandler, UserPool, sign_in
from authflow.errors import AuthflowError, MalformedResponseError, SnapshotError, SRPError

from .fake_cognito import Reply, Scripted

PASSWORD = "Passw0rd!-crafted"
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
SESSION = "s" * 40
SRP = {"SRP_B": "abcd" * 100, "SALT": "ab12", "SECRET_BLOCK": "AAAA", "USER_ID_FOR_SRP": "alice", "USERNAME": "alice"}


def challenge(name: str, **parameters: Any) -> Reply:
    return Reply({"ChallengeName": name, "ChallengeParameters": parameters, "Session": SESSION})


CRAFTED: dict[str, tuple[list[Reply], type[AuthflowError]]] = {
    "body is a JSON list": ([Reply([1, 2])], MalformedResponseError),
    "body is a JSON string": ([Reply("hello")], MalformedResponseError),
    "body is not UTF-8": ([Reply(b"\xff\xfe garbage")], MalformedResponseError),
    "body nested 100,000 deep": ([Reply(b"[" * 100_000 + b"]" * 100_000)], MalformedResponseError),
    "error __type is a number": ([Reply({"__type": 5, "message": "m"}, 400)], MalformedResponseError),
    "error __type is a list": ([Reply({"__type": ["a"], "message": {"x": 1}}, 400)], MalformedResponseError),
    "ChallengeParameters is a string": ([Reply({"ChallengeName": "SMS_MFA", "ChallengeParameters": "abc",
                                                "Session": SESSION})], MalformedResponseError),
    "ChallengeParameters nested": ([challenge("SMS_MFA", a={"b": 1})], MalformedResponseError),
    "ExpiresIn Infinity": ([Reply(b'{"AuthenticationResult": {"AccessToken": "a", "ExpiresIn": Infinity}}')],
                           MalformedResponseError),
    "ExpiresIn 1e400": ([Reply(b'{"AuthenticationResult": {"AccessToken": "a", "ExpiresIn": 1e400}}')],
                        MalformedResponseError),
    "ExpiresIn 10**400": ([Reply({"AuthenticationResult": {"AccessToken": "a", "ExpiresIn": 10**400}})],
                          MalformedResponseError),
    "ExpiresIn negative": ([Reply({"AuthenticationResult": {"AccessToken": "a", "ExpiresIn": -5}})],
                           MalformedResponseError),
    "IdToken is a number": ([Reply({"AuthenticationResult": {"AccessToken": "a", "IdToken": 5}})],
                            MalformedResponseError),
    "NewDeviceMetadata is a string": ([Reply({"AuthenticationResult": {"AccessToken": "a",
                                                                       "NewDeviceMetadata": "x"}})],
                                      MalformedResponseError),
    "a string of 1 MB": ([challenge("SMS_MFA", CODE_DELIVERY_DESTINATION="x" * 1_000_000)], MalformedResponseError),
    "SALT not hex": ([challenge("PASSWORD_VERIFIER", **{**SRP, "SALT": "zz"})], SRPError),
    "SRP_B -1": ([challenge("PASSWORD_VERIFIER", **{**SRP, "SRP_B": "-1"})], SRPError),
    "SRP_B 0x-prefixed": ([challenge("PASSWORD_VERIFIER", **{**SRP, "SRP_B": "0x" + "ab" * 50})], SRPError),
    "SRP_B of 100,000 digits": ([challenge("PASSWORD_VERIFIER", **{**SRP, "SRP_B": "f" * 100_000})], SRPError),
    "SECRET_BLOCK not base64": ([challenge("PASSWORD_VERIFIER", **{**SRP, "SECRET_BLOCK": "@@@"})], SRPError),
    "MFAS_CAN_SETUP nested 5,000 deep": ([challenge("MFA_SETUP", MFAS_CAN_SETUP="[" * 5000 + "]" * 5000)],
                                         MalformedResponseError),
    "SecretCode not base32": ([challenge("MFA_SETUP", MFAS_CAN_SETUP='["SOFTWARE_TOKEN_MFA"]'),
                               Reply({"SecretCode": "not base32 at all!!", "Session": SESSION})],
                              MalformedResponseError),
    "SecretCode a number": ([challenge("MFA_SETUP", MFAS_CAN_SETUP='["SOFTWARE_TOKEN_MFA"]'),
                             Reply({"SecretCode": 12, "Session": SESSION})], MalformedResponseError),
}


@pytest.fixture(scope="module")
def pool(fake: Scripted) -> UserPool:
    return UserPool("us-east-1_Crafted", "craftedclient", endpoint_url=fake.url, max_attempts=1)


def handler(saved: list[str]) -> ScriptedHandler:
    return ScriptedHandler(password=PASSWORD, totp_secret=SECRET, code="123456", mfa_setup_choice="SOFTWARE_TOKEN_MFA",
                           totp_secret_out=saved.append)


@pytest.mark.parametrize("case", list(CRAFTED))
def test_crafted_reply_is_a_typed_error_through_sign_in(case: str, fake: Scripted, pool: UserPool) -> None:
    replies, expected = CRAFTED[case]
    fake.load(*replies)
    saved: list[str] = []
    with pytest.raises(expected) as caught:
        sign_in(pool, "alice", handler(saved))
    assert PASSWORD not in str(caught.value) and SECRET not in repr(caught.value)
    assert saved == [], "a secret that can never be verified is not handed on"


@pytest.mark.parametrize("case", list(CRAFTED))
def test_crafted_reply_is_a_typed_error_through_the_step_api(case: str, fake: Scripted, pool: UserPool) -> None:
    replies, expected = CRAFTED[case]
    fake.load(*replies)
    flow = AuthFlow(pool, "alice")
    with pytest.raises(expected):
        step = flow.start(PASSWORD)
        while not step.done:
            assert step.prompt is not None
            answer = {"choice": "SOFTWARE_TOKEN_MFA"} if step.prompt.choices else {"code": "123456"}
            step = flow.respond(answer)
    assert flow.state == "failed"


@pytest.mark.parametrize("damage", [
    {"version": 99}, {"pool_id": "us-east-1_Other"}, {"state": "authenticated"}, {"state": ["SMS_MFA"]},
    {"username": 5}, {"session": {"a": 1}}, {"session_expires_at": float("inf")}, {"attempts": "many"},
    {"memory": {"totp_secret": 5}}, {"challenge": {"name": "SMS_MFA", "parameters": "x"}},
    {"challenge": {"name": "SMS_MFA", "parameters": {}, "available_challenges": 3}},
])
def test_a_damaged_snapshot_is_a_typed_error(damage: dict[str, Any], pool: UserPool) -> None:
    snapshot = {
        "version": 2, "pool_id": pool.pool_id, "client_id": pool.client_id, "username": "alice",
        "user_id": "alice", "auth_flow": "USER_SRP_AUTH", "preferred_challenge": None, "state": "SMS_MFA",
        "session": SESSION, "session_expires_at": 1e9, "attempts": 1, "memory": {},
        "challenge": {"name": "SMS_MFA", "parameters": {}, "available_challenges": []},
    }
    assert AuthFlow.resume(pool, snapshot).state == "SMS_MFA"  # the undamaged one resumes
    with pytest.raises(SnapshotError):
        AuthFlow.resume(pool, {**snapshot, **damage})
