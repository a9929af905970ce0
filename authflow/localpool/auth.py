"""Sign-in: InitiateAuth, RespondToAuthChallenge, and AssociateSoftwareToken / VerifySoftwareToken.

The order of a sign-in, as Cognito runs it:

    first factor   password (USER_PASSWORD_AUTH, USER_AUTH PASSWORD), SRP (USER_SRP_AUTH, PASSWORD_SRP,
                   CUSTOM_AUTH with SRP_A), a one-time code (USER_AUTH EMAIL_OTP / SMS_OTP) or a custom
                   challenge (CUSTOM_AUTH)
    status         UNCONFIRMED -> UserNotConfirmedException (before the password); FORCE_CHANGE_PASSWORD ->
                   NEW_PASSWORD_REQUIRED
    device         a remembered DEVICE_KEY -> DEVICE_SRP_AUTH, DEVICE_PASSWORD_VERIFIER (instead of MFA)
    MFA            preferred / only method -> SMS_MFA, SOFTWARE_TOKEN_MFA, EMAIL_OTP; several -> SELECT_MFA_TYPE;
                   none while the pool requires MFA -> MFA_SETUP
    tokens         AuthenticationResult (+ NewDeviceMetadata when the pool tracks devices)

One-time-code first factors and custom challenges skip the MFA step, as in Cognito.
Every step issues a new Session bound to the user, the app client and the expected ChallengeName.
"""

from __future__ import annotations

import base64
import hmac
import json
import logging
import os
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from authflow import srp
from authflow.errors import SRPError
from authflow.localpool import errors as e
from authflow.localpool import webauthn_rp
from authflow.localpool.codes import check_secret_hash, new_code, new_totp_secret, totp_step
from authflow.localpool.errors import (
    PoolError,
    invalid_parameter,
    missing_parameter,
    not_authorized,
    resource_not_found,
    user_not_found,
)
from authflow.localpool.model import (
    CONFIRMED,
    EMAIL_OTP,
    FORCE_CHANGE_PASSWORD,
    MFA_METHODS,
    NEW_PASSWORD_WORDING,
    RESET_REQUIRED,
    SMS_MFA,
    SOFTWARE_TOKEN_MFA,
    UNCONFIRMED,
    AppClient,
    DeviceRecord,
    PasswordRecord,
    PoolRecord,
    User,
    mask_email,
    mask_phone,
    new_device_key,
)
from authflow.localpool.params import enum_value, optional_str, required_str, string_map
from authflow.localpool.sessions import SIGN_UP_CONFIRMED, AuthSession, SignIn
from authflow.localpool.users import first_factors

if TYPE_CHECKING:
    from authflow.localpool.service import Service

log = logging.getLogger("authflow.localpool")

AUTH_FLOWS = (
    "USER_SRP_AUTH", "REFRESH_TOKEN_AUTH", "REFRESH_TOKEN", "CUSTOM_AUTH", "ADMIN_NO_SRP_AUTH",
    "USER_PASSWORD_AUTH", "ADMIN_USER_PASSWORD_AUTH", "USER_AUTH",
)
CHALLENGE_NAMES = (
    "SMS_MFA", "EMAIL_OTP", "SOFTWARE_TOKEN_MFA", "SELECT_MFA_TYPE", "MFA_SETUP", "PASSWORD_VERIFIER",
    "CUSTOM_CHALLENGE", "SELECT_CHALLENGE", "DEVICE_SRP_AUTH", "DEVICE_PASSWORD_VERIFIER",
    "ADMIN_NO_SRP_AUTH", "NEW_PASSWORD_REQUIRED", "SMS_OTP", "PASSWORD", "WEB_AUTHN", "PASSWORD_SRP",
)
#: WebAuthnConfiguration.FactorConfiguration where a passkey with user verification satisfies MFA.
MULTI_FACTOR = "MULTI_FACTOR_WITH_USER_VERIFICATION"
PREFERRED_CHALLENGES = ("PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN")
#: Random bytes in a SECRET_BLOCK (real ones are about 1.3 KB of encrypted state).
SECRET_BLOCK_BYTES = 512
#: SRP_A longer than this many hex digits is refused (N has 768).
MAX_SRP_A_HEX = 1024
_COMPACT = (",", ":")
#: The key of a managed sign-in's last answer (instead of AuthenticationResult): the internal username.
MANAGED_LOGIN_DONE = "SignedIn"


def _json(value: Any) -> str:
    return json.dumps(value, separators=_COMPACT)


def parse_srp_a(text: str | None) -> int:
    if not text:
        raise missing_parameter("SRP_A")
    if len(text) > MAX_SRP_A_HEX or re.fullmatch(r"[0-9a-fA-F]+", text) is None:
        raise invalid_parameter("Invalid SRP_A value.")
    value = int(text, 16)
    if value % srp.N == 0 or value >= srp.N:
        raise invalid_parameter("Invalid SRP_A value.")
    return value


# --- one step of a sign-in --------------------------------------------------------------------------


@dataclass
class AuthStep:
    """Everything a step of a sign-in needs: the service, the pool, the app client, the sign-in so far,
    and the user (None for the decoy sign-in of an unknown user under PreventUserExistenceErrors)."""

    svc: Service
    pool: PoolRecord
    client: AppClient
    sign_in: SignIn
    user: User | None

    @property
    def known_user(self) -> User:
        if self.user is None:
            raise not_authorized()
        return self.user

    def challenge(
        self,
        name: str,
        params: dict[str, str] | None = None,
        data: dict[str, Any] | None = None,
        available: list[str] | None = None,
    ) -> dict[str, Any]:
        session = self.svc.sessions.issue(
            name, self.sign_in, self.svc.now(), self.client.auth_session_validity, data
        )
        response: dict[str, Any] = {
            "ChallengeName": name, "Session": session.id, "ChallengeParameters": dict(params or {}),
        }
        if available is not None:
            response["AvailableChallenges"] = available
        return response

    def send_code(self, medium: str, purpose: str, destination: str) -> tuple[str, dict[str, str]]:
        """Send a fresh code to the outbox; returns it and the CODE_DELIVERY_* challenge parameters."""
        code = new_code()
        self.svc.deliver(self.pool, self.known_user, medium, destination, code, purpose)
        masked = mask_phone(destination) if medium == "SMS" else mask_email(destination)
        return code, {"CODE_DELIVERY_DELIVERY_MEDIUM": medium, "CODE_DELIVERY_DESTINATION": masked}

    def tokens(self) -> dict[str, Any]:
        user = self.known_user
        now = self.svc.now()
        if self.sign_in.managed_login:  # the login pages hand out an authorization code instead
            user.failed_password_attempts = user.failed_code_attempts = 0
            return {"ChallengeParameters": {}, MANAGED_LOGIN_DONE: user.username}
        device_key: str | None = None
        metadata: dict[str, str] | None = None
        if self.pool.device_tracking != "off":
            known = user.devices.get(self.sign_in.device_key or "")
            if known is not None:
                known.last_authenticated = now
                device_key = known.key
            else:
                device = DeviceRecord(key=new_device_key(self.pool.region), group_key=user.device_group_key,
                                created=now, last_authenticated=now)
                user.devices[device.key] = device
                device_key = device.key
                metadata = {"DeviceKey": device.key, "DeviceGroupKey": device.group_key}
        result = self.svc.tokens.authentication_result(
            issuer=self.svc.issuer(self.pool.id), client=self.client, user=user, now=now, device_key=device_key,
            sessions_per_user=self.pool.token_sessions_per_user,
        )
        if metadata:
            result["NewDeviceMetadata"] = metadata
        user.failed_password_attempts = user.failed_code_attempts = 0
        return {"ChallengeParameters": {}, "AuthenticationResult": result}


# --- passwords and lockout --------------------------------------------------------------------------


#: Seconds without a failure after which Cognito forgets earlier failures; also the longest lockout.
LOCKOUT_RESET = 900


def _locked(failures: int, last_failure: float, now: float, threshold: int) -> bool:
    """Cognito's lockout: from the ``threshold``-th failure on, 1 s doubling with each further failure,
    at most 15 minutes (docs/protocol.md, "Errors and lockout")."""
    excess = failures - threshold
    return excess >= 0 and now < last_failure + min(2**excess, LOCKOUT_RESET)


def _check_lockout(step: AuthStep) -> None:
    user, now = step.known_user, step.svc.now()
    if user.failed_password_attempts and now - user.last_password_failure > LOCKOUT_RESET:
        user.failed_password_attempts = 0
    if _locked(user.failed_password_attempts, user.last_password_failure, now, step.pool.lockout_threshold):
        raise not_authorized(e.PASSWORD_ATTEMPTS_EXCEEDED)


def _check_code_lockout(step: AuthStep) -> None:
    """After five wrong MFA / one-time codes, over any number of Sessions, the user is locked out the same
    way: even the right code is refused until the lockout ends."""
    user, now = step.known_user, step.svc.now()
    if user.failed_code_attempts and now - user.last_code_failure > LOCKOUT_RESET:
        user.failed_code_attempts = 0
    if _locked(user.failed_code_attempts, user.last_code_failure, now, step.pool.lockout_threshold):
        raise not_authorized(e.TOO_MANY_CODE_ATTEMPTS)


def _code_failed(step: AuthStep, session: AuthSession, error: PoolError) -> PoolError:
    """A wrong code: counted for the user (lockout) and for the Session (which may be retried)."""
    user = step.known_user
    user.failed_code_attempts += 1
    user.last_code_failure = step.svc.now()
    return step.svc.sessions.wrong_answer(session, step.pool.max_code_attempts, error)


def _password_failed(step: AuthStep) -> PoolError:
    if step.user is not None:
        step.user.failed_password_attempts += 1
        step.user.last_password_failure = step.svc.now()
    return not_authorized(e.INCORRECT_CREDENTIALS)


def _check_password(step: AuthStep, password: str) -> None:
    user = step.user
    if user is None:
        raise not_authorized()
    _check_lockout(step)
    if user.password is None or not user.password.check(password):
        raise _password_failed(step)


def _gate(step: AuthStep) -> None:
    """What stops a sign-in before any credential is looked at."""
    user = step.known_user
    if not user.enabled:
        raise not_authorized(e.USER_DISABLED)
    if user.status == RESET_REQUIRED:
        raise PoolError("PasswordResetRequiredException", e.PASSWORD_RESET_REQUIRED)
    if user.status == UNCONFIRMED:
        # Whatever the password: "Cognito will return a UserNotConfirmedException regardless of the password
        # being correct" (Amplify's maintainers, amplify-flutter#3407; an AWS engineer called it intended in
        # amazon-cognito-identity-js#288), so that an app can send the person to the confirmation step.
        raise PoolError("UserNotConfirmedException", e.USER_NOT_CONFIRMED)
    _check_lockout(step)
    device_key = step.sign_in.device_key
    if step.pool.device_tracking == "off":
        step.sign_in.device_key = None
    elif device_key and device_key not in user.devices:
        raise PoolError("ResourceNotFoundException", e.DEVICE_NOT_FOUND)


# --- after the first factor ----------------------------------------------------------------------------


def _after_first_factor(step: AuthStep) -> dict[str, Any]:
    user = step.known_user
    if user.status == UNCONFIRMED:  # (a sign-in begun before the user was unconfirmed; see _gate)
        raise PoolError("UserNotConfirmedException", e.USER_NOT_CONFIRMED)
    if user.status == FORCE_CHANGE_PASSWORD:
        attributes = {k: v for k, v in user.attributes.items() if k != "sub"}
        missing = [f"userAttributes.{a}" for a in step.pool.required_attributes if not user.attributes.get(a)]
        return step.challenge("NEW_PASSWORD_REQUIRED", {
            "USER_ID_FOR_SRP": user.username,
            "requiredAttributes": _json(missing),
            "userAttributes": _json(attributes),
        })
    return _second_factor(step)


def _second_factor(step: AuthStep) -> dict[str, Any]:
    user, pool = step.known_user, step.pool
    device = user.devices.get(step.sign_in.device_key or "")
    if device is not None and device.confirmed and device.remembered:
        return step.challenge("DEVICE_SRP_AUTH", {})
    methods = user.mfa_methods(pool)
    if methods:
        if user.preferred_mfa in methods:
            return _mfa_challenge(step, user.preferred_mfa)
        if len(methods) == 1:
            return _mfa_challenge(step, methods[0])
        return step.challenge("SELECT_MFA_TYPE", {"MFAS_CAN_CHOOSE": _json(methods)}, {"choices": methods})
    if pool.mfa_configuration == "ON":
        can_setup = [m for m in MFA_METHODS if m in pool.mfa_types]
        return step.challenge("MFA_SETUP", {"MFAS_CAN_SETUP": _json(can_setup)})
    return step.tokens()


def _mfa_challenge(step: AuthStep, method: str) -> dict[str, Any]:
    user = step.known_user
    if method == SOFTWARE_TOKEN_MFA:
        return step.challenge(SOFTWARE_TOKEN_MFA, {})
    if method == SMS_MFA:
        code, params = step.send_code("SMS", SMS_MFA, user.attributes["phone_number"])
    else:
        code, params = step.send_code("EMAIL", EMAIL_OTP, user.attributes["email"])
    return step.challenge(method, params, {"code": code, "purpose": "mfa"})


# --- SRP ----------------------------------------------------------------------------------------------


def _password_verifier_challenge(step: AuthStep, big_a: int) -> dict[str, Any]:
    if step.user is not None and step.user.password is not None:
        user_id = step.user.username
        salt_hex, verifier = step.user.password.salt_hex, step.user.password.verifier
    else:
        # The decoy for an unknown user (Cognito's "simulated response"): the same SALT and the same internal
        # user id, in UUID format, each time for the name in this pool; a verifier of nothing.
        typed = step.sign_in.typed_username
        digest = hmac.new(step.svc.decoy_key, f"{step.pool.id}/{typed}".encode(), "sha256").digest()
        salt_hex = format(int.from_bytes(digest[:16], "big"), "x")
        user_id = str(uuid.UUID(bytes=digest[16:32], version=4))
        verifier = int.from_bytes(os.urandom(384), "big") % srp.N
    ephemeral = srp.ServerEphemeral(verifier)
    srp_b = ephemeral.srp_b
    malicious = step.svc.faults.srp_b
    if malicious == "zero":
        srp_b = "0"
    elif malicious == "N":
        srp_b = format(srp.N, "x")
    secret_block = base64.b64encode(os.urandom(SECRET_BLOCK_BYTES)).decode()
    data = {"ephemeral": ephemeral, "A": big_a, "secret_block": secret_block, "user_id": user_id,
            "malicious": malicious is not None}
    return step.challenge("PASSWORD_VERIFIER", {
        "SALT": salt_hex, "SECRET_BLOCK": secret_block, "SRP_B": srp_b,
        "USERNAME": user_id, "USER_ID_FOR_SRP": user_id,
    }, data)


def _srp_proof_ok(
    step: AuthStep, session: AuthSession, responses: dict[str, str], pool_name: str, user_id: str
) -> bool:
    """PASSWORD_CLAIM_SIGNATURE, PASSWORD_CLAIM_SECRET_BLOCK and TIMESTAMP of a (DEVICE_)PASSWORD_VERIFIER."""
    for name in ("PASSWORD_CLAIM_SIGNATURE", "PASSWORD_CLAIM_SECRET_BLOCK", "TIMESTAMP"):
        if not responses.get(name):
            raise missing_parameter(name)
    data = session.data
    block = responses["PASSWORD_CLAIM_SECRET_BLOCK"]
    if not step.svc.sessions.secret_block_matches(session, block) or data["malicious"]:
        return False
    timestamp = responses["TIMESTAMP"]
    moment = srp.parse_timestamp(timestamp)
    if moment is None or abs(moment.timestamp() - step.svc.now()) > step.svc.timestamp_tolerance:
        return False
    try:
        key = data["ephemeral"].session_key(data["A"])
        expected = srp.claim_signature(key, pool_name, user_id, block, timestamp)
    except SRPError:
        return False
    return hmac.compare_digest(expected.encode(), responses["PASSWORD_CLAIM_SIGNATURE"].encode())


def prove_before_lock(svc: Service, p: dict[str, Any]) -> None:
    """Before the service's lock: the SRP session key of a (DEVICE_)PASSWORD_VERIFIER answer, remembered by
    the Session's ephemeral, so concurrent sign-ins do their heaviest math on several cores (gmpy2 releases
    the GIL) and the handler finds it ready. It checks and changes nothing: the handler does all of that."""
    responses = p.get("ChallengeResponses")
    if p.get("ChallengeName") not in _FOUND_BY_SECRET_BLOCK or not isinstance(responses, dict):
        return
    session_id, block = p.get("Session"), responses.get("PASSWORD_CLAIM_SECRET_BLOCK")
    with svc.lock:
        found = svc.sessions.find(session_id if isinstance(session_id, str) else None,
                                  block if isinstance(block, str) else None)
        data = dict(found.data) if found is not None else {}
    ephemeral, big_a = data.get("ephemeral"), data.get("A")
    if not isinstance(ephemeral, srp.ServerEphemeral) or not isinstance(big_a, int):
        return
    try:
        ephemeral.session_key(big_a)
    except SRPError:
        return  # an A no client may send: the handler refuses it under the lock


def _answer_password_verifier(step: AuthStep, session: AuthSession, responses: dict[str, str]) -> dict[str, Any]:
    user_id = str(session.data["user_id"])
    if step.user is not None:
        _check_lockout(step)
    ok = _srp_proof_ok(step, session, responses, srp.pool_name_of(step.pool.id), user_id)
    if not ok or step.user is None or responses["USERNAME"] != user_id:
        raise _password_failed(step)
    if responses.get("DEVICE_KEY") and not step.sign_in.device_key:
        step.sign_in.device_key = responses["DEVICE_KEY"]
        _gate(step)
    if step.sign_in.auth_flow == "CUSTOM_AUTH":
        step.sign_in.history.append(
            {"challengeName": "PASSWORD_VERIFIER", "challengeResult": True, "challengeMetadata": None}
        )
        return _custom_next(step)
    return _after_first_factor(step)


# --- InitiateAuth -----------------------------------------------------------------------------------


def initiate_auth(svc: Service, p: dict[str, Any]) -> dict[str, Any]:
    pool, client = svc.client(required_str(p, "ClientId"))
    flow = enum_value(p, "AuthFlow", AUTH_FLOWS)
    if flow in _ADMIN_FLOWS:
        raise invalid_parameter("Initiate Auth method not supported.")
    return _initiate(svc, pool, client, flow, p)


def admin_initiate_auth(svc: Service, p: dict[str, Any]) -> dict[str, Any]:
    """AdminInitiateAuth: the same flows, plus ADMIN_USER_PASSWORD_AUTH (a password, server side)."""
    pool = svc.pool(required_str(p, "UserPoolId"))
    client_id = required_str(p, "ClientId")
    if client_id not in pool.clients:
        raise resource_not_found(f"User pool client {client_id} does not exist.")
    flow = enum_value(p, "AuthFlow", AUTH_FLOWS)
    if flow == "USER_PASSWORD_AUTH":
        raise invalid_parameter("Initiate Auth method not supported.")
    return _initiate(svc, pool, pool.clients[client_id], flow, p)


_ADMIN_FLOWS = ("ADMIN_NO_SRP_AUTH", "ADMIN_USER_PASSWORD_AUTH")


def _initiate(svc: Service, pool: PoolRecord, client: AppClient, flow: str, p: dict[str, Any]) -> dict[str, Any]:
    params = string_map(p, "AuthParameters")
    if not client.allows(flow):
        raise invalid_parameter(f"{flow} flow not enabled for this client")
    if flow in ("REFRESH_TOKEN_AUTH", "REFRESH_TOKEN"):
        token = params.get("REFRESH_TOKEN")
        if not token:
            raise missing_parameter("REFRESH_TOKEN")
        if client.refresh_token_rotation:
            raise invalid_parameter(
                f"{flow} is not available while refresh token rotation is enabled for this client: "
                "use GetTokensFromRefreshToken"
            )
        return _refresh(svc, pool, client, token, params.get("DEVICE_KEY"), secret_hash=params.get("SECRET_HASH"))
    typed = params.get("USERNAME")
    if not typed:
        raise missing_parameter("USERNAME")
    check_secret_hash(client, typed, params.get("SECRET_HASH"))
    sign_in = SignIn(
        pool_id=pool.id, client_id=client.id, username=None, typed_username=typed, auth_flow=flow,
        device_key=params.get("DEVICE_KEY"), client_metadata=string_map(p, "ClientMetadata"),
    )
    step = AuthStep(svc, pool, client, sign_in, None)
    session_id = optional_str(p, "Session")
    if session_id is not None:
        if flow != "USER_AUTH":
            raise invalid_parameter(f"Session is not accepted with {flow}")
        return _start_after_sign_up(step, session_id)
    starts: dict[str, Callable[[AuthStep, dict[str, str]], dict[str, Any]]] = {
        "USER_SRP_AUTH": _start_srp,
        "USER_PASSWORD_AUTH": _start_password,
        "ADMIN_USER_PASSWORD_AUTH": _start_password,
        "ADMIN_NO_SRP_AUTH": _start_password,
        "USER_AUTH": _start_user_auth,
        "CUSTOM_AUTH": _start_custom,
    }
    return starts[flow](step, params)


def managed_sign_in(svc: Service, pool: PoolRecord, client: AppClient, username: str, password: str) -> dict[str, Any]:
    """The managed login page's password: the same checks and challenges as USER_PASSWORD_AUTH (whatever the
    client's ExplicitAuthFlows, as Cognito's hosted pages), ending in ``{MANAGED_LOGIN_DONE: username}``."""
    if not username:
        raise missing_parameter("USERNAME")
    sign_in = SignIn(pool_id=pool.id, client_id=client.id, username=None, typed_username=username,
                     auth_flow="USER_PASSWORD_AUTH", managed_login=True)
    return _start_password(AuthStep(svc, pool, client, sign_in, None), {"PASSWORD": password})


def managed_after_sign_up(
    svc: Service, pool: PoolRecord, client: AppClient, username: str, session_id: str
) -> dict[str, Any]:
    """The managed login's sign-in right after its sign-up page confirmed the user: USER_AUTH with the
    Session ConfirmSignUp returned (Amplify's autoSignIn rules: once, same client, within its validity), then
    the user's challenges as any sign-in, ending in ``{MANAGED_LOGIN_DONE: username}``."""
    sign_in = SignIn(pool_id=pool.id, client_id=client.id, username=None, typed_username=username,
                     auth_flow="USER_AUTH", managed_login=True)
    return _start_after_sign_up(AuthStep(svc, pool, client, sign_in, None), session_id)


def managed_respond(
    svc: Service, pool: PoolRecord, client: AppClient, name: str, session_id: str, responses: dict[str, str]
) -> dict[str, Any]:
    """A challenge of a managed sign-in answered on the login pages (RespondToAuthChallenge's rules)."""
    return _respond(svc, pool, client, {"ChallengeName": name, "Session": session_id,
                                        "ChallengeResponses": responses}, managed=True)


def _find_user(step: AuthStep) -> User | None:
    """The user named at InitiateAuth; UserNotFoundException unless the client hides user existence."""
    user = step.pool.find(step.sign_in.typed_username)
    if user is None:
        if step.client.prevent_user_existence_errors != "ENABLED":
            raise user_not_found()
        return None
    step.user = user
    step.sign_in.username = user.username
    _gate(step)
    return user


def _start_password(step: AuthStep, params: dict[str, str]) -> dict[str, Any]:
    password = params.get("PASSWORD")
    if not password:
        raise missing_parameter("PASSWORD")
    if _find_user(step) is None:
        raise not_authorized()
    _check_password(step, password)
    return _after_first_factor(step)


def _start_srp(step: AuthStep, params: dict[str, str]) -> dict[str, Any]:
    big_a = parse_srp_a(params.get("SRP_A"))
    _find_user(step)
    return _password_verifier_challenge(step, big_a)


# --- USER_AUTH (choice-based sign-in) ---------------------------------------------------------------


def _first_factors(step: AuthStep) -> list[str]:
    if step.user is None:
        return ["PASSWORD", "PASSWORD_SRP"] if "PASSWORD" in step.pool.allowed_first_auth_factors else []
    return first_factors(step.pool, step.user)


def _start_user_auth(step: AuthStep, params: dict[str, str]) -> dict[str, Any]:
    preferred = params.get("PREFERRED_CHALLENGE")
    if preferred is not None and preferred not in PREFERRED_CHALLENGES:
        raise invalid_parameter(f"Invalid PREFERRED_CHALLENGE: {preferred}")
    _find_user(step)
    available = _first_factors(step)
    if preferred in available:
        return _first_factor(step, str(preferred), params)
    data: dict[str, Any] = {"available": available}
    options: dict[str, str] = {}
    if "WEB_AUTHN" in available:  # for an answer in one step: ANSWER=WEB_AUTHN with CREDENTIAL
        data["webauthn_challenge"], options = webauthn_rp.request_options(step.pool, step.known_user)
    return step.challenge("SELECT_CHALLENGE", options, data, available=available)


def _start_after_sign_up(step: AuthStep, session_id: str) -> dict[str, Any]:
    """USER_AUTH with the Session ConfirmSignUp returned: that Session is the first factor, once, for
    the user it was issued to, from the same app client, within its validity."""
    svc = step.svc
    session = svc.sessions.take(svc.sessions.find(session_id), SIGN_UP_CONFIRMED, step.client.id, svc.now())
    user = _find_user(step)
    if user is None or user.username != session.sign_in.username:
        raise not_authorized(e.SESSION_UNKNOWN)
    svc.sessions.consume(session)
    return _after_first_factor(step)


def _first_factor(step: AuthStep, factor: str, values: dict[str, str]) -> dict[str, Any]:
    """Run the first factor ``factor`` with the PASSWORD / SRP_A found in ``values``."""
    if factor == "PASSWORD":
        password = values.get("PASSWORD")
        if not password:
            raise missing_parameter("PASSWORD")
        _check_password(step, password)
        return _after_first_factor(step)
    if factor == "PASSWORD_SRP":
        return _password_verifier_challenge(step, parse_srp_a(values.get("SRP_A")))
    user = step.known_user
    if factor == "WEB_AUTHN":
        challenge, options = webauthn_rp.request_options(step.pool, user)
        return step.challenge("WEB_AUTHN", options, {"webauthn_challenge": challenge})
    if factor == "EMAIL_OTP":
        code, params = step.send_code("EMAIL", "EMAIL_OTP", user.attributes["email"])
    else:
        code, params = step.send_code("SMS", "SMS_OTP", user.attributes["phone_number"])
    return step.challenge(factor, params, {"code": code, "purpose": "first_factor"})


def _answer_select_challenge(step: AuthStep, session: AuthSession, responses: dict[str, str]) -> dict[str, Any]:
    answer = responses.get("ANSWER")
    if not answer:
        raise missing_parameter("ANSWER")
    if answer not in session.data["available"]:
        raise PoolError("InvalidParameterException", f"Invalid ANSWER: {answer} is not an available challenge",
                        keep_session=True)
    if answer == "WEB_AUTHN" and "CREDENTIAL" in responses:
        return _answer_web_authn(step, session, responses)
    return _first_factor(step, answer, responses)


def _answer_web_authn(step: AuthStep, session: AuthSession, responses: dict[str, str]) -> dict[str, Any]:
    """A passkey assertion, checked against the challenge this Session carried (webauthn_rp)."""
    raw = responses.get("CREDENTIAL")
    if not raw:
        raise missing_parameter("CREDENTIAL")
    user, pool = step.known_user, step.pool
    verified = webauthn_rp.verify_assertion(pool, user, webauthn_rp.credential_document(raw),
                                            str(session.data["webauthn_challenge"]),
                                            require_user_verification=user.webauthn_mfa)
    if user.status == UNCONFIRMED:
        raise PoolError("UserNotConfirmedException", e.USER_NOT_CONFIRMED)
    if pool.mfa_configuration == "ON" and not (
        verified and (pool.web_authn.factor_configuration == MULTI_FACTOR or user.webauthn_mfa)
    ):
        # MFA is required and this passkey sign-in is one factor only (no user verification, or the pool
        # counts a passkey as a single factor): the user's MFA follows, as after a password.
        return _second_factor(step)
    return step.tokens()


# --- codes: SMS_MFA, EMAIL_OTP, SMS_OTP, SOFTWARE_TOKEN_MFA ------------------------------------------


def _code_answer(key: str) -> Callable[[AuthStep, AuthSession, dict[str, str]], dict[str, Any]]:
    def answer(step: AuthStep, session: AuthSession, responses: dict[str, str]) -> dict[str, Any]:
        code = responses.get(key)
        if not code:
            raise missing_parameter(key)
        _check_code_lockout(step)
        if not hmac.compare_digest(code.encode(), str(session.data["code"]).encode()):
            raise _code_failed(step, session, e.code_mismatch())
        user = step.known_user
        purpose = session.data["purpose"]
        if purpose == "first_factor":
            if user.status == UNCONFIRMED:
                raise PoolError("UserNotConfirmedException", e.USER_NOT_CONFIRMED)
            return step.tokens()
        if purpose == "setup_email":
            user.attributes["email"] = str(session.data["email"])
            user.attributes["email_verified"] = "true"
            user.mfa_enabled.add(EMAIL_OTP)
            user.preferred_mfa = user.preferred_mfa or EMAIL_OTP
        return step.tokens()

    return answer


def _answer_totp(step: AuthStep, session: AuthSession, responses: dict[str, str]) -> dict[str, Any]:
    code = responses.get("SOFTWARE_TOKEN_MFA_CODE")
    if not code:
        raise missing_parameter("SOFTWARE_TOKEN_MFA_CODE")
    user = step.known_user
    _check_code_lockout(step)
    matched = totp_step(user.totp_secret or "", code, step.svc.now()) if user.totp_secret else None
    if matched is None:
        raise _code_failed(step, session, e.code_mismatch())
    if matched <= user.last_totp_step:
        raise _code_failed(step, session, PoolError("ExpiredCodeException", e.TOTP_REUSED))
    user.last_totp_step = matched
    return step.tokens()


# --- NEW_PASSWORD_REQUIRED, SELECT_MFA_TYPE, MFA_SETUP ------------------------------------------------


def _answer_new_password(step: AuthStep, session: AuthSession, responses: dict[str, str]) -> dict[str, Any]:
    user, pool = step.known_user, step.pool
    new_password = responses.get("NEW_PASSWORD")
    if not new_password:
        raise missing_parameter("NEW_PASSWORD")
    violation = pool.password_policy.violation(new_password, NEW_PASSWORD_WORDING)
    if violation:
        raise PoolError("InvalidPasswordException", violation, keep_session=True)
    prefix = "userAttributes."
    updates = {k[len(prefix):]: v for k, v in responses.items() if k.startswith(prefix)}
    if "sub" in updates:
        raise invalid_parameter("Cannot modify the non-mutable attribute sub")
    for name in pool.required_attributes:
        if not (updates.get(name) or user.attributes.get(name)):
            raise PoolError(
                "InvalidParameterException",
                f"Attributes did not conform to the schema: {name}: The attribute is required",
                keep_session=True,
            )
    user.password = PasswordRecord(pool.id, user.username, new_password)
    user.status = CONFIRMED
    user.attributes.update(updates)
    user.modified = step.svc.now()
    return _second_factor(step)


def _answer_select_mfa_type(step: AuthStep, session: AuthSession, responses: dict[str, str]) -> dict[str, Any]:
    answer = responses.get("ANSWER")
    if not answer:
        raise missing_parameter("ANSWER")
    if answer == "EMAIL_MFA":
        answer = EMAIL_OTP
    if answer not in session.data["choices"]:
        raise PoolError("InvalidParameterException", f"Invalid ANSWER: {answer} is not in MFAS_CAN_CHOOSE",
                        keep_session=True)
    return _mfa_challenge(step, answer)


def _answer_mfa_setup(step: AuthStep, session: AuthSession, responses: dict[str, str]) -> dict[str, Any]:
    user, pool = step.known_user, step.pool
    if session.data.get("totp_verified"):
        user.totp_secret = str(session.data["totp_secret"])
        user.last_totp_step = int(session.data["totp_step"])
        name = session.data.get("totp_name")
        user.totp_device_name = name if isinstance(name, str) else None
        user.mfa_enabled.add(SOFTWARE_TOKEN_MFA)
        user.preferred_mfa = user.preferred_mfa or SOFTWARE_TOKEN_MFA
        return step.tokens()
    email = responses.get("EMAIL")
    if email:
        if EMAIL_OTP not in pool.mfa_types:
            raise invalid_parameter("Email MFA is not enabled for this user pool.")
        if re.fullmatch(r"[^@\s]+@[^@\s]+", email) is None:
            raise PoolError("InvalidParameterException", "Invalid email address format.", keep_session=True)
        code, params = step.send_code("EMAIL", EMAIL_OTP, email)
        return step.challenge(EMAIL_OTP, params, {"code": code, "purpose": "setup_email", "email": email})
    raise PoolError(
        "InvalidParameterException",
        "MFA_SETUP needs the Session of a successful VerifySoftwareToken, or an EMAIL.",
        keep_session=True,
    )


def _setup_session(svc: Service, session_id: str) -> AuthSession:
    """A live MFA_SETUP Session for AssociateSoftwareToken / VerifySoftwareToken."""
    session = svc.sessions.find(session_id)
    if session is None:
        raise not_authorized(e.SESSION_UNKNOWN)
    return svc.sessions.take(session, "MFA_SETUP", session.sign_in.client_id, svc.now())


def _setup_step(svc: Service, session: AuthSession) -> AuthStep:
    pool, client = svc.client(session.sign_in.client_id)
    user = pool.get(session.sign_in.username or "")
    if user is None:
        raise not_authorized(e.SESSION_UNKNOWN)
    return AuthStep(svc, pool, client, session.sign_in, user)


def associate_software_token(svc: Service, p: dict[str, Any]) -> dict[str, Any]:
    access_token, session_id = optional_str(p, "AccessToken"), optional_str(p, "Session")
    if access_token:
        pool, user, _ = svc.access_token_user(access_token)
        if SOFTWARE_TOKEN_MFA not in pool.mfa_types:
            raise PoolError("SoftwareTokenMFANotFoundException", "Software Token MFA is not enabled for the user pool.")
        user.pending_totp_secret = new_totp_secret()
        return {"SecretCode": user.pending_totp_secret}
    if not session_id:
        raise invalid_parameter("Either AccessToken or Session must be provided.")
    session = _setup_session(svc, session_id)
    step = _setup_step(svc, session)
    if SOFTWARE_TOKEN_MFA not in step.pool.mfa_types:
        raise PoolError("SoftwareTokenMFANotFoundException", "Software Token MFA is not enabled for the user pool.")
    secret = new_totp_secret()
    svc.sessions.consume(session)
    following = step.challenge("MFA_SETUP", data={"totp_secret": secret})
    return {"SecretCode": secret, "Session": following["Session"]}


def _friendly_device_name(p: dict[str, Any]) -> str | None:
    """VerifySoftwareToken's FriendlyDeviceName (optional; a string of at most 131,072 characters)."""
    name = optional_str(p, "FriendlyDeviceName")
    if name is not None and len(name) > 131072:
        raise invalid_parameter("1 validation error detected: Value at 'friendlyDeviceName' failed to satisfy "
                                "constraint: Member must have length less than or equal to 131072")
    return name or None


def verify_software_token(svc: Service, p: dict[str, Any]) -> dict[str, Any]:
    code = required_str(p, "UserCode")
    if re.fullmatch(r"[0-9]{6}", code) is None:
        raise PoolError(
            "InvalidParameterException",
            "1 validation error detected: Value at 'userCode' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: [0-9]+",
            keep_session=True,
        )
    access_token, session_id = optional_str(p, "AccessToken"), optional_str(p, "Session")
    if access_token:
        _, user, _ = svc.access_token_user(access_token)
        if user.pending_totp_secret is None:
            raise PoolError("SoftwareTokenMFANotFoundException", "Software token has not been associated.")
        matched = totp_step(user.pending_totp_secret, code, svc.now())
        if matched is None:
            raise PoolError("EnableSoftwareTokenMFAException", e.TOTP_SETUP_MISMATCH)
        user.totp_secret, user.pending_totp_secret = user.pending_totp_secret, None
        user.last_totp_step = matched
        user.totp_device_name = _friendly_device_name(p)
        return {"Status": "SUCCESS"}
    if not session_id:
        raise invalid_parameter("Either AccessToken or Session must be provided.")
    session = _setup_session(svc, session_id)
    step = _setup_step(svc, session)
    secret = session.data.get("totp_secret")
    if not isinstance(secret, str):
        raise PoolError("SoftwareTokenMFANotFoundException", "Software token has not been associated.")
    matched = totp_step(secret, code, svc.now())
    if matched is None:
        raise svc.sessions.wrong_answer(
            session, step.pool.max_code_attempts,
            PoolError("EnableSoftwareTokenMFAException", e.TOTP_SETUP_MISMATCH),
        )
    svc.sessions.consume(session)
    following = step.challenge("MFA_SETUP", data={
        "totp_secret": secret, "totp_verified": True, "totp_step": matched, "totp_name": _friendly_device_name(p)})
    return {"Status": "SUCCESS", "Session": following["Session"]}


# --- device SRP -----------------------------------------------------------------------------------------


def _session_device(step: AuthStep, responses: dict[str, str]) -> DeviceRecord:
    device_key = responses.get("DEVICE_KEY")
    if not device_key:
        raise missing_parameter("DEVICE_KEY")
    device = step.known_user.devices.get(device_key)
    if device is None:
        raise PoolError("ResourceNotFoundException", e.DEVICE_NOT_FOUND)
    if device_key != step.sign_in.device_key or not device.confirmed:
        raise not_authorized()
    return device


def _answer_device_srp_auth(step: AuthStep, session: AuthSession, responses: dict[str, str]) -> dict[str, Any]:
    device = _session_device(step, responses)
    big_a = parse_srp_a(responses.get("SRP_A"))
    assert device.verifier is not None and device.salt_hex is not None
    ephemeral = srp.ServerEphemeral(device.verifier)
    secret_block = base64.b64encode(os.urandom(SECRET_BLOCK_BYTES)).decode()
    data = {"ephemeral": ephemeral, "A": big_a, "secret_block": secret_block, "user_id": device.key,
            "malicious": False}
    return step.challenge("DEVICE_PASSWORD_VERIFIER", {
        "SRP_B": ephemeral.srp_b, "SALT": device.salt_hex, "SECRET_BLOCK": secret_block,
        "USERNAME": step.known_user.username, "DEVICE_KEY": device.key,
    }, data)


def _answer_device_password_verifier(
    step: AuthStep, session: AuthSession, responses: dict[str, str]
) -> dict[str, Any]:
    device = _session_device(step, responses)
    if not _srp_proof_ok(step, session, responses, device.group_key, device.key):
        raise not_authorized()
    return step.tokens()


# --- CUSTOM_AUTH ------------------------------------------------------------------------------------


def _trigger_event(step: AuthStep, trigger: str, request: dict[str, Any]) -> dict[str, Any]:
    user = step.known_user
    return {
        "version": "1", "triggerSource": trigger, "region": step.pool.region, "userPoolId": step.pool.id,
        "userName": user.username, "callerContext": {"clientId": step.client.id},
        "request": {"userAttributes": dict(user.attributes), "clientMetadata": dict(step.sign_in.client_metadata),
                    **request},
        "response": {},
    }


def _call_hook(hook: Callable[[dict[str, Any]], Any], event: dict[str, Any]) -> dict[str, Any]:
    """A trigger returns the event (as a Lambda does), its response, or None after filling it in.
    A trigger that raises is Cognito's UnexpectedLambdaException (the traceback goes to the log)."""
    try:
        returned = hook(event)
    except Exception as exc:
        log.exception("the %s trigger raised", event["triggerSource"])
        raise PoolError(
            "UnexpectedLambdaException", f"{event['triggerSource']} failed with error {type(exc).__name__}."
        ) from None
    if returned is None:
        return dict(event["response"])
    if isinstance(returned, dict) and isinstance(returned.get("response"), dict):
        return dict(returned["response"])
    if isinstance(returned, dict):
        return returned
    raise PoolError("InvalidLambdaResponseException", "Invalid lambda response.")


def _start_custom(step: AuthStep, params: dict[str, str]) -> dict[str, Any]:
    if step.pool.custom_auth is None:
        raise invalid_parameter("Custom auth lambda trigger is not configured for the user pool.")
    if _find_user(step) is None:
        raise not_authorized()
    if params.get("CHALLENGE_NAME") == "SRP_A":
        big_a = parse_srp_a(params.get("SRP_A"))
        step.sign_in.history.append({"challengeName": "SRP_A", "challengeResult": True, "challengeMetadata": None})
        return _custom_next(step, big_a)
    return _custom_next(step)


def _custom_next(step: AuthStep, srp_a: int | None = None) -> dict[str, Any]:
    """Ask the Define Auth Challenge trigger what comes next. After the SRP_A step (``srp_a`` given) it
    answers PASSWORD_VERIFIER to have the password checked, as Cognito's own example trigger does."""
    hooks = step.pool.custom_auth
    decision = _call_hook(hooks.define, _trigger_event(step, "DefineAuthChallenge_Authentication", {
        "session": [dict(r) for r in step.sign_in.history], "userNotFound": False,
    }))
    if decision.get("failAuthentication"):
        raise not_authorized()
    if decision.get("issueTokens"):
        return step.tokens()
    name = decision.get("challengeName")
    if name == "PASSWORD_VERIFIER" and srp_a is not None:
        return _password_verifier_challenge(step, srp_a)
    if name != "CUSTOM_CHALLENGE":
        raise PoolError("InvalidLambdaResponseException", f"Unsupported challengeName from DefineAuthChallenge: {name}")
    created = _call_hook(hooks.create, _trigger_event(step, "CreateAuthChallenge_Authentication", {
        "challengeName": name, "session": [dict(r) for r in step.sign_in.history], "userNotFound": False,
    }))
    public = {str(k): str(v) for k, v in (created.get("publicChallengeParameters") or {}).items()}
    public.setdefault("USERNAME", step.known_user.username)
    return step.challenge("CUSTOM_CHALLENGE", public, {
        "private": dict(created.get("privateChallengeParameters") or {}),
        "metadata": created.get("challengeMetadata"),
    })


def _answer_custom_challenge(step: AuthStep, session: AuthSession, responses: dict[str, str]) -> dict[str, Any]:
    answer = responses.get("ANSWER")
    if answer is None:
        raise missing_parameter("ANSWER")
    verdict = _call_hook(step.pool.custom_auth.verify, _trigger_event(
        step, "VerifyAuthChallengeResponse_Authentication",
        {"privateChallengeParameters": dict(session.data["private"]), "challengeAnswer": answer,
         "userNotFound": False},
    ))
    step.sign_in.history.append({
        "challengeName": "CUSTOM_CHALLENGE", "challengeResult": bool(verdict.get("answerCorrect")),
        "challengeMetadata": session.data.get("metadata"),
    })
    return _custom_next(step)


# --- RespondToAuthChallenge ---------------------------------------------------------------------------

Answer = Callable[[AuthStep, AuthSession, dict[str, str]], dict[str, Any]]

ANSWERS: dict[str, Answer] = {
    "PASSWORD_VERIFIER": _answer_password_verifier,
    "NEW_PASSWORD_REQUIRED": _answer_new_password,
    "SMS_MFA": _code_answer("SMS_MFA_CODE"),
    "EMAIL_OTP": _code_answer("EMAIL_OTP_CODE"),
    "SMS_OTP": _code_answer("SMS_OTP_CODE"),
    "SOFTWARE_TOKEN_MFA": _answer_totp,
    "SELECT_MFA_TYPE": _answer_select_mfa_type,
    "SELECT_CHALLENGE": _answer_select_challenge,
    "WEB_AUTHN": _answer_web_authn,
    "MFA_SETUP": _answer_mfa_setup,
    "DEVICE_SRP_AUTH": _answer_device_srp_auth,
    "DEVICE_PASSWORD_VERIFIER": _answer_device_password_verifier,
    "CUSTOM_CHALLENGE": _answer_custom_challenge,
}
#: Challenges whose USERNAME must be the internal username exactly; elsewhere an alias of the same user
#: is accepted (Amplify answers USER_AUTH challenges with the name the person typed).
_INTERNAL_USERNAME_ONLY = {"PASSWORD_VERIFIER"}
#: Challenges that pycognito answers without a Session (and works against Cognito): the Session is found
#: by the SECRET_BLOCK it carries; a DEVICE_SRP_AUTH without Session answers the newest one waiting for
#: that user, client and DEVICE_KEY (the password step must still have been passed).
_FOUND_BY_SECRET_BLOCK = {"PASSWORD_VERIFIER", "DEVICE_PASSWORD_VERIFIER"}


def respond_to_auth_challenge(svc: Service, p: dict[str, Any]) -> dict[str, Any]:
    pool, client = svc.client(required_str(p, "ClientId"))
    return _respond(svc, pool, client, p)


def admin_respond_to_auth_challenge(svc: Service, p: dict[str, Any]) -> dict[str, Any]:
    pool = svc.pool(required_str(p, "UserPoolId"))
    client_id = required_str(p, "ClientId")
    if client_id not in pool.clients:
        raise resource_not_found(f"User pool client {client_id} does not exist.")
    return _respond(svc, pool, pool.clients[client_id], p)


def _respond(
    svc: Service, pool: PoolRecord, client: AppClient, p: dict[str, Any], *, managed: bool = False
) -> dict[str, Any]:
    name = enum_value(p, "ChallengeName", CHALLENGE_NAMES)
    responses = string_map(p, "ChallengeResponses")
    session_id = optional_str(p, "Session")
    if name not in ANSWERS:
        raise invalid_parameter(f"{name} can't be answered with RespondToAuthChallenge here.")
    if session_id is None and name == "DEVICE_SRP_AUTH":
        named = pool.find(responses.get("USERNAME", ""))
        found = None if named is None else svc.sessions.latest(
            name, client.id, named.username, responses.get("DEVICE_KEY", ""), svc.now()
        )
    elif session_id is None and name not in _FOUND_BY_SECRET_BLOCK:
        raise missing_parameter("Session")
    else:
        found = svc.sessions.find(session_id, responses.get("PASSWORD_CLAIM_SECRET_BLOCK"))
    session = svc.sessions.take(found, name, client.id, svc.now())
    if not responses.get("USERNAME"):
        raise missing_parameter("USERNAME")
    sign_in = session.sign_in
    if sign_in.managed_login != managed:  # the login pages' Sessions are answered there only, and vice versa
        raise not_authorized(e.SESSION_UNKNOWN)
    try:
        user = pool.get(sign_in.username) if sign_in.username else None
        if sign_in.username and user is None:
            raise not_authorized()
        if not managed:  # the login pages are the pool's own: no SECRET_HASH
            # (an unknown user's decoy SRP: hashed over the made-up internal id, as for a real user)
            decoy_id = session.data.get("user_id") if name == "PASSWORD_VERIFIER" else None
            check_secret_hash(client, sign_in.username or str(decoy_id or sign_in.typed_username),
                              responses.get("SECRET_HASH"))
        step = AuthStep(svc, pool, client, sign_in, user)
        if user is not None:
            if name not in _INTERNAL_USERNAME_ONLY and pool.find(responses["USERNAME"]) is not user:
                raise not_authorized()
            if not user.enabled:
                raise not_authorized(e.USER_DISABLED)
        elif name != "PASSWORD_VERIFIER":
            raise not_authorized()
        result = ANSWERS[name](step, session, responses)
    except PoolError as error:
        if not error.keep_session:
            svc.sessions.consume(session)
        raise
    svc.sessions.consume(session)
    return result


# --- refresh -------------------------------------------------------------------------------------------


def _refresh(
    svc: Service, pool: PoolRecord, client: AppClient, token: str, device_key: str | None,
    *, secret_hash: str | None = None, client_secret: str | None = None, by_secret: bool = False,
) -> dict[str, Any]:
    record = svc.tokens.refresh_record(token, client.id, svc.now())
    user = pool.get(record.username)
    if user is None:
        raise not_authorized(e.INVALID_REFRESH_TOKEN)
    if by_secret:
        if client.secret is not None and not client_secret:
            raise not_authorized(f"Client {client.id} is configured with secret but ClientSecret was not received")
        if client.secret is not None and not hmac.compare_digest(client.secret.encode(), str(client_secret).encode()):
            raise not_authorized(f"Unable to verify secret hash for client {client.id}")
    else:
        check_secret_hash(client, user.username, secret_hash)
    if not user.enabled:
        raise not_authorized(e.USER_DISABLED)
    if record.device_key:
        device = user.devices.get(record.device_key)
        if device_key != record.device_key or device is None or not device.confirmed:
            raise not_authorized(e.INVALID_REFRESH_TOKEN)
    rotate = by_secret and client.refresh_token_rotation
    result = svc.tokens.authentication_result(
        issuer=svc.issuer(pool.id), client=client, user=user, now=svc.now(), auth_time=record.auth_time,
        origin_jti=record.origin_jti, device_key=record.device_key, with_refresh_token=rotate, scope=record.scope,
    )
    if rotate:  # a new refresh token of the same sign-in; the old one lives on for the grace period only
        svc.tokens.retire(token, svc.now() + client.retry_grace_period)
    return {"ChallengeParameters": {}, "AuthenticationResult": result}


def refresh_for_oauth(svc: Service, pool: PoolRecord, client: AppClient, token: str) -> dict[str, Any]:
    """The refresh_token grant of /oauth2/token (the client already authenticated there): the rules of
    GetTokensFromRefreshToken, rotation included."""
    return _refresh(svc, pool, client, token, None, client_secret=client.secret, by_secret=True)


def get_tokens_from_refresh_token(svc: Service, p: dict[str, Any]) -> dict[str, Any]:
    pool, client = svc.client(required_str(p, "ClientId"))
    token = required_str(p, "RefreshToken")
    string_map(p, "ClientMetadata")  # accepted (no Lambda trigger reads it here), but it must be well-formed
    if not client.allows("REFRESH_TOKEN_AUTH"):
        raise invalid_parameter("REFRESH_TOKEN_AUTH flow not enabled for this client")
    result = _refresh(
        svc, pool, client, token, optional_str(p, "DeviceKey"),
        client_secret=optional_str(p, "ClientSecret"), by_secret=True,
    )
    return {"AuthenticationResult": result["AuthenticationResult"]}
