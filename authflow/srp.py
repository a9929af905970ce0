"""SRP-6a exactly as Amazon Cognito clients compute it.

Every formula here follows ``docs/protocol.md`` ("SRP as Cognito clients compute it"; amazon-cognito-identity-js
``AuthenticationHelper``): 3072-bit group, g = 2, SHA-256, Java ``BigInteger.toByteArray`` padding
(:func:`pad_hex`), HKDF with the info string ``"Caldera Derived Key"``.

Both sides live here, so the client (``states/password_verifier.py``) and the local user pool share one
implementation of the math, and it is tested against the published vectors.

The 3072-bit modular exponentiations go through :func:`powmod`, which uses gmpy2 when it is installed
(``pip install authflow[fast]``, releasing the GIL so threads overlap) and Python's ``pow`` otherwise; both
give identical results. Two of a sign-in's three have the fixed base g = 2 (A = g^a and g^x; the pool's
v = g^x and g^b): :func:`g_pow` answers those from a table of powers of g built once per process
(:class:`FixedBaseTable`), about 4x fewer multiplications than a plain exponentiation.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import threading
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from authflow.errors import SRPError

N_HEX = (
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C"
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF"
)
N = int(N_HEX, 16)
G = 2
INFO_BITS = b"Caldera Derived Key"

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _python_powmod(base: int, exponent: int, modulus: int) -> int:
    return pow(base, exponent, modulus)


def _gmpy2_installed() -> bool:
    from importlib.util import find_spec

    return find_spec("gmpy2") is not None


#: Whether gmpy2 is installed; it is imported at the first exponentiation that uses it, not with this module
#: (its import takes longer than a sign-in's arithmetic, and a USER_PASSWORD_AUTH sign-in never needs it).
_HAVE_GMPY2 = _gmpy2_installed()
_GMPY2_MODULE: Any = None


def _gmpy2() -> Any:
    global _GMPY2_MODULE
    if _GMPY2_MODULE is None:
        import gmpy2

        _GMPY2_MODULE = gmpy2
    return _GMPY2_MODULE


def _release_gil() -> None:
    """Let gmpy2 release the GIL in this thread's arithmetic, so threads overlap their SRP math.

    gmpy2 contexts are per thread and hold the GIL by default; the flag changes scheduling, never results.
    """
    context = _gmpy2().get_context()
    if not context.allow_release_gil:
        context.allow_release_gil = True


def _gmpy2_powmod(base: int, exponent: int, modulus: int) -> int:
    _release_gil()
    # gmpy2 returns the least non-negative residue, like pow(), also for a negative base.
    gmpy2 = _gmpy2()
    mpz = gmpy2.mpz
    return int(gmpy2.powmod(mpz(base), mpz(exponent), mpz(modulus)))


#: Name of the modular exponentiation backend in use: ``"gmpy2"`` or ``"python"``.
BACKEND = "gmpy2" if _HAVE_GMPY2 else "python"
_powmod: Callable[[int, int, int], int] = _gmpy2_powmod if _HAVE_GMPY2 else _python_powmod


def powmod(base: int, exponent: int, modulus: int) -> int:
    """``base ** exponent % modulus`` in [0, modulus), with gmpy2 when it is installed."""
    return _powmod(base, exponent, modulus)


def use_backend(name: str, *, fixed_base: bool = True) -> None:
    """Select the exponentiation backend (``"gmpy2"`` or ``"python"``) and whether g^e may use the
    fixed-base table (:func:`g_pow`); for benchmarks and tests."""
    global _powmod, BACKEND, _fixed_base_enabled
    if name == "gmpy2":
        if not _HAVE_GMPY2:
            raise RuntimeError("gmpy2 is not installed (pip install 'authflow[fast]')")
        _powmod, BACKEND = _gmpy2_powmod, "gmpy2"
    elif name == "python":
        _powmod, BACKEND = _python_powmod, "python"
    else:
        raise ValueError(f"unknown backend {name!r}")
    _fixed_base_enabled = fixed_base


def gmpy2_available() -> bool:
    return _HAVE_GMPY2


# --- g^e mod N from a precomputed table -----------------------------------------------------------

#: Exponents below 2**FIXED_BASE_BITS use the table: a (128 random bytes), b and x (a SHA-256) all do.
FIXED_BASE_BITS = 1024
_WINDOW = 6  # bits of the exponent per multiplication; the table holds 2**6 - 1 powers per window
#: Exponent bits a process raises g to with plain powmod before it builds the table (which costs as much as
#: 15,000 to 19,000 such bits, with pow or gmpy2): a one-off sign-in (the CLI: a and x, 1,280 bits) and a small
#: seed's verifiers (the local pool's demo users: 9 x 256 bits, before its first line) never pay for it; a
#: process that goes on signing in does, once.
FIXED_BASE_AFTER_BITS = 4096


class FixedBaseTable:
    """g^e mod N with one modular multiplication per 6 bits of e (171 for 1024 bits instead of ~1230).

    Row i holds g^(d * 64^i) for d = 1..63, so g^e is the product of one entry per base-64 digit of e.
    171 rows of 63 residues of 3072 bits: about 4.5 MiB, built once (10,773 multiplications).
    """

    __slots__ = ("_modulus", "_rows")

    def __init__(self, number: Callable[[int], Any] = int) -> None:
        modulus = number(N)
        rows: list[list[Any]] = []
        base = number(G)
        for _ in range(-(-FIXED_BASE_BITS // _WINDOW)):
            row = [base]
            for _ in range(2**_WINDOW - 2):
                row.append(row[-1] * base % modulus)
            rows.append(row)
            base = row[-1] * base % modulus  # g^(64^(i+1))
        self._rows = rows
        self._modulus = modulus

    def power(self, exponent: int) -> int:
        """g^exponent mod N for 0 <= exponent < 2**FIXED_BASE_BITS."""
        if not 0 <= exponent < 1 << FIXED_BASE_BITS:
            raise ValueError("the fixed-base table covers exponents in [0, 2**1024)")
        modulus, mask = self._modulus, 2**_WINDOW - 1
        result = None
        for row in self._rows:
            if not exponent:
                break
            digit = exponent & mask
            if digit:
                entry = row[digit - 1]
                result = entry if result is None else result * entry % modulus
            exponent >>= _WINDOW
        return 1 if result is None else int(result)

    def __repr__(self) -> str:
        return f"FixedBaseTable({len(self._rows)} rows)"


_tables: dict[str, FixedBaseTable] = {}
_tables_lock = threading.Lock()
_plain_bits = 0
_fixed_base_enabled = True


def fixed_base_table() -> FixedBaseTable:
    """The current backend's table, built now if this process has none yet (thread-safe, once)."""
    backend = BACKEND
    table = _tables.get(backend)
    if table is None:
        with _tables_lock:
            table = _tables.get(backend)
            if table is None:
                if backend == "gmpy2":
                    _release_gil()
                    table = FixedBaseTable(_gmpy2().mpz)
                else:
                    table = FixedBaseTable()
                _tables[backend] = table
    return table


def g_pow(exponent: int) -> int:
    """g^exponent mod N: from the fixed-base table once this process has used enough plain exponentiations
    (:data:`FIXED_BASE_AFTER_BITS`), else plain :func:`powmod`; both give identical results."""
    global _plain_bits
    if _fixed_base_enabled and 0 <= exponent < 1 << FIXED_BASE_BITS:
        table = _tables.get(BACKEND)
        if table is None:
            _plain_bits += exponent.bit_length()  # a lost update under threads only delays the build a little
            if _plain_bits > FIXED_BASE_AFTER_BITS:
                table = fixed_base_table()
        if table is not None:
            if BACKEND == "gmpy2":
                _release_gil()
            return table.power(exponent)
    return powmod(G, exponent, N)


# --- encodings -----------------------------------------------------------------------------------


def pad_hex(value: int) -> str:
    """Hex of Java ``BigInteger.toByteArray()`` for a non-negative integer (lowercase).

    Odd length gets a leading ``0``; a leading nibble of 8-f gets ``00`` so the value stays positive.
    """
    if value < 0:
        raise ValueError("pad_hex takes non-negative integers only")
    text = format(value, "x")
    if len(text) % 2 == 1:
        return "0" + text
    if text[0] in "89abcdef":
        return "00" + text
    return text


def hash_hex(hex_string: str) -> str:
    """SHA-256 of the bytes that ``hex_string`` spells, as 64 lowercase hex digits."""
    return hashlib.sha256(bytes.fromhex(hex_string)).hexdigest()


def hash_hex_int(hex_string: str) -> int:
    return int(hash_hex(hex_string), 16)


K = hash_hex_int("00" + N_HEX + "02")
"""k = H(padHex(N) || padHex(g)), the SRP-6a multiplier."""


def hkdf(ikm: bytes, salt: bytes) -> bytes:
    """One block of HKDF-SHA256 with Cognito's info string, truncated to 16 bytes."""
    prk = hmac.new(salt, ikm, hashlib.sha256).digest()
    return hmac.new(prk, INFO_BITS + b"\x01", hashlib.sha256).digest()[:16]


def format_timestamp(moment: datetime | None = None) -> str:
    """Cognito's TIMESTAMP: ``EEE MMM d HH:mm:ss 'UTC' yyyy``, English names, day not zero-padded."""
    moment = (moment or datetime.now(timezone.utc)).astimezone(timezone.utc)
    return (
        f"{_WEEKDAYS[moment.weekday()]} {_MONTHS[moment.month - 1]} {moment.day} "
        f"{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d} UTC {moment.year}"
    )


def parse_timestamp(text: str) -> datetime | None:
    """The instant a TIMESTAMP names, or None unless ``text`` is its exact canonical rendering."""
    parts = text.split(" ")
    if len(parts) != 6 or parts[4] != "UTC" or parts[1] not in _MONTHS:
        return None
    try:
        day = int(parts[2])
        hour, minute, second = (int(p) for p in parts[3].split(":"))
        moment = datetime(
            int(parts[5]), _MONTHS.index(parts[1]) + 1, day, hour, minute, second, tzinfo=timezone.utc
        )
    except ValueError:
        return None
    return moment if format_timestamp(moment) == text else None


def decode_secret_block(secret_block: str) -> bytes:
    """SECRET_BLOCK bytes: standard base64, tolerating URL-safe characters and missing padding."""
    text = secret_block.strip().replace("-", "+").replace("_", "/")
    text += "=" * (-len(text) % 4)
    try:
        return base64.b64decode(text, validate=True)
    except ValueError as exc:
        raise SRPError("SECRET_BLOCK is not base64") from exc


# --- the shared pieces of both sides -------------------------------------------------------------


_N_DIGITS = len(N_HEX)  # an SRP value below N has at most this many hex digits (plus redundant zeros)
_SALT_DIGITS = 256  # Cognito's salts are 16 bytes; anything near this bound is not a salt
_HEX = re.compile(r"[0-9a-fA-F]+")


def parse_hex(text: object, what: str, max_digits: int) -> int:
    """A non-negative integer from hex digits only (``int(x, 16)`` would also take "-1", "0x", "_" and
    spaces); anything else, or more digits than the value can have, is an SRPError naming ``what``."""
    if not isinstance(text, str) or not _HEX.fullmatch(text) or len(text.lstrip("0")) > max_digits:
        raise SRPError(f"{what} is not a hexadecimal number of at most {max_digits} digits")
    return int(text, 16)


def calculate_u(big_a: int, big_b: int) -> int:
    """u = H(padHex(A) || padHex(B))."""
    return hash_hex_int(pad_hex(big_a) + pad_hex(big_b))


def calculate_x(salt_hex: str, pool_name: str, user_id: str, password: str) -> int:
    """x = H(padHex(salt) || H(poolName || userId || ":" || password))."""
    user_hash = hashlib.sha256(f"{pool_name}{user_id}:{password}".encode()).hexdigest()
    return hash_hex_int(pad_hex(parse_hex(salt_hex, "SALT", _SALT_DIGITS)) + user_hash)


def session_key(shared_secret: int, u: int) -> bytes:
    """The 16-byte key K = HKDF(ikm=padHex(S), salt=padHex(u))."""
    return hkdf(bytes.fromhex(pad_hex(shared_secret)), bytes.fromhex(pad_hex(u)))


def claim_signature(key: bytes, pool_name: str, user_id: str, secret_block: str, timestamp: str) -> str:
    """PASSWORD_CLAIM_SIGNATURE = base64(HMAC(K, poolName || userId || SECRET_BLOCK bytes || TIMESTAMP))."""
    message = pool_name.encode() + user_id.encode() + decode_secret_block(secret_block) + timestamp.encode()
    return base64.b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode()


def pool_name_of(pool_id: str) -> str:
    """``us-east-1_AbC`` -> ``AbC``: the pool name that goes into x and the signature."""
    _, sep, name = pool_id.partition("_")
    if not sep or not name:
        raise ValueError("a user pool id looks like <region>_<name>")
    return name


# --- client side ---------------------------------------------------------------------------------


def generate_small_a() -> int:
    """128 random bytes as a positive integer, as the JavaScript SDK does."""
    return int.from_bytes(os.urandom(128), "big")


def calculate_a(small_a: int) -> int:
    """A = g^a mod N, refusing the one value a server could exploit."""
    big_a = g_pow(small_a)
    if big_a % N == 0:
        raise SRPError("A mod N cannot be 0")
    return big_a


class ClientEphemeral:
    """The client's secret ``a`` and public ``A`` for one SRP exchange (never reused, never printed)."""

    __slots__ = ("_a", "public")

    def __init__(self, small_a: int | None = None) -> None:
        self._a = small_a if small_a is not None else generate_small_a()
        self.public = calculate_a(self._a)

    @property
    def srp_a(self) -> str:
        """SRP_A as sent on the wire: lowercase hex, not padded."""
        return format(self.public, "x")

    def shared_secret(
        self, pool_name: str, user_id: str, password: str, salt_hex: str, srp_b_hex: str
    ) -> tuple[int, int]:
        """(S, u) for this exchange, after the safety checks on B and u."""
        big_b = parse_hex(srp_b_hex, "SRP_B", 2 * _N_DIGITS)
        if big_b % N == 0:
            raise SRPError("B mod N cannot be 0")
        if big_b >= N:
            raise SRPError("SRP_B is not below N")
        u = calculate_u(self.public, big_b)
        if u == 0:
            raise SRPError("u cannot be 0")
        x = calculate_x(salt_hex, pool_name, user_id, password)
        base = big_b - K * g_pow(x)
        return powmod(base, self._a + u * x, N), u

    def password_authentication_key(
        self, pool_name: str, user_id: str, password: str, salt_hex: str, srp_b_hex: str
    ) -> bytes:
        """K for this exchange: HKDF over S and u."""
        shared, u = self.shared_secret(pool_name, user_id, password, salt_hex, srp_b_hex)
        return session_key(shared, u)

    def __repr__(self) -> str:
        return "ClientEphemeral(<secret>)"


# --- server side (the local user pool) -----------------------------------------------------------


def compute_verifier(salt_hex: str, pool_name: str, user_id: str, password: str) -> int:
    """v = g^x mod N, what a server stores instead of the password."""
    return g_pow(calculate_x(salt_hex, pool_name, user_id, password))


#: Bytes of a server's secret b: 256 bits, what RFC 5054 (2.5.3) asks for at least, about 128 bits of
#: security in this 3072-bit group. Clients cannot tell b's size; a quarter of the bits makes the server's
#: two exponentiations (g^b and (A * v^u)^b) about a third of the cost of 128 bytes.
SERVER_SECRET_BYTES = 32


class ServerEphemeral:
    """The server's secret ``b`` and public ``B = k*v + g^b mod N`` for one exchange."""

    __slots__ = ("_b", "_key", "_verifier", "public")

    def __init__(self, verifier: int, small_b: int | None = None) -> None:
        self._key: tuple[int, bytes] | None = None  # (A, K) once computed
        while True:
            self._b = small_b if small_b is not None else int.from_bytes(os.urandom(SERVER_SECRET_BYTES), "big")
            self.public = (K * verifier + g_pow(self._b)) % N
            if self.public % N != 0 or small_b is not None:
                break
        self._verifier = verifier

    @property
    def srp_b(self) -> str:
        return format(self.public, "x")

    def session_key(self, big_a: int) -> bytes:
        """K from the client's A; raises SRPError for an A a client must never send. Remembered for the
        last A, so a server may compute it early, outside its locks, and find it ready later."""
        known = self._key
        if known is not None and known[0] == big_a:
            return known[1]  # this A passed the checks below when its key was made
        if big_a % N == 0:
            raise SRPError("A mod N cannot be 0")
        u = calculate_u(big_a, self.public)
        if u == 0:
            raise SRPError("u cannot be 0")
        shared = powmod(big_a * powmod(self._verifier, u, N), self._b, N)
        key = session_key(shared, u)
        self._key = (big_a, key)
        return key

    def __repr__(self) -> str:
        return "ServerEphemeral(<secret>)"


# --- device verifiers (ConfirmDevice) ------------------------------------------------------------


def generate_device_verifier(device_group_key: str, device_key: str) -> tuple[str, str, str]:
    """(random device password, PasswordVerifier, Salt) for ConfirmDevice, all as Cognito expects.

    The password stays with the client; verifier and salt are base64 as in DeviceSecretVerifierConfig.
    """
    random_password = base64.b64encode(os.urandom(40)).decode()
    salt_hex = pad_hex(int.from_bytes(os.urandom(16), "big"))
    verifier = compute_verifier(salt_hex, device_group_key, device_key, random_password)
    return (
        random_password,
        base64.b64encode(bytes.fromhex(pad_hex(verifier))).decode(),
        base64.b64encode(bytes.fromhex(salt_hex)).decode(),
    )
