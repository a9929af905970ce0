"""The local pool as a WebAuthn relying party: the options it hands out and the checks of what comes back,
done by Duo's py_webauthn (``webauthn``). Shared by the passkey operations (``passkeys``) and sign-in
(``auth``); it holds no handler.

A registration's challenge is kept on the user until CompleteWebAuthnRegistration uses it (once); a sign-in's
challenge lives in the data of the Session that carried it, and sessions are single-use, so an assertion is
good for one Session only. Checked: the challenge, the type and origin of the client data (``https://<rpId>``
or one of the pool's extra origins), the RP id hash, user verification when the pool requires it, the
signature, and a signature counter that grows.
"""

from __future__ import annotations

import base64
import json
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from authflow.localpool.errors import PoolError, invalid_parameter, not_authorized
from authflow.localpool.limits import PASSKEY_CREDENTIAL_MAX, PASSKEY_TRANSPORT_MAX, PASSKEY_TRANSPORTS_MAX
from authflow.localpool.model import Passkey, PoolRecord, User

if TYPE_CHECKING:
    from webauthn.helpers.structs import PublicKeyCredentialDescriptor, UserVerificationRequirement

# py_webauthn is imported where a passkey is handled, not with the pool: it costs a third of a second, which
# `authflow local-pool` and `authflow demo` would otherwise pay before their first line.

#: Milliseconds a client is given to use a challenge (Cognito sends 180000 at sign-in).
TIMEOUT_MS = 180_000
#: Passkeys a user may have (Cognito: 20).
MAX_PASSKEYS = 20


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def rp_id(pool: PoolRecord) -> str:
    """The pool's relying party id, or the errors Cognito gives when passkeys cannot be used."""
    if "WEB_AUTHN" not in pool.allowed_first_auth_factors:
        raise PoolError("WebAuthnNotEnabledException", "Passkey sign-in is not enabled for this user pool.")
    if not pool.web_authn.relying_party_id:
        raise PoolError("WebAuthnConfigurationMissingException",
                        "The user pool has no WebAuthn relying party id and no domain.")
    return pool.web_authn.relying_party_id


def _origins(pool: PoolRecord, rp: str) -> list[str]:
    return [f"https://{rp}", *pool.web_authn.origins]


def _uv(pool: PoolRecord) -> UserVerificationRequirement:
    from webauthn.helpers.structs import UserVerificationRequirement

    return UserVerificationRequirement(pool.web_authn.user_verification)


def _descriptors(user: User) -> list[PublicKeyCredentialDescriptor]:
    from webauthn.helpers.structs import PublicKeyCredentialDescriptor

    return [PublicKeyCredentialDescriptor(id=p.credential_id) for p in user.passkeys.values()]


def credential_document(value: Any) -> dict[str, Any]:
    """A credential as the SDKs send it: a JSON document, or the same as a JSON string."""
    if isinstance(value, str):
        if len(value) > PASSKEY_CREDENTIAL_MAX:
            raise invalid_parameter(f"Credential is longer than {PASSKEY_CREDENTIAL_MAX} characters.")
        try:
            value = json.loads(value)
        except ValueError:
            raise invalid_parameter("Credential is not valid JSON.") from None
    if not isinstance(value, Mapping) or not isinstance(value.get("response"), Mapping):
        raise invalid_parameter("Credential is not a WebAuthn credential.")
    if len(json.dumps(value)) > PASSKEY_CREDENTIAL_MAX:
        raise invalid_parameter(f"Credential is longer than {PASSKEY_CREDENTIAL_MAX} characters.")
    return dict(value)


def _transports(response: Mapping[str, Any]) -> list[str]:
    """A registration's transports: at most PASSKEY_TRANSPORTS_MAX short strings, each kept once."""
    transports = response.get("transports")
    if transports is None:
        return []
    if (not isinstance(transports, list) or len(transports) > PASSKEY_TRANSPORTS_MAX
            or not all(isinstance(t, str) and 0 < len(t) <= PASSKEY_TRANSPORT_MAX for t in transports)):
        raise invalid_parameter(f"Credential transports are a list of at most {PASSKEY_TRANSPORTS_MAX} names "
                                f"of at most {PASSKEY_TRANSPORT_MAX} characters.")
    return list(dict.fromkeys(transports))


def _client_data(credential: Mapping[str, Any]) -> dict[str, Any]:
    try:
        data = json.loads(_unb64url(str(credential["response"]["clientDataJSON"])))
    except (KeyError, ValueError, TypeError):
        raise invalid_parameter("Credential has no valid clientDataJSON.") from None
    if not isinstance(data, dict):
        raise invalid_parameter("Credential has no valid clientDataJSON.")
    return data


# --- registration --------------------------------------------------------------------------------------


def registration_options(pool: PoolRecord, user: User, now: float) -> dict[str, Any]:
    """CredentialCreationOptions for ``user``; the challenge is kept until it is used or expires."""
    import webauthn
    from webauthn.helpers.structs import AuthenticatorSelectionCriteria, ResidentKeyRequirement

    rp = rp_id(pool)
    if len(user.passkeys) >= MAX_PASSKEYS:
        raise PoolError("LimitExceededException", f"A user can have at most {MAX_PASSKEYS} passkeys.")
    options = webauthn.generate_registration_options(
        rp_id=rp, rp_name=pool.name, user_name=user.attributes.get("email") or user.username,
        user_id=user.sub.encode(), user_display_name=user.attributes.get("name") or user.username,
        timeout=TIMEOUT_MS, exclude_credentials=_descriptors(user),
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED, require_resident_key=True, user_verification=_uv(pool),
        ),
    )
    document: dict[str, Any] = json.loads(webauthn.options_to_json(options))
    user.passkey_registration = (document["challenge"], now + TIMEOUT_MS / 1000)
    return document


def register(pool: PoolRecord, user: User, credential: Mapping[str, Any], now: float) -> Passkey:
    """Check a RegistrationResponseJSON against the user's pending challenge (used up either way)."""
    import webauthn
    from webauthn.helpers.exceptions import WebAuthnException

    rp = rp_id(pool)
    transports = _transports(credential["response"])
    pending, user.passkey_registration = user.passkey_registration, None
    if pending is None or pending[1] < now:
        raise PoolError("WebAuthnChallengeNotFoundException", "No WebAuthn registration is under way for this user.")
    client_data = _client_data(credential)
    if client_data.get("type") != "webauthn.create":
        raise PoolError("WebAuthnClientMismatchException", "The client data is not of a registration.")
    if client_data.get("challenge") != pending[0]:
        raise PoolError("WebAuthnChallengeNotFoundException", "The credential answers another challenge.")
    if client_data.get("origin") not in _origins(pool, rp):
        raise PoolError("WebAuthnOriginNotAllowedException", "The origin of the credential is not allowed.")
    try:
        verified = webauthn.verify_registration_response(
            credential=dict(credential), expected_challenge=_unb64url(pending[0]), expected_rp_id=rp,
            expected_origin=_origins(pool, rp),
            require_user_verification=pool.web_authn.user_verification == "required",
        )
    except WebAuthnException as exc:
        raise _registration_error(str(exc)) from None
    key = b64url(verified.credential_id)
    if key in user.passkeys:
        raise invalid_parameter("This passkey is already registered.")
    attachment = credential.get("authenticatorAttachment")
    passkey = Passkey(
        credential_id=verified.credential_id, public_key=verified.credential_public_key,
        sign_count=verified.sign_count, created=now, name=f"Passkey {len(user.passkeys) + 1}",
        transports=transports,
        attachment=attachment if attachment in ("platform", "cross-platform") else None,
    )
    user.passkeys[key] = passkey
    return passkey


def _registration_error(reason: str) -> PoolError:
    if "RP ID hash" in reason:
        return PoolError("WebAuthnRelyingPartyMismatchException", "The relying party of the credential does not "
                                                                  "match the user pool's.")
    if "algorithm" in reason.lower() or "Unsupported" in reason:
        return PoolError("WebAuthnCredentialNotSupportedException", "This kind of passkey is not supported.")
    return invalid_parameter(f"The passkey registration is not valid: {reason}")


# --- sign-in ---------------------------------------------------------------------------------------------


def request_options(pool: PoolRecord, user: User) -> tuple[str, dict[str, str]]:
    """A fresh challenge and the CREDENTIAL_REQUEST_OPTIONS challenge parameter that carries it."""
    import webauthn

    rp = rp_id(pool)
    challenge = secrets.token_bytes(32)
    options = webauthn.generate_authentication_options(
        rp_id=rp, challenge=challenge, timeout=TIMEOUT_MS, allow_credentials=_descriptors(user),
        user_verification=_uv(pool),
    )
    document = json.loads(webauthn.options_to_json(options))
    for descriptor, passkey in zip(document.get("allowCredentials", []), user.passkeys.values(), strict=True):
        if passkey.transports:
            descriptor["transports"] = passkey.transports
    return b64url(challenge), {"CREDENTIAL_REQUEST_OPTIONS": json.dumps(document, separators=(",", ":"))}


def verify_assertion(pool: PoolRecord, user: User, credential: Mapping[str, Any], challenge: str, *,
                     require_user_verification: bool = False) -> bool:
    """Check an AuthenticationResponseJSON against the Session's challenge and the user's passkeys; moves the
    passkey's counter on; whether the authenticator verified the user (UV). A failure is
    NotAuthorizedException naming what was wrong. User verification is required where the pool says so, or
    ``require_user_verification`` (the user's passkey MFA)."""
    import webauthn
    from webauthn.helpers.exceptions import WebAuthnException

    rp = rp_id(pool)
    passkey = user.passkeys.get(str(credential.get("id", "")))
    if passkey is None:
        raise not_authorized("The passkey is not registered for this user.")
    client_data = _client_data(credential)
    if client_data.get("origin") not in _origins(pool, rp):
        raise not_authorized("The origin of the passkey assertion is not allowed.")
    try:
        verified = webauthn.verify_authentication_response(
            credential=dict(credential), expected_challenge=_unb64url(challenge), expected_rp_id=rp,
            expected_origin=_origins(pool, rp), credential_public_key=passkey.public_key,
            credential_current_sign_count=passkey.sign_count,
            require_user_verification=require_user_verification or pool.web_authn.user_verification == "required",
        )
    except WebAuthnException as exc:
        raise not_authorized(f"The passkey assertion is not valid: {exc}") from None
    passkey.sign_count = verified.new_sign_count
    return bool(verified.user_verified)


def add_software_passkey(pool: PoolRecord, user: User, path: str, now: float) -> None:
    """For seeds: give ``user`` the software passkey in ``path``; a new one is made there when there is no file
    yet, registered for the pool's relying party and the user as a client would be (its file then says so).

    The pool stores the key's credential id and public key as the key itself tells them, with no attestation
    to verify: it made the key here (or was handed the file), and a ``none`` attestation would prove nothing
    more. So py_webauthn is not imported at start; every assertion is checked by it (:func:`verify_assertion`).
    """
    from authflow.passkeys import ES256, SoftwarePasskey, default_origin

    rp = rp_id(pool)
    if Path(path).exists():
        key = SoftwarePasskey(path)
        if key.rp_id != rp:
            raise ValueError(f"{path} holds a passkey for {key.rp_id}, not for {rp}")
    else:
        key = SoftwarePasskey.generate(path)
        key.create_credential({
            "challenge": b64url(secrets.token_bytes(32)), "rp": {"id": rp, "name": pool.name},
            "user": {"id": b64url(user.sub.encode()), "name": user.username},
            "pubKeyCredParams": [{"type": "public-key", "alg": ES256}],
        }, default_origin(rp))
    user.passkeys[b64url(key.credential_id)] = Passkey(
        credential_id=key.credential_id, public_key=key.cose_public_key(), sign_count=key.sign_count,
        created=now, name="Software passkey", transports=["internal"], attachment="platform",
    )
