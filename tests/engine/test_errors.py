"""Bad input and hostile or broken servers become clear, typed errors; nothing secret leaks."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from authflow import (
    AuthFlow,
    MalformedResponseError,
    PasswordResetRequiredError,
    ScriptedHandler,
    SessionExpiredError,
    SRPError,
    TooManyRequestsError,
    UnexpectedChallengeError,
    UnsupportedChallengeError,
    UserNotConfirmedError,
    UserNotFoundError,
    UserPool,
    sign_in,
)
from authflow.errors import AuthflowError, FlowStateError, InvalidSessionError, MissingAnswerError, UserDisabledError
from authflow.localpool import LocalUserPool
from tests.engine.helpers import PASSWORD, claims

# --- sessions ------------------------------------------------------------------------------------


def test_expired_session_says_so(local_pool: LocalUserPool, pool: UserPool) -> None:
    local_pool.add_user("sam", PASSWORD, attributes={"phone_number": "+15555550100"}, mfa=["SMS_MFA"],
                        preferred_mfa="SMS_MFA")
    flow = AuthFlow(pool, "sam")
    step = flow.start(password=PASSWORD)
    assert step.challenge_name == "SMS_MFA"
    assert flow.session_expires_at is not None
    local_pool.clock.advance(181)  # Cognito's default AuthSessionValidity is 3 minutes
    with pytest.raises(SessionExpiredError) as info:
        flow.respond(local_pool.last_code("sam"))
    assert info.value.code == "NotAuthorizedException"
    assert "expired" in str(info.value)
    assert flow.state == "failed"
    with pytest.raises(FlowStateError):
        flow.respond("123456")


def test_a_used_session_cannot_be_replayed(local_pool: LocalUserPool, pool: UserPool) -> None:
    local_pool.add_user("sam", PASSWORD, attributes={"phone_number": "+15555550100"}, mfa=["SMS_MFA"],
                        preferred_mfa="SMS_MFA")
    flow = AuthFlow(pool, "sam")
    flow.start(password=PASSWORD)
    snapshot = flow.snapshot()
    flow.respond(local_pool.last_code("sam"))
    replay = AuthFlow.resume(pool, snapshot)
    with pytest.raises(InvalidSessionError, match="only be used once"):
        replay.respond(local_pool.last_code("sam"))


def test_resume_in_another_flow_object(local_pool: LocalUserPool, pool: UserPool) -> None:
    """A GUI can keep the snapshot (Session included) and finish the sign-in elsewhere."""
    local_pool.add_user("sam", PASSWORD, attributes={"phone_number": "+15555550100"}, mfa=["SMS_MFA"],
                        preferred_mfa="SMS_MFA")
    first = AuthFlow(pool, "sam")
    first.start(password=PASSWORD)
    snapshot = json.loads(json.dumps(first.snapshot()))  # survives serialisation
    assert PASSWORD not in json.dumps(snapshot)
    other_pool = UserPool(pool.pool_id, pool.client_id, endpoint_url=pool.endpoint_url)
    resumed = AuthFlow.resume(other_pool, snapshot)
    assert resumed.step.challenge_name == "SMS_MFA"
    step = resumed.respond(local_pool.last_code("sam"))
    assert claims(step.tokens.access_token)["username"] == "sam"  # type: ignore[union-attr]
    with pytest.raises(ValueError, match="cannot be resumed"):
        AuthFlow.resume(other_pool, {**snapshot, "state": "PASSWORD_VERIFIER"})


# --- hostile SRP -----------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["zero", "N"])
def test_malicious_srp_b_is_refused_before_any_answer(local_pool: LocalUserPool, pool: UserPool, mode: str) -> None:
    local_pool.add_user("alice", PASSWORD)
    local_pool.faults.malicious_srp_b(mode)
    flow = AuthFlow(pool, "alice")
    with pytest.raises(SRPError, match="B mod N"):
        flow.start(password=PASSWORD)
    assert [r.operation for r in local_pool.requests()] == ["InitiateAuth"]  # no proof was sent
    assert flow.state == "failed"


# --- what Cognito refuses ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "enabled", "error", "code"),
    [
        ("UNCONFIRMED", True, UserNotConfirmedError, "UserNotConfirmedException"),
        ("RESET_REQUIRED", True, PasswordResetRequiredError, "PasswordResetRequiredException"),
        ("CONFIRMED", False, UserDisabledError, "NotAuthorizedException"),
    ],
)
@pytest.mark.parametrize("auth_flow", ["USER_SRP_AUTH", "USER_PASSWORD_AUTH"])
def test_user_states_are_typed_errors(
    local_pool: LocalUserPool, pool: UserPool, status: str, enabled: bool, error: type, code: str, auth_flow: str
) -> None:
    local_pool.add_user("uma", PASSWORD, status=status, enabled=enabled)
    with pytest.raises(error) as info:
        sign_in(pool, "uma", ScriptedHandler(password=PASSWORD), auth_flow=auth_flow)
    assert info.value.code == code


def test_unknown_user(local_pool: LocalUserPool, pool: UserPool) -> None:
    with pytest.raises(UserNotFoundError) as info:
        sign_in(pool, "nobody", ScriptedHandler(password=PASSWORD), auth_flow="USER_PASSWORD_AUTH")
    assert info.value.code == "UserNotFoundException"


def test_scripted_wrong_password_fails_once_without_looping(local_pool: LocalUserPool, pool: UserPool) -> None:
    local_pool.add_user("alice", PASSWORD)
    with pytest.raises(AuthflowError) as info:
        sign_in(pool, "alice", ScriptedHandler(password="Wrong-Passw0rd!"))
    assert info.value.code == "NotAuthorizedException"
    assert len(local_pool.requests("InitiateAuth")) == 1


def test_missing_answer_is_clear(local_pool: LocalUserPool, pool: UserPool) -> None:
    local_pool.add_user("sam", PASSWORD, attributes={"phone_number": "+15555550100"}, mfa=["SMS_MFA"],
                        preferred_mfa="SMS_MFA")
    expected = r"^MissingAnswer: asked for the code sent by text message to [+][*]+0100, and none was given$"
    with pytest.raises(MissingAnswerError, match=expected):
        sign_in(pool, "sam", ScriptedHandler(password=PASSWORD))


# --- throttling ------------------------------------------------------------------------------------


def test_throttling_is_retried_by_botocore(local_pool: LocalUserPool, pool: UserPool) -> None:
    local_pool.add_user("alice", PASSWORD)
    local_pool.faults.throttle(2, operation="RespondToAuthChallenge")
    tokens = sign_in(pool, "alice", ScriptedHandler(password=PASSWORD))
    assert claims(tokens.access_token)["username"] == "alice"
    answers = local_pool.requests("RespondToAuthChallenge")
    assert [r.error_code for r in answers] == ["TooManyRequestsException", "TooManyRequestsException", None]
    assert len({r.params["Session"] for r in answers}) == 1  # retried with the same Session


def test_persistent_throttling_surfaces_typed(local_pool: LocalUserPool, pool: UserPool) -> None:
    local_pool.add_user("alice", PASSWORD)
    local_pool.faults.throttle(10, operation="InitiateAuth")
    with pytest.raises(TooManyRequestsError):
        sign_in(pool, "alice", ScriptedHandler(password=PASSWORD), auth_flow="USER_PASSWORD_AUTH")
    assert len(local_pool.requests("InitiateAuth")) == 3  # botocore standard mode: 3 attempts


# --- a server that answers nonsense -------------------------------------------------------------------


class Canned(BaseHTTPRequestHandler):
    body: dict[str, Any] = {}

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        data = json.dumps(self.server.body).encode()  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture
def canned() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Canned)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


SESSION = "s" * 40


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"ChallengeName": "BRAND_NEW_CHALLENGE", "Session": SESSION, "ChallengeParameters": {}},
         UnsupportedChallengeError),
        ({"ChallengeName": "SELECT_MFA_TYPE", "Session": SESSION}, MalformedResponseError),
        ({"ChallengeName": "SELECT_MFA_TYPE", "Session": SESSION,
          "ChallengeParameters": {"MFAS_CAN_CHOOSE": "['SMS_MFA']"}}, MalformedResponseError),
        ({"ChallengeName": "DEVICE_PASSWORD_VERIFIER", "Session": SESSION}, UnsupportedChallengeError),
        ({"ChallengeName": "SMS_OTP", "Session": SESSION}, UnexpectedChallengeError),
        ({}, MalformedResponseError),
        ({"AuthenticationResult": {"ExpiresIn": 3600}}, MalformedResponseError),
        ({"ChallengeName": "SMS_MFA", "ChallengeParameters": {"CODE_DELIVERY_DESTINATION": 5}},
         MalformedResponseError),
    ],
)
def test_nonsense_from_the_server_is_a_typed_error(
    canned: ThreadingHTTPServer, body: dict[str, Any], error: type[Exception]
) -> None:
    canned.body = body  # type: ignore[attr-defined]
    pool = UserPool("us-east-1_Canned1", "client", endpoint_url=f"http://127.0.0.1:{canned.server_address[1]}")
    flow = AuthFlow(pool, "alice", "USER_PASSWORD_AUTH")
    with pytest.raises(error):
        flow.start(password=PASSWORD)
    assert flow.state == "failed"


def test_unreachable_endpoint_is_typed() -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    pool = UserPool("us-east-1_Nowhere1", "client", endpoint_url=f"http://127.0.0.1:{port}", max_attempts=1)
    with pytest.raises(AuthflowError) as info:
        sign_in(pool, "alice", ScriptedHandler(password=PASSWORD), auth_flow="USER_PASSWORD_AUTH")
    assert info.value.code == "EndpointConnectionError"


# --- secrets stay secret -----------------------------------------------------------------------------


def test_no_secret_in_reprs_or_errors(local_pool: LocalUserPool) -> None:
    local_pool.add_pool(id="us-east-1_SecretPool1", mfa="OPTIONAL", mfa_types=["SMS_MFA"],
                        clients=[{"name": "c", "secret": True, "explicit_auth_flows": ["ALLOW_USER_SRP_AUTH"]}])
    local_pool.add_user("sam", PASSWORD, pool_id="us-east-1_SecretPool1",
                        attributes={"phone_number": "+15555550100"}, mfa=["SMS_MFA"], preferred_mfa="SMS_MFA")
    client = local_pool.app_client(pool_id="us-east-1_SecretPool1")
    pool = UserPool("us-east-1_SecretPool1", client.id, client.secret, endpoint_url=local_pool.endpoint_url)
    handler = ScriptedHandler(password=PASSWORD, code="000000")
    flow = AuthFlow(pool, "sam")
    step = flow.start(password=PASSWORD)
    code = local_pool.last_code("sam", pool_id="us-east-1_SecretPool1")
    texts = [repr(pool), repr(flow), repr(step), repr(handler)]
    with pytest.raises(AuthflowError) as info:
        flow.run(ScriptedHandler(code="000000" if code != "000000" else "111111"))
    texts += [str(info.value), repr(info.value)]
    step = AuthFlow(pool, "sam").start(password=PASSWORD)
    tokens = sign_in(pool, "sam", ScriptedHandler(password=PASSWORD, code=lambda p: local_pool.last_code(
        "sam", pool_id="us-east-1_SecretPool1")))
    texts += [repr(tokens), repr(step)]
    for secret in (PASSWORD, client.secret or "", tokens.access_token, tokens.refresh_token or "", code):
        assert secret
        assert not any(secret in t for t in texts), secret[:4]
