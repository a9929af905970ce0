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
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import secrets
import struct
import threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from authflow import filelock
from authflow.errors import (
    MalformedResponseError,
    NoPasskeyForPoolError,
    NoSecurityKeyError,
    PasskeyCancelled,
    PasskeyError,
    PasskeyFileError,
    PasskeyTimeoutError,
    PinInvalidError,
)
from authflow.tokencache import write_private_file

if TYPE_CHECKING:
    from authflow.transport import UserPool

Json = dict[str, Any]

ES256 = -7  # COSE algorithm: ECDSA with SHA-256 on P-256
FLAG_UP, FLAG_UV, FLAG_AT = 0x01, 0x04, 0x40
FILE_KIND = "authflow-software-passkey"
#: How long a software passkey waits for another process holding its file.
LOCK_TIMEOUT = 30.0


class Authenticator(Protocol):
    """Makes a passkey and signs with it, for given WebAuthn options and origin."""

    def get_assertion(self, options: Mapping[str, Any], origin: str) -> Json:
        """AuthenticationResponseJSON for PublicKeyCredentialRequestOptionsJSON ``options``."""
        ...

    def create_credential(self, options: Mapping[str, Any], origin: str) -> Json:
        """RegistrationResponseJSON for PublicKeyCredentialCreationOptionsJSON ``options``."""
        ...


# --- the JSON of WebAuthn ----------------------------------------------------------------------------


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


# --- a software passkey ------------------------------------------------------------------------------


def _cbor(value: Any) -> bytes:
    """The little CBOR a 'none' attestation needs: unsigned/negative ints, bytes, text, maps."""
    if isinstance(value, int):
        major, number = (0, value) if value >= 0 else (1, -1 - value)
        return _cbor_head(major, number)
    if isinstance(value, bytes):
        return _cbor_head(2, len(value)) + value
    if isinstance(value, str):
        data = value.encode()
        return _cbor_head(3, len(data)) + data
    if isinstance(value, dict):
        return _cbor_head(5, len(value)) + b"".join(_cbor(k) + _cbor(v) for k, v in value.items())
    raise TypeError(f"no CBOR for {type(value).__name__}")


def _cbor_head(major: int, number: int) -> bytes:
    if number < 24:
        return bytes([major << 5 | number])
    for extra, size, fmt in ((24, 1, ">B"), (25, 2, ">H"), (26, 4, ">I"), (27, 8, ">Q")):
        if number < 1 << (8 * size):
            return bytes([major << 5 | extra]) + struct.pack(fmt, number)
    raise ValueError("CBOR number too large")


class SoftwarePasskey:
    """A passkey held in a file: an EC P-256 private key, its credential id, the relying party and user it
    was registered for, and its signature counter. Keep the file like a password (mode 0600).

    ``verify_user``: whether assertions claim user verification (the UV flag). A file stands for a person who
    already proved who they are by holding it, as a platform authenticator's biometric check would; set it
    False to act as an authenticator that only tests presence.

    A file's signature counter grows with each assertion, under a lock that every thread and process using
    the file takes, so no two assertions carry the same number. Sign-ins running at the same time can still
    reach the relying party out of order, and one that wants the counter to grow (Cognito, the local pool)
    then refuses an assertion that arrives after one with a higher number. For many sign-ins in parallel
    with one passkey, make it with ``generate(path, counter=False)``: its assertions carry 0, as synced
    passkeys' do, which a relying party accepts in any order, and the file is never written again.
    """

    _locks: dict[str, threading.Lock] = {}
    _locks_guard = threading.Lock()

    def __init__(self, path: str | os.PathLike[str], *, verify_user: bool = True) -> None:
        self.path = Path(path)
        self.verify_user = verify_user
        data = self._read()
        try:
            self.credential_id = b64url_decode(data["credential_id"])
            self.rp_id: str | None = data.get("rp_id")
            self.user_handle: str | None = data.get("user_handle")
            self.sign_count = int(data["sign_count"])
            self.counter = data.get("counter", True) is not False
            self.name: str | None = data.get("name")
            key = serialization.load_pem_private_key(data["private_key"].encode(), password=None)
        except (KeyError, ValueError, TypeError, AttributeError):
            raise PasskeyFileError(f"{self.path} is not a software passkey file") from None
        if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
            raise PasskeyFileError(f"{self.path} does not hold an EC P-256 key")
        self._key = key

    def __repr__(self) -> str:
        return f"SoftwarePasskey({str(self.path)!r}, rp_id={self.rp_id!r})"

    @classmethod
    def generate(
        cls, path: str | os.PathLike[str], *, verify_user: bool = True, name: str | None = None,
        counter: bool = True,
    ) -> SoftwarePasskey:
        """A new passkey written to ``path`` (mode 0600); an existing file or a symlink there is refused.
        ``name``: a label for people, kept in the file. ``counter=False``: every assertion's signature counter
        is 0 (no counter, as synced passkeys): for parallel sign-ins with one passkey."""
        target = Path(path)
        if target.is_symlink():
            raise PasskeyFileError(f"{target} is a symlink: a software passkey is never written through one")
        key = ec.generate_private_key(ec.SECP256R1())
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode("ascii")
        body = _file_body(secrets.token_bytes(32), None, None, 0, pem, name, counter)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        try:
            fd = os.open(target, flags, 0o600)
        except FileExistsError:
            raise PasskeyFileError(f"{target} exists: a software passkey is never written over a file") from None
        except OSError as exc:
            raise PasskeyFileError(f"cannot create {target}: {exc.strerror}") from None
        with os.fdopen(fd, "wb") as handle:
            handle.write(body)
        return cls(target, verify_user=verify_user)

    # --- Authenticator ---------------------------------------------------------------------------

    def create_credential(self, options: Mapping[str, Any], origin: str) -> Json:
        doc = options_document(options)
        rp_id = creation_rp_id(doc)
        user = doc.get("user")
        if not isinstance(user, Mapping) or not isinstance(user.get("id"), str):
            raise MalformedResponseError("CredentialCreationOptions without user.id")
        algorithms = [p.get("alg") for p in doc.get("pubKeyCredParams") or [] if isinstance(p, Mapping)]
        if algorithms and ES256 not in algorithms:
            raise PasskeyError("the relying party does not accept ES256 keys, the only kind a software passkey has")
        with self._locked():
            self._reload()
            if self.rp_id is not None:
                raise PasskeyFileError(f"{self.path} is already registered for {self.rp_id}")
            attested = (bytes(16) + struct.pack(">H", len(self.credential_id)) + self.credential_id
                        + self.cose_public_key())
            auth_data = self._auth_data(rp_id, 0, FLAG_AT) + attested
            self.rp_id, self.user_handle = rp_id, str(user["id"])
            self._save()
        attestation = _cbor({"fmt": "none", "attStmt": {}, "authData": auth_data})
        return {
            "id": b64url(self.credential_id),
            "rawId": b64url(self.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64url(client_data_json("webauthn.create", doc["challenge"], origin)),
                "attestationObject": b64url(attestation),
                "transports": ["internal"],
            },
            "clientExtensionResults": {},
            "authenticatorAttachment": "platform",
        }

    def get_assertion(self, options: Mapping[str, Any], origin: str) -> Json:
        doc = options_document(options)
        rp_id = request_rp_id(doc)
        if rp_id != self.rp_id:
            raise NoPasskeyForPoolError(f"{self.path} holds a passkey for {self.rp_id}, not {rp_id}")
        allowed = [c.get("id") for c in doc.get("allowCredentials") or [] if isinstance(c, Mapping)]
        if allowed and b64url(self.credential_id) not in allowed:
            raise NoPasskeyForPoolError(f"the pool does not know the passkey in {self.path} (deleted?)")
        client_data = client_data_json("webauthn.get", doc["challenge"], origin)
        if not self.counter:
            auth_data = self._auth_data(rp_id, 0, 0)
        else:
            with self._locked():
                self.sign_count = self._read_count() + 1
                self._save()  # before the assertion leaves: a counter is never used twice
                auth_data = self._auth_data(rp_id, self.sign_count, 0)
        signature = self._key.sign(auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256()))
        response: Json = {
            "clientDataJSON": b64url(client_data),
            "authenticatorData": b64url(auth_data),
            "signature": b64url(signature),
        }
        if self.user_handle:
            response["userHandle"] = self.user_handle
        return {
            "id": b64url(self.credential_id),
            "rawId": b64url(self.credential_id),
            "type": "public-key",
            "response": response,
            "clientExtensionResults": {},
            "authenticatorAttachment": "platform",
        }

    def cose_public_key(self) -> bytes:
        """The public key as COSE_Key (what a relying party stores)."""
        numbers = self._key.public_key().public_numbers()
        return _cbor({1: 2, 3: ES256, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")})

    # --- the file ----------------------------------------------------------------------------------

    def _auth_data(self, rp_id: str, count: int, extra_flags: int) -> bytes:
        flags = FLAG_UP | (FLAG_UV if self.verify_user else 0) | extra_flags
        return hashlib.sha256(rp_id.encode()).digest() + bytes([flags]) + struct.pack(">I", count)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """Held around every read-change-write of the file: a lock for this process's threads, then the
        lock file beside it (``<file>.lock``) for every process, so no two assertions carry one counter."""
        key = str(self.path.resolve())
        with self._locks_guard:
            lock = self._locks.setdefault(key, threading.Lock())
        lock_file = self.path.with_name(self.path.name + ".lock")
        with lock:
            try:
                with filelock.exclusive(lock_file, timeout=LOCK_TIMEOUT, on_timeout=lambda: PasskeyFileError(
                        f"another process has held {lock_file} for {LOCK_TIMEOUT:g} s")):
                    yield
            except OSError as exc:
                raise PasskeyFileError(f"cannot lock {lock_file}: {exc.strerror}") from None

    def _reload(self) -> None:
        """What another process may have written since this one read the file (a registration)."""
        data = self._read()
        self.rp_id, self.user_handle = data.get("rp_id"), data.get("user_handle")

    def _read(self) -> Json:
        try:
            mode = self.path.stat().st_mode
            text = self.path.read_text(encoding="utf-8")
        except OSError as exc:
            raise PasskeyFileError(f"cannot read {self.path}: {exc.strerror}") from None
        if os.name == "posix" and mode & 0o077:
            raise PasskeyFileError(f"{self.path} is readable by others: chmod 600 it")
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        if not isinstance(data, dict) or data.get("kind") != FILE_KIND:
            raise PasskeyFileError(f"{self.path} is not a software passkey file")
        return data

    def _read_count(self) -> int:
        """The counter on disk (another flow or process may have moved it on)."""
        return max(self.sign_count, int(self._read()["sign_count"]))

    def _save(self) -> None:
        pem = self._key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode("ascii")
        write_private_file(self.path, _file_body(self.credential_id, self.rp_id, self.user_handle,
                                                 self.sign_count, pem, self.name, self.counter))


def _file_body(
    credential_id: bytes, rp_id: str | None, user_handle: str | None, count: int, pem: str, name: str | None,
    counter: bool,
) -> bytes:
    body: Json = {
        "kind": FILE_KIND, "version": 1, "credential_id": b64url(credential_id), "rp_id": rp_id,
        "user_handle": user_handle, "sign_count": count, "name": name, "private_key": pem,
    }
    if not counter:
        body["counter"] = False  # absent in files of counting passkeys (and of older versions)
    return json.dumps(body, indent=1).encode()


# --- FIDO2 security keys and the Windows WebAuthn API (python-fido2) ------------------------------


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
            "no security key found on USB (plugged in? on Linux, the udev rule for FIDO keys: see the README)"
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


# --- a desktop app's own platform API ----------------------------------------------------------------


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


# --- the signed-in user's passkeys ------------------------------------------------------------------


def register_passkey(
    pool: UserPool, access_token: str, authenticator: Authenticator, *, origin: str | None = None
) -> str:
    """StartWebAuthnRegistration, ``authenticator`` makes the passkey, CompleteWebAuthnRegistration; returns
    the new credential's id. The origin is ``https://<RelyingPartyId>`` unless given."""
    started = pool.call("start_web_authn_registration", AccessToken=access_token)
    options = options_document(started.get("CredentialCreationOptions") or {})
    credential = authenticator.create_credential(options, origin or default_origin(creation_rp_id(options)))
    pool.call("complete_web_authn_registration", AccessToken=access_token, Credential=credential)
    return str(credential["id"])


def list_passkeys(pool: UserPool, access_token: str) -> list[Json]:
    """ListWebAuthnCredentials' Credentials, every page."""
    credentials: list[Json] = []
    token: str | None = None
    while True:
        paging: dict[str, Any] = {"NextToken": token} if token else {}
        page = pool.call("list_web_authn_credentials", AccessToken=access_token, **paging)
        credentials += [_json_ready(c) for c in page.get("Credentials") or []]
        token = page.get("NextToken")
        if not token:
            return credentials


def delete_passkey(pool: UserPool, access_token: str, credential_id: str) -> None:
    pool.call("delete_web_authn_credential", AccessToken=access_token, CredentialId=credential_id)


def _json_ready(credential: Mapping[str, Any]) -> Json:
    """A credential description with CreatedAt (a datetime in boto3) as an ISO 8601 string."""
    return {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in credential.items()}
