"""authflow.credentials against moto's cognito-identity and STS: a second, independent implementation of the
identity pool's wire protocol (moto checks no token, and answers an unknown identity pool with an HTML 500: the
local identity pool's tests show the checks and the errors)."""

from __future__ import annotations

import boto3
import pytest

from authflow import ScriptedHandler, UserPool, sign_in
from authflow.credentials import IdentityPoolAccess
from tests.engine.helpers import PASSWORD


def signed_in_user(endpoint: str) -> tuple[str, str, str]:
    """A moto user pool, app client and user (made with the admin calls a real pool takes), signed in by
    authflow: (pool id, client id, id token)."""
    idp = boto3.client("cognito-idp", region_name="us-east-1", endpoint_url=endpoint,
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    pool_id = idp.create_user_pool(PoolName="authflow")["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName="c", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    idp.admin_create_user(UserPoolId=pool_id, Username="alice", TemporaryPassword=PASSWORD, MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=pool_id, Username="alice", Password=PASSWORD, Permanent=True)
    tokens = sign_in(UserPool(pool_id, client_id, endpoint_url=endpoint), "alice", ScriptedHandler(password=PASSWORD),
                     auth_flow="USER_PASSWORD_AUTH")
    return pool_id, client_id, tokens.id_token or ""


def identity_pool(endpoint: str, pool_id: str, client_id: str) -> str:
    identity = boto3.client("cognito-identity", region_name="us-east-1", endpoint_url=endpoint,
                            aws_access_key_id="testing", aws_secret_access_key="testing")
    created = identity.create_identity_pool(
        IdentityPoolName="authflow", AllowUnauthenticatedIdentities=False,
        CognitoIdentityProviders=[{"ProviderName": f"cognito-idp.us-east-1.amazonaws.com/{pool_id}",
                                   "ClientId": client_id}])
    identity_pool_id: str = created["IdentityPoolId"]
    return identity_pool_id


@pytest.mark.parametrize("basic", [False, True], ids=["enhanced", "basic"])
def test_credentials_from_moto(moto_endpoint: str, basic: bool) -> None:
    pool_id, client_id, id_token = signed_in_user(moto_endpoint)
    access = IdentityPoolAccess(identity_pool(moto_endpoint, pool_id, client_id), pool_id,
                                endpoint_url=moto_endpoint, basic=basic,
                                role_arn="arn:aws:iam::123456789012:role/SignedIn" if basic else None)
    credentials = access.credentials(id_token)
    assert credentials.access_key_id and credentials.secret_access_key and credentials.session_token
    assert credentials.identity_id and credentials.identity_id.startswith("us-east-1:")
    assert credentials.process_output()["Expiration"].endswith("Z")
