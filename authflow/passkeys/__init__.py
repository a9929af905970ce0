"""Authenticators: what makes a passkey and signs with it, for Cognito's WEB_AUTHN.

An :class:`Authenticator` gets Cognito's WebAuthn options (``CREDENTIAL_REQUEST_OPTIONS`` at sign-in,
``CredentialCreationOptions`` at registration) and the origin to put in the client data, and returns the
JSON a browser's ``navigator.credentials`` would give (AuthenticationResponseJSON / RegistrationResponseJSON,
binary values base64url without padding). Outside a browser the origin is ``https://<rpId>``
(:func:`default_origin`), which is what native iOS sends.

* :class:`SoftwarePasskey`: an EC P-256 key in a file of mode 0600, for tests and CI. Creating one refuses an
  existing file or a symlink; its signature counter is saved (atomically) before each assertion leaves.
* :class:`SecurityKey`: a FIDO2 security key over USB (CTAP2 over HID, through Yubico's ``fido2``); the PIN,
  when the key has one, is asked through a callback.
* :class:`WindowsWebAuthn`: the Windows WebAuthn API (Windows Hello, security keys) through ``fido2``'s
  Windows client. :func:`platform_authenticator` picks it where it runs, else :class:`SecurityKey`.
* :class:`CallbackAuthenticator`: two functions of a desktop app that bridge its platform's own API.

Failures are :class:`~authflow.errors.PasskeyError` subclasses: no key found, timed out, wrong PIN, cancelled,
no passkey for this pool.

The package has three layers: :mod:`~authflow.passkeys.encoding` (the JSON of WebAuthn), the authenticators
(:mod:`~authflow.passkeys.authenticators`, :mod:`~authflow.passkeys.software`,
:mod:`~authflow.passkeys.security_keys`), and :mod:`~authflow.passkeys.account` (the user's passkeys at
Cognito, as requests through the transport). Everything public is importable from ``authflow.passkeys``.
"""

from __future__ import annotations

from authflow.passkeys.account import delete_passkey, list_passkeys, register_passkey
from authflow.passkeys.authenticators import Authenticator, CallbackAuthenticator, passkey_answer
from authflow.passkeys.encoding import ES256, Json, b64url, b64url_decode, default_origin, options_document
from authflow.passkeys.security_keys import SecurityKey, WindowsWebAuthn, first_usb_key, platform_authenticator
from authflow.passkeys.software import SoftwarePasskey

__all__ = [
    "ES256",
    "Authenticator",
    "CallbackAuthenticator",
    "Json",
    "SecurityKey",
    "SoftwarePasskey",
    "WindowsWebAuthn",
    "b64url",
    "b64url_decode",
    "default_origin",
    "delete_passkey",
    "first_usb_key",
    "list_passkeys",
    "options_document",
    "passkey_answer",
    "platform_authenticator",
    "register_passkey",
]
