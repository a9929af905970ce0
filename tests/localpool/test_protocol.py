"""The wire: JSON 1.1 over POST /, error bodies with __type, HTTP status codes, the GET endpoints."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from typing import Any

import pytest
from botocore.exceptions import ClientError

from authflow.localpool import LocalUserPool

from .helpers import TARGET, error, idp, password_auth, post


def get(pool: LocalUserPool, path: str) -> tuple[int, Any]:
    try:
        with urllib.request.urlopen(pool.endpoint_url + path, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_unknown_operation_is_400_unsupported_operation(local_pool: LocalUserPool) -> None:
    status, body = post(local_pool, TARGET + "AddCustomAttributes", b"{}")
    assert status == 400
    assert body["__type"] == "UnsupportedOperationException"


def test_unknown_operation_through_boto3(local_pool: LocalUserPool) -> None:
    with pytest.raises(ClientError) as excinfo:
        idp(local_pool).describe_risk_configuration(UserPoolId=local_pool.pool_id)
    assert error(excinfo)[0] == "UnsupportedOperationException"
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_missing_target_and_bad_body_are_400(local_pool: LocalUserPool) -> None:
    assert post(local_pool, None, b"{}")[0] == 400
    status, body = post(local_pool, TARGET + "InitiateAuth", b"not json")
    assert (status, body["__type"]) == (400, "SerializationException")
    status, body = post(local_pool, TARGET + "InitiateAuth", b"{}", content_type="text/plain")
    assert (status, body["__type"]) == (400, "SerializationException")


def test_error_body_carries_type_and_message(local_pool: LocalUserPool) -> None:
    status, body = post(local_pool, TARGET + "InitiateAuth", json.dumps({
        "ClientId": "nosuchclient", "AuthFlow": "USER_PASSWORD_AUTH",
        "AuthParameters": {"USERNAME": "a", "PASSWORD": "b"},
    }).encode())
    assert status == 400
    assert body == {"__type": "ResourceNotFoundException", "message": "User pool client nosuchclient does not exist."}


def test_missing_required_member_is_invalid_parameter(local_pool: LocalUserPool) -> None:
    status, body = post(local_pool, TARGET + "InitiateAuth", json.dumps({"AuthFlow": "USER_PASSWORD_AUTH"}).encode())
    assert status == 400
    assert body["__type"] == "InvalidParameterException"
    assert "clientId" in body["message"]


def test_unknown_auth_flow_is_invalid_parameter(local_pool: LocalUserPool) -> None:
    with pytest.raises(ClientError) as excinfo:
        idp(local_pool).initiate_auth(ClientId=local_pool.client_id, AuthFlow="MAGIC", AuthParameters={})
    code, message = error(excinfo)
    assert code == "InvalidParameterException"
    assert "Member must satisfy enum value set" in message


def test_admin_flows_are_not_initiate_auth_flows(local_pool: LocalUserPool) -> None:
    with pytest.raises(ClientError) as excinfo:
        idp(local_pool).initiate_auth(ClientId=local_pool.client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                      AuthParameters={"USERNAME": "a", "PASSWORD": "b"})
    assert error(excinfo) == ("InvalidParameterException", "Initiate Auth method not supported.")


def test_internal_error_is_http_500(local_pool: LocalUserPool) -> None:
    local_pool.faults.fail(1)
    status, body = post(local_pool, TARGET + "InitiateAuth", b"{}")
    assert status == 500
    assert body["__type"] == "InternalErrorException"


def test_jwks_and_openid_configuration(local_pool: LocalUserPool) -> None:
    status, jwks = get(local_pool, f"/{local_pool.pool_id}/.well-known/jwks.json")
    assert status == 200
    id_key, access_key = jwks["keys"]
    for key in (id_key, access_key):
        assert key["kty"] == "RSA" and key["alg"] == "RS256" and key["use"] == "sig" and key["kid"]
    assert id_key["kid"] != access_key["kid"] and id_key["n"] != access_key["n"]
    status, config = get(local_pool, f"/{local_pool.pool_id}/.well-known/openid-configuration")
    assert status == 200
    assert config["issuer"] == f"{local_pool.endpoint_url}/{local_pool.pool_id}"
    assert config["jwks_uri"] == f"{config['issuer']}/.well-known/jwks.json"
    assert get(local_pool, "/us-east-1_NoSuchPool/.well-known/jwks.json")[0] == 404


def test_outbox_over_http(local_pool: LocalUserPool) -> None:
    local_pool.add_user("sam", "Passw0rd!", attributes={"phone_number": "+15555550100"}, mfa=["SMS_MFA"])
    local_pool.pool().mfa_configuration = "OPTIONAL"
    answer = password_auth(idp(local_pool), local_pool.client_id, "sam", "Passw0rd!")
    assert answer["ChallengeName"] == "SMS_MFA"
    status, messages = get(local_pool, "/_local/outbox?username=sam")
    assert status == 200
    assert [(m["medium"], m["destination"], m["purpose"]) for m in messages] == [
        ("SMS", "+15555550100", "SMS_MFA")
    ]
    assert messages[0]["code"] == local_pool.last_code("sam")
    assert get(local_pool, "/_local/outbox?username=nobody")[1] == []


def test_health_and_unknown_path(local_pool: LocalUserPool) -> None:
    assert get(local_pool, "/_local/health") == (200, {"status": "ok"})
    assert get(local_pool, "/nothing/here")[0] == 404


def test_start_is_fast_and_stop_frees_the_port() -> None:
    started = time.perf_counter()
    pool = LocalUserPool().start()
    try:
        assert get(pool, "/_local/health")[0] == 200
        assert time.perf_counter() - started < 1.0
        url = pool.endpoint_url
    finally:
        pool.stop()
    with pytest.raises(OSError):
        urllib.request.urlopen(url + "/_local/health", timeout=2)


def test_many_requests_on_one_kept_alive_connection(local_pool: LocalUserPool) -> None:
    client = idp(local_pool)
    local_pool.add_user("alice", "Passw0rd!")
    for _ in range(20):
        assert "AuthenticationResult" in password_auth(client, local_pool.client_id, "alice", "Passw0rd!")
