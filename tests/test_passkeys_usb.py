"""The USB security-key path (authflow.passkeys.SecurityKey through python-fido2's CTAP2 client) against a
fake CTAP2 device object: no hardware here. The fake speaks CTAP2 over the CtapDevice interface (getInfo,
makeCredential, getAssertion, clientPIN with PIN/UV protocol 1), so fido2's own client code runs as it would
with a key: touch prompts, the PIN asked through the callback, and a wrong PIN, a timeout or no key found
surfacing as authflow's typed errors. The credentials it makes are registered with, and sign in to, the
local pool through boto3."""

from __future__ import annotations

import hashlib
import os
import struct
from collections.abc import Callable
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from fido2 import cbor
from fido2.ctap import STATUS, CtapDevice, CtapError
from fido2.ctap2.pin import PinProtocolV1
from fido2.hid import CAPABILITY, CTAPHID

from authflow import ScriptedHandler, UserPool, sign_in
from authflow.errors import NoPasskeyForPoolError, NoSecurityKeyError, PasskeyTimeoutError, PinInvalidError
from authflow.localpool import LocalUserPool
from authflow.passkeys import SecurityKey, first_usb_key, list_passkeys, register_passkey

PASSWORD = "Alice-Passw0rd!"
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


@pytest.fixture
def carol(local_pool: LocalUserPool) -> tuple[UserPool, str]:
    local_pool.add_user("carol", PASSWORD)
    pool = UserPool(local_pool.pool_id, local_pool.client_id, endpoint_url=local_pool.endpoint_url)
    return pool, sign_in(pool, "carol", ScriptedHandler(password=PASSWORD)).access_token


def test_register_and_sign_in_with_a_security_key_and_its_pin(local_pool: LocalUserPool,
                                                              carol: tuple[UserPool, str]) -> None:
    pool, access_token = carol
    local_pool.pool().web_authn.user_verification = "required"
    device, shown, asked = FakeKey(), [], []
    key = SecurityKey(device=device, on_touch=lambda: shown.append("touch"),
                      pin=lambda: asked.append("pin") or "123456")
    credential_id = register_passkey(pool, access_token, key)
    assert [c["CredentialId"] for c in list_passkeys(pool, access_token)] == [credential_id]
    tokens = sign_in(pool, "carol", ScriptedHandler(passkey=key), "USER_AUTH", preferred_challenge="WEB_AUTHN")
    assert tokens.access_token
    assert device.touches == 2 and shown == ["touch", "touch"] and asked == ["pin", "pin"]
    assert PASSWORD not in str([r.params for r in local_pool.requests("RespondToAuthChallenge")][-1:])


def test_a_wrong_pin_a_timeout_and_a_key_without_passkey(local_pool: LocalUserPool,
                                                         carol: tuple[UserPool, str]) -> None:
    pool, access_token = carol
    device = FakeKey()
    register_passkey(pool, access_token, SecurityKey(device=device, pin=lambda: "123456"))
    flow_options: dict[str, Any] = {"auth_flow": "USER_AUTH", "preferred_challenge": "WEB_AUTHN"}
    with pytest.raises(PinInvalidError):
        sign_in(pool, "carol", ScriptedHandler(passkey=SecurityKey(device=device, pin=lambda: "000000")),
                **flow_options)
    device.touched = False
    with pytest.raises(PasskeyTimeoutError):
        sign_in(pool, "carol", ScriptedHandler(passkey=SecurityKey(device=device, pin=lambda: "123456")),
                **flow_options)
    with pytest.raises(NoPasskeyForPoolError):
        sign_in(pool, "carol", ScriptedHandler(passkey=SecurityKey(device=FakeKey(), pin=lambda: "123456")),
                **flow_options)


def test_no_security_key_plugged_in(monkeypatch: pytest.MonkeyPatch) -> None:
    from fido2.hid import CtapHidDevice

    monkeypatch.setattr(CtapHidDevice, "list_devices", classmethod(lambda cls: iter(())))
    with pytest.raises(NoSecurityKeyError, match="udev"):
        first_usb_key()


def test_wizard_touch_line_failure_line_and_another_way(local_pool: LocalUserPool, carol: tuple[UserPool, str],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """At the terminal: "touch your security key", a clear line when it was not touched in time, and USER_AUTH
    offering the user's other first factors (here SRP with the password)."""
    import io
    import re
    import threading

    from prompt_toolkit.data_structures import Size
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output.vt100 import Vt100_Output

    from authflow.answers import EnvAnswers
    from authflow.wizard import TerminalHandler, run_wizard

    pool, access_token = carol
    device = FakeKey(pin=None)
    register_passkey(pool, access_token, SecurityKey(device=device))
    device.touched = False
    monkeypatch.setattr("authflow.passkeys.security_keys.first_usb_key", lambda: device)
    screen = io.StringIO()
    with create_pipe_input() as pipe:
        for delay, text in ((0.5, "y\r"), (1.0, "2\r")):  # sign in another way? yes; 2 = PASSWORD_SRP
            timer = threading.Timer(delay, pipe.send_text, args=(text,))
            timer.daemon = True
            timer.start()
        handler = TerminalHandler(input=pipe, output=Vt100_Output(screen, lambda: Size(rows=50, columns=120)),
                                  env=EnvAnswers(password=PASSWORD))
        tokens = run_wizard(pool, "carol", handler=handler, auth_flow="USER_AUTH", preferred_challenge="WEB_AUTHN")
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", screen.getvalue())
    assert tokens.access_token
    assert "Touch your security key now." in text
    assert "✗ The security key was not touched in time." in text
    assert "Sign in another way?" in text
