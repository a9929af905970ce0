"""The users every client of the interoperability suite signs in as: one seed, a fresh server per client.

Pools: ``main`` (MFA optional by SMS, TOTP or email; email auto-verified; USER_AUTH with password, email
and SMS codes; CUSTOM_AUTH triggers), ``setup`` (MFA required: TOTP or email, set up at sign-in) and
``devices`` (devices remembered when the user says so).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from authflow.localpool import LocalUserPool

PASSWORD = "Interop-Passw0rd!"
NEW_PASSWORD = "Interop-Passw0rd-2!"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
MAIN, SETUP, DEVICES = "us-east-1_InteropMain", "us-east-1_InteropSetup", "us-east-1_InteropDevices"
FLOWS = ["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH",
         "ALLOW_USER_AUTH"]


def _user(username: str, *, email: bool = True, phone: bool = False, **extra: Any) -> dict[str, Any]:
    attributes = {"email": f"{username}@example.com", "email_verified": "true"} if email else {}
    if phone:
        attributes.update(phone_number="+15555550100", phone_number_verified="true")
    return {"username": username, "password": PASSWORD, "attributes": attributes, **extra}


def _totp(username: str, **extra: Any) -> dict[str, Any]:
    return _user(username, mfa=["SOFTWARE_TOKEN_MFA"], preferred_mfa="SOFTWARE_TOKEN_MFA",
                 totp_secret=TOTP_SECRET, **extra)


SEED: dict[str, Any] = {"pools": [
    {"id": MAIN, "mfa": "OPTIONAL", "auto_verified_attributes": ["email"],
     "allowed_first_auth_factors": ["PASSWORD", "EMAIL_OTP", "SMS_OTP"],
     "clients": [{"id": "interopmain", "explicit_auth_flows": FLOWS}],
     "users": [
         _user("srp", phone=True), _user("password"), _user("account", phone=True), _user("custom"),
         _user("userauth", phone=True), _user("refresh"), _totp("totp"),
         _user("sms", phone=True, mfa=["SMS_MFA"], preferred_mfa="SMS_MFA"),
         _user("emailmfa", mfa=["EMAIL_OTP"], preferred_mfa="EMAIL_OTP"),
         _user("select", phone=True, mfa=["SMS_MFA", "SOFTWARE_TOKEN_MFA"], totp_secret=TOTP_SECRET),
         _user("newpassword", status="FORCE_CHANGE_PASSWORD"),
     ]},
    {"id": SETUP, "mfa": "ON", "mfa_types": ["SOFTWARE_TOKEN_MFA", "EMAIL_OTP"],
     "clients": [{"id": "interopsetup", "explicit_auth_flows": FLOWS}],
     "users": [_user("totpsetup"), _user("emailsetup", email=False)]},
    {"id": DEVICES, "mfa": "OPTIONAL", "device_tracking": "opt_in",
     "clients": [{"id": "interopdevices", "explicit_auth_flows": FLOWS}],
     "users": [_totp("device")]},
]}


def _define(event: dict[str, Any]) -> None:
    """Cognito's example: SRP_A -> PASSWORD_VERIFIER; then "2 + 3?" until answered, at most 3 times."""
    names = [s["challengeName"] for s in event["request"]["session"]]
    results = [s["challengeResult"] for s in event["request"]["session"]]
    response = event["response"]
    if names == ["SRP_A"]:
        response.update(challengeName="PASSWORD_VERIFIER", issueTokens=False, failAuthentication=False)
    elif names and names[-1] == "CUSTOM_CHALLENGE" and results[-1]:
        response.update(issueTokens=True, failAuthentication=False)
    elif names.count("CUSTOM_CHALLENGE") >= 3 or (names and not results[-1]
                                                   and names[-1] == "PASSWORD_VERIFIER"):
        response.update(issueTokens=False, failAuthentication=True)
    else:
        response.update(challengeName="CUSTOM_CHALLENGE", issueTokens=False, failAuthentication=False)


def _create(event: dict[str, Any]) -> None:
    event["response"].update(publicChallengeParameters={"question": "2 + 3?"},
                             privateChallengeParameters={"answer": "5"}, challengeMetadata="QUIZ")


def _verify(event: dict[str, Any]) -> None:
    request = event["request"]
    event["response"]["answerCorrect"] = request["challengeAnswer"] == request["privateChallengeParameters"]["answer"]


@contextmanager
def interop_pool() -> Iterator[LocalUserPool]:
    with LocalUserPool(SEED) as local:
        local.set_custom_auth(_define, _create, _verify, pool_id=MAIN)
        yield local


def env(local: LocalUserPool) -> dict[str, str]:
    """What a Node script needs to know: where the pools are, the users' password and TOTP secret."""
    return {"ENDPOINT_URL": local.endpoint_url, "MAIN_POOL": MAIN, "MAIN_CLIENT": "interopmain",
            "SETUP_POOL": SETUP, "SETUP_CLIENT": "interopsetup", "DEVICES_POOL": DEVICES,
            "DEVICES_CLIENT": "interopdevices", "PASSWORD": PASSWORD, "NEW_PASSWORD": NEW_PASSWORD,
            "TOTP_SECRET": TOTP_SECRET}


def value(results: dict[str, Any], name: str) -> Any:
    result = results[name]
    assert result["ok"], f"{name}: {result['error']}"
    return result["value"]
