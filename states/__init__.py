"""One module per ChallengeName: pure functions from a challenge to a question and from an answer to
ChallengeResponses. No I/O here; the engine in ``authflow/`` does the talking.

========================== ==============================
ChallengeName              module
========================== ==============================
PASSWORD_VERIFIER          states/password_verifier.py
SMS_MFA                    states/sms_mfa.py
SOFTWARE_TOKEN_MFA         states/software_token_mfa.py
EMAIL_OTP                  states/email_otp.py
SMS_OTP                    states/sms_otp.py
SELECT_MFA_TYPE            states/select_mfa_type.py
SELECT_CHALLENGE           states/select_challenge.py
NEW_PASSWORD_REQUIRED      states/new_password_required.py
MFA_SETUP                  states/mfa_setup.py
CUSTOM_CHALLENGE           states/custom_challenge.py
DEVICE_SRP_AUTH            states/device_srp_auth.py
DEVICE_PASSWORD_VERIFIER   states/device_password_verifier.py
========================== ==============================
"""

from __future__ import annotations

from types import ModuleType

from authflow.states import (
    custom_challenge,
    device_password_verifier,
    device_srp_auth,
    email_otp,
    mfa_setup,
    new_password_required,
    password_verifier,
    select_challenge,
    select_mfa_type,
    sms_mfa,
    sms_otp,
    software_token_mfa,
)
from authflow.states.base import Challenge

#: Challenges a person (or a handler) answers with a prompt; each module has prompt() and responses().
ANSWERED: dict[str, ModuleType] = {
    m.NAME: m
    for m in (sms_mfa, software_token_mfa, email_otp, sms_otp, select_mfa_type, new_password_required,
              custom_challenge)
}

__all__ = [
    "ANSWERED",
    "Challenge",
    "custom_challenge",
    "device_password_verifier",
    "device_srp_auth",
    "email_otp",
    "mfa_setup",
    "new_password_required",
    "password_verifier",
    "select_challenge",
    "select_mfa_type",
    "sms_mfa",
    "sms_otp",
    "software_token_mfa",
]
