"""Small helpers for the local pool's tests: boto3 clients pointed at a pool, and the client half of SRP
built from ``authflow.srp`` (not the sign-in engine: these tests drive the protocol by hand)."""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
from datetime import datetime
from typing import Any

import boto3
import pyotp
import pytest
from botocore import UNSIGNED
from botocore.client import BaseClient
from botocore.config import Config
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from authflow import srp
from authflow.localpool import LocalUserPool
from authflow.secret_hash import secret_hash


def idp(pool: LocalUserPool | str, *, attempts: int = 1) -> BaseClient:
    """An unsigned cognito-idp client for ``pool`` (or an endpoint URL), no AWS credentials; no retries
    unless asked."""
    return boto3.client(
        "cognito-idp", region_name="us-east-1", endpoint_url=pool if isinstance(pool, str) else pool.endpoint_url,
        config=Config(signature_version=UNSIGNED, retries={"mode": "standard", "total_max_attempts": attempts},
                      connect_timeout=5, read_timeout=10),
    )


def admin_idp(pool: LocalUserPool) -> BaseClient:
    """A SigV4 client with dummy credentials, as admin calls are made (the pool checks no signature)."""
    return boto3.client(
        "cognito-idp", region_name="us-east-1", endpoint_url=pool.endpoint_url,
        aws_access_key_id="x", aws_secret_access_key="x",
        config=Config(retries={"mode": "standard", "total_max_attempts": 1}, connect_timeout=5, read_timeout=10),
    )


def error(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    err = excinfo.value.response["Error"]
    return err["Code"], err["Message"]


def password_auth(client: BaseClient, client_id: str, username: str, password: str,
                  secret: str | None = None) -> dict[str, Any]:
    params = {"USERNAME": username, "PASSWORD": password}
    if secret:
        params["SECRET_HASH"] = secret_hash(username, client_id, secret)
    return client.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters=params)


def srp_start(client: BaseClient, client_id: str, username: str, secret: str | None = None,
              **extra: str) -> tuple[srp.ClientEphemeral, dict[str, Any]]:
    """InitiateAuth USER_SRP_AUTH: (the client's ephemeral, the PASSWORD_VERIFIER answer)."""
    ephemeral = srp.ClientEphemeral()
    params = {"USERNAME": username, "SRP_A": ephemeral.srp_a, **extra}
    if secret:
        params["SECRET_HASH"] = secret_hash(username, client_id, secret)
    return ephemeral, client.initiate_auth(ClientId=client_id, AuthFlow="USER_SRP_AUTH", AuthParameters=params)


def verifier_responses(
    ephemeral: srp.ClientEphemeral,
    challenge_parameters: dict[str, str],
    pool_id: str,
    password: str,
    *,
    moment: datetime | None = None,
    timestamp: str | None = None,
) -> dict[str, str]:
    """ChallengeResponses for PASSWORD_VERIFIER, computed as Cognito clients do (section 2.3)."""
    pool_name = srp.pool_name_of(pool_id)
    user_id = challenge_parameters["USER_ID_FOR_SRP"]
    key = ephemeral.password_authentication_key(
        pool_name, user_id, password, challenge_parameters["SALT"], challenge_parameters["SRP_B"]
    )
    timestamp = timestamp or srp.format_timestamp(moment)
    return {
        "USERNAME": challenge_parameters["USERNAME"],
        "PASSWORD_CLAIM_SECRET_BLOCK": challenge_parameters["SECRET_BLOCK"],
        "TIMESTAMP": timestamp,
        "PASSWORD_CLAIM_SIGNATURE": srp.claim_signature(
            key, pool_name, user_id, challenge_parameters["SECRET_BLOCK"], timestamp
        ),
    }


def srp_auth(client: BaseClient, pool: LocalUserPool, username: str, password: str, *,
             client_id: str | None = None, secret: str | None = None, pool_id: str | None = None,
             **extra: str) -> dict[str, Any]:
    """A whole USER_SRP_AUTH: InitiateAuth, then PASSWORD_VERIFIER; returns the second answer."""
    client_id = client_id or pool.client_id
    ephemeral, started = srp_start(client, client_id, username, secret, **extra)
    assert started["ChallengeName"] == "PASSWORD_VERIFIER"
    responses = verifier_responses(ephemeral, started["ChallengeParameters"], pool_id or pool.pool_id, password,
                                   moment=pool.clock.datetime())
    if secret:
        responses["SECRET_HASH"] = secret_hash(responses["USERNAME"], client_id, secret)
    responses.update({k: v for k, v in extra.items() if k == "DEVICE_KEY"})
    return client.respond_to_auth_challenge(
        ClientId=client_id, ChallengeName="PASSWORD_VERIFIER", Session=started["Session"],
        ChallengeResponses=responses,
    )


def respond(client: BaseClient, client_id: str, previous: dict[str, Any], responses: dict[str, str],
            challenge: str | None = None) -> dict[str, Any]:
    """RespondToAuthChallenge to ``previous`` (its ChallengeName and Session)."""
    return client.respond_to_auth_challenge(
        ClientId=client_id, ChallengeName=challenge or previous["ChallengeName"], Session=previous["Session"],
        ChallengeResponses=responses,
    )


TARGET = "AWSCognitoIdentityProviderService."


def post(pool: LocalUserPool, target: str | None, body: bytes,
         content_type: str = "application/x-amz-json-1.1") -> tuple[int, dict[str, Any]]:
    headers = {"Content-Type": content_type}
    if target is not None:
        headers["X-Amz-Target"] = target
    request = urllib.request.Request(pool.endpoint_url + "/", data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def verify(pool: LocalUserPool, token: str) -> dict[str, Any]:
    """Check a JWT against the JWKS the pool serves, as a resource server would; return its claims."""
    header_b64, claims_b64, signature_b64 = token.split(".")
    header = json.loads(b64url(header_b64))
    with urllib.request.urlopen(f"{pool.endpoint_url}/{pool.pool_id}/.well-known/jwks.json", timeout=5) as r:
        keys = {k["kid"]: k for k in json.load(r)["keys"]}
    jwk = keys[header["kid"]]
    assert header["alg"] == "RS256"
    public = rsa.RSAPublicNumbers(int.from_bytes(b64url(jwk["e"]), "big"),
                                  int.from_bytes(b64url(jwk["n"]), "big")).public_key()
    public.verify(b64url(signature_b64), f"{header_b64}.{claims_b64}".encode(), padding.PKCS1v15(), hashes.SHA256())
    return json.loads(b64url(claims_b64))


def freeze_where_codes_differ(clock: Any, secret: str, *, around: int = 2) -> float:
    """Freeze the pool's ``clock`` at the first instant, now or a whole number of 30 s steps later, where the
    TOTP codes of ``secret`` for that step and the ``around`` steps each side all differ, and the code one more
    than that step's (the tests' wrong code) is none of them. Two steps sharing a code (about 1 in 100,000) could
    otherwise make a wrong code right, or a code outside the window the one inside it. Returns the instant."""
    totp = pyotp.TOTP(secret)
    at = clock.now()
    while True:
        codes = [totp.at(at + 30 * step) for step in range(-around, around + 1)]
        wrong = f"{(int(codes[around]) + 1) % 10**6:06d}"
        if len(set(codes)) == len(codes) and wrong not in codes:
            clock.freeze(at)
            return at
        at += 30


def _sign_ins(pool: LocalUserPool, count: int, start: int, users: int) -> None:
    for n in range(start, start + count):
        status, body = pool.service.handle("InitiateAuth", {
            "ClientId": pool.client_id, "AuthFlow": "USER_PASSWORD_AUTH",
            "AuthParameters": {"USERNAME": f"user{n % users}", "PASSWORD": "Passw0rd!x"}})
        assert status == 200, body


def sign_in_memory_growth(data: str | None, users: int = 5) -> dict[str, Any]:
    """What 500 sign-ins keep (tracemalloc: bytes, and the top lines) once a warm-up has filled every bounded
    cache: 150 sign-ins (20 token sessions per user), then 100 traced ones. ``data``: the pool's data file,
    or None for a pool in memory. Run it in a process of its own (tests/helpers/isolated.py)."""
    import tracemalloc
    from collections import deque
    from pathlib import Path

    from authflow.localpool.service import LoggedRequest

    pool = LocalUserPool(data=Path(data) if data else None)
    try:
        pool.service.request_log = deque[LoggedRequest](maxlen=100)  # full after the warm-up
        for n in range(users):
            pool.add_user(f"user{n}", "Passw0rd!x")
        _sign_ins(pool, 150, 0, users)  # 20 token sessions per user: the refresh records stop growing
        tracemalloc.start(1)
        try:
            _sign_ins(pool, 100, 150, users)
            before = tracemalloc.take_snapshot()
            _sign_ins(pool, 500, 250, users)
            after = tracemalloc.take_snapshot()
        finally:
            tracemalloc.stop()
        changes = after.compare_to(before, "lineno")
        return {"grown": sum(stat.size_diff for stat in changes), "top": [str(stat) for stat in changes[:5]]}
    finally:
        pool.close()


#: The password of "alice", the user whose devices the device tests (and the restart tests) remember.
DEVICE_PASSWORD = "Passw0rd!"


def confirm_device(pool: LocalUserPool, result: dict) -> tuple[str, str, str, bool]:
    """ConfirmDevice as a client does; (device key, group key, device password, UserConfirmationNecessary)."""
    metadata = result["NewDeviceMetadata"]
    key, group = metadata["DeviceKey"], metadata["DeviceGroupKey"]
    password, verifier, salt = srp.generate_device_verifier(group, key)
    answer = idp(pool).confirm_device(AccessToken=result["AccessToken"], DeviceKey=key, DeviceName="laptop",
                                      DeviceSecretVerifierConfig={"PasswordVerifier": verifier, "Salt": salt})
    return key, group, password, answer["UserConfirmationNecessary"]


def device_sign_in(pool: LocalUserPool, key: str, group: str, password: str) -> dict:
    """USER_SRP_AUTH with DEVICE_KEY, then DEVICE_SRP_AUTH and DEVICE_PASSWORD_VERIFIER."""
    client = idp(pool)
    device_challenge = srp_auth(client, pool, "alice", DEVICE_PASSWORD, DEVICE_KEY=key)
    assert device_challenge["ChallengeName"] == "DEVICE_SRP_AUTH"
    ephemeral = srp.ClientEphemeral()
    verifier = respond(client, pool.client_id, device_challenge,
                       {"USERNAME": "alice", "DEVICE_KEY": key, "SRP_A": ephemeral.srp_a})
    assert verifier["ChallengeName"] == "DEVICE_PASSWORD_VERIFIER"
    params = verifier["ChallengeParameters"]
    assert params["USERNAME"] == "alice" and params["DEVICE_KEY"] == key
    secret_key = ephemeral.password_authentication_key(group, key, password, params["SALT"], params["SRP_B"])
    timestamp = srp.format_timestamp(pool.clock.datetime())
    return respond(client, pool.client_id, verifier, {
        "USERNAME": "alice", "DEVICE_KEY": key, "PASSWORD_CLAIM_SECRET_BLOCK": params["SECRET_BLOCK"],
        "TIMESTAMP": timestamp,
        "PASSWORD_CLAIM_SIGNATURE": srp.claim_signature(secret_key, group, key, params["SECRET_BLOCK"], timestamp),
    })
