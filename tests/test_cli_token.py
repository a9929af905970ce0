"""``authflow token`` and ``authflow logout`` against the local pool: the cache, refresh on expiry
(GetTokensFromRefreshToken; REFRESH_TOKEN_AUTH with SECRET_HASH over the internal username where the
server lacks it), signing in again only when the refresh token is refused, revocation, and a corrupt
cache file. Rotation and concurrent runs: tests/test_cli_token_rotation.py."""

from __future__ import annotations

import json
import stat
import time
from pathlib import Path

import pytest

from authflow.errors import NotAuthorizedError
from authflow.localpool import LocalUserPool
from tests.helpers.cli import assert_no_secret, assert_one_line_error, run_cli
from tests.helpers.token_cli import PASSWORD, Setup


def wait_until_expired(seconds: float) -> None:
    time.sleep(seconds + 0.5)


def test_token_from_the_cache(local_pool: LocalUserPool, tmp_path: Path) -> None:
    setup = Setup(local_pool, tmp_path)
    result = setup.login()
    done = setup.run("token")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == result["AccessToken"]
    assert setup.flows() == ["USER_SRP_AUTH"]  # nothing asked of Cognito
    done = setup.run("token", "--id-token")
    assert done.stdout.strip() == result["IdToken"]


def test_expired_access_token_is_refreshed(local_pool: LocalUserPool, tmp_path: Path) -> None:
    setup = Setup(local_pool, tmp_path, access_token_validity_seconds=4, id_token_validity_seconds=4)
    first = setup.login()
    wait_until_expired(4)
    # The refreshed tokens last an hour: reading them back from the cache below then has no 4 s window to
    # meet (two runs of the command on a loaded CI machine can take longer, and refreshed again).
    setup.client.access_token_validity = setup.client.id_token_validity = 3600
    done = setup.run("token", "--leeway", "0")
    assert done.returncode == 0, done.stderr
    fresh = done.stdout.strip()
    assert fresh != first["AccessToken"]
    assert setup.flows() == ["USER_SRP_AUTH", "GetTokensFromRefreshToken"]
    claims = local_pool.service.tokens.access_claims(fresh, None, local_pool.clock.now())
    assert claims["username"] == "alice" and claims["exp"] - claims["iat"] == 3600
    # The refreshed tokens are cached (0600), with the refresh token kept.
    (entry,) = setup.cache_files()
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600
    cached = json.loads(entry.read_text())
    assert cached["result"]["AccessToken"] == fresh
    assert cached["result"]["RefreshToken"] == first["RefreshToken"]
    assert setup.run("token", "--leeway", "0").stdout.strip() == fresh
    assert setup.flows() == ["USER_SRP_AUTH", "GetTokensFromRefreshToken"]


def test_leeway_refreshes_before_expiry(local_pool: LocalUserPool, tmp_path: Path) -> None:
    setup = Setup(local_pool, tmp_path)
    setup.login()
    assert setup.run("token", "--leeway", "3600").returncode == 0
    assert setup.flows() == ["USER_SRP_AUTH", "GetTokensFromRefreshToken"]


def test_refresh_with_client_secret_hashes_the_internal_username(local_pool: LocalUserPool, tmp_path: Path) -> None:
    setup = Setup(
        local_pool,
        tmp_path,
        email_alias=True,
        secret=True,
        access_token_validity_seconds=3,
        id_token_validity_seconds=3,
    )
    setup.env["AUTHFLOW_USERNAME"] = "alice@example.com"  # an alias: SECRET_HASH must use "alice" on refresh
    del local_pool.service.operations["GetTokensFromRefreshToken"]  # REFRESH_TOKEN_AUTH it is
    setup.login()
    wait_until_expired(3)
    done = setup.run("token", "--leeway", "0")
    assert done.returncode == 0, done.stderr
    assert setup.flows() == ["USER_SRP_AUTH", "GetTokensFromRefreshToken", "REFRESH_TOKEN_AUTH"]
    assert_no_secret([done.stdout, done.stderr], [setup.client.secret, PASSWORD])
    # (The pool is strict: a SECRET_HASH over the alias would have been refused.)
    refresh_token = json.loads(setup.cache_files()[0].read_text())["result"]["RefreshToken"]
    with pytest.raises(NotAuthorizedError):
        setup.user_pool().refresh(refresh_token, username="alice@example.com")


def test_refused_refresh_token_signs_in_again(local_pool: LocalUserPool, tmp_path: Path) -> None:
    setup = Setup(local_pool, tmp_path)
    result = setup.login()
    setup.user_pool().revoke_token(result["RefreshToken"])
    done = setup.run("token", "--leeway", "3600", "--non-interactive", AUTHFLOW_PASSWORD=PASSWORD)
    assert done.returncode == 0, done.stderr
    assert "no longer accepted" in done.stderr and "signed in again" in done.stderr
    assert PASSWORD not in done.stderr
    assert setup.flows() == ["USER_SRP_AUTH", "GetTokensFromRefreshToken", "USER_SRP_AUTH"]
    new_refresh = json.loads(setup.cache_files()[0].read_text())["result"]["RefreshToken"]
    assert new_refresh != result["RefreshToken"]


def test_expired_refresh_token_without_password_is_exit_2(local_pool: LocalUserPool, tmp_path: Path) -> None:
    setup = Setup(
        local_pool,
        tmp_path,
        access_token_validity_seconds=2,
        id_token_validity_seconds=2,
        refresh_token_validity_seconds=2,
    )
    setup.login()
    wait_until_expired(2)
    done = setup.run("token", "--leeway", "0", "--non-interactive")
    assert done.returncode == 2
    # a failure is one line (the contract): why a new sign-in was needed, what it lacked, and what to do
    assert_one_line_error(done, contains="the cached sign-in of alice has ended (the refresh token is no longer "
                                         "accepted (NotAuthorizedException)), and signing in again lacks an answer")
    assert "AUTHFLOW_PASSWORD" in done.stderr


def test_nothing_cached_signs_in(local_pool: LocalUserPool, tmp_path: Path) -> None:
    setup = Setup(local_pool, tmp_path)
    done = setup.run("token", "--non-interactive", AUTHFLOW_PASSWORD=PASSWORD)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert len(setup.cache_files()) == 1
    assert setup.run("token").stdout == done.stdout


def test_corrupt_cache_file_is_a_warning_not_a_crash(local_pool: LocalUserPool, tmp_path: Path) -> None:
    setup = Setup(local_pool, tmp_path)
    setup.login()
    (entry,) = setup.cache_files()
    entry.write_text('{"version": 1, "key": ')
    done = setup.run("token", "--non-interactive", AUTHFLOW_PASSWORD=PASSWORD)
    assert done.returncode == 0, done.stderr
    assert "ignoring the corrupt token cache file" in done.stderr
    assert "Traceback" not in done.stderr
    assert setup.flows() == ["USER_SRP_AUTH", "USER_SRP_AUTH"]
    json.loads(entry.read_text())  # replaced by a good entry


def test_logout_revokes_and_forgets(local_pool: LocalUserPool, tmp_path: Path) -> None:
    setup = Setup(local_pool, tmp_path)
    result = setup.login()
    done = setup.run("logout")
    assert done.returncode == 0, done.stderr
    assert "Signed out alice here" in done.stderr
    assert len(local_pool.requests("RevokeToken")) == 1
    assert setup.cache_files() == []
    with pytest.raises(NotAuthorizedError):
        setup.user_pool().refresh(result["RefreshToken"], username="alice")
    again = setup.run("logout")  # nothing left: not an error
    assert again.returncode == 0
    assert "nothing to revoke" in again.stderr


def test_logout_global(local_pool: LocalUserPool, tmp_path: Path) -> None:
    setup = Setup(local_pool, tmp_path)
    setup.login()
    done = setup.run("logout", "--global")
    assert done.returncode == 0, done.stderr
    assert len(local_pool.requests("GlobalSignOut")) == 1
    assert setup.cache_files() == []


def test_logout_global_after_the_access_token_expired(local_pool: LocalUserPool, tmp_path: Path) -> None:
    """An hour after the sign-in the cached access token has expired: --global gets a new one with the refresh
    token and signs out everywhere (it skipped GlobalSignOut with a warning, exit 0, and only this machine was
    signed out). With no refresh token Cognito accepts, it says it could not, exit 1."""
    setup = Setup(local_pool, tmp_path, access_token_validity_seconds=4, id_token_validity_seconds=4)
    setup.login()
    elsewhere = setup.user_pool().call("initiate_auth", ClientId=setup.client.id, AuthFlow="USER_PASSWORD_AUTH",
                                       AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD})
    wait_until_expired(4)
    done = setup.run("logout", "--global")
    assert done.returncode == 0, done.stderr
    assert "Signed out alice everywhere" in done.stderr
    assert [r.status for r in local_pool.requests("GlobalSignOut")] == [200]
    with pytest.raises(NotAuthorizedError):  # the other device's sign-in has ended
        setup.user_pool().refresh(elsewhere["AuthenticationResult"]["RefreshToken"], username="alice")
    assert setup.cache_files() == []

    result = setup.login()
    setup.user_pool().revoke_token(result["RefreshToken"])
    wait_until_expired(4)
    failed = setup.run("logout", "--global")
    assert failed.returncode == 1
    assert_one_line_error(failed, contains="(NotSignedOutEverywhere)")
    assert "authflow login --username alice" in failed.stderr and setup.cache_files() == []


def test_logout_with_secret_client(local_pool: LocalUserPool, tmp_path: Path) -> None:
    setup = Setup(local_pool, tmp_path, secret=True)
    setup.login()
    done = setup.run("logout")
    assert done.returncode == 0, done.stderr
    assert [r.status for r in local_pool.requests("RevokeToken")] == [200]


def test_token_without_username_in_a_script(local_pool: LocalUserPool, tmp_path: Path) -> None:
    setup = Setup(local_pool, tmp_path)
    env = dict(setup.env)
    del env["AUTHFLOW_USERNAME"]
    done = run_cli(["token"], env)
    assert done.returncode == 2
    assert_one_line_error(done, contains="AUTHFLOW_USERNAME")


def test_token_takes_the_contracts_output_formats(local_pool: LocalUserPool, tmp_path: Path) -> None:
    """--output is config shared by the commands that print tokens (json | env | access-token | id-token): token
    takes access-token, id-token and env as login prints them, beside its own default (the token alone) and its
    json ({"AccessToken", "ExpiresAt", "ExpiresIn"})."""
    setup = Setup(local_pool, tmp_path)
    result = setup.login()
    access = setup.run("token", "--output", "access-token")
    assert access.returncode == 0, access.stderr
    assert access.stdout == result["AccessToken"] + "\n"
    ident = setup.run("token", "--output", "id-token")
    assert ident.returncode == 0, ident.stderr
    assert ident.stdout == result["IdToken"] + "\n"
    shell = setup.run("token", "--output", "env")
    assert shell.returncode == 0, shell.stderr
    assert f"export AUTHFLOW_ACCESS_TOKEN={result['AccessToken']}" in shell.stdout.splitlines()
    assert f"export AUTHFLOW_ID_TOKEN={result['IdToken']}" in shell.stdout.splitlines()
    assert setup.flows() == ["USER_SRP_AUTH"]  # all from the cache
    both = setup.run("token", "--output", "access-token", "--id-token")
    assert both.returncode == 2
    assert_one_line_error(both, contains="--id-token and --output access-token")
