"""Many sign-ins at once: independent flows, own tokens, no TOTP code sent twice."""

from __future__ import annotations

import time

import pyotp

from authflow import ScriptedHandler, SignInRequest, TotpCodes, UserPool, sign_in_many
from authflow.localpool import LocalUserPool
from tests.engine.helpers import PASSWORD, claims


def test_fifty_distinct_users_at_once_get_their_own_tokens(local_pool: LocalUserPool, pool: UserPool) -> None:
    names = [f"user{i:02d}" for i in range(50)]
    secrets = {name: pyotp.random_base32(32) for name in names}
    for name in names:
        local_pool.add_user(name, PASSWORD, mfa=["SOFTWARE_TOKEN_MFA"], preferred_mfa="SOFTWARE_TOKEN_MFA",
                            totp_secret=secrets[name])
    requests = [(name, ScriptedHandler(password=PASSWORD, totp_secret=secrets[name])) for name in names]
    results = sign_in_many(pool, requests, max_workers=50)
    assert [r.username for r in results] == names  # input order
    assert all(r.ok for r in results), [str(r.error) for r in results if not r.ok]
    assert [claims(r.tokens.access_token)["username"] for r in results] == names  # type: ignore[union-attr]
    assert len({r.tokens.access_token for r in results}) == 50  # type: ignore[union-attr]


def test_a_failure_is_reported_for_its_user_only(local_pool: LocalUserPool, pool: UserPool) -> None:
    for name in ("a1", "a2", "a3"):
        local_pool.add_user(name, PASSWORD)
    results = sign_in_many(pool, [
        ("a1", ScriptedHandler(password=PASSWORD)),
        ("a2", ScriptedHandler(password="Wrong-Passw0rd!")),
        ("nobody", ScriptedHandler(password=PASSWORD)),
        SignInRequest("a3", ScriptedHandler(password=PASSWORD), auth_flow="USER_PASSWORD_AUTH"),
    ])
    assert [r.ok for r in results] == [True, False, False, True]
    assert results[1].error is not None and results[1].error.code == "NotAuthorizedException"
    assert results[2].error is not None and results[2].error.code == "UserNotFoundException"


def test_two_flows_of_the_same_totp_user_never_send_the_same_code(local_pool: LocalUserPool, pool: UserPool) -> None:
    secret = pyotp.random_base32(32)
    local_pool.add_user("twin", PASSWORD, mfa=["SOFTWARE_TOKEN_MFA"], preferred_mfa="SOFTWARE_TOKEN_MFA",
                        totp_secret=secret)
    # Waiting for the next window takes one real second per 30-second window and then moves the pool's
    # clock to the waiter's target: flows keep their real order (the first code is sent before a later
    # window opens) without the test sleeping 30 s per window.
    def wait(seconds: float) -> None:
        target = local_pool.clock.now() + seconds
        time.sleep(seconds / 30)
        local_pool.clock.advance(max(0.0, target - local_pool.clock.now()))

    codes = TotpCodes(clock=local_pool.clock.now, sleep=wait)
    handler = ScriptedHandler(password=PASSWORD, totp_secret=secret, totp_codes=codes)
    results = sign_in_many(pool, [("twin", handler), ("twin", handler), ("twin", handler)], max_workers=3)
    assert all(r.ok for r in results), [str(r.error) for r in results]
    sent = [r.params["ChallengeResponses"]["SOFTWARE_TOKEN_MFA_CODE"]
            for r in local_pool.requests("RespondToAuthChallenge")
            if r.params["ChallengeName"] == "SOFTWARE_TOKEN_MFA"]
    assert len(sent) == 3 and len(set(sent)) == 3
    assert not [r for r in local_pool.requests() if r.error_code == "ExpiredCodeException"]
