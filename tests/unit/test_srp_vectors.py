"""SRP math against every published vector in tests/vectors/srp-vectors.json, on both backends."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from authflow import srp
from authflow.errors import SRPError
from authflow.secret_hash import secret_hash

VECTORS_PATH = Path(__file__).resolve().parents[1] / "vectors" / "srp-vectors.json"


@pytest.fixture(scope="module")
def vectors() -> dict[str, Any]:
    return json.loads(VECTORS_PATH.read_text())


BACKENDS = ["python"] + (["gmpy2"] if srp.gmpy2_available() else [])


@pytest.fixture(params=[(name, table) for name in BACKENDS for table in ("table", "pow")],
                ids=lambda p: "-".join(p), autouse=True)
def backend(request: pytest.FixtureRequest) -> Iterator[str]:
    """Every test on each backend, with g^e from the fixed-base table and from plain powmod."""
    previous = srp.BACKEND
    name, table = request.param
    srp.use_backend(name, fixed_base=table == "table")
    if table == "table":
        srp.fixed_base_table()  # built now, so g_pow answers from it from the first call
    yield name
    srp.use_backend(previous)


def test_k_matches_go_and_swift(vectors: dict[str, Any]) -> None:
    assert srp.K == int(vectors["alexrudd_cognito_srp"]["expected_k_dec"])
    assert format(srp.K, "064x") == vectors["amplify_swift_u"]["expected_k_hex"]


def test_pad_hex_table(vectors: dict[str, Any]) -> None:
    for given, expected in vectors["alexrudd_cognito_srp"]["padHex"].items():
        assert srp.pad_hex(int(given, 16)) == expected
    # Java BigInteger.toByteArray excerpts (amazon-cognito-identity-js test table)
    assert [srp.pad_hex(n) for n in (127, 128, 255, 256)] == ["7f", "0080", "00ff", "0100"]


def test_hash_of_testvalue(vectors: dict[str, Any]) -> None:
    import hashlib

    v = vectors["alexrudd_cognito_srp"]
    assert hashlib.sha256(b"testvalue").hexdigest() == v["hashSha256('testvalue')"]


def test_calculate_u_vectors(vectors: dict[str, Any]) -> None:
    u = vectors["alexrudd_cognito_srp"]["calculateU_vector"]
    assert srp.calculate_u(int(u["A_hex"], 16), int(u["B_hex"], 16)) == int(u["u_dec"])
    for name in ("testCalculateU_1", "testCalculateU_2", "testCalculateU_3"):
        case = vectors["amplify_swift_u"][name]
        assert format(srp.calculate_u(int(case["A"], 16), int(case["B"], 16)), "064x") == case["expected_u"]


def test_v1_alexrudd_full_exchange(vectors: dict[str, Any]) -> None:
    v = vectors["alexrudd_cognito_srp"]
    eph = srp.ClientEphemeral(int(v["a_dec"]))
    assert eph.public == int(v["A_dec"])
    key = eph.password_authentication_key(v["pool_name"], v["USER_ID_FOR_SRP"], v["password"], v["SALT"], v["SRP_B"])
    assert key.hex() == v["expected_hkdf_hex"]
    signature = srp.claim_signature(key, v["pool_name"], v["USER_ID_FOR_SRP"], v["SECRET_BLOCK"], v["TIMESTAMP"])
    assert signature == v["expected_PASSWORD_CLAIM_SIGNATURE"]
    assert secret_hash("test", v["client_id"], v["client_secret"]) == v["expected_SECRET_HASH(username=test)"]
    hk = v["computeHKDF_vector"]
    shared, u = eph.shared_secret(v["pool_name"], v["USER_ID_FOR_SRP"], v["password"], v["SALT"], v["SRP_B"])
    assert srp.pad_hex(u) == hk["salt_hex"]
    assert srp.hkdf(bytes.fromhex(srp.pad_hex(shared)), bytes.fromhex(hk["salt_hex"])).hex() == hk["out"]


@pytest.mark.parametrize("name", ["simonmcallister_v1", "simonmcallister_v2"])
def test_simonmcallister_signatures(vectors: dict[str, Any], name: str) -> None:
    v = vectors[name]
    user_id = next(value for key, value in v.items() if key.startswith("USER_ID_FOR_SRP"))
    eph = srp.ClientEphemeral(int(v["a_hex"], 16))
    assert eph.srp_a == v["SRP_A"]
    pool_name = srp.pool_name_of(v["pool_id"])
    key = eph.password_authentication_key(pool_name, user_id, v["password"], v["SALT"], v["SRP_B"])
    hkdf_key = next((value for key_, value in v.items() if key_.startswith("expected_hkdf_hex")), None)
    if hkdf_key:
        assert key.hex() == hkdf_key
    assert srp.claim_signature(key, pool_name, user_id, v["SECRET_BLOCK"], v["TIMESTAMP"]) == v[
        "expected_PASSWORD_CLAIM_SIGNATURE"
    ]
    expected_hash = next(value for key_, value in v.items() if key_.startswith("SECRET_HASH("))
    assert secret_hash(user_id, v["client_id"], v["client_secret"]) == expected_hash


def test_alias_case_uses_user_id_for_srp_not_the_typed_name(vectors: dict[str, Any]) -> None:
    v = vectors["simonmcallister_v2"]
    eph = srp.ClientEphemeral(int(v["a_hex"], 16))
    pool_name = srp.pool_name_of(v["pool_id"])
    key = eph.password_authentication_key(pool_name, v["username_typed"], v["password"], v["SALT"], v["SRP_B"])
    wrong = srp.claim_signature(key, pool_name, v["username_typed"], v["SECRET_BLOCK"], v["TIMESTAMP"])
    assert wrong != v["expected_PASSWORD_CLAIM_SIGNATURE"]


@pytest.mark.parametrize("name", ["testCalculateSharedSecret_1", "testCalculateSharedSecret_2"])
def test_amplify_swift_shared_secret(vectors: dict[str, Any], name: str) -> None:
    case = vectors["amplify_swift_S"][name]  # "user" is poolName + USER_ID_FOR_SRP as one string
    eph = srp.ClientEphemeral(int(case["a"], 16))
    assert eph.public == int(case["A"], 16)
    shared, _ = eph.shared_secret("", case["user"], case["pw"], case["salt"], case["B"])
    assert shared == int(case["S"], 16)


@pytest.mark.parametrize("bad_b", [0, srp.N, 2 * srp.N])
def test_b_mod_n_zero_is_refused(bad_b: int) -> None:
    eph = srp.ClientEphemeral()
    with pytest.raises(SRPError, match="B mod N"):
        eph.password_authentication_key("pool", "user", "pw", "abcd", format(bad_b, "x"))


def test_a_mod_n_zero_is_refused_on_both_sides() -> None:
    with pytest.raises(SRPError):
        srp.ServerEphemeral(verifier=5).session_key(srp.N)


def test_client_and_server_agree() -> None:
    salt = "0123456789abcdef0123456789abcdef"
    verifier = srp.compute_verifier(salt, "Pool", "alice", "Correct-Horse-1")
    server = srp.ServerEphemeral(verifier)
    client = srp.ClientEphemeral()
    client_key = client.password_authentication_key("Pool", "alice", "Correct-Horse-1", salt, server.srp_b)
    assert client_key == server.session_key(client.public)
    wrong = srp.ClientEphemeral().password_authentication_key("Pool", "alice", "wrong", salt, server.srp_b)
    assert wrong != server.session_key(client.public)


def test_timestamp_format_and_parse() -> None:
    from datetime import datetime, timezone

    moment = datetime(2026, 11, 22, 1, 2, 3, tzinfo=timezone.utc)
    assert srp.format_timestamp(moment) == "Sun Nov 22 01:02:03 UTC 2026"
    assert srp.format_timestamp(datetime(2000, 2, 1, 3, 4, 5, tzinfo=timezone.utc)) == "Tue Feb 1 03:04:05 UTC 2000"
    assert srp.parse_timestamp("Sun Nov 22 01:02:03 UTC 2026") == moment
    assert srp.parse_timestamp("Sun Nov 22 1:02:03 UTC 2026") is None  # hour must be padded
    assert srp.parse_timestamp("Tue Feb 01 03:04:05 UTC 2000") is None  # day must not be
    assert srp.parse_timestamp("Wed Feb 1 03:04:05 UTC 2000") is None  # wrong weekday


def test_reprs_hide_the_ephemeral_secrets() -> None:
    assert "<secret>" in repr(srp.ClientEphemeral(12345))
    assert "12345" not in repr(srp.ClientEphemeral(12345))
