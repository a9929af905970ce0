"""Seed files: the pools, app clients and users a local user pool starts with.

A seed is JSON (or the same dict in Python). Every key of a pool, client or user entry is a keyword of
:func:`~authflow.localpool.builders.build_pool`, :func:`~authflow.localpool.builders.build_client` or
:func:`~authflow.localpool.builders.build_user`, so the seed and the Python API say things the same way::

    {
      "region": "us-east-1",
      "pools": [{
        "id": "us-east-1_AbCdEf123", "name": "example",
        "mfa": "OPTIONAL",                              # MfaConfiguration: OFF | OPTIONAL | ON
        "mfa_types": ["SMS_MFA", "SOFTWARE_TOKEN_MFA", "EMAIL_OTP"],
        "password_policy": {"minimum_length": 8, "require_symbols": true},
        "required_attributes": ["name"],                # schema attributes with Required: true
        "alias_attributes": ["email", "phone_number"],  # or "username_attributes": ["email"]
        "allowed_first_auth_factors": ["PASSWORD", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN"],   # USER_AUTH
        "web_authn": {"relying_party_id": "localhost", "user_verification": "required"},  # passkeys
        "device_tracking": "off",                       # off | always | opt_in
        "max_code_attempts": 3, "lockout_threshold": 5,
        "token_sessions_per_user": 20,                  # TokenSession MaxPerUser: the least recently used go
        "auto_verified_attributes": ["email"],          # where SignUp's confirmation code goes
        "allow_admin_create_user_only": false,          # true: SignUp refused, no "Sign up" on the login page
        # defaults for the pool's app clients (Cognito keeps these per client):
        "auth_session_validity_minutes": 3, "auth_session_validity_seconds": null,
        "access_token_validity_seconds": 3600, "id_token_validity_seconds": 3600,
        "refresh_token_validity_seconds": 2592000, "prevent_user_existence_errors": "LEGACY",
        "clients": [{"id": "...", "name": "web", "secret": null,
                     "explicit_auth_flows": ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
                     "refresh_token_rotation": false, "retry_grace_period_seconds": 0}],
        "users": [{"username": "alice", "password": "Passw0rd!", "status": "CONFIRMED", "enabled": true,
                   "attributes": {"email": "alice@example.com", "email_verified": "true"},
                   "mfa": ["SOFTWARE_TOKEN_MFA"], "preferred_mfa": "SOFTWARE_TOKEN_MFA",
                   "totp_secret": "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
                   "passkey_file": "alice.passkey",     # a software passkey (made there when absent)
                   "description": "shown by `authflow local-pool`, ignored otherwise"}]
      }],
      "identity_pools": [{                              # Cognito identity pools (cognito-identity), optional
        "id": "us-east-1:00000000-0000-0000-0000-000000000001", "name": "example",
        "user_pools": ["us-east-1_AbCdEf123"],          # providers: each pool with its first app client
        "providers": [{"ProviderName": "cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEf123",
                       "ClientId": "..."}],             # or spelled out as CognitoIdentityProviders
        "roles": {"authenticated": "arn:aws:iam::123456789012:role/Auth",
                  "unauthenticated": "arn:aws:iam::123456789012:role/Guest"},
        "custom_roles": ["arn:aws:iam::123456789012:role/Admin"],   # CustomRoleArn may choose these
        "allow_unauthenticated": false, "allow_classic_flow": false,
        "credentials_validity_seconds": 3600
      }]
    }
"""

from __future__ import annotations

import inspect
import json
import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from authflow.localpool.builders import build_client, build_pool, build_user
from authflow.localpool.errors import PoolError
from authflow.localpool.identity import build_identity_pool
from authflow.localpool.model import PoolRecord

if TYPE_CHECKING:
    from authflow.localpool.service import Service

#: An AWS region's name, as the seed's ``region`` (the prefix of the pool ids it makes).
REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-[0-9]+")

DEMO_SEED_PATH = Path(__file__).with_name("demo_seed.json")

ALL_FLOWS = [
    "ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_AUTH", "ALLOW_CUSTOM_AUTH",
    "ALLOW_REFRESH_TOKEN_AUTH",
]


def default_seed() -> dict[str, Any]:
    """One pool (MFA off, every first factor allowed) with one client without a secret allowing every
    flow, and no users: what tests start from."""
    return {"pools": [{
        "allowed_first_auth_factors": ["PASSWORD", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN"],
        "web_authn": {"relying_party_id": "localhost", "user_verification": "preferred"},
        "auto_verified_attributes": ["email"],  # sign-up codes go to the email address
        "clients": [{"name": "local", "explicit_auth_flows": list(ALL_FLOWS)}],
    }]}


def demo_seed() -> dict[str, Any]:
    """The demo users; their software passkey files (``passkey_file``) are made afresh in a new private
    temporary folder, one per load."""
    result: dict[str, Any] = json.loads(DEMO_SEED_PATH.read_text(encoding="utf-8"))
    folder: Path | None = None
    for pool in result["pools"]:
        for user in pool.get("users", []):
            if "passkey_file" in user:
                folder = folder or Path(tempfile.mkdtemp(prefix="authflow-demo-passkeys-"))
                user["passkey_file"] = str(folder / user["passkey_file"])
    return result


def load_seed(seed: dict[str, Any] | str | os.PathLike[str] | None) -> dict[str, Any]:
    """A seed dict from a dict, a JSON file path, ``"demo"`` or None (the default seed)."""
    if seed is None:
        return default_seed()
    if isinstance(seed, dict):
        return seed
    if str(seed) == "demo":
        return demo_seed()
    loaded = json.loads(Path(seed).read_text(encoding="utf-8"))
    if not isinstance(loaded, dict):
        raise ValueError("a seed file holds a JSON object")
    return loaded


def _check_keys(builder: Callable[..., Any], entry: object, what: str, ignored: set[str]) -> dict[str, Any]:
    if not isinstance(entry, dict):
        raise ValueError(f"seed: {_a(what)} is a JSON object, not {_json_text(entry)}")
    parameters = {
        name: param for name, param in inspect.signature(builder).parameters.items()
        if param.kind in (param.KEYWORD_ONLY, param.POSITIONAL_OR_KEYWORD) and name not in ("svc", "pool")
    }
    unknown = set(entry) - set(parameters) - ignored
    if unknown:
        raise ValueError(f"seed: unknown {what} key(s) {sorted(unknown)}; known: {sorted(parameters)}")
    for key, value in entry.items():
        wanted = _misfit(str(parameters[key].annotation), value) if key in parameters else ""
        if wanted:
            raise ValueError(f"seed: {_a(what)}'s {key} is {wanted}, not {_json_text(value)}")
    return {k: v for k, v in entry.items() if k not in ignored}


_SEQUENCES = (list, tuple, set, frozenset)  # JSON gives lists; the Python API (add_pool) may give the others

#: A builder's annotation (one alternative of it, as written): the values it takes, and how a person says it.
#: An alternative not listed here is a Python type (PasswordPolicy): a JSON value never is one.
_JSON_TYPES: dict[str, tuple[Callable[[object], bool], str]] = {
    "None": (lambda v: v is None, "null"),
    "Any": (lambda v: True, "anything"),
    "str": (lambda v: isinstance(v, str), "a string"),
    "bool": (lambda v: isinstance(v, bool), "true or false"),
    "int": (lambda v: isinstance(v, int) and not isinstance(v, bool), "a whole number"),
    "Iterable[str]": (lambda v: isinstance(v, _SEQUENCES) and all(isinstance(x, str) for x in v),
                      "a list of strings"),
    "list[str]": (lambda v: isinstance(v, _SEQUENCES) and all(isinstance(x, str) for x in v), "a list of strings"),
    "Iterable[dict[str, Any]]": (lambda v: isinstance(v, _SEQUENCES) and all(isinstance(x, dict) for x in v),
                                 "a list of objects"),
    "list[dict[str, Any]]": (lambda v: isinstance(v, _SEQUENCES) and all(isinstance(x, dict) for x in v),
                             "a list of objects"),
    "dict[str, Any]": (lambda v: isinstance(v, dict), "an object"),
    "dict[str, str]": (lambda v: isinstance(v, dict) and all(isinstance(x, str) for x in v.values()),
                       "an object of strings"),
}


_JSON_VALUES = (str, int, float, bool, list, dict, type(None))


def _misfit(annotation: str, value: object) -> str:
    """What a seed's ``value`` should have been, by the builder's ``annotation`` (a string: the builders'
    modules postpone their annotations); "" when it fits."""
    alternatives = [part.strip() for part in annotation.split(" | ")]
    if any(part in _JSON_TYPES and _JSON_TYPES[part][0](value) for part in alternatives):
        return ""
    if any(part not in _JSON_TYPES for part in alternatives) and not isinstance(value, _JSON_VALUES):
        return ""  # a Python object (a PasswordPolicy given to add_pool): the builder checks it
    return " or ".join(_JSON_TYPES[part][1] for part in alternatives if part in _JSON_TYPES)


def _a(what: str) -> str:
    return f"an {what}" if what.startswith("identity") else f"a {what}"


def _json_text(value: object) -> str:
    text = json.dumps(value)
    return text if len(text) <= 40 else text[:37] + "..."


def add_pool(svc: Service, entry: object) -> PoolRecord:
    """Build one pool entry of a seed, with its clients and users."""
    if not isinstance(entry, dict):
        raise ValueError(f"seed: a pool is a JSON object, not {_json_text(entry)}")
    settings = dict(entry)
    clients = settings.pop("clients", None) or []
    users = settings.pop("users", None) or []
    for key, value in (("clients", clients), ("users", users)):
        if not isinstance(value, (list, tuple)):
            raise ValueError(f"seed: a pool's {key} is a list, not {_json_text(value)}")
    pool = build_pool(svc, **_check_keys(build_pool, settings, "pool", {"description"}))
    for client in clients:
        build_client(svc, pool, **_check_keys(build_client, client, "client", {"description"}))
    for user in users:
        build_user(svc, pool, **_check_keys(build_user, user, "user", {"description"}))
    return pool


def apply_seed(svc: Service, seed: dict[str, Any]) -> list[PoolRecord]:
    unknown = set(seed) - {"region", "pools", "identity_pools", "description"}
    if unknown:
        raise ValueError(f"seed: unknown top-level key(s) {sorted(unknown)}")
    region = seed.get("region")
    if region is not None and not (isinstance(region, str) and REGION.fullmatch(region)):
        raise ValueError(f"seed: region is an AWS region such as \"us-east-1\", not {_json_text(region)}")
    pools = seed.get("pools") or []
    if not isinstance(pools, list):
        raise ValueError("seed: pools is a list")
    identity_pools = seed.get("identity_pools") or []
    if not isinstance(identity_pools, list):
        raise ValueError("seed: identity_pools is a list")
    try:
        built = [add_pool(svc, entry) for entry in pools]
        for entry in identity_pools:
            build_identity_pool(svc, **_check_keys(build_identity_pool, entry, "identity pool", {"description"}))
    except PoolError as exc:  # what the pool's own rules refuse: a passkey where passkeys are off, an unknown pool
        raise ValueError(f"seed: {exc.message}") from None
    return built


def seed_users(seed: dict[str, Any], pools: list[PoolRecord]) -> list[dict[str, Any]]:
    """The users of a seed as people need them to sign in (the CLI prints this): name, password, pool,
    client, and the attributes and TOTP secret the scenario needs."""
    out: list[dict[str, Any]] = []
    for entry, pool in zip(seed.get("pools") or [], pools, strict=True):
        client_id = next(iter(pool.clients), None)
        for user in entry.get("users") or []:
            attributes = user.get("attributes") or {}
            row: dict[str, Any] = {
                "username": user.get("username") or attributes.get("email") or attributes.get("phone_number"),
                "password": user.get("password"),
                "pool_id": pool.id,
                "client_id": client_id,
            }
            for key in ("email", "phone_number"):
                if attributes.get(key):
                    row[key] = attributes[key]
            if user.get("status", "CONFIRMED") != "CONFIRMED":
                row["status"] = user["status"]
            if user.get("mfa"):
                row["mfa"] = list(user["mfa"])
            if user.get("totp_secret"):
                row["totp_secret"] = user["totp_secret"]
            if user.get("passkey_file"):
                row["passkey_file"] = user["passkey_file"]
            if user.get("description"):
                row["description"] = user["description"]
            out.append(row)
    return out
