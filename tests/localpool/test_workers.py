"""``--workers 2``: two processes over one ``--data`` file. Each test sends the steps of one story to
different workers (``--worker-ports`` gives each worker a port of its own besides the shared one) and
checks the state one worker changed is the state the other acts on: Sessions, TOTP reuse, lockout,
refresh token rotation."""

from __future__ import annotations

import json
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyotp
import pytest
from botocore.client import BaseClient
from botocore.exceptions import ClientError

from tests.helpers.durable import PASSWORD, SEED, TOTP_SECRET, finish, first_line, spawn

from .helpers import idp, password_auth, respond, srp_start, verifier_responses

POOL_ID = SEED["pools"][0]["id"]  # type: ignore[index]
#: An app client whose Sessions last 2 s.
SHORT_CLIENT = "durableshortclient0000001"


class Workers:
    def __init__(self, info: dict[str, Any], pid: int) -> None:
        self.info = info
        self.pid = pid
        self.client_id: str = info["client_id"]
        self.shared = idp(info["endpoint_url"])
        self.a, self.b = (idp(worker["endpoint_url"]) for worker in info["workers"])


@pytest.fixture(scope="module")
def workers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workers]:
    root = tmp_path_factory.mktemp("workers")
    seed = dict(SEED["pools"][0])  # type: ignore[index]
    seed["users"] = [{"username": name, "password": PASSWORD, "mfa": ["SOFTWARE_TOKEN_MFA"],
                      "totp_secret": TOTP_SECRET} for name in ("tina", "tom", "lou", "rob", "eve")]
    seed["clients"] = [*seed["clients"], {"id": SHORT_CLIENT, "name": "short", "auth_session_validity_seconds": 2,
                                          "explicit_auth_flows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH"]}]
    (root / "seed.json").write_text(json.dumps({"pools": [seed]}))
    process = spawn("--seed", str(root / "seed.json"), "--data", str(root / "pool.db"), "--workers", "2",
                    "--worker-ports")
    try:
        info = first_line(process)
        yield Workers(info, process.pid)
    finally:
        code, err = finish(process, signal.SIGTERM)
        assert code == 0, err


def _totp(steps: int = 0) -> str:
    return pyotp.TOTP(TOTP_SECRET).at(time.time() + 30 * steps)


def _srp_verifier(first: BaseClient, second: BaseClient, client_id: str, username: str) -> dict[str, Any]:
    """USER_SRP_AUTH started on ``first``, its PASSWORD_VERIFIER answered on ``second``."""
    ephemeral, started = srp_start(first, client_id, username)
    responses = verifier_responses(ephemeral, started["ChallengeParameters"], POOL_ID, PASSWORD)
    return respond(second, client_id, started, responses)


def test_two_processes_serve(workers: Workers) -> None:
    pids = {worker["pid"] for worker in workers.info["workers"]}
    assert len(pids) == 2
    assert workers.shared.describe_user_pool(UserPoolId=POOL_ID)["UserPool"]["Id"] == POOL_ID


def test_a_sign_in_moves_between_workers(workers: Workers) -> None:
    mfa = _srp_verifier(workers.a, workers.b, workers.client_id, "tina")
    assert mfa["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    done = respond(workers.a, workers.client_id, mfa, {"USERNAME": "tina", "SOFTWARE_TOKEN_MFA_CODE": _totp()})
    assert done["AuthenticationResult"]["AccessToken"]
    with pytest.raises(ClientError, match="session can only be used once"):  # single use, on the other worker
        respond(workers.b, workers.client_id, mfa, {"USERNAME": "tina", "SOFTWARE_TOKEN_MFA_CODE": _totp()})
    # an access token one worker issued is honoured by the other
    assert workers.b.get_user(AccessToken=done["AuthenticationResult"]["AccessToken"])["Username"] == "tina"


def test_a_session_expired_on_one_worker_is_refused_on_the_other(workers: Workers) -> None:
    ephemeral, started = srp_start(workers.a, SHORT_CLIENT, "eve")
    responses = verifier_responses(ephemeral, started["ChallengeParameters"], POOL_ID, PASSWORD)
    mfa = respond(workers.b, SHORT_CLIENT, started, responses)  # in time: answered on the other worker
    assert mfa["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    time.sleep(2.5)
    with pytest.raises(ClientError) as expired:  # the MFA Session, issued by b, expired: a refuses it
        respond(workers.a, SHORT_CLIENT, mfa, {"USERNAME": "eve", "SOFTWARE_TOKEN_MFA_CODE": _totp()})
    assert (expired.value.response["Error"]["Code"], expired.value.response["Error"]["Message"]) == (
        "NotAuthorizedException", "Invalid session for the user, session is expired.")
    again = password_auth(workers.a, SHORT_CLIENT, "eve", PASSWORD)
    time.sleep(2.5)
    with pytest.raises(ClientError, match="session is expired"):  # and one issued by a, refused by b
        respond(workers.b, SHORT_CLIENT, again, {"USERNAME": "eve", "SOFTWARE_TOKEN_MFA_CODE": _totp()})


def test_a_totp_code_used_on_one_worker_is_refused_on_the_other(workers: Workers) -> None:
    code = _totp()
    first = password_auth(workers.a, workers.client_id, "tom", PASSWORD)
    assert respond(workers.a, workers.client_id, first, {"USERNAME": "tom", "SOFTWARE_TOKEN_MFA_CODE": code})[
        "AuthenticationResult"]
    second = password_auth(workers.b, workers.client_id, "tom", PASSWORD)
    with pytest.raises(ClientError) as refused:
        respond(workers.b, workers.client_id, second, {"USERNAME": "tom", "SOFTWARE_TOKEN_MFA_CODE": code})
    assert refused.value.response["Error"]["Code"] in ("CodeMismatchException", "ExpiredCodeException")


def test_wrong_passwords_on_both_workers_add_up_to_one_lockout(workers: Workers) -> None:
    for attempt in range(5):
        with pytest.raises(ClientError, match="Incorrect username or password"):
            password_auth(workers.a if attempt % 2 else workers.b, workers.client_id, "lou", "Wrong-Passw0rd!")
    # Locked 1 s after the 5th, then 2 s after a 6th, 4 s after a 7th (each counted by the other worker)
    for client, wait in ((workers.a, 1.1), (workers.b, 2.1)):
        time.sleep(wait)
        with pytest.raises(ClientError, match="Incorrect username or password"):
            password_auth(client, workers.client_id, "lou", "Wrong-Passw0rd!")
    for client in (workers.a, workers.b):  # even the right password, on either worker, within the 4 s
        with pytest.raises(ClientError, match="Password attempts exceeded"):
            password_auth(client, workers.client_id, "lou", PASSWORD)


def test_a_refresh_token_rotated_on_one_worker_is_spent_on_the_other(workers: Workers) -> None:
    mfa = password_auth(workers.a, workers.client_id, "rob", PASSWORD)
    tokens = respond(workers.a, workers.client_id, mfa, {"USERNAME": "rob", "SOFTWARE_TOKEN_MFA_CODE": _totp()})
    old = tokens["AuthenticationResult"]["RefreshToken"]
    rotated = workers.a.get_tokens_from_refresh_token(ClientId=workers.client_id, RefreshToken=old)
    new = rotated["AuthenticationResult"]["RefreshToken"]
    with pytest.raises(ClientError) as reused:
        workers.b.get_tokens_from_refresh_token(ClientId=workers.client_id, RefreshToken=old)
    assert reused.value.response["Error"]["Code"] == "RefreshTokenReuseException"
    again = workers.b.get_tokens_from_refresh_token(ClientId=workers.client_id, RefreshToken=new)
    assert again["AuthenticationResult"]["RefreshToken"] != new


def test_a_user_signed_up_on_one_worker_signs_in_on_the_other(workers: Workers) -> None:
    workers.a.sign_up(ClientId=workers.client_id, Username="nina", Password=PASSWORD)
    workers.b.admin_confirm_sign_up(UserPoolId=POOL_ID, Username="nina")
    assert password_auth(workers.a, workers.client_id, "nina", PASSWORD)["AuthenticationResult"]
    assert password_auth(workers.shared, workers.client_id, "nina", PASSWORD)["AuthenticationResult"]


def test_a_killed_worker_is_replaced_and_the_pool_serves_on(workers: Workers) -> None:
    import os

    victim = workers.info["workers"][0]["pid"]
    os.kill(victim, signal.SIGKILL)
    client = idp(workers.info["endpoint_url"], attempts=3)  # a kept-alive connection to the dead one: retried
    for _ in range(10):  # the other worker answers meanwhile, on the shared port
        assert password_auth(client, workers.client_id, "nina", PASSWORD)["AuthenticationResult"]
    children = Path(f"/proc/{workers.pid}/task/{workers.pid}/children")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:  # the parent starts another worker
        pids = {int(pid) for pid in children.read_text().split()}
        if len(pids) == 2 and victim not in pids:
            break
        time.sleep(0.2)
    else:
        pytest.fail(f"the killed worker was not replaced: {children.read_text()!r}")
