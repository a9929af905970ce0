"""The JSON of WebAuthn as Cognito and browsers write it: base64url without padding, the options documents
(``CREDENTIAL_REQUEST_OPTIONS``, ``CredentialCreationOptions``), their relying party ids, the client data an
authenticator signs, and the origin a client outside a browser uses. Pure functions, no I/O."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from typing import Any

from authflow.errors import MalformedResponseError

Json = dict[str, Any]

ES256 = -7  # COSE algorithm: ECDSA with SHA-256 on P-256


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError) as exc:
        raise MalformedResponseError("a WebAuthn value is not base64url") from exc


def options_document(options: Mapping[str, Any] | str) -> Json:
    """WebAuthn options as a dict, from the dict or the JSON string Cognito sends."""
    if isinstance(options, str):
        try:
            options = json.loads(options)
        except ValueError as exc:
            raise MalformedResponseError("WebAuthn options are not JSON") from exc
    if not isinstance(options, Mapping) or not isinstance(options.get("challenge"), str):
        raise MalformedResponseError("WebAuthn options without a challenge")
    return dict(options)


def request_rp_id(options: Mapping[str, Any]) -> str:
    rp_id = options.get("rpId")
    if not isinstance(rp_id, str) or not rp_id:
        raise MalformedResponseError("CREDENTIAL_REQUEST_OPTIONS without rpId")
    return rp_id


def creation_rp_id(options: Mapping[str, Any]) -> str:
    rp = options.get("rp")
    if not isinstance(rp, Mapping) or not isinstance(rp.get("id"), str) or not rp["id"]:
        raise MalformedResponseError("CredentialCreationOptions without rp.id")
    return str(rp["id"])


def default_origin(rp_id: str) -> str:
    """The origin a client outside a browser signs: ``https://<rpId>``."""
    return f"https://{rp_id}"


def client_data_json(kind: str, challenge: str, origin: str) -> bytes:
    return json.dumps(
        {"type": kind, "challenge": challenge, "origin": origin, "crossOrigin": False}, separators=(",", ":")
    ).encode()
