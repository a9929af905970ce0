"""``authflow local-pool`` (``python -m authflow.localpool``): first line JSON, serves, stops cleanly."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from authflow.localpool import LocalUserPool
from authflow.localpool.cli import describe
from tests.helpers.cli import credential_free_env, run_cli

from .helpers import idp, password_auth

REPO = Path(__file__).resolve().parents[2]


def spawn(*args: str) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
    return subprocess.Popen([sys.executable, "-m", "authflow.localpool", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)


class Running:
    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        assert process.stdout is not None
        line = process.stdout.readline()  # the server prints it at once; a broken start closes stdout
        assert line, process.stderr.read() if process.stderr else "no output"
        self.info = json.loads(line)

    def stop(self, signum: int = signal.SIGINT) -> tuple[int, str, str]:
        self.process.send_signal(signum)
        out, err = self.process.communicate(timeout=10)
        return self.process.returncode, out, err


@pytest.fixture
def demo() -> Iterator[Running]:
    process = spawn()
    try:
        yield Running(process)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate(timeout=10)


def test_first_line_describes_the_demo(demo: Running) -> None:
    info = demo.info
    assert info["endpoint_url"].startswith("http://127.0.0.1:")
    assert info["pool_id"] == "us-east-1_AuthFlow1" and info["client_id"]
    users = {u["username"]: u for u in info["users"]}
    assert {"alice", "tina", "sam", "emma", "max", "newton", "uma", "sean"} <= set(users)
    assert users["tina"]["totp_secret"] == "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    assert users["sean"]["pool_id"] == "us-east-1_MfaOnly01"
    assert info["identity_pools"] == [{
        "identity_pool_id": "us-east-1:0a17f10e-de30-4000-8000-000000000001", "name": "authflow-demo-identities",
        "providers": ["cognito-idp.us-east-1.amazonaws.com/us-east-1_AuthFlow1"]}]
    assert all(u["password"] and u["client_id"] and u["description"] for u in users.values())


def test_serves_then_stops_cleanly_on_sigint(demo: Running) -> None:
    alice = next(u for u in demo.info["users"] if u["username"] == "alice")
    result = password_auth(idp(demo.info["endpoint_url"]), alice["client_id"], "alice", alice["password"])
    assert "AccessToken" in result["AuthenticationResult"]
    code, _, err = demo.stop(signal.SIGINT)
    assert code == 0
    assert "Traceback" not in err
    assert "InitiateAuth -> 200" in err
    assert alice["password"] not in err and result["AuthenticationResult"]["AccessToken"] not in err


def test_the_demo_passkey_user_signs_in_with_authflow_login(demo: Running, tmp_path: Path) -> None:
    pia = next(u for u in demo.info["users"] if u["username"] == "pia")
    env = credential_free_env(tmp_path, {"AUTHFLOW_PASSKEY_FILE": pia["passkey_file"],
                                         "AUTHFLOW_FIRST_FACTOR": "WEB_AUTHN"})
    done = run_cli(["login", "--non-interactive", "--auth-flow", "USER_AUTH", "--pool-id", pia["pool_id"],
                    "--client-id", pia["client_id"], "--endpoint-url", demo.info["endpoint_url"],
                    "--username", "pia"], env)
    assert done.returncode == 0, done.stderr
    assert "AccessToken" in json.loads(done.stdout)
    code, _, err = demo.stop(signal.SIGINT)
    assert code == 0
    assert "RespondToAuthChallenge -> 200" in err and "Traceback" not in err


def test_failures_are_logged_with_their_code_only(demo: Running) -> None:
    with pytest.raises(ClientError):
        password_auth(idp(demo.info["endpoint_url"]), demo.info["client_id"], "alice", "Secret-Wr0ng!")
    code, _, err = demo.stop(signal.SIGTERM)
    assert code == 0
    assert "InitiateAuth -> 400 NotAuthorizedException" in err
    assert "Secret-Wr0ng!" not in err


def test_seed_file_and_port(tmp_path: Path) -> None:
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps({"pools": [{
        "id": "us-east-1_Seeded123",
        "clients": [{"id": "seededclient", "explicit_auth_flows": ["ALLOW_USER_PASSWORD_AUTH"]}],
        "users": [{"username": "zed", "password": "Zed-Passw0rd!"}],
    }]}))
    with LocalUserPool() as probe:  # find a free port: start, note it, stop
        port = probe.port
    running = Running(spawn("--seed", str(seed), "--port", str(port)))
    try:
        assert running.info["endpoint_url"] == f"http://127.0.0.1:{port}"
        assert running.info["pool_id"] == "us-east-1_Seeded123"
        assert running.info["users"] == [{"username": "zed", "password": "Zed-Passw0rd!",
                                          "pool_id": "us-east-1_Seeded123", "client_id": "seededclient"}]
        assert "AuthenticationResult" in password_auth(idp(running.info["endpoint_url"]), "seededclient", "zed",
                                                       "Zed-Passw0rd!")
    finally:
        assert running.stop()[0] == 0


def test_bad_seed_is_one_line_naming_the_file_and_exit_2(tmp_path: Path) -> None:
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps({"pools": [{"nonsense": 1}]}))
    process = spawn("--seed", str(seed))
    out, err = process.communicate(timeout=20)
    assert process.returncode == 2 and out == ""
    assert err.startswith(f"authflow: local-pool --seed {seed}: ") and err.count("\n") == 1
    assert "nonsense" in err and "Traceback" not in err


@pytest.mark.parametrize(("host", "warned"), [("0.0.0.0", True), ("127.0.0.1", False)])
def test_listening_beyond_this_machine_is_said(host: str, warned: bool) -> None:
    """The demo users' passwords are printed on the first line: on another interface than loopback, anyone who
    reaches the port can sign in as them, which deserves a word (even with --quiet)."""
    from authflow.localpool.cli import _loopback

    running = Running(spawn("--host", host, "--quiet"))
    _, _, err = running.stop()
    assert ("reachable from other machines" in err) is warned, err
    assert _loopback("::1") and _loopback("localhost") and _loopback("127.0.0.2") and not _loopback("example.com")


def test_a_seed_value_of_the_wrong_type_is_one_line_and_exit_2(tmp_path: Path) -> None:
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps({"pools": [{"users": [{"username": 5, "password": "Zed-Passw0rd!"}]}]}))
    process = spawn("--seed", str(seed))
    out, err = process.communicate(timeout=20)
    assert process.returncode == 2 and out == "", err  # was exit 1, "an internal error ... (AttributeError)"
    assert err == f"authflow: local-pool --seed {seed}: seed: a user's username is a string or null, not 5\n"


def test_describe_in_process() -> None:
    with LocalUserPool("demo") as pool:
        info = describe(pool)
        assert info["endpoint_url"] == pool.endpoint_url
        assert [p["pool_id"] for p in info["pools"]] == ["us-east-1_AuthFlow1", "us-east-1_MfaOnly01"]
