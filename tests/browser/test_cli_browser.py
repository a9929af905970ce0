"""``authflow login --browser`` and ``authflow token --client-credentials`` as the command-line contract says,
run as ``python -m authflow`` against one local pool (its managed login on the same port)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from authflow.localpool import LocalUserPool
from tests.browser.helpers import API, MACHINE, MACHINE_SECRET, WEB, WebClient, seed
from tests.helpers.cli import REPO, assert_no_secret, assert_one_line_error, credential_free_env, run_cli


@pytest.fixture(scope="module")
def pool() -> Iterator[LocalUserPool]:
    with LocalUserPool(seed()) as started:
        yield started


def env_for(pool: LocalUserPool, tmp_path: Path, client_id: str = WEB, **extra: str) -> dict[str, str]:
    return credential_free_env(tmp_path, {
        "AUTHFLOW_POOL_ID": pool.pool_id, "AUTHFLOW_CLIENT_ID": client_id,
        "AUTHFLOW_ENDPOINT_URL": pool.endpoint_url, **extra,
    })


def test_login_browser_prints_and_caches_the_tokens(pool: LocalUserPool, tmp_path: Path) -> None:
    env = env_for(pool, tmp_path, BROWSER=f"{sys.executable} -m tests.browser.robot_browser %s",
                  ROBOT_USERNAME="alice", ROBOT_PASSWORD="Alice-Passw0rd!")
    done = run_cli(["login", "--browser", "--scope", "openid email aws.cognito.signin.user.admin"], env, timeout=60)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert set(result) == {"AccessToken", "IdToken", "RefreshToken", "ExpiresIn", "TokenType"}
    assert "Opening the browser" in done.stderr
    assert_no_secret([done.stderr], [result["AccessToken"], result["RefreshToken"], "Alice-Passw0rd!"])
    # cached as login caches: `authflow token` hands out the same access token
    again = run_cli(["token", "--username", "alice", "--non-interactive"], env)
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == result["AccessToken"]


def test_login_no_browser_reads_the_redirected_address(pool: LocalUserPool, tmp_path: Path) -> None:
    env = env_for(pool, tmp_path)
    process = subprocess.Popen(
        [sys.executable, "-m", "authflow", "login", "--browser", "--no-browser", "--redirect-port", "8123",
         "--output", "access-token", "--no-cache"],
        env=env, cwd=str(REPO), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stderr is not None and process.stdin is not None
    url = ""
    while not url.startswith("http"):
        line = process.stderr.readline()
        assert line, "no URL was printed"
        url = line.strip()
    assert "redirect_uri=http%3A%2F%2F127.0.0.1%3A8123%2Fcallback" in url
    web = WebClient(pool.endpoint_url)
    redirected = web.submit(web.get(web.get(url).location), username="alice", password="Alice-Passw0rd!").location
    out, err = process.communicate(redirected + "\n", timeout=60)
    assert process.returncode == 0, err
    assert out.count(".") == 2  # one JWT


def test_login_bad_input(pool: LocalUserPool, tmp_path: Path) -> None:
    env = env_for(pool, tmp_path)
    malformed = run_cli(["login", "--browser", "--no-browser"], env, stdin="this is not it\n")
    assert malformed.returncode == 2
    assert "MalformedPaste" in malformed.stderr.splitlines()[-1] and "Traceback" not in malformed.stderr
    ended = run_cli(["login", "--browser", "--no-browser"], env, stdin="")
    assert ended.returncode == 130
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = str(busy.getsockname()[1])
        taken = run_cli(["login", "--browser", "--redirect-port", port], env)
    assert taken.returncode == 2
    assert_one_line_error(taken, contains="RedirectPortBusy")
    no_domain = run_cli(["login", "--browser"], credential_free_env(tmp_path, {
        "AUTHFLOW_POOL_ID": pool.pool_id, "AUTHFLOW_CLIENT_ID": WEB}))
    assert no_domain.returncode == 2
    assert_one_line_error(no_domain, contains="--domain")
    bad_port = run_cli(["login", "--browser", "--redirect-port", "99999"], env)
    assert bad_port.returncode == 2


def test_token_client_credentials_cached(pool: LocalUserPool, tmp_path: Path) -> None:
    env = env_for(pool, tmp_path, MACHINE, AUTHFLOW_CLIENT_SECRET=MACHINE_SECRET)
    pool.clear_requests()
    first = run_cli(["token", "--client-credentials", "--scope", f"{API}/read"], env)
    assert first.returncode == 0, first.stderr
    second = run_cli(["token", "--client-credentials", "--scope", f"{API}/read"], env)
    assert second.stdout == first.stdout  # from the cache
    assert len(pool.requests("GetClientToken")) == 1  # no domain given: the API operation, once
    assert_no_secret([first.stderr, second.stderr], [MACHINE_SECRET])
    by_domain = run_cli(["token", "--client-credentials", "--domain", pool.endpoint_url], env)
    assert by_domain.returncode == 0 and by_domain.stdout.count(".") == 2
    files = list((tmp_path / "authflow-cache" / "tokens").glob("*.json"))
    assert files and all(f.stat().st_mode & 0o777 == 0o600 for f in files)
    no_secret = run_cli(["token", "--client-credentials"], env_for(pool, tmp_path, MACHINE))
    assert no_secret.returncode == 2
    assert_one_line_error(no_secret, contains="secret")
    wrong_scope = run_cli(["token", "--client-credentials", "--domain", pool.endpoint_url, "--scope", "openid"], env)
    assert wrong_scope.returncode == 1
    assert_one_line_error(wrong_scope, contains="invalid_scope")


def test_a_client_secret_botocore_refuses_is_said_whole(pool: LocalUserPool, tmp_path: Path) -> None:
    """A secret shorter than the API allows fails botocore's parameter validation before any call: the line
    says which parameter and why (it said only "parameter validation failed:"), and never the value."""
    short = "wrong"
    env = env_for(pool, tmp_path, MACHINE, AUTHFLOW_CLIENT_SECRET=short)
    done = run_cli(["token", "--client-credentials"], env)
    assert done.returncode == 1, done.stderr
    assert_one_line_error(done, contains="invalid length for parameter")
    assert "min length" in done.stderr and "(ParamValidationError)" in done.stderr
    assert_no_secret([done.stdout, done.stderr], [short])
