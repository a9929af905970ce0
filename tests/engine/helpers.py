"""What the engine tests share: the password and TOTP secret of their users, an authflow UserPool for a
local pool's app client, and a JWT's claims."""

from __future__ import annotations

import base64
import json
from typing import Any

from authflow import UserPool
from authflow.localpool import LocalUserPool

PASSWORD = "Corr3ct-Horse!"


TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def user_pool(local: LocalUserPool, *, client_id: str | None = None, pool_id: str | None = None) -> UserPool:
    """An authflow UserPool for a local pool's app client (with its secret, if it has one)."""
    client = local.app_client(client_id, pool_id=pool_id)
    return UserPool(pool_id or local.pool_id, client.id, client.secret, endpoint_url=local.endpoint_url)


def claims(jwt: str) -> dict[str, Any]:
    payload = jwt.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
