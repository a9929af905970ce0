"""What every authenticator is (:class:`Authenticator`), the one a desktop app bridges to its platform's own
API (:class:`CallbackAuthenticator`), and the answer to a WEB_AUTHN prompt (:func:`passkey_answer`)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from authflow.errors import PasskeyError
from authflow.passkeys.encoding import Json, default_origin, options_document, request_rp_id


class Authenticator(Protocol):
    """Makes a passkey and signs with it, for given WebAuthn options and origin."""

    def get_assertion(self, options: Mapping[str, Any], origin: str) -> Json:
        """AuthenticationResponseJSON for PublicKeyCredentialRequestOptionsJSON ``options``."""
        ...

    def create_credential(self, options: Mapping[str, Any], origin: str) -> Json:
        """RegistrationResponseJSON for PublicKeyCredentialCreationOptionsJSON ``options``."""
        ...


class CallbackAuthenticator:
    """Bridges a platform API the app already has (macOS ASAuthorization, Android Credential Manager, a
    WebView's ``navigator.credentials``): two functions ``(options, origin) -> response JSON`` (a dict or
    its JSON string)."""

    def __init__(
        self,
        get_assertion: Callable[[Json, str], Json | str],
        create_credential: Callable[[Json, str], Json | str] | None = None,
    ) -> None:
        self._get = get_assertion
        self._create = create_credential

    def get_assertion(self, options: Mapping[str, Any], origin: str) -> Json:
        return _credential_json(self._get(options_document(options), origin))

    def create_credential(self, options: Mapping[str, Any], origin: str) -> Json:
        if self._create is None:
            raise PasskeyError("this authenticator cannot create passkeys")
        return _credential_json(self._create(options_document(options), origin))


def _credential_json(value: Json | str) -> Json:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as exc:
            raise PasskeyError("the authenticator's answer is not JSON") from exc
    if not isinstance(value, dict) or not isinstance(value.get("id"), str) or not isinstance(
        value.get("response"), dict
    ):
        raise PasskeyError("the authenticator's answer is not a WebAuthn credential (id, response)")
    return value


def passkey_answer(
    authenticator: Authenticator, options: Mapping[str, Any], origin: str | None = None
) -> dict[str, str]:
    """The answer to a WEB_AUTHN prompt: ``{"credential": <AuthenticationResponseJSON>}`` from
    ``authenticator`` for the prompt's ``webauthn_options``; the origin is ``https://<rpId>`` unless given."""
    doc = options_document(options)
    credential = authenticator.get_assertion(doc, origin or default_origin(request_rp_id(doc)))
    return {"credential": json.dumps(credential, separators=(",", ":"))}
