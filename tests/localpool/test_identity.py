"""The local identity pool (cognito-identity) and its STS, through boto3 as real use does: GetId's checks of the
id token (signature, issuer, audience, expiry, the Logins key), GetCredentialsForIdentity's credentials and
roles, GetOpenIdToken + AssumeRoleWithWebIdentity (the basic flow), guests, and Cognito's errors."""

from __future__ import annotations

import base64
import json
import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore import UNSIGNED
from botocore.client import BaseClient
from botocore.config import Config
from botocore.exceptions import ClientError

from authflow.localpool import LocalUserPool
from tests.localpool.helpers import error, password_auth

POOL_ID = "us-east-1_Identity1"
IDENTITY_POOL_ID = "us-east-1:11111111-2222-4333-8444-555555555555"
AUTH_ROLE = "arn:aws:iam::123456789012:role/SignedIn"
GUEST_ROLE = "arn:aws:iam::123456789012:role/Guest"
ADMIN_ROLE = "arn:aws:iam::123456789012:role/Admin"
PROVIDER = f"cognito-idp.us-east-1.amazonaws.com/{POOL_ID}"
PASSWORD = "Passw0rd!"


def seed(**identity: Any) -> dict[str, Any]:
    return {
        "pools": [{
            "id": POOL_ID,
            "clients": [{"id": "identityclient1", "explicit_auth_flows": ["ALLOW_USER_PASSWORD_AUTH"]},
                        {"id": "otherclient2", "explicit_auth_flows": ["ALLOW_USER_PASSWORD_AUTH"]}],
            "users": [{"username": "alice", "password": PASSWORD}, {"username": "bob", "password": PASSWORD}],
        }],
        "identity_pools": [{
            "id": IDENTITY_POOL_ID, "user_pools": [POOL_ID],
            "roles": {"authenticated": AUTH_ROLE, "unauthenticated": GUEST_ROLE}, "custom_roles": [ADMIN_ROLE],
            **identity,
        }],
    }


@pytest.fixture
def local() -> Iterator[LocalUserPool]:
    with LocalUserPool(seed(allow_unauthenticated=True, allow_classic_flow=True)) as pool:
        yield pool


def unsigned(service: str, endpoint: str) -> BaseClient:
    return boto3.client(service, region_name="us-east-1", endpoint_url=endpoint,
                        config=Config(signature_version=UNSIGNED, retries={"total_max_attempts": 1}))


def id_token(local: LocalUserPool, username: str = "alice", client_id: str = "identityclient1") -> str:
    client = unsigned("cognito-idp", local.endpoint_url)
    token: str = password_auth(client, client_id, username, PASSWORD)["AuthenticationResult"]["IdToken"]
    return token


def refused(call: Any, **kwargs: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as excinfo:
        call(**kwargs)
    return error(excinfo)


def test_enhanced_flow_gives_well_formed_credentials_of_the_authenticated_role(local: LocalUserPool) -> None:
    identity = unsigned("cognito-identity", local.endpoint_url)
    logins = {PROVIDER: id_token(local)}
    identity_id = identity.get_id(IdentityPoolId=IDENTITY_POOL_ID, Logins=logins)["IdentityId"]
    assert re.fullmatch(r"us-east-1:[0-9a-f-]{36}", identity_id)
    # The same user gets the same identity, with a new token too.
    assert identity.get_id(IdentityPoolId=IDENTITY_POOL_ID, Logins={PROVIDER: id_token(local)})["IdentityId"] \
        == identity_id
    answer = identity.get_credentials_for_identity(IdentityId=identity_id, Logins=logins)
    credentials = answer["Credentials"]
    assert answer["IdentityId"] == identity_id
    assert re.fullmatch(r"ASIA[A-Z2-7]{16}", credentials["AccessKeyId"])
    assert len(credentials["SecretKey"]) == 40 and len(credentials["SessionToken"]) > 100
    remaining = credentials["Expiration"].timestamp() - local.clock.now()
    assert 3590 < remaining <= 3600
    issued = local.issued_credentials(credentials["AccessKeyId"])
    assert issued["IdentityId"] == identity_id and issued["RoleArn"] == AUTH_ROLE
    # Another user is another identity.
    bob = identity.get_id(IdentityPoolId=IDENTITY_POOL_ID, Logins={PROVIDER: id_token(local, "bob")})["IdentityId"]
    assert bob != identity_id


def test_custom_role_arn_chooses_among_the_pool_roles(local: LocalUserPool) -> None:
    identity = unsigned("cognito-identity", local.endpoint_url)
    logins = {PROVIDER: id_token(local)}
    identity_id = identity.get_id(IdentityPoolId=IDENTITY_POOL_ID, Logins=logins)["IdentityId"]
    key = identity.get_credentials_for_identity(IdentityId=identity_id, Logins=logins,
                                                CustomRoleArn=ADMIN_ROLE)["Credentials"]["AccessKeyId"]
    assert local.issued_credentials(key)["RoleArn"] == ADMIN_ROLE
    code, _ = refused(identity.get_credentials_for_identity, IdentityId=identity_id, Logins=logins,
                      CustomRoleArn="arn:aws:iam::123456789012:role/NotThisPools")
    assert code == "InvalidParameterException"
    code, _ = refused(identity.get_credentials_for_identity, IdentityId=identity_id, Logins=logins,
                      CustomRoleArn=GUEST_ROLE)  # a guest's role is not a signed-in user's choice
    assert code == "InvalidParameterException"


def _tampered(token: str) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["sub"] = "00000000-0000-0000-0000-000000000000"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


def test_bad_tampered_foreign_expired_and_misplaced_tokens_are_refused(local: LocalUserPool) -> None:
    identity = unsigned("cognito-identity", local.endpoint_url)
    good = id_token(local)
    with LocalUserPool(seed()) as other:  # the same pool id and client, another server's keys
        foreign = id_token(other)
    cases = {
        "tampered": ({PROVIDER: _tampered(good)}, "Invalid login token"),
        "foreign": ({PROVIDER: foreign}, "Invalid login token"),
        "not a JWT": ({PROVIDER: "not-a-token"}, "Invalid login token"),
        "another client's": ({PROVIDER: id_token(local, client_id="otherclient2")}, "Incorrect token audience"),
        "another provider's key": ({"cognito-idp.us-east-1.amazonaws.com/us-east-1_Other": good},
                                   "not from a supported provider"),
    }
    for name, (logins, message) in cases.items():
        code, text = refused(identity.get_id, IdentityPoolId=IDENTITY_POOL_ID, Logins=logins)
        assert (code, message in text) == ("NotAuthorizedException", True), name
    access = password_auth(unsigned("cognito-idp", local.endpoint_url), "identityclient1", "alice",
                           PASSWORD)["AuthenticationResult"]["AccessToken"]
    code, _ = refused(identity.get_id, IdentityPoolId=IDENTITY_POOL_ID, Logins={PROVIDER: access})
    assert code == "NotAuthorizedException"  # an access token is not a login
    identity_id = identity.get_id(IdentityPoolId=IDENTITY_POOL_ID, Logins={PROVIDER: good})["IdentityId"]
    local.clock.advance(3601)
    code, text = refused(identity.get_credentials_for_identity, IdentityId=identity_id, Logins={PROVIDER: good})
    assert code == "NotAuthorizedException" and "Token expired" in text
    assert local.requests("GetCredentialsForIdentity")[-1].error_code == "NotAuthorizedException"


def test_an_id_token_of_another_pool_on_the_same_server_is_refused_for_its_issuer() -> None:
    """Both pools' tokens are signed by the same server, so the signature holds: only the issuer tells a token of
    the second pool given under the first pool's provider name."""
    second, second_provider = "us-east-1_Identity2", "cognito-idp.us-east-1.amazonaws.com/us-east-1_Identity2"
    both = seed(providers=[{"ProviderName": PROVIDER, "ClientId": "identityclient1"},
                           {"ProviderName": second_provider, "ClientId": "secondclient1"}])
    both["pools"].append({"id": second, "clients": [{"id": "secondclient1",
                                                    "explicit_auth_flows": ["ALLOW_USER_PASSWORD_AUTH"]}],
                          "users": [{"username": "alice", "password": PASSWORD}]})
    with LocalUserPool(both) as local:
        identity = unsigned("cognito-identity", local.endpoint_url)
        client = unsigned("cognito-idp", local.endpoint_url)
        token = password_auth(client, "secondclient1", "alice", PASSWORD)["AuthenticationResult"]["IdToken"]
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        assert claims["iss"].endswith("/" + second)
        code, text = refused(identity.get_id, IdentityPoolId=IDENTITY_POOL_ID, Logins={PROVIDER: token})
        assert (code, text) == ("NotAuthorizedException", "Invalid login token. Issuer doesn't match providerName")
        # the same token under its own pool's provider name is a good login: the refusal was the issuer's
        assert identity.get_id(IdentityPoolId=IDENTITY_POOL_ID, Logins={second_provider: token})["IdentityId"]


def test_an_identity_is_only_its_own_users(local: LocalUserPool) -> None:
    identity = unsigned("cognito-identity", local.endpoint_url)
    alice = identity.get_id(IdentityPoolId=IDENTITY_POOL_ID, Logins={PROVIDER: id_token(local)})["IdentityId"]
    code, text = refused(identity.get_credentials_for_identity, IdentityId=alice,
                         Logins={PROVIDER: id_token(local, "bob")})
    assert code == "NotAuthorizedException" and "forbidden" in text
    code, _ = refused(identity.get_credentials_for_identity, IdentityId=alice)  # no login at all
    assert code == "NotAuthorizedException"


def test_unknown_and_malformed_ids(local: LocalUserPool) -> None:
    identity = unsigned("cognito-identity", local.endpoint_url)
    code, _ = refused(identity.get_id, IdentityPoolId="us-east-1:00000000-0000-0000-0000-00000000dead")
    assert code == "ResourceNotFoundException"
    code, _ = refused(identity.get_credentials_for_identity, IdentityId="us-east-1:00000000-0000-0000-0000-0000000")
    assert code == "ResourceNotFoundException"
    code, _ = refused(identity.get_id, IdentityPoolId="us-east-1:NOT-HEX!")
    assert code == "InvalidParameterException"
    # A cognito-idp target does not reach the identity pool's operations, nor the reverse.
    for target in ("AWSCognitoIdentityProviderService.GetId", "AWSCognitoIdentityService.InitiateAuth"):
        request = urllib.request.Request(local.endpoint_url, data=b'{"IdentityPoolId": "x", "ClientId": "y"}',
                                         headers={"X-Amz-Target": target,
                                                  "Content-Type": "application/x-amz-json-1.1"})
        with pytest.raises(urllib.error.HTTPError) as refusal:
            urllib.request.urlopen(request, timeout=10)
        assert refusal.value.code == 400
        assert json.loads(refusal.value.read())["__type"] == "UnsupportedOperationException", target


def test_guests_when_enabled_and_not_otherwise(local: LocalUserPool) -> None:
    identity = unsigned("cognito-identity", local.endpoint_url)
    guest = identity.get_id(IdentityPoolId=IDENTITY_POOL_ID)["IdentityId"]
    key = identity.get_credentials_for_identity(IdentityId=guest)["Credentials"]["AccessKeyId"]
    assert local.issued_credentials(key)["RoleArn"] == GUEST_ROLE
    with LocalUserPool(seed()) as strict:
        closed = unsigned("cognito-identity", strict.endpoint_url)
        code, text = refused(closed.get_id, IdentityPoolId=IDENTITY_POOL_ID)
        assert (code, text) == ("NotAuthorizedException", "Unauthenticated access is not supported for this "
                                "identity pool.")
        code, _ = refused(closed.get_open_id_token, IdentityId=closed.get_id(
            IdentityPoolId=IDENTITY_POOL_ID, Logins={PROVIDER: id_token(strict)})["IdentityId"],
            Logins={PROVIDER: id_token(strict)})
        assert code == "InvalidParameterException"  # the basic flow is off by default


def test_basic_flow_open_id_token_then_sts(local: LocalUserPool) -> None:
    identity = unsigned("cognito-identity", local.endpoint_url)
    sts = unsigned("sts", local.endpoint_url)
    logins = {PROVIDER: id_token(local)}
    identity_id = identity.get_id(IdentityPoolId=IDENTITY_POOL_ID, Logins=logins)["IdentityId"]
    token = identity.get_open_id_token(IdentityId=identity_id, Logins=logins)["Token"]
    answer = sts.assume_role_with_web_identity(RoleArn=AUTH_ROLE, RoleSessionName="s1", WebIdentityToken=token)
    credentials = answer["Credentials"]
    assert re.fullmatch(r"ASIA[A-Z2-7]{16}", credentials["AccessKeyId"])
    assert answer["SubjectFromWebIdentityToken"] == identity_id and answer["Audience"] == IDENTITY_POOL_ID
    assert answer["AssumedRoleUser"]["Arn"] == "arn:aws:sts::123456789012:assumed-role/SignedIn/s1"
    assert local.issued_credentials(credentials["AccessKeyId"])["RoleArn"] == AUTH_ROLE
    # The role must trust the token: a guest's role is not a signed-in identity's, a tampered token is nothing.
    with pytest.raises(ClientError) as excinfo:
        sts.assume_role_with_web_identity(RoleArn=GUEST_ROLE, RoleSessionName="s1", WebIdentityToken=token)
    assert error(excinfo)[0] == "AccessDenied"
    with pytest.raises(ClientError) as excinfo:
        sts.assume_role_with_web_identity(RoleArn=AUTH_ROLE, RoleSessionName="s1", WebIdentityToken=_tampered(token))
    assert error(excinfo)[0] == "InvalidIdentityToken"
    local.clock.advance(601)
    with pytest.raises(ClientError) as excinfo:
        sts.assume_role_with_web_identity(RoleArn=AUTH_ROLE, RoleSessionName="s1", WebIdentityToken=token)
    assert error(excinfo)[0] == "ExpiredTokenException"


def test_identity_pools_over_http_and_in_the_demo_seed() -> None:
    with LocalUserPool("demo") as demo:
        identity = unsigned("cognito-identity", demo.endpoint_url)
        pools = identity.list_identity_pools(MaxResults=10)["IdentityPools"]
        assert [p["IdentityPoolName"] for p in pools] == ["authflow-demo-identities"]
        described = identity.describe_identity_pool(IdentityPoolId=pools[0]["IdentityPoolId"])
        assert described["CognitoIdentityProviders"][0]["ProviderName"] == \
            "cognito-idp.us-east-1.amazonaws.com/us-east-1_AuthFlow1"
        created = identity.create_identity_pool(
            IdentityPoolName="made", AllowUnauthenticatedIdentities=False,
            CognitoIdentityProviders=[{"ProviderName": "cognito-idp.us-east-1.amazonaws.com/us-east-1_AuthFlow1",
                                       "ClientId": "authflowdemoclient00000001"}])
        identity.set_identity_pool_roles(IdentityPoolId=created["IdentityPoolId"], Roles={"authenticated": AUTH_ROLE})
        assert identity.get_identity_pool_roles(IdentityPoolId=created["IdentityPoolId"])["Roles"] == \
            {"authenticated": AUTH_ROLE}
        code, _ = refused(identity.create_identity_pool, IdentityPoolName="bad", AllowUnauthenticatedIdentities=False,
                          CognitoIdentityProviders=[{"ProviderName": "accounts.google.com", "ClientId": "x"}])
        assert code == "InvalidParameterException"


def test_identity_pools_are_kept_in_the_data_file_and_shared_by_workers(tmp_path: Any) -> None:
    """With --data, identities and the OpenID tokens' key outlive a restart (the seed is not applied again),
    and two processes of one file (--workers) see each other's identities."""
    data = tmp_path / "pool.db"
    settings = seed(allow_classic_flow=True)
    with LocalUserPool(settings, data=data) as first:
        identity = unsigned("cognito-identity", first.endpoint_url)
        logins = {PROVIDER: id_token(first)}
        identity_id = identity.get_id(IdentityPoolId=IDENTITY_POOL_ID, Logins=logins)["IdentityId"]
        openid = identity.get_open_id_token(IdentityId=identity_id, Logins=logins)["Token"]
        with LocalUserPool(settings, data=data, lock_data=False) as worker:  # another process of the same file
            worker.service.endpoint_url = first.endpoint_url  # workers share one port, so one issuer
            other = unsigned("cognito-identity", worker.endpoint_url)
            assert other.get_credentials_for_identity(IdentityId=identity_id, Logins=logins)["IdentityId"] == \
                identity_id
            sts = unsigned("sts", worker.endpoint_url)
            assert sts.assume_role_with_web_identity(RoleArn=AUTH_ROLE, RoleSessionName="worker",
                                                     WebIdentityToken=openid)["Audience"] == IDENTITY_POOL_ID
    with LocalUserPool(settings, data=data) as again:
        identity = unsigned("cognito-identity", again.endpoint_url)
        assert identity.get_id(IdentityPoolId=IDENTITY_POOL_ID,  # a new sign-in (another port, another issuer)
                               Logins={PROVIDER: id_token(again)})["IdentityId"] == identity_id
        sts = unsigned("sts", again.endpoint_url)
        assert sts.assume_role_with_web_identity(RoleArn=AUTH_ROLE, RoleSessionName="again",
                                                 WebIdentityToken=openid)["SubjectFromWebIdentityToken"] == identity_id


def test_server_side_token_check_asks_the_user_pool() -> None:
    """ServerSideTokenCheck: a token of a signed-out (GlobalSignOut) or disabled user is refused, though its
    signature and expiry are good; without it, such a token is taken until it expires (as in Cognito)."""
    checked = seed(providers=[{"ProviderName": PROVIDER, "ClientId": "identityclient1", "ServerSideTokenCheck": True}])
    checked["identity_pools"][0]["user_pools"] = []
    with LocalUserPool(checked) as local:
        identity = unsigned("cognito-identity", local.endpoint_url)
        idp = unsigned("cognito-idp", local.endpoint_url)
        result = password_auth(idp, "identityclient1", "alice", PASSWORD)["AuthenticationResult"]
        assert identity.get_id(IdentityPoolId=IDENTITY_POOL_ID, Logins={PROVIDER: result["IdToken"]})["IdentityId"]
        idp.global_sign_out(AccessToken=result["AccessToken"])
        code, text = refused(identity.get_id, IdentityPoolId=IDENTITY_POOL_ID, Logins={PROVIDER: result["IdToken"]})
        assert (code, text) == ("NotAuthorizedException", "Invalid login token. Token has been revoked.")
        bob = id_token(local, "bob")
        local.update_user("bob", enabled=False)
        code, _ = refused(identity.get_id, IdentityPoolId=IDENTITY_POOL_ID, Logins={PROVIDER: bob})
        assert code == "NotAuthorizedException"
    with LocalUserPool(seed()) as unchecked:
        identity = unsigned("cognito-identity", unchecked.endpoint_url)
        idp = unsigned("cognito-idp", unchecked.endpoint_url)
        result = password_auth(idp, "identityclient1", "alice", PASSWORD)["AuthenticationResult"]
        idp.global_sign_out(AccessToken=result["AccessToken"])
        assert identity.get_id(IdentityPoolId=IDENTITY_POOL_ID, Logins={PROVIDER: result["IdToken"]})["IdentityId"]
