"""sign_in_many over worker processes, and its sign-ins-per-second ceiling."""

from __future__ import annotations

import time

import pyotp
import pytest

from authflow import RateLimit, ScriptedHandler, SignInRequest, UserPool, sign_in_many
from authflow.localpool import LocalUserPool
from tests.engine.helpers import PASSWORD, claims


def test_two_processes_sign_everyone_in_in_input_order(local_pool: LocalUserPool, pool: UserPool) -> None:
    secrets = {f"p{i}": pyotp.random_base32(32) for i in range(4)}
    for name, secret in secrets.items():
        local_pool.add_user(name, PASSWORD, mfa=["SOFTWARE_TOKEN_MFA"], preferred_mfa="SOFTWARE_TOKEN_MFA",
                            totp_secret=secret)
    local_pool.add_user("plain", PASSWORD)
    requests = [(name, ScriptedHandler(password=PASSWORD, totp_secret=secret)) for name, secret in secrets.items()]
    requests.append(("plain", ScriptedHandler(password=PASSWORD)))
    requests.append(SignInRequest("plain", ScriptedHandler(password=PASSWORD), auth_flow="USER_PASSWORD_AUTH"))
    requests.append(("p0", ScriptedHandler(password="Wrong-Passw0rd!")))
    results = sign_in_many(pool, requests, processes=2, max_workers=2)
    names = [*secrets, "plain", "plain", "p0"]
    assert [r.username for r in results] == names
    assert [r.ok for r in results] == [True] * 6 + [False]
    assert results[-1].error is not None and results[-1].error.code == "NotAuthorizedException"
    assert [claims(r.tokens.access_token)["username"] for r in results[:6]] == names[:6]  # type: ignore[union-attr]
    assert "SOFTWARE_TOKEN_MFA" in results[0].history


def test_a_handler_that_cannot_go_to_another_process_is_a_clear_error(
    local_pool: LocalUserPool, pool: UserPool
) -> None:
    local_pool.add_user("lam", PASSWORD)
    with pytest.raises(TypeError, match="pickle"):
        sign_in_many(pool, [("lam", ScriptedHandler(password=lambda prompt: PASSWORD))], processes=1)


def test_the_rate_ceiling_spaces_sign_ins_across_threads(local_pool: LocalUserPool, pool: UserPool) -> None:
    for i in range(10):
        local_pool.add_user(f"r{i}", PASSWORD)
    started = time.monotonic()
    requests = [SignInRequest(f"r{i}", ScriptedHandler(password=PASSWORD), auth_flow="USER_PASSWORD_AUTH")
                for i in range(10)]
    results = sign_in_many(pool, requests, max_workers=10, rate=25)
    assert all(r.ok for r in results)
    assert time.monotonic() - started >= 9 / 25  # ten starts, evenly spaced 40 ms apart


def test_the_rate_ceiling_is_shared_by_processes(local_pool: LocalUserPool, pool: UserPool) -> None:
    for i in range(8):
        local_pool.add_user(f"s{i}", PASSWORD)
    limit = RateLimit(10)
    requests = [SignInRequest(f"s{i}", ScriptedHandler(password=PASSWORD), auth_flow="USER_PASSWORD_AUTH")
                for i in range(8)]
    results = sign_in_many(pool, requests, processes=2, max_workers=4, rate=limit)
    assert all(r.ok for r in results)
    arrivals = sorted(r.at for r in local_pool.requests("InitiateAuth"))
    # 8 starts at most 10 a second, both processes together (the pool's clock reads the wall clock)
    assert arrivals[-1] - arrivals[0] >= 7 / 10 - 0.05


def test_rate_must_be_positive() -> None:
    with pytest.raises(ValueError):
        RateLimit(0)
