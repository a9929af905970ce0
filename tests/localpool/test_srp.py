"""USER_SRP_AUTH for real: a stored verifier, a checked PASSWORD_CLAIM_SIGNATURE, SECRET_BLOCK and TIMESTAMP
(section 2 of cognito-protocol.md), and pycognito's independent client."""

from __future__ import annotations

import base64
import uuid
from datetime import timedelta

import pytest
from botocore.exceptions import ClientError
from pycognito.aws_srp import AWSSRP

from authflow import srp
from authflow.errors import SRPError
from authflow.localpool import LocalUserPool
from authflow.localpool.model import PasswordRecord
from authflow.secret_hash import secret_hash

from .helpers import error, idp, srp_auth, srp_start, verifier_responses

PASSWORD = "Passw0rd!"


@pytest.fixture
def pool(local_pool: LocalUserPool) -> LocalUserPool:
    local_pool.pool().alias_attributes = ["email"]
    local_pool.add_user("alice", PASSWORD, attributes={"email": "alice@example.com", "email_verified": "true"})
    return local_pool


def answer(pool: LocalUserPool, started: dict, responses: dict[str, str], session: bool = True) -> dict:
    kwargs = {"Session": started["Session"]} if session else {}
    return idp(pool).respond_to_auth_challenge(
        ClientId=pool.client_id, ChallengeName="PASSWORD_VERIFIER", ChallengeResponses=responses, **kwargs
    )


def rejected(pool: LocalUserPool, started: dict, responses: dict[str, str]) -> tuple[str, str]:
    with pytest.raises(ClientError) as excinfo:
        answer(pool, started, responses)
    return error(excinfo)


def test_srp_sign_in(pool: LocalUserPool) -> None:
    result = srp_auth(idp(pool), pool, "alice", PASSWORD)
    assert "AccessToken" in result["AuthenticationResult"]


def test_password_verifier_challenge_parameters(pool: LocalUserPool) -> None:
    _, started = srp_start(idp(pool), pool.client_id, "alice@example.com")
    assert started["ChallengeName"] == "PASSWORD_VERIFIER"
    assert len(started["Session"]) >= 20
    params = started["ChallengeParameters"]
    assert set(params) == {"SALT", "SECRET_BLOCK", "SRP_B", "USERNAME", "USER_ID_FOR_SRP"}
    assert params["USER_ID_FOR_SRP"] == params["USERNAME"] == "alice"  # internal name, not the alias typed
    int(params["SRP_B"], 16)
    int(params["SALT"], 16)
    assert params["SALT"] == format(int(params["SALT"], 16), "x")  # hex, not padded
    assert params["SRP_B"] == format(int(params["SRP_B"], 16), "x")
    assert len(base64.b64decode(params["SECRET_BLOCK"], validate=True)) > 100


def test_alias_typed_then_internal_name_signs_in(pool: LocalUserPool) -> None:
    result = srp_auth(idp(pool), pool, "alice@example.com", PASSWORD)
    assert "AuthenticationResult" in result


def test_wrong_password(pool: LocalUserPool) -> None:
    ephemeral, started = srp_start(idp(pool), pool.client_id, "alice")
    responses = verifier_responses(ephemeral, started["ChallengeParameters"], pool.pool_id, "Wrong-passw0rd")
    assert rejected(pool, started, responses) == ("NotAuthorizedException", "Incorrect username or password.")


def test_a_rejected_proof_consumes_the_session(pool: LocalUserPool) -> None:
    ephemeral, started = srp_start(idp(pool), pool.client_id, "alice")
    params = started["ChallengeParameters"]
    rejected(pool, started, verifier_responses(ephemeral, params, pool.pool_id, "Wrong-passw0rd"))
    assert rejected(pool, started, verifier_responses(ephemeral, params, pool.pool_id, PASSWORD)) == (
        "NotAuthorizedException", "Invalid session for the user, session can only be used once.")


def test_srp_failures_count_toward_the_lockout(pool: LocalUserPool) -> None:
    for _ in range(5):
        ephemeral, started = srp_start(idp(pool), pool.client_id, "alice")
        params = started["ChallengeParameters"]
        rejected(pool, started, verifier_responses(ephemeral, params, pool.pool_id, "Nope-1234!"))
    with pytest.raises(ClientError) as excinfo:
        srp_start(idp(pool), pool.client_id, "alice")
    assert error(excinfo) == ("NotAuthorizedException", "Password attempts exceeded")


def test_signature_over_a_different_secret_block_fails(pool: LocalUserPool) -> None:
    ephemeral, started = srp_start(idp(pool), pool.client_id, "alice")
    params = dict(started["ChallengeParameters"])
    params["SECRET_BLOCK"] = base64.b64encode(b"forged" * 20).decode()
    responses = verifier_responses(ephemeral, params, pool.pool_id, PASSWORD)
    assert rejected(pool, started, responses)[1] == "Incorrect username or password."


@pytest.mark.parametrize("render", [
    lambda t: t.replace(f" {t.split()[2]} ", f" {int(t.split()[2]):02d} ") if int(t.split()[2]) < 10 else "bad",
    lambda t: t.replace(t.split()[0], "Mon" if t.split()[0] != "Mon" else "Tue"),
    lambda t: t.replace(" UTC ", " GMT "),
    lambda t: t.lower(),
], ids=["zero-padded-day", "wrong-weekday", "not-UTC", "lowercase"])
def test_non_canonical_timestamp_fails(pool: LocalUserPool, render) -> None:
    ephemeral, started = srp_start(idp(pool), pool.client_id, "alice")
    moment = pool.clock.datetime().replace(day=5)  # a one-digit day, so zero-padding shows
    moment_text = render(srp.format_timestamp(moment))
    pool.clock.advance(moment.timestamp() - pool.clock.now())
    responses = verifier_responses(ephemeral, started["ChallengeParameters"], pool.pool_id, PASSWORD,
                                   timestamp=moment_text)
    assert rejected(pool, started, responses) == ("NotAuthorizedException", "Incorrect username or password.")


def test_canonical_one_digit_day_is_accepted(pool: LocalUserPool) -> None:
    moment = pool.clock.datetime().replace(day=5)
    pool.clock.advance(moment.timestamp() - pool.clock.now())
    ephemeral, started = srp_start(idp(pool), pool.client_id, "alice")
    responses = verifier_responses(ephemeral, started["ChallengeParameters"], pool.pool_id, PASSWORD, moment=moment)
    assert " 5 " in responses["TIMESTAMP"]
    assert "AuthenticationResult" in answer(pool, started, responses)


def test_timestamp_far_from_server_time_fails(pool: LocalUserPool) -> None:
    ephemeral, started = srp_start(idp(pool), pool.client_id, "alice")
    responses = verifier_responses(ephemeral, started["ChallengeParameters"], pool.pool_id, PASSWORD,
                                   moment=pool.clock.datetime() - timedelta(minutes=10))
    assert rejected(pool, started, responses)[1] == "Incorrect username or password."


def test_response_username_must_be_the_internal_name(pool: LocalUserPool) -> None:
    ephemeral, started = srp_start(idp(pool), pool.client_id, "alice@example.com")
    responses = verifier_responses(ephemeral, started["ChallengeParameters"], pool.pool_id, PASSWORD)
    responses["USERNAME"] = "alice@example.com"
    assert rejected(pool, started, responses)[1] == "Incorrect username or password."


def test_signature_with_alias_as_user_id_fails(pool: LocalUserPool) -> None:
    ephemeral, started = srp_start(idp(pool), pool.client_id, "alice@example.com")
    params = dict(started["ChallengeParameters"], USER_ID_FOR_SRP="alice@example.com")
    responses = verifier_responses(ephemeral, params, pool.pool_id, PASSWORD)
    assert rejected(pool, started, responses)[1] == "Incorrect username or password."


def test_proof_for_another_users_session_gives_no_tokens(pool: LocalUserPool) -> None:
    pool.add_user("bob", "Bob-Passw0rd!")
    ephemeral, started = srp_start(idp(pool), pool.client_id, "alice")
    params = dict(started["ChallengeParameters"], USER_ID_FOR_SRP="bob", USERNAME="bob")
    responses = verifier_responses(ephemeral, params, pool.pool_id, "Bob-Passw0rd!")
    assert rejected(pool, started, responses)[0] == "NotAuthorizedException"


@pytest.mark.parametrize("srp_a", ["0", format(srp.N, "x"), format(2 * srp.N, "x"), "00" * 600, "zz"],
                         ids=["zero", "N", "2N", "oversized", "not-hex"])
def test_bad_srp_a_is_invalid_parameter(pool: LocalUserPool, srp_a: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        idp(pool).initiate_auth(ClientId=pool.client_id, AuthFlow="USER_SRP_AUTH",
                                AuthParameters={"USERNAME": "alice", "SRP_A": srp_a})
    assert error(excinfo)[0] == "InvalidParameterException"


def test_missing_srp_a(pool: LocalUserPool) -> None:
    with pytest.raises(ClientError) as excinfo:
        idp(pool).initiate_auth(ClientId=pool.client_id, AuthFlow="USER_SRP_AUTH", AuthParameters={"USERNAME": "alice"})
    assert error(excinfo) == ("InvalidParameterException", "Missing required parameter SRP_A")


def test_unknown_user_legacy_fails_at_initiate(pool: LocalUserPool) -> None:
    with pytest.raises(ClientError) as excinfo:
        srp_start(idp(pool), pool.client_id, "nobody")
    assert error(excinfo) == ("UserNotFoundException", "User does not exist.")


def test_unknown_user_enabled_gets_a_decoy_verifier_and_fails_at_the_response(pool: LocalUserPool) -> None:
    client = pool.add_client(prevent_user_existence_errors="ENABLED")
    ephemeral, started = srp_start(idp(pool), client.id, "nobody")
    params = started["ChallengeParameters"]
    assert started["ChallengeName"] == "PASSWORD_VERIFIER"
    # Cognito's simulated answer: an internal user id in UUID format, the same (with the same SALT) for the
    # same name in the same pool, so that a second try does not give the unknown name away.
    assert str(uuid.UUID(params["USER_ID_FOR_SRP"])) == params["USER_ID_FOR_SRP"] == params["USERNAME"]
    again = srp_start(idp(pool), client.id, "nobody")[1]["ChallengeParameters"]
    assert (again["SALT"], again["USER_ID_FOR_SRP"]) == (params["SALT"], params["USER_ID_FOR_SRP"])
    assert srp_start(idp(pool), client.id, "somebody-else")[1]["ChallengeParameters"]["USER_ID_FOR_SRP"] != \
        params["USER_ID_FOR_SRP"]
    responses = verifier_responses(ephemeral, params, pool.pool_id, PASSWORD)
    with pytest.raises(ClientError) as excinfo:
        idp(pool).respond_to_auth_challenge(ClientId=client.id, ChallengeName="PASSWORD_VERIFIER",
                                            Session=started["Session"], ChallengeResponses=responses)
    assert error(excinfo) == ("NotAuthorizedException", "Incorrect username or password.")


def test_an_unknown_users_decoy_takes_the_secret_hash_of_its_made_up_id(pool: LocalUserPool) -> None:
    """A client with a secret hashes the challenge's USERNAME (the internal id) in its answer, as for a real
    user: the decoy accepts that hash, so the answer is the wrong-password one, never 'Unable to verify
    secret hash' (which would tell the name is unknown)."""
    client = pool.add_client(prevent_user_existence_errors="ENABLED", secret=True)
    assert client.secret is not None
    ephemeral, started = srp_start(idp(pool), client.id, "nobody", secret=client.secret)
    params = started["ChallengeParameters"]
    responses = verifier_responses(ephemeral, params, pool.pool_id, PASSWORD)
    responses["SECRET_HASH"] = secret_hash(params["USERNAME"], client.id, client.secret)
    with pytest.raises(ClientError) as excinfo:
        idp(pool).respond_to_auth_challenge(ClientId=client.id, ChallengeName="PASSWORD_VERIFIER",
                                            Session=started["Session"], ChallengeResponses=responses)
    assert error(excinfo) == ("NotAuthorizedException", "Incorrect username or password.")


def test_disabled_and_reset_required_fail_at_initiate(pool: LocalUserPool) -> None:
    pool.update_user("alice", enabled=False)
    with pytest.raises(ClientError) as excinfo:
        srp_start(idp(pool), pool.client_id, "alice")
    assert error(excinfo) == ("NotAuthorizedException", "User is disabled.")
    pool.update_user("alice", enabled=True, status="RESET_REQUIRED")
    with pytest.raises(ClientError) as excinfo:
        srp_start(idp(pool), pool.client_id, "alice")
    assert error(excinfo)[0] == "PasswordResetRequiredException"


def test_unconfirmed_fails_at_initiate_whatever_the_password(pool: LocalUserPool) -> None:
    """As a disabled or reset-required user: the state is told before any credential is looked at."""
    pool.update_user("alice", status="UNCONFIRMED")
    with pytest.raises(ClientError) as excinfo:
        srp_start(idp(pool), pool.client_id, "alice")
    assert error(excinfo) == ("UserNotConfirmedException", "User is not confirmed.")


def test_password_verifier_without_session_is_found_by_secret_block(pool: LocalUserPool) -> None:
    ephemeral, started = srp_start(idp(pool), pool.client_id, "alice")
    responses = verifier_responses(ephemeral, started["ChallengeParameters"], pool.pool_id, PASSWORD)
    assert "AuthenticationResult" in answer(pool, started, responses, session=False)


def test_srp_flow_not_enabled(pool: LocalUserPool) -> None:
    client = pool.add_client(explicit_auth_flows=["ALLOW_USER_PASSWORD_AUTH"])
    with pytest.raises(ClientError) as excinfo:
        srp_start(idp(pool), client.id, "alice")
    assert error(excinfo) == ("InvalidParameterException", "USER_SRP_AUTH flow not enabled for this client")


@pytest.mark.parametrize("mode", ["zero", "N"])
def test_malicious_srp_b_is_refused_by_a_careful_client(pool: LocalUserPool, mode: str) -> None:
    pool.faults.malicious_srp_b(mode)
    ephemeral, started = srp_start(idp(pool), pool.client_id, "alice")
    params = started["ChallengeParameters"]
    assert int(params["SRP_B"], 16) % srp.N == 0
    with pytest.raises(SRPError):
        verifier_responses(ephemeral, params, pool.pool_id, PASSWORD)
    # And a careless client that answers anyway gets nothing.
    forged = dict(params, SRP_B="1")
    assert rejected(pool, started, verifier_responses(ephemeral, forged, pool.pool_id, PASSWORD))[0] == (
        "NotAuthorizedException")
    pool.faults.malicious_srp_b(None)
    assert "AuthenticationResult" in srp_auth(idp(pool), pool, "alice", PASSWORD)


# --- an independent client ---------------------------------------------------------------------------


def test_pycognito_signs_in(pool: LocalUserPool) -> None:
    aws = AWSSRP(username="alice", password=PASSWORD, pool_id=pool.pool_id, client_id=pool.client_id,
                 client=idp(pool))
    tokens = aws.authenticate_user()
    assert "IdToken" in tokens["AuthenticationResult"]


def test_pycognito_with_alias_and_secret(pool: LocalUserPool) -> None:
    client = pool.add_client(secret=True)
    aws = AWSSRP(username="alice@example.com", password=PASSWORD, pool_id=pool.pool_id, client_id=client.id,
                 client_secret=client.secret, client=idp(pool))
    assert "IdToken" in aws.authenticate_user()["AuthenticationResult"]


def test_pycognito_wrong_password_is_refused(pool: LocalUserPool) -> None:
    aws = AWSSRP(username="alice", password="Wrong-passw0rd", pool_id=pool.pool_id, client_id=pool.client_id,
                 client=idp(pool))
    with pytest.raises(ClientError) as excinfo:
        aws.authenticate_user()
    assert error(excinfo) == ("NotAuthorizedException", "Incorrect username or password.")


def test_odd_length_salt_works_with_pycognito_and_our_client(local_pool: LocalUserPool) -> None:
    # One salt in 16 has a zero top nibble: SALT is then odd-length hex (section 2.3, "normalisation").
    user = local_pool.add_user("odd", PASSWORD)
    records = (PasswordRecord(local_pool.pool_id, "odd", PASSWORD) for _ in range(2000))
    user.password = next(r for r in records if len(r.salt_hex) % 2 == 1)
    _, started = srp_start(idp(local_pool), local_pool.client_id, "odd")
    assert len(started["ChallengeParameters"]["SALT"]) % 2 == 1
    aws = AWSSRP(username="odd", password=PASSWORD, pool_id=local_pool.pool_id,
                 client_id=local_pool.client_id, client=idp(local_pool))
    assert "IdToken" in aws.authenticate_user()["AuthenticationResult"]
    assert "AuthenticationResult" in srp_auth(idp(local_pool), local_pool, "odd", PASSWORD)
