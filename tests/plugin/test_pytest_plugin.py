"""authflow's pytest plugin: fixtures a user's suite gets for free, tested through ``pytester`` and directly."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import pytest

from authflow import Tokens, UserPool, sign_in
from authflow.handlers import ScriptedHandler
from authflow.localpool import LocalUserPool
from authflow.pytest_plugin import CognitoTestUser, pool_port

pytest_plugins = ["pytester"]  # runs a user's own test files in a subprocess

USER_SUITE = '''
import base64, json

def claims(jwt):
    payload = jwt.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))

def test_plain_user(cognito_user, cognito_sign_in):
    tokens = cognito_sign_in(cognito_user)
    assert claims(tokens.access_token)["username"] == cognito_user.username

def test_totp_user(make_cognito_user, cognito_sign_in, cognito_pool):
    user = make_cognito_user(mfa="SOFTWARE_TOKEN_MFA")
    assert user.totp_secret
    tokens = cognito_sign_in(user)
    assert claims(tokens.access_token)["username"] == user.username
    sent = cognito_pool.requests("RespondToAuthChallenge")[-1].params
    assert sent["ChallengeName"] == "SOFTWARE_TOKEN_MFA"

def test_sms_user(make_cognito_user, cognito_sign_in, cognito_pool):
    user = make_cognito_user(mfa="SMS_MFA")
    username, password, secret = user
    assert password and secret is None
    tokens = cognito_sign_in(user)
    assert claims(tokens.id_token)["cognito:username"] == username
    assert cognito_pool.outbox(username, purpose="SMS_MFA")

def test_email_user_with_password_auth(make_cognito_user, cognito_sign_in):
    user = make_cognito_user(mfa="EMAIL_OTP")
    tokens = cognito_sign_in(user, auth_flow="USER_PASSWORD_AUTH")
    assert tokens.refresh_token

def test_passkey_user(make_cognito_user, cognito_sign_in, cognito_pool):
    import os, stat
    user = make_cognito_user(passkey=True)
    assert stat.S_IMODE(os.stat(user.passkey_file).st_mode) == 0o600
    cognito_pool.clear_requests()
    tokens = cognito_sign_in(user, "USER_AUTH", preferred_challenge="WEB_AUTHN")
    assert claims(tokens.access_token)["username"] == user.username
    assert [r.params["ChallengeName"] for r in cognito_pool.requests("RespondToAuthChallenge")] == ["WEB_AUTHN"]
    assert user.password not in json.dumps([r.params for r in cognito_pool.requests()])

def test_same_pool_for_the_session(cognito_pool, cognito_user_pool):
    assert cognito_user_pool.pool_id == cognito_pool.pool_id
    assert cognito_user_pool.endpoint_url == cognito_pool.endpoint_url
'''


def test_a_suite_that_uses_no_fixture_imports_neither_the_pool_nor_botocore(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_plain="""
import sys

def test_nothing_heavy_was_imported():
    assert "authflow.pytest_plugin" in sys.modules  # the plugin is loaded
    heavy = [m for m in sys.modules if m.split(".")[0] in ("boto3", "botocore") or m.startswith("authflow.localpool")]
    assert heavy == []
""")
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_a_users_suite_gets_tokens_for_plain_totp_sms_and_email_users(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_user_suite=USER_SUITE)
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=6)


def test_the_pool_seed_can_be_overridden_and_the_local_fixture_name_is_free(pytester: pytest.Pytester) -> None:
    pytester.makeconftest('''
import pytest

@pytest.fixture(scope="session")
def cognito_pool_seed():
    return {"pools": [{"id": "us-east-1_Custom1", "mfa": "ON", "mfa_types": ["SOFTWARE_TOKEN_MFA"],
                       "clients": [{"explicit_auth_flows": ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}]}]}

@pytest.fixture
def local_pool():  # a project fixture of its own, as authflow's own suite has
    return "mine"
''')
    pytester.makepyfile(test_custom='''
def test_custom_pool(make_cognito_user, cognito_sign_in, cognito_user_pool, local_pool):
    assert local_pool == "mine"
    assert cognito_user_pool.pool_id == "us-east-1_Custom1"
    user = make_cognito_user(mfa="SOFTWARE_TOKEN_MFA")
    assert cognito_sign_in(user).access_token
    assert cognito_sign_in(user).access_token  # same window: the pool's clock moves, no code reused

def test_users_are_removed_after_each_test(cognito_pool):
    assert not cognito_pool.pool().users
''')
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


def test_secrets_stay_out_of_reprs_and_failures(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_leak='''
def test_fails_showing_the_user(make_cognito_user):
    user = make_cognito_user(mfa="SOFTWARE_TOKEN_MFA")
    print("PASSWORD=" + user.password, "SECRET=" + user.totp_secret)  # captured: shown on failure only
    assert user is None, repr(user)
''')
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider", "-s")
    result.assert_outcomes(failed=1)
    out = result.stdout.str()
    printed = next(line for line in out.splitlines() if line.startswith("PASSWORD="))
    password, secret = printed.split()[0][9:], printed.split()[1][7:]
    failure = out[out.index("FAILURES"):]
    assert "CognitoTestUser(username=" in failure
    assert password not in failure and secret not in failure


def claims(jwt: str) -> dict[str, Any]:
    payload = jwt.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


# --- direct use in this suite (the plugin is loaded through its entry point) --------------------------


def test_fixtures_used_directly(
    make_cognito_user: Callable[..., CognitoTestUser],
    cognito_sign_in: Callable[..., Tokens],
    cognito_pool: LocalUserPool,
    cognito_user_pool: UserPool,
) -> None:
    user = make_cognito_user(mfa="SOFTWARE_TOKEN_MFA")
    tokens = cognito_sign_in(user)
    assert claims(tokens.access_token)["username"] == user.username
    assert claims(tokens.access_token)["iss"] == cognito_pool.issuer()
    # The UserPool fixture works with the engine's own API too.
    plain = make_cognito_user()
    direct = sign_in(cognito_user_pool, plain.username, ScriptedHandler(password=plain.password))
    assert claims(direct.access_token)["username"] == plain.username


def test_unknown_mfa_is_refused(make_cognito_user: Callable[..., CognitoTestUser]) -> None:
    with pytest.raises(ValueError, match="mfa must be one of"):
        make_cognito_user(mfa="WEB_AUTHN")


def test_sms_code_comes_from_the_outbox(
    make_cognito_user: Callable[..., CognitoTestUser], cognito_sign_in: Callable[..., Tokens],
    cognito_pool: LocalUserPool,
) -> None:
    user = make_cognito_user(mfa="SMS_MFA")
    tokens = cognito_sign_in(user)
    sent = cognito_pool.requests("RespondToAuthChallenge")
    mine = [r for r in sent if r.params.get("ChallengeName") == "SMS_MFA"
            and r.params["ChallengeResponses"].get("USERNAME") == user.username]
    assert mine and mine[-1].params["ChallengeResponses"]["SMS_MFA_CODE"] == cognito_pool.last_code(user.username)
    assert tokens.id_token is not None and claims(tokens.id_token)["phone_number"] == user.attributes["phone_number"]


# --- a pinned port (issue 23, item 24) -------------------------------------------------------------------

PINNED_SUITE = """
import os

def test_the_pool_listens_where_it_was_told(cognito_pool):
    assert cognito_pool.endpoint_url == "http://127.0.0.1:" + os.environ["EXPECTED_PORT"]
"""


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_the_pools_port_is_pinned_by_option_or_variable(pytester: pytest.Pytester,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    pytester.makepyfile(test_pinned=PINNED_SUITE)
    port = free_port()
    monkeypatch.setenv("EXPECTED_PORT", str(port))
    monkeypatch.setenv("AUTHFLOW_PYTEST_POOL_PORT", "1")  # the option wins over the variable
    pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider", "--cognito-pool-port", str(port)) \
        .assert_outcomes(passed=1)
    port = free_port()
    monkeypatch.setenv("EXPECTED_PORT", str(port))
    monkeypatch.setenv("AUTHFLOW_PYTEST_POOL_PORT", str(port))
    pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider").assert_outcomes(passed=1)
    with socket.socket() as busy:  # a pinned port already taken: one line, not a traceback
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        taken = busy.getsockname()[1]
        result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider", "--cognito-pool-port", str(taken))
    result.assert_outcomes(errors=1)
    assert f"authflow: the local user pool cannot listen on 127.0.0.1:{taken}" in result.stdout.str()
    assert "Traceback" not in result.stdout.str()


def test_a_port_that_is_not_a_port_is_a_usage_error() -> None:
    assert pool_port(None, {}) == 0 and pool_port("", {"AUTHFLOW_PYTEST_POOL_PORT": "8123"}) == 8123
    for option, environ in (("99999", {}), ("-5", {}), ("http", {}), (None, {"AUTHFLOW_PYTEST_POOL_PORT": "x"})):
        with pytest.raises(pytest.UsageError, match="port number from 0 to 65535"):
            pool_port(option, environ)

