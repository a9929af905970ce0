"""One software passkey file used by several processes at once, as parallel CI drivers do: every assertion
carries its own counter (a lock file shared by the processes), and a passkey made with ``counter=False``
signs in from every process in any order. Real processes (spawned), real sign-ins over HTTP."""

from __future__ import annotations

import base64
import json
import multiprocessing
import struct
from collections.abc import Iterator
from pathlib import Path

import pytest

from authflow import ScriptedHandler, UserPool, sign_in
from authflow.errors import AuthflowError
from authflow.localpool import LocalUserPool
from authflow.passkeys import SoftwarePasskey, register_passkey

PASSWORD = "Bob-Passw0rd!1"
PROCESSES, EACH = 4, 10


def sign_ins(pool_id: str, client_id: str, endpoint_url: str, passkey: str) -> list[str]:
    """In a child process: EACH passkey sign-ins of bob; "ok" or the error's text for each."""
    outcomes = []
    for _ in range(EACH):
        try:
            sign_in(UserPool(pool_id, client_id, endpoint_url=endpoint_url), "bob", ScriptedHandler(passkey=passkey),
                    auth_flow="USER_AUTH", preferred_challenge="WEB_AUTHN")
            outcomes.append("ok")
        except AuthflowError as exc:
            outcomes.append(str(exc))
    return outcomes


@pytest.fixture
def local() -> Iterator[LocalUserPool]:
    with LocalUserPool() as pool:
        pool.add_user("bob", PASSWORD)
        yield pool


def bob_with(local: LocalUserPool, key: SoftwarePasskey) -> None:
    pool = UserPool(local.pool_id, local.client_id, endpoint_url=local.endpoint_url)
    register_passkey(pool, sign_in(pool, "bob", ScriptedHandler(password=PASSWORD)).access_token, key)
    local.clear_requests()


def run_in_processes(local: LocalUserPool, key: SoftwarePasskey) -> list[str]:
    args = [(local.pool_id, local.client_id, local.endpoint_url, str(key.path))] * PROCESSES
    with multiprocessing.get_context("spawn").Pool(PROCESSES) as workers:
        return [outcome for outcomes in workers.starmap(sign_ins, args) for outcome in outcomes]


def counters_received(local: LocalUserPool) -> list[tuple[int, bool]]:
    """(signature counter, accepted) of each WEB_AUTHN answer, in the order the pool took them."""
    received = []
    for record in local.requests("RespondToAuthChallenge"):
        credential = json.loads(record.params["ChallengeResponses"]["CREDENTIAL"])
        data = credential["response"]["authenticatorData"]
        auth_data = base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))
        received.append((struct.unpack(">I", auth_data[33:37])[0], record.status == 200))
    return received


def test_processes_sharing_a_passkey_file_never_send_one_counter_twice(local: LocalUserPool, tmp_path: Path) -> None:
    key = SoftwarePasskey.generate(tmp_path / "bob.passkey")
    bob_with(local, key)

    outcomes = run_in_processes(local, key)

    received = counters_received(local)
    total = PROCESSES * EACH
    assert sorted(count for count, _ in received) == list(range(1, total + 1))  # each number once
    assert SoftwarePasskey(key.path).sign_count == total
    # Nearly all pass. A refusal is only ever a sign-in overtaken on its way to the pool by a higher number
    # (the counter must grow there), never a counter sent twice.
    highest = 0
    for count, accepted in received:
        assert accepted == (count > highest), (count, highest)
        highest = max(highest, count)
    refused = [o for o in outcomes if o != "ok"]
    assert len(refused) == sum(not accepted for _, accepted in received) <= total // 4, refused
    assert all("sign count" in o for o in refused), refused


def test_a_passkey_without_counter_signs_in_from_every_process(local: LocalUserPool, tmp_path: Path) -> None:
    key = SoftwarePasskey.generate(tmp_path / "bob.passkey", counter=False)
    bob_with(local, key)
    written = key.path.read_bytes()

    outcomes = run_in_processes(local, key)

    assert outcomes == ["ok"] * (PROCESSES * EACH)
    assert counters_received(local) == [(0, True)] * (PROCESSES * EACH)
    assert key.path.read_bytes() == written  # the file is not written by an assertion
    assert SoftwarePasskey(key.path).counter is False
