"""The Python API: seeds, pools, clients, users, outbox, request log, clock; no secret in a repr."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from authflow.localpool import Clock, LocalUserPool
from authflow.localpool.model import PasswordRecord

from .helpers import error, idp, password_auth, srp_auth

PASSWORD = "Passw0rd!"


def test_default_seed_is_one_pool_one_open_client_no_users(local_pool: LocalUserPool) -> None:
    (pool,) = local_pool.pools()
    assert pool.users == {} and pool.mfa_configuration == "OFF"
    assert local_pool.app_client().explicit_auth_flows == {
        "ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_AUTH", "ALLOW_CUSTOM_AUTH",
        "ALLOW_REFRESH_TOKEN_AUTH"}
    assert local_pool.client_secret is None
    assert local_pool.pool_id.startswith("us-east-1_")


def test_seed_from_a_json_file(tmp_path: Path) -> None:
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps({"region": "eu-west-1", "pools": [{
        "id": "eu-west-1_FromFile1", "mfa": "OPTIONAL",
        "clients": [{"id": "fileclient", "secret": "s3cr3t-for-tests", "explicit_auth_flows": ["ALLOW_USER_SRP_AUTH"]}],
        "users": [{"username": "fay", "password": PASSWORD, "mfa": ["SOFTWARE_TOKEN_MFA"]}],
    }]}))
    with LocalUserPool(seed) as pool:
        assert (pool.pool_id, pool.client_id, pool.client_secret) == ("eu-west-1_FromFile1", "fileclient",
                                                                     "s3cr3t-for-tests")
        assert pool.region == "eu-west-1"
        fay = pool.user("fay")
        assert fay.totp_secret and len(fay.totp_secret) == 32  # generated for an enabled TOTP
        result = srp_auth(idp(pool), pool, "fay", PASSWORD, secret="s3cr3t-for-tests")
        assert result["ChallengeName"] == "SOFTWARE_TOKEN_MFA"


@pytest.mark.parametrize(("seed", "words"), [
    ({"pools": [{"colour": "red"}]}, "unknown pool key"),
    ({"pools": [{"clients": [{"flows": []}]}]}, "unknown client key"),
    ({"pools": [{"users": [{"username": "u", "pasword": "x"}]}]}, "unknown user key"),
    ({"pool": []}, "unknown top-level key"),
    ({"pools": [{"users": [{"username": "u", "password": "weak"}]}]}, "did not conform with policy"),
    ({"pools": [{"mfa": "SOMETIMES"}]}, "mfa must be"),
    ({"pools": [{"auth_session_validity_minutes": 30, "clients": [{}]}]}, "3-15"),
    ({"pools": [{"clients": [{"explicit_auth_flows": ["ALLOW_MAGIC"]}]}]}, "unknown explicit auth flow"),
    # a value of the wrong JSON type is said, never an internal TypeError / AttributeError
    ({"pools": [3]}, "a pool is a JSON object, not 3"),
    ({"pools": [{"users": 3}]}, "a pool's users is a list, not 3"),
    ({"pools": [{"users": [3]}]}, "a user is a JSON object, not 3"),
    ({"pools": [{"users": [{"username": 5}]}]}, "a user's username is a string or null, not 5"),
    ({"pools": [{"users": [{"username": "u", "password": 5}]}]}, "a user's password is a string or null"),
    ({"pools": [{"users": [{"username": "u", "mfa": "SMS_MFA"}]}]}, "a user's mfa is a list of strings"),
    ({"pools": [{"users": [{"username": "u", "attributes": {"email": 5}}]}]}, "attributes is an object of strings"),
    ({"pools": [{"clients": [{"name": 5}]}]}, "a client's name is a string, not 5"),
    ({"pools": [{"mfa_types": [5]}]}, "a pool's mfa_types is a list of strings"),
    ({"pools": [{"password_policy": 5}]}, "password_policy is an object or null"),
    ({"pools": [{"password_policy": {"minimum_length": "8"}}]}, "minimum_length is a number"),
    ({"pools": [{"password_policy": {"min_length": 8}}]}, "password_policy: unknown key"),
    ({"pools": [{"web_authn": {"relying_party_id": 5}}]}, "relying_party_id is a string"),
    ({"pools": [{"identity_providers": [{"name": "X", "users": [5]}]}]}, "a provider user is an object"),
    ({"identity_pools": [3]}, "an identity pool is a JSON object"),
    ({"identity_pools": [{"roles": {"authenticated": 5}}]}, "roles is an object of strings"),
    ({"identity_pools": [{"user_pools": ["us-east-1_Nope"]}]}, "us-east-1_Nope does not exist"),
    ({"pools": [{"users": [{"username": "u", "passkey_file": "u.passkey"}]}]}, "Passkey sign-in is not enabled"),
    ({"region": 5}, "region is an AWS region"),
])
def test_bad_seeds_are_refused_with_a_clear_message(seed: dict, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        LocalUserPool(seed)


def test_python_values_still_build_a_pool(local_pool: LocalUserPool) -> None:
    """The seed's type checks take what Python callers give: tuples and sets for lists, a PasswordPolicy."""
    from authflow.localpool.model import PasswordPolicy

    pool = local_pool.add_pool(mfa_types=("EMAIL_OTP",), password_policy=PasswordPolicy(minimum_length=12),
                               clients=({"name": "t", "explicit_auth_flows": {"ALLOW_USER_PASSWORD_AUTH"}},))
    assert pool.password_policy.minimum_length == 12 and pool.mfa_types == {"EMAIL_OTP"}


def test_pools_clients_users_from_python(local_pool: LocalUserPool) -> None:
    second = local_pool.add_pool(id="us-east-1_Second001", mfa="ON", mfa_types=["EMAIL_OTP"],
                                 clients=[{"name": "second", "explicit_auth_flows": ["ALLOW_USER_PASSWORD_AUTH"]}])
    client = local_pool.app_client(pool_id=second.id)
    local_pool.add_user("sue", PASSWORD, pool_id=second.id, attributes={"email": "sue@example.com"},
                        mfa=["EMAIL_OTP"])
    assert local_pool.pool_id != second.id  # the first pool stays the default
    challenge = password_auth(idp(local_pool), client.id, "sue", PASSWORD)
    assert challenge["ChallengeName"] == "EMAIL_OTP"
    assert local_pool.last_code("sue", pool_id=second.id)
    with pytest.raises(KeyError):
        local_pool.user("sue")  # not in the first pool
    assert local_pool.user("sue", pool_id=second.id).attributes["email"] == "sue@example.com"


def test_update_and_delete_user(local_pool: LocalUserPool) -> None:
    local_pool.add_user("alice", PASSWORD)
    local_pool.update_user("alice", password="Another-passw0rd")
    assert "AuthenticationResult" in password_auth(idp(local_pool), local_pool.client_id, "alice",
                                                   "Another-passw0rd")
    local_pool.delete_user("alice")
    with pytest.raises(KeyError):
        local_pool.user("alice")
    local_pool.add_user("bob", PASSWORD)
    with pytest.raises(ValueError, match="already exists"):
        local_pool.add_user("BOB", PASSWORD)  # usernames are case-insensitive by default


def test_outbox_filters_and_last_code(local_pool: LocalUserPool) -> None:
    local_pool.pool().mfa_configuration = "OPTIONAL"
    local_pool.add_user("alice", PASSWORD, attributes={"email": "a@example.com", "phone_number": "+15555550100"},
                        mfa=["SMS_MFA", "EMAIL_OTP"], preferred_mfa="SMS_MFA")
    with pytest.raises(LookupError):
        local_pool.last_code("alice")
    password_auth(idp(local_pool), local_pool.client_id, "alice", PASSWORD)
    local_pool.update_user("alice", preferred_mfa="EMAIL_OTP")
    password_auth(idp(local_pool), local_pool.client_id, "alice", PASSWORD)
    assert [m.medium for m in local_pool.outbox("alice")] == ["SMS", "EMAIL"]
    assert [m.purpose for m in local_pool.outbox(medium="SMS")] == ["SMS_MFA"]
    assert local_pool.last_code("alice") == local_pool.outbox("alice")[-1].code
    assert local_pool.last_code("alice", purpose="SMS_MFA") == local_pool.outbox("alice")[0].code
    local_pool.clear_outbox()
    assert local_pool.outbox() == []


def test_no_secret_in_any_repr(local_pool: LocalUserPool) -> None:
    local_pool.pool().mfa_configuration = "OPTIONAL"
    user = local_pool.add_user("alice", PASSWORD, attributes={"phone_number": "+15555550100"},
                               mfa=["SMS_MFA", "SOFTWARE_TOKEN_MFA"], preferred_mfa="SMS_MFA")
    client = local_pool.add_client(secret=True)
    result = password_auth(idp(local_pool), local_pool.client_id, "alice", PASSWORD)
    message = local_pool.outbox("alice")[-1]
    secrets = [PASSWORD, str(user.totp_secret), str(client.secret), message.code, result["Session"]]
    texts = [repr(user), repr(client), repr(message), repr(local_pool.requests()[-1]), repr(user.password),
             repr(local_pool.pool()), repr(local_pool), repr(PasswordRecord(local_pool.pool_id, "x", PASSWORD))]
    texts += [repr(s) for s in local_pool.service.sessions._sessions.values()]
    for text in texts:
        for secret in secrets:
            assert secret not in text


def test_totp_code_follows_the_pool_clock(local_pool: LocalUserPool) -> None:
    local_pool.add_user("tina", PASSWORD, mfa=["SOFTWARE_TOKEN_MFA"])
    local_pool.clock.freeze(at=1_700_000_000.0)
    now_code = local_pool.totp_code("tina")
    local_pool.clock.advance(30)
    assert local_pool.totp_code("tina", steps=-1) == now_code


def test_clock_advance_freeze_unfreeze() -> None:
    clock = Clock()
    assert abs(clock.now() - time.time()) < 1
    clock.advance(100)
    assert abs(clock.now() - time.time() - 100) < 1
    clock.freeze()
    frozen = clock.now()
    time.sleep(0.02)
    assert clock.now() == frozen
    clock.advance(5)
    assert clock.now() == frozen + 5
    clock.unfreeze()
    assert abs(clock.now() - (frozen + 5)) < 0.5
    clock.freeze(at=1_000_000.0)
    assert clock.now() == 1_000_000.0
    clock.reset()
    assert abs(clock.now() - time.time()) < 1


def test_endpoint_before_start_is_an_error() -> None:
    pool = LocalUserPool()
    with pytest.raises(RuntimeError):
        _ = pool.endpoint_url
    pool.start()
    pool.start()  # idempotent
    pool.stop()
    pool.stop()


def test_pool_level_client_defaults_in_a_seed() -> None:
    with LocalUserPool({"pools": [{
        "prevent_user_existence_errors": "ENABLED", "access_token_validity_seconds": 30,
        "auth_session_validity_seconds": 5,
        "clients": [{"explicit_auth_flows": ["ALLOW_USER_PASSWORD_AUTH"]},
                    {"explicit_auth_flows": ["ALLOW_USER_PASSWORD_AUTH"], "access_token_validity_seconds": 60}],
        "users": [{"username": "alice", "password": PASSWORD}],
    }]}) as pool:
        first, second = pool.pool().clients.values()
        assert (first.prevent_user_existence_errors, first.access_token_validity, first.auth_session_validity) == (
            "ENABLED", 30, 5)
        assert second.access_token_validity == 60
        assert password_auth(idp(pool), first.id, "alice", PASSWORD)["AuthenticationResult"]["ExpiresIn"] == 30
        with pytest.raises(ClientError) as excinfo:
            password_auth(idp(pool), first.id, "nobody", PASSWORD)
        assert error(excinfo) == ("NotAuthorizedException", "Incorrect username or password.")
