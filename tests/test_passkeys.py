"""Passkeys (WEB_AUTHN) against the local pool, through boto3 as real use does: `authflow passkey add
--software FILE`, list and delete; sign-in by preference and by selection without the password ever being
sent; the counter; a replayed assertion, an assertion without user verification where it is required, and a
wrong origin refused; and py_webauthn checking the software passkey directly."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
import webauthn

from authflow import ScriptedHandler, UserPool, sign_in
from authflow.errors import NotAuthorizedError, PasskeyFileError
from authflow.localpool import LocalUserPool
from authflow.passkeys import SoftwarePasskey, b64url, default_origin, passkey_answer, register_passkey
from tests.helpers.cli import assert_one_line_error, credential_free_env, run_cli

PASSWORD = "Alice-Passw0rd!"


@pytest.fixture
def alice(local_pool: LocalUserPool, tmp_path: Path) -> dict[str, str]:
    local_pool.add_user("alice", PASSWORD, attributes={"email": "alice@example.com", "email_verified": "true"})
    return credential_free_env(tmp_path, {
        "AUTHFLOW_POOL_ID": local_pool.pool_id, "AUTHFLOW_CLIENT_ID": local_pool.client_id,
        "AUTHFLOW_ENDPOINT_URL": local_pool.endpoint_url, "AUTHFLOW_USERNAME": "alice",
        "AUTHFLOW_PASSWORD": PASSWORD,
    })


def user_pool(local: LocalUserPool) -> UserPool:
    return UserPool(local.pool_id, local.client_id, endpoint_url=local.endpoint_url)


def passwords_sent(local: LocalUserPool) -> list[str]:
    return [json.dumps(r.params) for r in local.requests() if PASSWORD in json.dumps(r.params)]


def test_cli_add_list_sign_in_and_delete(local_pool: LocalUserPool, alice: dict[str, str], tmp_path: Path) -> None:
    key_file = tmp_path / "alice.passkey"
    added = run_cli(["passkey", "add", "--software", str(key_file), "--name", "CI key"], alice)
    assert added.returncode == 0, added.stderr
    assert json.loads(key_file.read_text())["name"] == "CI key"
    credential_id = json.loads(added.stdout)["CredentialId"]
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600

    listed = run_cli(["passkey", "list"], alice)
    assert [c["CredentialId"] for c in json.loads(listed.stdout)] == [credential_id]
    assert json.loads(listed.stdout)[0]["RelyingPartyId"] == "localhost"

    # Sign in with the passkey alone: by preference, then by selection; the password is never sent.
    local_pool.clear_requests()
    env = {k: v for k, v in alice.items() if k != "AUTHFLOW_PASSWORD"}
    env.update({"AUTHFLOW_PASSKEY_FILE": str(key_file), "AUTHFLOW_CACHE_DIR": str(tmp_path / "other-cache")})
    by_preference = run_cli(["login", "--non-interactive", "--auth-flow", "USER_AUTH",
                             "--preferred-challenge", "WEB_AUTHN", "--no-cache"], env)
    assert by_preference.returncode == 0, by_preference.stderr
    assert json.loads(by_preference.stdout)["AccessToken"]
    selection = run_cli(["login", "--non-interactive", "--auth-flow", "USER_AUTH", "--no-cache"],
                        {**env, "AUTHFLOW_FIRST_FACTOR": "WEB_AUTHN"})
    assert selection.returncode == 0, selection.stderr
    answered = [r.params["ChallengeName"] for r in local_pool.requests("RespondToAuthChallenge")]
    assert answered == ["WEB_AUTHN", "SELECT_CHALLENGE", "WEB_AUTHN"]
    assert passwords_sent(local_pool) == []
    assert json.loads(key_file.read_text())["sign_count"] == 2  # the counter advanced with each sign-in

    deleted = run_cli(["passkey", "delete", credential_id], alice)
    assert deleted.returncode == 0, deleted.stderr
    assert json.loads(run_cli(["passkey", "list"], alice).stdout) == []
    offered = user_pool(local_pool).call("initiate_auth", ClientId=local_pool.client_id, AuthFlow="USER_AUTH",
                                         AuthParameters={"USERNAME": "alice"})
    assert "WEB_AUTHN" not in offered["AvailableChallenges"]


def test_cli_after_a_global_sign_out_elsewhere_signs_in_again(local_pool: LocalUserPool, alice: dict[str, str],
                                                              tmp_path: Path) -> None:
    """Another machine's `authflow logout --global` revokes the tokens cached here: `passkey` signs in again
    with the login answers, as `authflow account` does (it stopped at "Access Token has been revoked")."""
    elsewhere = {**alice, "AUTHFLOW_CACHE_DIR": str(tmp_path / "elsewhere")}

    def sign_out_everywhere_from_elsewhere() -> None:
        assert run_cli(["login", "--non-interactive"], elsewhere).returncode == 0
        assert run_cli(["logout", "--global"], elsewhere).returncode == 0

    assert run_cli(["login", "--non-interactive"], alice).returncode == 0
    sign_out_everywhere_from_elsewhere()
    key_file = tmp_path / "alice.passkey"
    added = run_cli(["passkey", "add", "--software", str(key_file)], alice)
    assert added.returncode == 0, added.stderr
    sign_out_everywhere_from_elsewhere()
    listed = run_cli(["passkey", "list"], alice)
    assert listed.returncode == 0, listed.stderr
    assert [c["CredentialId"] for c in json.loads(listed.stdout)] == [json.loads(added.stdout)["CredentialId"]]
    sign_out_everywhere_from_elsewhere()
    without_answers = {k: v for k, v in alice.items() if k != "AUTHFLOW_PASSWORD"}
    refused = run_cli(["passkey", "list", "--non-interactive"], without_answers)
    assert refused.returncode == 2  # nothing to sign in with: a missing answer, as the contract says
    assert_one_line_error(refused, contains="AUTHFLOW_PASSWORD")


def test_cli_add_refuses_an_existing_file_and_a_symlink(alice: dict[str, str], tmp_path: Path) -> None:
    existing = tmp_path / "existing"
    existing.write_text("keep me")
    done = run_cli(["passkey", "add", "--software", str(existing)], alice)
    assert_one_line_error(done, contains="PasskeyFileError")
    assert existing.read_text() == "keep me"
    link = tmp_path / "link"
    link.symlink_to(tmp_path / "target")
    done = run_cli(["passkey", "add", "--software", str(link)], alice)
    assert_one_line_error(done, contains="symlink")
    assert not (tmp_path / "target").exists()


def test_cli_deletes_a_credential_id_that_begins_with_a_dash(local_pool: LocalUserPool, alice: dict[str, str],
                                                             tmp_path: Path) -> None:
    """base64url ids begin with "-" one time in 64 (first byte 0xf8-0xfb): the id, not an unknown option."""
    key = SoftwarePasskey.generate(tmp_path / "dash.passkey")
    data = json.loads(key.path.read_text())
    data["credential_id"] = b64url(bytes([0xF8]) + os.urandom(31))
    key.path.write_text(json.dumps(data))
    pool = user_pool(local_pool)
    register_passkey(pool, sign_in(pool, "alice", ScriptedHandler(password=PASSWORD)).access_token,
                     SoftwarePasskey(key.path))
    credential_id = data["credential_id"]
    assert credential_id.startswith("-")
    assert [c["CredentialId"] for c in json.loads(run_cli(["passkey", "list"], alice).stdout)] == [credential_id]

    deleted = run_cli(["passkey", "delete", credential_id], alice)
    assert deleted.returncode == 0, deleted.stderr
    assert json.loads(run_cli(["passkey", "list"], alice).stdout) == []


@pytest.fixture
def registered(local_pool: LocalUserPool, tmp_path: Path) -> tuple[UserPool, SoftwarePasskey]:
    local_pool.add_user("bob", PASSWORD)
    pool = user_pool(local_pool)
    tokens = sign_in(pool, "bob", ScriptedHandler(password=PASSWORD))
    key = SoftwarePasskey.generate(tmp_path / "bob.passkey")
    register_passkey(pool, tokens.access_token, key)
    return pool, key


def web_authn_challenge(local: LocalUserPool, username: str = "bob") -> dict[str, object]:
    return user_pool(local).call("initiate_auth", ClientId=local.client_id, AuthFlow="USER_AUTH",
                                 AuthParameters={"USERNAME": username, "PREFERRED_CHALLENGE": "WEB_AUTHN"})


def answer(local: LocalUserPool, reply: dict[str, object], credential: str) -> dict[str, object]:
    return user_pool(local).call("respond_to_auth_challenge", ClientId=local.client_id, ChallengeName="WEB_AUTHN",
                                 Session=reply["Session"], ChallengeResponses={"USERNAME": "bob",
                                                                               "CREDENTIAL": credential})


def options(reply: dict[str, object]) -> dict[str, object]:
    parameters = reply["ChallengeParameters"]
    assert isinstance(parameters, dict)
    return dict(json.loads(parameters["CREDENTIAL_REQUEST_OPTIONS"]))


def test_a_replayed_assertion_is_refused(local_pool: LocalUserPool,
                                         registered: tuple[UserPool, SoftwarePasskey]) -> None:
    _, key = registered
    first = web_authn_challenge(local_pool)
    credential = passkey_answer(key, options(first))["credential"]
    assert "AuthenticationResult" in answer(local_pool, first, credential)
    with pytest.raises(NotAuthorizedError):  # the same Session again
        answer(local_pool, first, credential)
    with pytest.raises(NotAuthorizedError, match="challenge"):  # a new Session, the old assertion
        answer(local_pool, web_authn_challenge(local_pool), credential)


def test_the_counter_must_grow(local_pool: LocalUserPool, registered: tuple[UserPool, SoftwarePasskey]) -> None:
    _, key = registered
    reply = web_authn_challenge(local_pool)
    assert "AuthenticationResult" in answer(local_pool, reply, passkey_answer(key, options(reply))["credential"])
    cloned = json.loads(key.path.read_text())
    cloned["sign_count"] = 0  # a copy of the key file from before the sign-in: its counter goes back
    key.path.write_text(json.dumps(cloned))
    reply = web_authn_challenge(local_pool)
    with pytest.raises(NotAuthorizedError, match="count"):
        answer(local_pool, reply, passkey_answer(SoftwarePasskey(key.path), options(reply))["credential"])


def test_user_verification_required_and_origin(local_pool: LocalUserPool,
                                               registered: tuple[UserPool, SoftwarePasskey]) -> None:
    _, key = registered
    local_pool.pool().web_authn.user_verification = "required"
    reply = web_authn_challenge(local_pool)
    assert options(reply)["userVerification"] == "required"
    presence_only = SoftwarePasskey(key.path, verify_user=False)
    with pytest.raises(NotAuthorizedError, match="verif"):
        answer(local_pool, reply, passkey_answer(presence_only, options(reply))["credential"])
    reply = web_authn_challenge(local_pool)
    with pytest.raises(NotAuthorizedError, match="origin"):
        answer(local_pool, reply, passkey_answer(key, options(reply), "https://evil.example")["credential"])
    reply = web_authn_challenge(local_pool)
    assert "AuthenticationResult" in answer(local_pool, reply, passkey_answer(key, options(reply))["credential"])


def test_select_challenge_answered_in_one_step(local_pool: LocalUserPool,
                                               registered: tuple[UserPool, SoftwarePasskey]) -> None:
    _, key = registered
    pool = user_pool(local_pool)
    reply = pool.call("initiate_auth", ClientId=local_pool.client_id, AuthFlow="USER_AUTH",
                      AuthParameters={"USERNAME": "bob"})
    assert reply["ChallengeName"] == "SELECT_CHALLENGE" and "WEB_AUTHN" in reply["AvailableChallenges"]
    credential = passkey_answer(key, options(reply))["credential"]
    done = pool.call("respond_to_auth_challenge", ClientId=local_pool.client_id, ChallengeName="SELECT_CHALLENGE",
                     Session=reply["Session"],
                     ChallengeResponses={"USERNAME": "bob", "ANSWER": "WEB_AUTHN", "CREDENTIAL": credential})
    assert "AuthenticationResult" in done


def test_software_passkey_verified_by_py_webauthn_directly(tmp_path: Path) -> None:
    key = SoftwarePasskey.generate(tmp_path / "k")
    challenge = os.urandom(32)
    creation = {"challenge": b64url(challenge), "rp": {"id": "example.org", "name": "Example"},
                "user": {"id": b64url(b"user-1"), "name": "u", "displayName": "U"},
                "pubKeyCredParams": [{"type": "public-key", "alg": -7}]}
    registration = webauthn.verify_registration_response(
        credential=key.create_credential(creation, default_origin("example.org")), expected_challenge=challenge,
        expected_origin="https://example.org", expected_rp_id="example.org", require_user_verification=True)
    assert registration.credential_id == key.credential_id
    challenge = os.urandom(32)
    request = {"challenge": b64url(challenge), "rpId": "example.org", "userVerification": "required",
               "allowCredentials": [{"type": "public-key", "id": b64url(key.credential_id)}]}
    assertion = webauthn.verify_authentication_response(
        credential=key.get_assertion(request, "https://example.org"), expected_challenge=challenge,
        expected_rp_id="example.org", expected_origin="https://example.org",
        credential_public_key=registration.credential_public_key, credential_current_sign_count=0,
        require_user_verification=True)
    assert assertion.new_sign_count == 1 == json.loads(key.path.read_text())["sign_count"]
    assert stat.S_IMODE(key.path.stat().st_mode) == 0o600
    with pytest.raises(PasskeyFileError):
        SoftwarePasskey.generate(key.path)


@pytest.mark.parametrize("local_pool", ["demo"], indirect=True)
def test_the_demo_has_a_passkey_user(local_pool: LocalUserPool) -> None:
    pia = next(u for u in local_pool.demo_users() if u["username"] == "pia")
    key_file = Path(pia["passkey_file"])
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    client = local_pool.app_client(pool_id=pia["pool_id"])
    pool = UserPool(pia["pool_id"], client.id, endpoint_url=local_pool.endpoint_url)
    local_pool.clear_requests()
    tokens = sign_in(pool, "pia", ScriptedHandler(passkey=key_file, first_factor="WEB_AUTHN"), "USER_AUTH")
    assert tokens.access_token
    assert [r.params["ChallengeName"] for r in local_pool.requests("RespondToAuthChallenge")] == [
        "SELECT_CHALLENGE", "WEB_AUTHN"]
