"""SECRET_HASH for app clients that have a client secret."""

from __future__ import annotations

import base64
import hashlib
import hmac


def secret_hash(username: str, client_id: str, client_secret: str) -> str:
    """Base64(HMAC-SHA256(key=client_secret, msg=username + client_id)).

    In challenge responses ``username`` must be the internal username (USER_ID_FOR_SRP / the
    challenge's USERNAME), not the alias the person typed.
    """
    digest = hmac.new(client_secret.encode(), (username + client_id).encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()
