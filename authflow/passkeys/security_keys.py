"""FIDO2 security keys over USB and the Windows WebAuthn API, through Yubico's ``fido2`` (the ``fido2``
extra: ``pip install 'authflow[fido2]'``). Without it, each of these raises a PasskeyError that names the
extra. Their failures are PasskeyError subclasses in our words: no key found, timed out, wrong PIN,
cancelled, no passkey for this pool."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from authflow.errors import (
    NoPasskeyForPoolError,
    NoSecurityKeyError,
    PasskeyCancelled,
    PasskeyError,
    PasskeyTimeoutError,
    PinInvalidError,
)
from authflow.passkeys.encoding import Json, options_document

if TYPE_CHECKING:
    from authflow.passkeys.authenticators import Authenticator


def _fido2() -> Any:
    try:
        import fido2.client
    except ImportError:
        raise PasskeyError(
            "security keys need the fido2 package: pip install 'authflow[fido2]'"
        ) from None
    return fido2.client


class _Fido2Authenticator:
    """What a security key and the Windows API share: fido2's WebAuthn client for the origin, its
    errors in our words."""

    def _client(self, origin: str) -> Any:
        raise NotImplementedError

    def get_assertion(self, options: Mapping[str, Any], origin: str) -> Json:
        _fido2()  # without the extra: a PasskeyError naming it, before anything else of fido2 is imported
        from fido2.webauthn import PublicKeyCredentialRequestOptions

        doc = options_document(options)
        client = self._client(origin)
        with _translated_errors(assertion=True):
            selection = client.get_assertion(PublicKeyCredentialRequestOptions.from_dict(doc))
            return dict(selection.get_response(0))

    def create_credential(self, options: Mapping[str, Any], origin: str) -> Json:
        _fido2()
        from fido2.webauthn import PublicKeyCredentialCreationOptions

        doc = options_document(options)
        known = {"rp", "user", "challenge", "pubKeyCredParams", "timeout", "excludeCredentials",
                 "authenticatorSelection", "attestation", "extensions"}
        client = self._client(origin)
        with _translated_errors(assertion=False):
            response = client.make_credential(
                PublicKeyCredentialCreationOptions.from_dict({k: v for k, v in doc.items() if k in known})
            )
            return dict(response)


class _translated_errors:
    def __init__(self, *, assertion: bool) -> None:
        self.assertion = assertion

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: Any) -> None:
        if exc is None or isinstance(exc, PasskeyError):
            return
        client = _fido2()
        if not isinstance(exc, client.ClientError):
            return
        raise _passkey_error(exc, client, self.assertion) from None


def _passkey_error(exc: Any, client: Any, assertion: bool) -> PasskeyError:
    from fido2.ctap import CtapError

    cause = exc.cause
    ctap = cause.code if isinstance(cause, CtapError) else None
    err = CtapError.ERR
    if isinstance(exc, client.PinRequiredError):
        return PinInvalidError("the security key needs its PIN, and none was given")
    if ctap in (err.PIN_INVALID, err.PIN_AUTH_INVALID):
        return PinInvalidError("wrong PIN for the security key")
    if ctap in (err.PIN_BLOCKED, err.PIN_AUTH_BLOCKED):
        return PinInvalidError("the security key's PIN is blocked (too many wrong PINs)")
    if ctap in (err.KEEPALIVE_CANCEL, err.OPERATION_DENIED):
        return PasskeyCancelled("cancelled on the security key")
    if exc.code == client.ClientError.ERR.TIMEOUT:
        return PasskeyTimeoutError("the security key was not touched in time")
    if exc.code == client.ClientError.ERR.CONFIGURATION_UNSUPPORTED:
        return PasskeyError("the security key cannot verify its user: set a PIN on it (e.g. ykman fido access "
                            "change-pin) and try again")
    if exc.code == client.ClientError.ERR.DEVICE_INELIGIBLE:
        if assertion:
            return NoPasskeyForPoolError("this security key holds no passkey for this user pool")
        return PasskeyError("this security key already holds a passkey for this user")
    return PasskeyError(f"the security key refused: {exc.code.name}")


class SecurityKey(_Fido2Authenticator):
    """A FIDO2 security key over USB (CTAP2 over HID). ``on_touch`` is called when the key waits for a touch;
    ``pin`` is asked for the key's PIN when it has one (return None to give up). ``device``: a CtapDevice to
    use instead of the first USB key found (tests hand in a fake)."""

    def __init__(
        self,
        *,
        on_touch: Callable[[], None] | None = None,
        pin: Callable[[], str | None] | None = None,
        device: Any = None,
    ) -> None:
        self.on_touch = on_touch
        self.pin = pin
        self.device = device

    def _client(self, origin: str) -> Any:
        client = _fido2()
        device = self.device if self.device is not None else first_usb_key()
        return client.Fido2Client(device, client.DefaultClientDataCollector(origin), _interaction(self, client))


def _interaction(key: SecurityKey, client: Any) -> Any:
    class Interaction(client.UserInteraction):  # type: ignore[misc]
        def prompt_up(self) -> None:
            if key.on_touch is not None:
                key.on_touch()

        def request_pin(self, permissions: Any, rp_id: str | None) -> str | None:
            return key.pin() if key.pin is not None else None

        def request_uv(self, permissions: Any, rp_id: str | None) -> bool:
            return True

    return Interaction()


def first_usb_key() -> Any:
    """The first FIDO security key on USB, or a NoSecurityKeyError that says where to look."""
    _fido2()
    from fido2.hid import CtapHidDevice

    device = next(iter(CtapHidDevice.list_devices()), None)
    if device is None:
        raise NoSecurityKeyError(
            "no security key found on USB (plugged in? on Linux, the udev rule for FIDO keys: see docs/passkeys.md, "
            "Security keys per platform)"
        )
    return device


class WindowsWebAuthn(_Fido2Authenticator):
    """The Windows WebAuthn API (Windows 10 1903 and later): Windows Hello and security keys, with Windows'
    own dialogs (no administrator rights needed, unlike raw USB on Windows)."""

    def _client(self, origin: str) -> Any:
        _fido2()
        from fido2.client import DefaultClientDataCollector
        from fido2.client.windows import WindowsClient

        return WindowsClient(DefaultClientDataCollector(origin))


def platform_authenticator(
    *, on_touch: Callable[[], None] | None = None, pin: Callable[[], str | None] | None = None
) -> Authenticator:
    """The Windows WebAuthn API where it runs, else a security key over USB."""
    if os.name == "nt":
        _fido2()
        from fido2.client.windows import WindowsClient

        if WindowsClient.is_available():
            return WindowsWebAuthn()
    return SecurityKey(on_touch=on_touch, pin=pin)
