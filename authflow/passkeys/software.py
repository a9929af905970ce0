"""A software passkey: an EC P-256 key in a file of mode 0600, for tests and CI (and the demo).

Creating one refuses an existing file or a symlink; its signature counter is saved (atomically, under a lock
shared by every process) before each assertion leaves. The attestation and COSE key are CBOR (cbor2)."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import struct
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import cbor2
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from authflow import filelock
from authflow.errors import MalformedResponseError, NoPasskeyForPoolError, PasskeyError, PasskeyFileError
from authflow.passkeys.encoding import (
    ES256,
    Json,
    b64url,
    b64url_decode,
    client_data_json,
    creation_rp_id,
    options_document,
    request_rp_id,
)
from authflow.tokencache import write_private_file

FLAG_UP, FLAG_UV, FLAG_AT = 0x01, 0x04, 0x40
FILE_KIND = "authflow-software-passkey"
#: How long a software passkey waits for another process holding its file.
LOCK_TIMEOUT = 30.0


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
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
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
        x, y = numbers.x.to_bytes(32, "big"), numbers.y.to_bytes(32, "big")
        return cbor2.dumps({1: 2, 3: ES256, -1: 1, -2: x, -3: y})

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
