"""One module per challenge (and per state of the engine's own): pure code that asks, checks the answer and
says which Cognito requests to send. No I/O here; the engine in ``authflow/`` does the talking. The shape of
a module is described in ``states/base.py``.

========================== ==============================
State                      module
========================== ==============================
start                      states/start.py
awaiting_password          states/awaiting_password.py
PASSWORD_VERIFIER          states/password_verifier.py
SMS_MFA                    states/sms_mfa.py
SOFTWARE_TOKEN_MFA         states/software_token_mfa.py
EMAIL_OTP                  states/email_otp.py
SMS_OTP                    states/sms_otp.py
SELECT_MFA_TYPE            states/select_mfa_type.py
SELECT_CHALLENGE           states/select_challenge.py
NEW_PASSWORD_REQUIRED      states/new_password_required.py
MFA_SETUP (and _TOTP,      states/mfa_setup.py
_EMAIL)
CUSTOM_CHALLENGE           states/custom_challenge.py
DEVICE_SRP_AUTH            states/device_srp_auth.py
DEVICE_PASSWORD_VERIFIER   states/device_password_verifier.py
SIGN_UP                    states/sign_up.py
CONFIRM_SIGN_UP (and       states/confirm_sign_up.py
RESEND_CONFIRMATION_CODE)
FORGOT_PASSWORD,           states/reset_password.py
PASSWORD_RESET_REQUIRED,
CONFIRM_FORGOT_PASSWORD
WEB_AUTHN                  states/web_authn.py
========================== ==============================
"""

from __future__ import annotations

from authflow.states import (
    awaiting_password,
    confirm_sign_up,
    custom_challenge,
    device_password_verifier,
    device_srp_auth,
    email_otp,
    mfa_setup,
    new_password_required,
    password_verifier,
    reset_password,
    select_challenge,
    select_mfa_type,
    sign_up,
    sms_mfa,
    sms_otp,
    software_token_mfa,
    start,
    web_authn,
)
from authflow.states.base import Challenge, State

#: Every state of the sign-in by name: the one registry the engine looks states up in.
REGISTRY: dict[str, State] = {
    state.name: state
    for state in (
        *start.STATES,
        *awaiting_password.STATES,
        *password_verifier.STATES,
        *sms_mfa.STATES,
        *software_token_mfa.STATES,
        *email_otp.STATES,
        *sms_otp.STATES,
        *select_mfa_type.STATES,
        *select_challenge.STATES,
        *new_password_required.STATES,
        *mfa_setup.STATES,
        *custom_challenge.STATES,
        *device_srp_auth.STATES,
        *device_password_verifier.STATES,
        *sign_up.STATES,
        *confirm_sign_up.STATES,
        *reset_password.STATES,
        *web_authn.STATES,
    )
}

__all__ = ["REGISTRY", "Challenge", "State"]
