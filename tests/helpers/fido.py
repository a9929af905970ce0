"""A fake FIDO2 security key for the tests: a CTAP2 authenticator in memory behind fido2's CtapDevice interface
(getInfo, makeCredential, getAssertion, clientPIN with PIN/UV protocol 1), so fido2's own client code runs
as it would with a key on USB."""

from __future__ import annotations

import hashlib
import os
import struct
from collections.abc import Callable
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from fido2 import cbor
from fido2.ctap import STATUS, CtapDevice, CtapError
from fido2.ctap2.pin import PinProtocolV1
from fido2.hid import CAPABILITY, CTAPHID

ERR = CtapError.ERR


def cose(key: ec.EllipticCurvePrivateKey) -> dict[int, Any]:
    numbers = key.public_key().public_numbers()
    return {1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")}


class FakeKey(CtapDevice):
    """A CTAP2 authenticator in memory: resident ES256 credentials, a PIN, a signature counter. ``touched``
    False makes it time out waiting for a touch."""

    def __init__(self, pin: str | None = "123456", *, touched: bool = True) -> None:
        self.pin_hash = hashlib.sha256(pin.encode()).digest()[:16] if pin else None
        self.touched = touched
        self.credentials: dict[bytes, tuple[str, ec.EllipticCurvePrivateKey, bytes]] = {}
        self.counter = 0
        self.touches = 0
        self._agreement = ec.generate_private_key(ec.SECP256R1())
        self._token = os.urandom(32)
        self._protocol = PinProtocolV1()

    @property
    def capabilities(self) -> int:
        return CAPABILITY.CBOR

    @classmethod
    def list_devices(cls) -> Any:
        return iter(())

    def call(self, cmd: int, data: bytes = b"", event: Any = None,
             on_keepalive: Callable[[STATUS], None] | None = None) -> bytes:
        assert cmd == CTAPHID.CBOR
        command, request = data[0], cbor.decode(data[1:]) if len(data) > 1 else {}
        try:
            handler = {0x04: self.get_info, 0x01: self.make_credential, 0x02: self.get_assertion,
                       0x06: self.client_pin}[command]
            reply = handler(request, on_keepalive)
        except CtapError as exc:
            return bytes([exc.code])
        return b"\x00" + (cbor.encode(reply) if reply is not None else b"")

    # --- commands ----------------------------------------------------------------------------

    def get_info(self, request: Any, keepalive: Any) -> dict[int, Any]:
        options = {"rk": True, "up": True, "plat": False}
        if self.pin_hash is not None:
            options["clientPin"] = True
        return {1: ["FIDO_2_0"], 3: bytes(16), 4: options, 6: [1]}

    def _touch(self, keepalive: Any) -> None:
        if keepalive is not None:
            keepalive(STATUS.UPNEEDED)
        if not self.touched:
            raise CtapError(ERR.USER_ACTION_TIMEOUT)
        self.touches += 1

    def _verified(self, param: bytes | None, client_data_hash: bytes) -> bool:
        if param is None:
            return False
        if param != self._protocol.authenticate(self._token, client_data_hash):
            raise CtapError(ERR.PIN_AUTH_INVALID)
        return True

    def _auth_data(self, rp_id: str, flags: int, extra: bytes = b"") -> bytes:
        self.counter += 1
        return hashlib.sha256(rp_id.encode()).digest() + bytes([flags]) + struct.pack(">I", self.counter) + extra

    def make_credential(self, r: dict[int, Any], keepalive: Any) -> dict[int, Any]:
        client_data_hash, rp, user = r[1], r[2], r[3]
        if -7 not in [p["alg"] for p in r[4]]:
            raise CtapError(ERR.UNSUPPORTED_ALGORITHM)
        uv = self._verified(r.get(8), client_data_hash)
        self._touch(keepalive)
        key = ec.generate_private_key(ec.SECP256R1())
        credential_id = os.urandom(32)
        self.credentials[credential_id] = (rp["id"], key, user["id"])
        attested = bytes(16) + struct.pack(">H", 32) + credential_id + cbor.encode(cose(key))
        auth_data = self._auth_data(rp["id"], 0x41 | (0x04 if uv else 0), attested)
        return {1: "none", 2: auth_data, 3: {}}

    def get_assertion(self, r: dict[int, Any], keepalive: Any) -> dict[int, Any]:
        rp_id, client_data_hash = r[1], r[2]
        allowed = [c["id"] for c in r.get(3) or []]
        mine = [c for c, (rp, _, _) in self.credentials.items() if rp == rp_id and (not allowed or c in allowed)]
        if not mine:
            raise CtapError(ERR.NO_CREDENTIALS)
        uv = self._verified(r.get(6), client_data_hash)
        presence = (r.get(5) or {}).get("up", True)
        if presence:
            self._touch(keepalive)
        _, key, user_id = self.credentials[mine[0]]
        auth_data = self._auth_data(rp_id, (0x01 if presence else 0) | (0x04 if uv else 0))
        signature = key.sign(auth_data + client_data_hash, ec.ECDSA(hashes.SHA256()))
        return {1: {"type": "public-key", "id": mine[0]}, 2: auth_data, 3: signature, 4: {"id": user_id}}

    def client_pin(self, r: dict[int, Any], keepalive: Any) -> dict[int, Any]:
        if r[2] == 0x01:
            return {3: 8}
        if r[2] == 0x02:
            return {1: {**cose(self._agreement), 3: -25}}
        if r[2] == 0x05:
            peer = r[3]
            public = ec.EllipticCurvePublicNumbers(int.from_bytes(peer[-2], "big"), int.from_bytes(peer[-3], "big"),
                                                   ec.SECP256R1()).public_key()
            secret = self._protocol.kdf(self._agreement.exchange(ec.ECDH(), public))
            if self._protocol.decrypt(secret, r[6]) != self.pin_hash:
                raise CtapError(ERR.PIN_INVALID)
            return {2: self._protocol.encrypt(secret, self._token)}
        raise CtapError(ERR.INVALID_COMMAND)
