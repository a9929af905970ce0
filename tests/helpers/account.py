"""What the account and recovery tests share: the pool admin's reset of a lost authenticator."""

from __future__ import annotations

import boto3
from botocore.config import Config

from authflow.localpool import LocalUserPool


def reset_authenticator(local: LocalUserPool, username: str) -> None:
    """AdminDeleteSoftwareToken, as the pool's admin runs it (a signed call; the local pool takes any credentials)."""
    admin = boto3.client("cognito-idp", region_name="us-east-1", endpoint_url=local.endpoint_url,
                         aws_access_key_id="admin", aws_secret_access_key="admin",
                         config=Config(retries={"total_max_attempts": 1}))
    admin.admin_delete_software_token(UserPoolId=local.pool_id, Username=username)
