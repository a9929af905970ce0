"""Property: whatever Cognito answers, a sign-in ends in tokens or a typed authflow error.

Replies are generated (hypothesis) in the shapes Cognito uses, with every value allowed to be wrong:
members of the wrong type, numbers out of range, NaN and Infinity, deep nesting, odd strings, error
bodies with odd ``__type``s, raw bytes. They are served over HTTP by a fake endpoint on loopback and read
through botocore, as real replies are: 1,500 cases through ``sign_in``, 500 through the step API, and
40 through ``authflow login``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from authflow import AuthFlow, ScriptedHandler, TotpCodes, UserPool, sign_in
from authflow.errors import AuthflowError
from authflow.tokens import Tokens

from .fake_cognito import Reply, Scripted

PASSWORD = "Pr0perty-Passw0rd!"
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
NEW_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # what a generated AssociateSoftwareToken hands out

CHALLENGES = ["PASSWORD_VERIFIER", "SMS_MFA", "SOFTWARE_TOKEN_MFA", "EMAIL_OTP", "SMS_OTP", "SELECT_MFA_TYPE",
              "SELECT_CHALLENGE", "NEW_PASSWORD_REQUIRED", "MFA_SETUP", "CUSTOM_CHALLENGE", "DEVICE_SRP_AUTH",
              "DEVICE_PASSWORD_VERIFIER", "WEB_AUTHN", "ADMIN_NO_SRP_AUTH", "PASSWORD", "UNKNOWN_CHALLENGE"]
PARAMETER_NAMES = ["SRP_B", "SALT", "SECRET_BLOCK", "USER_ID_FOR_SRP", "USERNAME", "MFAS_CAN_SETUP",
                   "MFAS_CAN_CHOOSE", "CODE_DELIVERY_DESTINATION", "CODE_DELIVERY_DELIVERY_MEDIUM",
                   "requiredAttributes", "userAttributes", "CREDENTIAL_REQUEST_OPTIONS"]
ERRORS = ["NotAuthorizedException", "CodeMismatchException", "ExpiredCodeException", "UserNotFoundException",
          "PasswordResetRequiredException", "TooManyRequestsException", "InternalErrorException",
          "ResourceNotFoundException", "InvalidParameterException", "Weird#Namespaced", ""]

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=40),
    st.sampled_from(["", "-1", "0", "zz", "abcd" * 100, "f" * 800, "AAAA", "@@@", "[]", "[\"SOFTWARE_TOKEN_MFA\"]",
                     "{}", "[" * 300 + "]" * 300, "\x00\x1b[31m", "not base32!!"]),
)
json_values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)), max_leaves=12)
parameters = st.one_of(
    st.dictionaries(st.sampled_from(PARAMETER_NAMES), st.one_of(st.text(max_size=20), scalars, json_values),
                    max_size=6),
    json_values,
)
result = st.fixed_dictionaries({}, optional={
    "AccessToken": st.one_of(st.just("eyJ.a.b"), scalars), "IdToken": scalars, "RefreshToken": scalars,
    "ExpiresIn": scalars, "TokenType": scalars,
    "NewDeviceMetadata": st.one_of(json_values, st.fixed_dictionaries({"DeviceKey": scalars,
                                                                       "DeviceGroupKey": scalars})),
})
success = st.fixed_dictionaries({}, optional={
    "ChallengeName": st.one_of(st.sampled_from(CHALLENGES), scalars), "ChallengeParameters": parameters,
    "Session": st.one_of(st.just("s" * 40), scalars), "AuthenticationResult": st.one_of(result, json_values),
    "AvailableChallenges": st.one_of(st.lists(st.sampled_from(CHALLENGES), max_size=4), json_values),
    "SecretCode": st.one_of(st.just(NEW_SECRET), scalars), "Status": st.one_of(st.just("SUCCESS"), scalars),
}).map(Reply)
failure = st.builds(
    lambda kind, message, status: Reply({"__type": kind, "message": message}, status),
    st.one_of(st.sampled_from(ERRORS), scalars, json_values), st.one_of(st.text(max_size=30), json_values),
    st.sampled_from([400, 403, 500, 503]),
)
raw = st.builds(Reply, st.one_of(st.binary(max_size=40), st.sampled_from([b"[1,2]", b'"x"', b"null", b"{", b""])),
                st.sampled_from([200, 400, 500]))
replies = st.lists(st.one_of(success, success, failure, raw, json_values.map(Reply)), min_size=1, max_size=4)

pytestmark = pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisWarning")


def cases(count: int) -> settings:
    return settings(max_examples=count, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def no_secret_in(error: AuthflowError) -> None:
    text = f"{error} {error!r} {error.args!r}"
    assert PASSWORD not in text and SECRET not in text and NEW_SECRET not in text


#: The fake endpoint accepts any code: no case waits for a TOTP window.
NO_WAIT = TotpCodes(sleep=lambda seconds: None)


def make_handler() -> ScriptedHandler:
    return ScriptedHandler(password=PASSWORD, totp_secret=SECRET, code="123456", new_password="N3w-" + PASSWORD,
                           mfa_choice="SOFTWARE_TOKEN_MFA", first_factor="PASSWORD", custom_answer="42",
                           mfa_setup_choice="SOFTWARE_TOKEN_MFA", totp_secret_out=lambda secret: None,
                           totp_codes=NO_WAIT)


@cases(1500)
@given(script=replies, flow=st.sampled_from(["USER_SRP_AUTH", "USER_PASSWORD_AUTH", "USER_AUTH", "CUSTOM_AUTH"]))
def test_sign_in_ends_in_tokens_or_a_typed_error(fake: Scripted, script: list[Reply], flow: str) -> None:
    fake.load(*script)
    pool = _pool(fake)
    try:
        tokens = sign_in(pool, "alice", make_handler(), flow, max_attempts=2)
    except AuthflowError as error:
        no_secret_in(error)
    else:
        assert isinstance(tokens, Tokens) and tokens.access_token and 0 <= tokens.expires_in <= 365 * 86400


@cases(500)
@given(script=replies)
def test_step_api_ends_in_tokens_or_a_typed_error(fake: Scripted, script: list[Reply]) -> None:
    fake.load(*script)
    flow = AuthFlow(_pool(fake), "alice", max_attempts=2)
    try:
        step = flow.start(PASSWORD)
        for _ in range(10):
            if step.done:
                break
            assert step.prompt is not None
            prompt = step.prompt
            answer = {f.name: (prompt.choices[0] if f.choices else "123456") for f in prompt.fields}
            step = flow.respond(answer)
        assert step.done or flow.state not in ("authenticated", "failed")
    except AuthflowError as error:
        no_secret_in(error)
        assert flow.state == "failed" or error.retryable or type(error).__name__ == "MissingAnswerError"


@cases(40)
@given(script=replies)
def test_login_command_exits_with_one_line_and_no_traceback(
    fake: Scripted, script: list[Reply], tmp_path_factory: Any
) -> None:
    fake.load(*script)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "AUTHFLOW_"))}
    cache = str(tmp_path_factory.mktemp("cache"))
    env.update(AUTHFLOW_PASSWORD=PASSWORD, AUTHFLOW_TOTP_SECRET=SECRET, AUTHFLOW_CACHE_DIR=cache)
    proc = subprocess.run(
        [sys.executable, "-m", "authflow", "login", "--non-interactive", "--no-cache", "--pool-id", "us-east-1_Prop",
         "--client-id", "propclient", "--endpoint-url", fake.url, "--username", "alice"],
        env=env, capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode in (0, 1, 2), proc.stderr
    assert "Traceback" not in proc.stderr and "InternalError:" not in proc.stderr, proc.stderr
    output = proc.stdout + proc.stderr
    assert PASSWORD not in output and SECRET not in output and NEW_SECRET not in output
    if proc.returncode == 0:
        assert "AccessToken" in json.loads(proc.stdout)
    else:
        assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr


_POOLS: dict[str, UserPool] = {}


def _pool(fake: Scripted) -> UserPool:
    """One botocore client per fake endpoint (building one costs more than a case)."""
    if fake.url not in _POOLS:
        _POOLS[fake.url] = UserPool("us-east-1_Prop", "propclient", endpoint_url=fake.url, max_attempts=1)
    return _POOLS[fake.url]
