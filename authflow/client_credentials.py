"""Machine-to-machine access tokens (an app client signing in as itself), cached until shortly before expiry.

Cognito bills each of these requests, so a token is kept in the token cache (the same files, 0600) and
handed out again while it is good for ``leeway`` seconds more (5 minutes by default). It comes from the
``client_credentials`` grant at ``<domain>/oauth2/token`` when a domain is given, else from the
``GetClientToken`` API operation. Processes asking at once for the same client and scopes fetch once.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from authflow.errors import MalformedResponseError
from authflow.tokencache import CacheFileError, CacheKey, TokenCache, failure_reason
from authflow.tokens import Tokens

if TYPE_CHECKING:
    from authflow.transport import UserPool

#: A cached machine token is used while it is good for this many seconds more.
LEEWAY = 300.0


def cache_key(pool_id: str, client_id: str, scopes: Sequence[str], endpoint_url: str | None = None) -> CacheKey:
    """The cache entry of a client's token for these scopes (its own entry beside users' tokens)."""
    return CacheKey(pool_id, client_id, "client_credentials " + " ".join(sorted(set(scopes))), endpoint_url)


def fetch(
    *, client_id: str, client_secret: str, scopes: Sequence[str] = (), domain: str | None = None,
    pool: UserPool | None = None,
) -> Tokens:
    """A new machine token: the client_credentials grant at ``domain``, or GetClientToken through ``pool``."""
    if domain:
        from authflow.browser import client_credentials_token

        return client_credentials_token(domain, client_id, client_secret, scopes)
    if pool is None:
        raise ValueError("a domain or a pool (for GetClientToken) is needed")
    issued_at = time.time()
    kwargs: dict[str, Any] = {"ClientId": client_id, "Secret": client_secret}
    if scopes:
        kwargs["Scopes"] = list(scopes)
    reply = pool.call("get_client_token", **kwargs)
    result = reply.get("ClientAuthenticationResult")
    if not isinstance(result, dict):
        raise MalformedResponseError("GetClientToken answered without a ClientAuthenticationResult")
    return Tokens.from_authentication_result(result, issued_at=issued_at)


def machine_token(
    cache: TokenCache | None,
    *,
    pool_id: str,
    client_id: str,
    client_secret: str,
    scopes: Sequence[str] = (),
    domain: str | None = None,
    pool: UserPool | None = None,
    endpoint_url: str | None = None,
    leeway: float = LEEWAY,
) -> Tokens:
    """The client's token for ``scopes``: from the cache while good for ``leeway`` seconds more, else a new
    one (fetched once across processes, then cached)."""
    if cache is None:
        return fetch(client_id=client_id, client_secret=client_secret, scopes=scopes, domain=domain, pool=pool)
    from authflow.refresh import entry_lock

    key = cache_key(pool_id, client_id, scopes, endpoint_url)
    cached = cache.load(key)
    if cached is not None and not cached.expired(leeway=leeway):
        return cached
    with entry_lock(cache, key):
        cached = cache.load(key)  # another process may have fetched one meanwhile
        if cached is not None and not cached.expired(leeway=leeway):
            return cached
        tokens = fetch(client_id=client_id, client_secret=client_secret, scopes=scopes, domain=domain, pool=pool)
        try:
            cache.store(key, tokens)
        except (OSError, CacheFileError) as exc:
            cache.warn(f"the machine token could not be cached ({failure_reason(exc)})")
        return tokens
