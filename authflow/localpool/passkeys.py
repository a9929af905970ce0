"""A signed-in user's passkeys (access token): StartWebAuthnRegistration, CompleteWebAuthnRegistration,
ListWebAuthnCredentials (paged) and DeleteWebAuthnCredential. The WebAuthn checks are in ``webauthn_rp``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from authflow.localpool import webauthn_rp
from authflow.localpool.errors import PoolError, invalid_parameter
from authflow.localpool.params import optional_str, required_str

if TYPE_CHECKING:
    from authflow.localpool.service import Service

MAX_RESULTS = 20


def start_web_authn_registration(svc: Service, p: dict[str, Any]) -> dict[str, Any]:
    pool, user, _ = svc.access_token_user(required_str(p, "AccessToken"))
    return {"CredentialCreationOptions": webauthn_rp.registration_options(pool, user, svc.now())}


def complete_web_authn_registration(svc: Service, p: dict[str, Any]) -> dict[str, Any]:
    pool, user, _ = svc.access_token_user(required_str(p, "AccessToken"))
    if "Credential" not in p:
        raise invalid_parameter("Missing required parameter Credential")
    webauthn_rp.register(pool, user, webauthn_rp.credential_document(p["Credential"]), svc.now())
    return {}


def list_web_authn_credentials(svc: Service, p: dict[str, Any]) -> dict[str, Any]:
    pool, user, _ = svc.access_token_user(required_str(p, "AccessToken"))
    size = p.get("MaxResults", MAX_RESULTS)
    if not isinstance(size, int) or isinstance(size, bool) or not 0 <= size <= MAX_RESULTS:
        raise invalid_parameter(f"MaxResults is a number from 0 to {MAX_RESULTS}.")
    token = optional_str(p, "NextToken")
    start = 0
    if token is not None:
        if not (token.isascii() and token.isdigit()) or int(token) > len(user.passkeys):
            raise invalid_parameter("Invalid NextToken.")
        start = int(token)
    keys = list(user.passkeys)
    page = keys[start:start + (size or MAX_RESULTS)]
    rp = pool.web_authn.relying_party_id or ""
    out: dict[str, Any] = {"Credentials": [
        {"CredentialId": key, "FriendlyCredentialName": user.passkeys[key].name, "RelyingPartyId": rp,
         "AuthenticatorTransports": list(user.passkeys[key].transports), "CreatedAt": user.passkeys[key].created,
         **({"AuthenticatorAttachment": user.passkeys[key].attachment} if user.passkeys[key].attachment else {})}
        for key in page
    ]}
    if start + len(page) < len(keys):
        out["NextToken"] = str(start + len(page))
    return out


def delete_web_authn_credential(svc: Service, p: dict[str, Any]) -> dict[str, Any]:
    _, user, _ = svc.access_token_user(required_str(p, "AccessToken"))
    if user.passkeys.pop(required_str(p, "CredentialId"), None) is None:
        raise PoolError("ResourceNotFoundException", "Credential not found.")
    return {}
