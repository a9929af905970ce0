"""No 500 on any input: generated bodies, sent as raw HTTP to every operation in the pool's operations table,
get a Cognito error (HTTP 400 with ``__type``) or a success, never a 500, a dropped connection or a
traceback in the pool's log.

Bodies follow each operation's input shape in botocore's model (so handlers are reached with plausible
members, often real ids, tokens and Sessions of the pool) mixed with wrong types, Unicode, huge and nested
values, missing members and extra ones. One pool serves the whole test; its users, tokens and Sessions are
made again every ``REFRESH`` cases, since generated calls delete users, revoke tokens and use Sessions up.
"""

from __future__ import annotations

import http.client
import json
import logging
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import botocore.session
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from authflow.localpool import LocalUserPool
from authflow.localpool.operations import OPERATIONS
from authflow.secret_hash import secret_hash

#: At least 2,000 cases per run (AUTHFLOW_FUZZ_CASES for a longer hunt).
CASES = int(os.environ.get("AUTHFLOW_FUZZ_CASES", "2000"))
REFRESH = 250
PASSWORD = "Fuzz-Passw0rd!"
TARGET = "AWSCognitoIdentityProviderService."
MODEL = botocore.session.get_session().get_service_model("cognito-idp")


# --- what the pool's log says ----------------------------------------------------------------------


class Tracebacks(logging.Handler):
    """Every record of the pool's logger with an exception attached, or at ERROR and above."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info or record.levelno >= logging.ERROR:
            self.records.append(record)


# --- the pool and what a generated body may refer to ------------------------------------------------


@dataclass
class World:
    """Real values of the pool that generated members pick from: ids, users, tokens, Sessions."""

    pool_id: str = ""
    client_id: str = ""
    secret_client_id: str = ""
    secret: str = ""
    values: dict[str, list[Any]] = field(default_factory=dict)
    serial: int = 0


def call(conn: http.client.HTTPConnection, operation: str, body: bytes) -> tuple[int, bytes]:
    conn.request("POST", "/", body=body, headers={
        "X-Amz-Target": TARGET + operation, "Content-Type": "application/x-amz-json-1.1"})
    response = conn.getresponse()
    return response.status, response.read()


def ok(conn: http.client.HTTPConnection, operation: str, **params: Any) -> dict[str, Any]:
    status, body = call(conn, operation, json.dumps(params).encode())
    reply: dict[str, Any] = json.loads(body)
    assert status == 200, (operation, reply)
    return reply


def rebuild(local: LocalUserPool, conn: http.client.HTTPConnection, world: World) -> None:
    """A fresh pool, clients and users, signed in for tokens and part-way for Sessions."""
    world.serial += 1
    n = world.serial
    pool = local.add_pool(id=f"us-east-1_Fuzz{n}", mfa="OPTIONAL", device_tracking="always",
                          allowed_first_auth_factors=["PASSWORD", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN"],
                          auto_verified_attributes=["email"], custom_attributes=["team"],
                          web_authn={"relying_party_id": "localhost"})
    flows = ["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_AUTH",
             "ALLOW_CUSTOM_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH"]
    client = local.add_client(pool_id=pool.id, explicit_auth_flows=flows)
    secret_client = local.add_client(pool_id=pool.id, explicit_auth_flows=flows, secret=True)
    world.pool_id, world.client_id, world.secret_client_id = pool.id, client.id, secret_client.id
    world.secret = secret_client.secret or ""
    names = ["alice", "bob", "tina", "sam", "una"]
    local.add_user("alice", PASSWORD, pool_id=pool.id, attributes={
        "email": "alice@example.com", "email_verified": "true", "phone_number": "+15555550100"})
    local.add_user("bob", PASSWORD, pool_id=pool.id, attributes={"email": "bob@example.com"})
    local.add_user("tina", PASSWORD, pool_id=pool.id, mfa=["SOFTWARE_TOKEN_MFA"], preferred_mfa="SOFTWARE_TOKEN_MFA")
    local.add_user("sam", PASSWORD, pool_id=pool.id, attributes={"phone_number": "+15555550101"},
                   mfa=["SMS_MFA"], preferred_mfa="SMS_MFA")
    local.add_user("una", PASSWORD, pool_id=pool.id, status="UNCONFIRMED", attributes={"email": "una@example.com"})

    def password_auth(username: str) -> dict[str, Any]:
        return ok(conn, "InitiateAuth", ClientId=client.id, AuthFlow="USER_PASSWORD_AUTH",
                  AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD})

    alice = password_auth("alice")["AuthenticationResult"]
    bob = password_auth("bob")["AuthenticationResult"]
    sessions = [password_auth("tina")["Session"], password_auth("sam")["Session"]]
    sessions.append(ok(conn, "InitiateAuth", ClientId=client.id, AuthFlow="USER_SRP_AUTH",
                       AuthParameters={"USERNAME": "bob", "SRP_A": format(7**900, "x")})["Session"])
    sessions.append(ok(conn, "InitiateAuth", ClientId=client.id, AuthFlow="USER_AUTH",
                       AuthParameters={"USERNAME": "alice"})["Session"])
    devices = [alice.get("NewDeviceMetadata", {}).get("DeviceKey", "us-east-1_x")]
    world.values = {
        "ClientId": [client.id, secret_client.id, "nosuchclient"],
        "UserPoolId": [pool.id, local.pool_id, "us-east-1_Missing"],
        "AccessToken": [alice["AccessToken"], bob["AccessToken"], alice["IdToken"], "not.a.token"],
        "RefreshToken": [alice["RefreshToken"], bob["RefreshToken"]],
        "Token": [alice["RefreshToken"], bob["AccessToken"]],
        "Username": [*names, "alice@example.com", "+15555550100", "nobody"],
        "USERNAME": [*names, "alice@example.com"],
        "Session": sessions,
        "Password": [PASSWORD, "weak"], "PASSWORD": [PASSWORD, "weak"], "NEW_PASSWORD": [PASSWORD],
        "PreviousPassword": [PASSWORD], "ProposedPassword": [PASSWORD, "N3w-Passw0rd!"],
        "TemporaryPassword": [PASSWORD],
        "SecretHash": [secret_hash("alice", secret_client.id, world.secret)],
        "SECRET_HASH": [secret_hash("alice", secret_client.id, world.secret)],
        "ClientSecret": [world.secret],
        "DeviceKey": devices, "DEVICE_KEY": devices,
        "AttributeName": ["email", "phone_number", "name", "sub", "custom:team"],
        "Name": ["email", "phone_number", "name", "sub", "custom:team", "email_verified", "nope"],
        "SRP_A": [format(7**900, "x"), "0", "zz"],
        "ChallengeName": [s for s in MODEL.shape_for("ChallengeNameType").enum],
    }


@pytest.fixture(scope="module")
def fuzz_pool() -> Iterator[tuple[LocalUserPool, http.client.HTTPConnection, World, Tracebacks]]:
    local = LocalUserPool().start()
    conn = http.client.HTTPConnection("127.0.0.1", local.port, timeout=10)
    watcher = Tracebacks()
    logger = logging.getLogger("authflow.localpool")
    logger.addHandler(watcher)
    world = World()
    try:
        rebuild(local, conn, world)
        yield local, conn, world, watcher
    finally:
        logger.removeHandler(watcher)
        conn.close()
        local.stop()


# --- generated bodies --------------------------------------------------------------------------------

ODD_TEXT = st.sampled_from([
    "", " ", "\x00", "\u0000abc", "\ud7ff", "\uffff", "\U0001f600", "\uff11\uff12\uff13\uff14\uff15\uff16",
    "\u0661\u0662\u0663\u0664\u0665\u0666", "\u00b2\u00b3\u2074", "x" * 2049,
    "9" * 5000, "-1", "1e309", "NaN", "null", "[]", "{}", "{\"response\": {}}", "../../etc", "a@b", "+1",
    "\uff21\uff2c\uff29\uff23\uff25", "alice\n", "Alice", "\u202e", "%s%n", "' OR 1=1 --", "true",
])
SCALARS = (st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70)
           | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=12) | ODD_TEXT)
WILD = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
    st.text(max_size=6) | ODD_TEXT, inner, max_size=3), max_leaves=6)
#: Values that go deeper than the server parses, or are just large.
HUGE = st.sampled_from([
    json.loads("[" * 40 + "]" * 40), {"a": json.loads("[" * 33 + "]" * 33)}, ["x"] * 20_000,
    {f"k{i}": i for i in range(2_000)}, "é" * 100_000,
])


def text_for(member: str, world: World) -> st.SearchStrategy[Any]:
    known = world.values.get(member)
    base = st.text(max_size=24) | ODD_TEXT
    if known:
        return st.sampled_from(known) | st.sampled_from(known) | base
    return base


def for_shape(shape: Any, member: str, world: World, depth: int = 0) -> st.SearchStrategy[Any]:
    """Values of a botocore shape (plausible, often real), with a share of anything at all."""
    kind = shape.type_name
    if depth > 4:
        return WILD
    if kind == "structure" and getattr(shape, "is_document_type", False):
        typed: st.SearchStrategy[Any] = WILD | st.fixed_dictionaries(
            {"response": WILD}, optional={"id": SCALARS, "type": st.just("public-key"), "rawId": SCALARS})
    elif kind == "structure":
        members = {name: for_shape(sub, name, world, depth + 1) for name, sub in shape.members.items()}
        typed = st.fixed_dictionaries({}, optional=members)
    elif kind == "list":
        typed = st.lists(for_shape(shape.member, member, world, depth + 1), max_size=4)
    elif kind == "map":
        keys = st.sampled_from(["USERNAME", "PASSWORD", "SRP_A", "SECRET_HASH", "DEVICE_KEY", "REFRESH_TOKEN",
                                "SOFTWARE_TOKEN_MFA_CODE", "SMS_MFA_CODE", "EMAIL_OTP_CODE", "ANSWER",
                                "NEW_PASSWORD", "PASSWORD_CLAIM_SIGNATURE", "PASSWORD_CLAIM_SECRET_BLOCK",
                                "TIMESTAMP", "CREDENTIAL", "EMAIL", "PREFERRED_CHALLENGE", "userAttributes.name",
                                "CHALLENGE_NAME", "REFRESH_TOKEN", "SMS_OTP_CODE"]) | st.text(max_size=10)
        typed = st.dictionaries(keys, st.deferred(lambda: _map_value(shape, world, depth)), max_size=5)
    elif kind == "string" and shape.enum:
        typed = st.sampled_from(list(shape.enum)) | text_for(member, world)
    elif kind == "string":
        typed = text_for(member, world)
    elif kind in ("integer", "long"):
        typed = st.integers(min_value=-5, max_value=70) | st.integers(min_value=-(2**64), max_value=2**64)
    elif kind == "boolean":
        typed = st.booleans()
    else:
        typed = SCALARS
    return typed | typed | typed | WILD


def _map_value(shape: Any, world: World, depth: int) -> st.SearchStrategy[Any]:
    value = shape.value
    if value.type_name == "string":
        return st.sampled_from([v for vs in world.values.values() for v in vs if isinstance(v, str)]) | text_for(
            "", world)
    return for_shape(value, "", world, depth + 1)


def body_for(operation: str, world: World) -> st.SearchStrategy[bytes]:
    """Bodies for ``operation``: its input shape with extra members, the shape alone, anything, huge and
    nested values, and bytes that are not JSON."""
    shape = MODEL.operation_model(operation).input_shape
    typed = for_shape(shape, operation, world) if shape is not None else WILD
    extra = st.dictionaries(st.text(max_size=8) | st.sampled_from(["Foo", "__type", "ClientId"]), WILD, max_size=2)
    with_extra = st.tuples(typed, extra).map(
        lambda pair: {**pair[1], **pair[0]} if isinstance(pair[0], dict) else pair[0])
    return st.one_of(with_extra, typed, typed, WILD, HUGE).map(lambda value: json.dumps(value).encode()) | (
        st.sampled_from([b"{\"not json", b"\xff\xfe{}", b"[]", b"null", b"1e999999"]))


# --- the test ---------------------------------------------------------------------------------------


def check(conn: http.client.HTTPConnection, watcher: Tracebacks, operation: str, body: bytes) -> None:
    status, raw = call(conn, operation, body)
    assert status in (200, 400), (operation, status, raw[:300], body[:300])
    reply = json.loads(raw)
    assert isinstance(reply, dict)
    if status == 400:
        assert isinstance(reply.get("__type"), str) and isinstance(reply.get("message"), str), reply
    assert not watcher.records, (operation, body[:300], [r.getMessage() for r in watcher.records])


def test_every_operation_answers_generated_bodies_without_a_500(
    fuzz_pool: tuple[LocalUserPool, http.client.HTTPConnection, World, Tracebacks],
) -> None:
    local, conn, world, watcher = fuzz_pool
    started = time.perf_counter()
    for operation in sorted(OPERATIONS):  # each operation at least with nothing, and with an empty object
        check(conn, watcher, operation, b"")
        check(conn, watcher, operation, b"{}")
    count = {"n": 0}
    operations = sorted(OPERATIONS)
    cache: dict[tuple[int, str], st.SearchStrategy[bytes]] = {}

    @settings(max_examples=CASES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(st.data())
    def run(data: st.DataObject) -> None:
        count["n"] += 1
        if count["n"] % REFRESH == 0:
            rebuild(local, conn, world)
        operation = data.draw(st.sampled_from(operations))
        key = (world.serial, operation)
        if key not in cache:
            cache[key] = body_for(operation, world)
        check(conn, watcher, operation, data.draw(cache[key]))

    run()
    assert count["n"] >= CASES
    print(f"{count['n']} generated bodies in {time.perf_counter() - started:.1f} s")


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE", "CONNECT"])
def test_other_http_methods_get_a_cognito_error_not_a_501_page(method: str) -> None:
    """Methods other than GET and POST got http.server's HTML page with status 501."""
    with LocalUserPool() as pool:
        host, port = pool.endpoint_url.removeprefix("http://").split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=10)
        connection.request(method, "/", body=b"{}" if method in ("PUT", "PATCH") else None)
        response = connection.getresponse()
        body = response.read()
        connection.close()
    assert response.status == 405 and response.getheader("Content-Type") != "text/html"
    if method == "HEAD":
        assert body == b""
    else:
        assert json.loads(body)["__type"] == "UnknownOperationException"


@pytest.mark.parametrize("raw", [b"GARBAGE\r\n\r\n", b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\n\r\n",
                                 b"GET / HTTP/9.9\r\n\r\n", b"POST / HTTP/1.1\r\n" + b"X: y\r\n" * 200 + b"\r\n"],
                         ids=["garbage", "uri-too-long", "http-9.9", "too-many-headers"])
def test_a_request_http_server_cannot_read_gets_a_cognito_error_not_an_html_page(raw: bytes) -> None:
    import socket

    with LocalUserPool() as pool:
        host, port = pool.endpoint_url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=10) as connection:
            connection.sendall(raw)
            answer = b""
            while chunk := connection.recv(65536):
                answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 4") or head.startswith(b"HTTP/1.1 5"), answer[:200]
    assert b"text/html" not in head and json.loads(body)["__type"] == "SerializationException"
