"""The signed-in user's passkeys: register one with an authenticator, list them, delete one. Each Cognito
call is a :class:`~authflow.calls.Request` that the transport completes and sends."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

from authflow.calls import Request
from authflow.passkeys.encoding import Json, creation_rp_id, default_origin, options_document

if TYPE_CHECKING:
    from authflow.passkeys.authenticators import Authenticator


class AccountSender(Protocol):
    """What sends these calls: a :class:`~authflow.transport.UserPool`, or an :class:`~authflow.account.Account`,
    which sends them with its current access token and renews it where Cognito refuses it (expired, or revoked
    by a global sign-out elsewhere)."""

    def send(self, request: Request) -> dict[str, Any]: ...


def register_passkey(
    pool: AccountSender, access_token: str, authenticator: Authenticator, *, origin: str | None = None
) -> str:
    """StartWebAuthnRegistration, ``authenticator`` makes the passkey, CompleteWebAuthnRegistration; returns
    the new credential's id. The origin is ``https://<RelyingPartyId>`` unless given."""
    started = pool.send(Request("StartWebAuthnRegistration", {"AccessToken": access_token}))
    options = options_document(started.get("CredentialCreationOptions") or {})
    credential = authenticator.create_credential(options, origin or default_origin(creation_rp_id(options)))
    pool.send(Request("CompleteWebAuthnRegistration", {"AccessToken": access_token, "Credential": credential}))
    return str(credential["id"])


def list_passkeys(pool: AccountSender, access_token: str) -> list[Json]:
    """ListWebAuthnCredentials' Credentials, every page."""
    credentials: list[Json] = []
    token: str | None = None
    while True:
        page = pool.send(Request("ListWebAuthnCredentials", {"AccessToken": access_token, "NextToken": token}))
        credentials += [_json_ready(c) for c in page.get("Credentials") or []]
        token = page.get("NextToken")
        if not token:
            return credentials


def delete_passkey(pool: AccountSender, access_token: str, credential_id: str) -> None:
    """DeleteWebAuthnCredential: the user's passkey ``credential_id`` is no longer accepted."""
    pool.send(Request("DeleteWebAuthnCredential", {"AccessToken": access_token, "CredentialId": credential_id}))


def _json_ready(credential: Mapping[str, Any]) -> Json:
    """A credential description with CreatedAt (a datetime in boto3) as an ISO 8601 string."""
    return {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in credential.items()}
