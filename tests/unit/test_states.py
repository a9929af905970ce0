"""The pure challenge modules in states/: questions asked and ChallengeResponses built, no server."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from authflow.states import (
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

from authflow import srp, states
from authflow.errors import MalformedResponseError, MissingAnswerError, SRPError, UnsupportedChallengeError
from authflow.prompts import PromptKind

VECTORS = json.loads(
    (Path(__file__).resolve().parents[3] / "shared" / "reference" / "srp-vectors.json").read_text()
)


def challenge(name: str, **parameters: str) -> Challenge:
    return Challenge(name=name, parameters=parameters, username="alice@example.com", user_id="alice")


# --- PASSWORD_VERIFIER on the published vectors ---------------------------------------------------


def test_password_verifier_v1_signature() -> None:
    v = VECTORS["alexrudd_cognito_srp"]
    ch = Challenge(
        name="PASSWORD_VERIFIER",
        parameters={
            "SRP_B": v["SRP_B"],
            "SALT": v["SALT"],
            "SECRET_BLOCK": v["SECRET_BLOCK"],
            "USER_ID_FOR_SRP": v["USER_ID_FOR_SRP"],
            "USERNAME": v["USER_ID_FOR_SRP"],
        },
        username="typed-alias",
    )
    now = datetime(2018, 7, 10, 11, 1, 0, tzinfo=timezone.utc)  # "Tue Jul 10 11:01:00 UTC 2018"
    responses = password_verifier.responses(
        ch, password=v["password"], ephemeral=srp.ClientEphemeral(int(v["a_dec"])),
        pool_name=v["pool_name"], now=now,
    )
    assert responses == {
        "PASSWORD_CLAIM_SECRET_BLOCK": v["SECRET_BLOCK"],
        "PASSWORD_CLAIM_SIGNATURE": v["expected_PASSWORD_CLAIM_SIGNATURE"],
        "TIMESTAMP": v["TIMESTAMP"],
    }


def test_password_verifier_alias_vector_signs_with_user_id_for_srp() -> None:
    v = VECTORS["simonmcallister_v2"]
    sub = v["USER_ID_FOR_SRP (sub)"]
    ch = Challenge(
        name="PASSWORD_VERIFIER",
        parameters={"SRP_B": v["SRP_B"], "SALT": v["SALT"], "SECRET_BLOCK": v["SECRET_BLOCK"],
                    "USER_ID_FOR_SRP": sub},
        username=v["username_typed"],
    )
    responses = password_verifier.responses(
        ch, password=v["password"], ephemeral=srp.ClientEphemeral(int(v["a_hex"], 16)),
        pool_name=srp.pool_name_of(v["pool_id"]), now=datetime(2000, 2, 1, 3, 4, 5, tzinfo=timezone.utc),
    )
    assert responses["PASSWORD_CLAIM_SIGNATURE"] == v["expected_PASSWORD_CLAIM_SIGNATURE"]
    assert responses["TIMESTAMP"] == "Tue Feb 1 03:04:05 UTC 2000"


@pytest.mark.parametrize("srp_b", ["0", format(srp.N, "x")])
def test_password_verifier_refuses_malicious_b(srp_b: str) -> None:
    ch = challenge("PASSWORD_VERIFIER", SRP_B=srp_b, SALT="ab", SECRET_BLOCK="c2VjcmV0", USER_ID_FOR_SRP="alice")
    with pytest.raises(SRPError):
        password_verifier.responses(
            ch, password="pw", ephemeral=srp.ClientEphemeral(), pool_name="P",
            now=datetime.now(timezone.utc),
        )


@pytest.mark.parametrize("missing", ["SRP_B", "SALT", "SECRET_BLOCK", "USER_ID_FOR_SRP"])
def test_password_verifier_missing_parameter_is_malformed(missing: str) -> None:
    params = {"SRP_B": "1234", "SALT": "ab", "SECRET_BLOCK": "c2VjcmV0", "USER_ID_FOR_SRP": "alice"}
    del params[missing]
    with pytest.raises(MalformedResponseError, match=missing):
        password_verifier.responses(
            Challenge("PASSWORD_VERIFIER", params), password="pw", ephemeral=srp.ClientEphemeral(),
            pool_name="P", now=datetime.now(timezone.utc),
        )


# --- codes ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("module", "key"),
    [(sms_mfa, "SMS_MFA_CODE"), (email_otp, "EMAIL_OTP_CODE"), (sms_otp, "SMS_OTP_CODE"),
     (software_token_mfa, "SOFTWARE_TOKEN_MFA_CODE")],
)
def test_code_challenges(module: Any, key: str) -> None:
    ch = challenge(module.NAME, CODE_DELIVERY_DESTINATION="+*******0100", CODE_DELIVERY_DELIVERY_MEDIUM="SMS")
    prompt = module.prompt(ch)
    assert prompt.kind is PromptKind.CODE
    assert prompt.challenge_name == module.NAME
    assert [f.name for f in prompt.fields] == ["code"]
    assert module.responses(ch, {"code": " 123 456 "}) == {key: "123456"}
    with pytest.raises(MissingAnswerError):
        module.responses(ch, {"code": "  "})


def test_delivered_code_prompt_says_where_it_went() -> None:
    prompt = sms_mfa.prompt(challenge("SMS_MFA", CODE_DELIVERY_DESTINATION="+*******0100",
                                      CODE_DELIVERY_DELIVERY_MEDIUM="SMS"))
    assert prompt.destination == "+*******0100"
    assert prompt.delivery_medium == "SMS"
    assert "+*******0100" in prompt.message


# --- choices -------------------------------------------------------------------------------------


def test_select_mfa_type() -> None:
    ch = challenge("SELECT_MFA_TYPE", MFAS_CAN_CHOOSE='["SMS_MFA","SOFTWARE_TOKEN_MFA"]')
    prompt = select_mfa_type.prompt(ch)
    assert prompt.kind is PromptKind.MFA_CHOICE
    assert prompt.choices == ("SMS_MFA", "SOFTWARE_TOKEN_MFA")
    assert select_mfa_type.responses(ch, {"choice": "SOFTWARE_TOKEN_MFA"}) == {"ANSWER": "SOFTWARE_TOKEN_MFA"}
    with pytest.raises(MissingAnswerError):
        select_mfa_type.responses(ch, {"choice": "EMAIL_OTP"})


@pytest.mark.parametrize("raw", ["['SMS_MFA']", "not json", '{"a": 1}', "[1, 2]"])
def test_malformed_json_parameters_are_typed_errors(raw: str) -> None:
    with pytest.raises(MalformedResponseError):
        select_mfa_type.prompt(challenge("SELECT_MFA_TYPE", MFAS_CAN_CHOOSE=raw))


def test_select_challenge_offers_supported_factors_in_order() -> None:
    ch = Challenge("SELECT_CHALLENGE", {}, "bob", "bob",
                   available_challenges=("WEB_AUTHN", "EMAIL_OTP", "PASSWORD", "PASSWORD_SRP"))
    prompt = select_challenge.prompt(ch)
    assert prompt.kind is PromptKind.FIRST_FACTOR
    assert prompt.choices == ("PASSWORD_SRP", "PASSWORD", "EMAIL_OTP")
    assert select_challenge.choose(ch, {"choice": "EMAIL_OTP"}) == "EMAIL_OTP"
    assert select_challenge.responses("EMAIL_OTP") == {"ANSWER": "EMAIL_OTP"}
    assert select_challenge.responses("PASSWORD", password="pw") == {"ANSWER": "PASSWORD", "PASSWORD": "pw"}
    assert select_challenge.responses("PASSWORD_SRP", srp_a="abc") == {"ANSWER": "PASSWORD_SRP", "SRP_A": "abc"}


def test_select_challenge_with_only_passkeys_is_unsupported() -> None:
    ch = Challenge("SELECT_CHALLENGE", {}, "bob", "bob", available_challenges=("WEB_AUTHN",))
    with pytest.raises(UnsupportedChallengeError):
        select_challenge.prompt(ch)


# --- NEW_PASSWORD_REQUIRED ------------------------------------------------------------------------


def test_new_password_required_with_required_attributes() -> None:
    ch = challenge(
        "NEW_PASSWORD_REQUIRED",
        requiredAttributes='["userAttributes.name","userAttributes.family_name"]',
        userAttributes='{"email":"alice@example.com","email_verified":"true"}',
    )
    prompt = new_password_required.prompt(ch)
    assert prompt.kind is PromptKind.NEW_PASSWORD
    assert prompt.required_attributes == ("name", "family_name")
    assert prompt.user_attributes["email"] == "alice@example.com"
    assert [f.name for f in prompt.fields] == ["new_password", "name", "family_name"]
    assert prompt.fields[0].secret and prompt.fields[0].confirm
    assert new_password_required.responses(
        ch, {"new_password": "N3w-Passw0rd!", "name": "Alice", "family_name": "Liddell"}
    ) == {"NEW_PASSWORD": "N3w-Passw0rd!", "userAttributes.name": "Alice", "userAttributes.family_name": "Liddell"}
    with pytest.raises(MissingAnswerError, match="family_name"):
        new_password_required.responses(ch, {"new_password": "N3w-Passw0rd!", "name": "Alice"})


def test_new_password_required_without_attributes() -> None:
    ch = challenge("NEW_PASSWORD_REQUIRED", requiredAttributes="[]", userAttributes="{}")
    assert new_password_required.prompt(ch).required_attributes == ()
    assert new_password_required.responses(ch, {"new_password": "x"}) == {"NEW_PASSWORD": "x"}


# --- MFA_SETUP -----------------------------------------------------------------------------------


def test_mfa_setup_choices_and_totp_prompt() -> None:
    ch = challenge("MFA_SETUP", MFAS_CAN_SETUP='["SMS_MFA","SOFTWARE_TOKEN_MFA","EMAIL_OTP"]')
    assert mfa_setup.choices(ch) == ("SOFTWARE_TOKEN_MFA", "EMAIL_OTP")
    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    prompt = mfa_setup.totp_prompt(ch, secret, issuer="Demo Pool")
    assert prompt.kind is PromptKind.TOTP_SETUP
    assert prompt.secret_code == secret
    assert secret not in repr(prompt)
    uri = urlparse(prompt.otpauth_uri or "")
    assert uri.scheme == "otpauth" and uri.netloc == "totp"
    assert parse_qs(uri.query)["secret"] == [secret]
    assert parse_qs(uri.query)["issuer"] == ["Demo Pool"]


def test_mfa_setup_accepts_email_mfa_spelling_and_refuses_sms_only() -> None:
    assert mfa_setup.choices(challenge("MFA_SETUP", MFAS_CAN_SETUP='["EMAIL_MFA"]')) == ("EMAIL_OTP",)
    with pytest.raises(UnsupportedChallengeError, match="phone number"):
        mfa_setup.choices(challenge("MFA_SETUP", MFAS_CAN_SETUP='["SMS_MFA"]'))


def test_every_answered_module_is_registered_by_its_challenge_name() -> None:
    for name, module in states.ANSWERED.items():
        assert module.NAME == name
        assert callable(module.prompt) and callable(module.responses)


# --- devices -------------------------------------------------------------------------------------


def test_device_password_verifier_proves_the_device_password() -> None:
    import base64

    from authflow.states import device_password_verifier, device_srp_auth

    from authflow.devices import Device

    group, key = "-wt2ha1Zd", "us-east-1_fec070d2-0000-4000-8000-000000000000"
    password, verifier_b64, salt_b64 = srp.generate_device_verifier(group, key)
    device = Device(key, group, password)
    verifier = int.from_bytes(base64.b64decode(verifier_b64), "big")
    salt_hex = base64.b64decode(salt_b64).hex()
    client = srp.ClientEphemeral()
    assert device_srp_auth.responses(device, client.srp_a) == {"DEVICE_KEY": key, "SRP_A": client.srp_a}
    server = srp.ServerEphemeral(verifier)
    block = base64.b64encode(b"opaque").decode()
    ch = Challenge("DEVICE_PASSWORD_VERIFIER", {"SRP_B": server.srp_b, "SALT": salt_hex, "SECRET_BLOCK": block})
    now = datetime(2026, 11, 22, 1, 2, 3, tzinfo=timezone.utc)
    answer = device_password_verifier.responses(ch, device=device, ephemeral=client, now=now)
    expected = srp.claim_signature(server.session_key(client.public), group, key, block, "Sun Nov 22 01:02:03 UTC 2026")
    assert answer == {"DEVICE_KEY": key, "PASSWORD_CLAIM_SECRET_BLOCK": block,
                      "PASSWORD_CLAIM_SIGNATURE": expected, "TIMESTAMP": "Sun Nov 22 01:02:03 UTC 2026"}
    assert password not in repr(device)


def test_mfa_setup_first_code_is_cleaned_like_every_other_code() -> None:
    assert mfa_setup.totp_code({"code": " 123-456 "}) == "123456"
    with pytest.raises(MissingAnswerError):
        mfa_setup.totp_code({"code": ""})
