"""The pure challenge modules in states/: questions asked and ChallengeResponses built, no server."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from authflow.states import (
    awaiting_password,
    email_otp,
    mfa_setup,
    new_password_required,
    password_verifier,
    select_challenge,
    select_mfa_type,
    sms_mfa,
    sms_otp,
    software_token_mfa,
    start,
)
from authflow.states.base import Challenge, Context, Exchange, Follow, Move, Outcome, Request

from authflow import machine, srp, states
from authflow.errors import (
    EnableSoftwareTokenMFAError,
    MalformedResponseError,
    MissingAnswerError,
    ProtocolError,
    SRPError,
    UnsupportedChallengeError,
)
from authflow.prompts import PromptKind

VECTORS = json.loads((Path(__file__).resolve().parents[1] / "vectors" / "srp-vectors.json").read_text())


def challenge(name: str, **parameters: str) -> Challenge:
    return Challenge(name=name, parameters=parameters, username="alice@example.com", user_id="alice")


def context(ch: Challenge, **overrides: Any) -> Context:
    """What the engine hands a state: here a fixed clock, no randomness needed, session "S1"."""
    values: dict[str, Any] = dict(
        challenge=ch, username=ch.username or "alice@example.com", user_id=ch.user_id or "alice", session="S1",
        pool_name="Pool1", auth_flow="USER_SRP_AUTH", preferred_challenge=None, custom_srp=False,
        totp_issuer="Demo Pool", device=None, now=lambda: datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc),
        new_ephemeral=srp.ClientEphemeral,
    )
    values.update(overrides)
    return Context(**values)


def run_exchange(exchange: Exchange, *replies: dict[str, Any]) -> tuple[list[Request], Outcome]:
    """Drive a state's exchange as the engine would, answering its requests with ``replies`` in order."""
    requests: list[Request] = []
    pending = list(replies)
    try:
        request = next(exchange)
        while True:
            requests.append(request)
            request = exchange.send(pending.pop(0))
    except StopIteration as end:
        assert not pending, "replies left over"
        return requests, end.value


def answered(module: Any, ch: Challenge, answer: dict[str, str]) -> dict[str, str]:
    """The ChallengeResponses a one-request state sends for ``answer`` (and a check that it follows the reply)."""
    requests, outcome = run_exchange(module.respond(context(ch), answer), {"ChallengeName": "NEXT"})
    [request] = requests
    assert request.operation == "RespondToAuthChallenge"
    assert request.parameters["ChallengeName"] == ch.name and request.parameters["Session"] == "S1"
    assert outcome == Follow({"ChallengeName": "NEXT"})
    responses = dict(request.parameters["ChallengeResponses"])
    assert responses.pop("USERNAME") == "alice"  # always the internal username
    return responses


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
    ("module", "key", "kind"),
    [(sms_mfa, "SMS_MFA_CODE", PromptKind.CODE), (email_otp, "EMAIL_OTP_CODE", PromptKind.CODE),
     (sms_otp, "SMS_OTP_CODE", PromptKind.CODE), (software_token_mfa, "SOFTWARE_TOKEN_MFA_CODE", PromptKind.TOTP_CODE)],
)
def test_code_challenges(module: Any, key: str, kind: PromptKind) -> None:
    ch = challenge(module.NAME, CODE_DELIVERY_DESTINATION="+*******0100", CODE_DELIVERY_DELIVERY_MEDIUM="SMS")
    prompt = module.prompt(context(ch))
    assert prompt.kind is kind
    assert prompt.challenge_name == module.NAME
    assert [f.name for f in prompt.fields] == ["code"]
    assert answered(module, ch, {"code": " 123 456 "}) == {key: "123456"}
    with pytest.raises(MissingAnswerError):
        answered(module, ch, {"code": "  "})


def test_delivered_code_prompt_says_where_it_went() -> None:
    prompt = sms_mfa.prompt(context(challenge("SMS_MFA", CODE_DELIVERY_DESTINATION="+*******0100",
                                              CODE_DELIVERY_DELIVERY_MEDIUM="SMS")))
    assert prompt.destination == "+*******0100"
    assert prompt.delivery_medium == "SMS"
    assert "+*******0100" in prompt.message


# --- choices -------------------------------------------------------------------------------------


def test_select_mfa_type() -> None:
    ch = challenge("SELECT_MFA_TYPE", MFAS_CAN_CHOOSE='["SMS_MFA","SOFTWARE_TOKEN_MFA"]')
    prompt = select_mfa_type.prompt(context(ch))
    assert prompt.kind is PromptKind.MFA_CHOICE
    assert prompt.choices == ("SMS_MFA", "SOFTWARE_TOKEN_MFA")
    assert answered(select_mfa_type, ch, {"choice": "SOFTWARE_TOKEN_MFA"}) == {"ANSWER": "SOFTWARE_TOKEN_MFA"}
    with pytest.raises(MissingAnswerError):
        answered(select_mfa_type, ch, {"choice": "EMAIL_OTP"})


@pytest.mark.parametrize("raw", ["['SMS_MFA']", "not json", '{"a": 1}', "[1, 2]"])
def test_malformed_json_parameters_are_typed_errors(raw: str) -> None:
    with pytest.raises(MalformedResponseError):
        select_mfa_type.prompt(context(challenge("SELECT_MFA_TYPE", MFAS_CAN_CHOOSE=raw)))


def test_select_challenge_offers_supported_factors_in_order() -> None:
    ch = Challenge("SELECT_CHALLENGE", {}, "bob", "bob",
                   available_challenges=("WEB_AUTHN", "EMAIL_OTP", "PASSWORD", "PASSWORD_SRP"))
    prompt = select_challenge.prompt(context(ch))
    assert prompt.kind is PromptKind.FIRST_FACTOR
    assert prompt.choices == ("WEB_AUTHN", "PASSWORD_SRP", "PASSWORD", "EMAIL_OTP")
    assert select_challenge.choose(ch, {"choice": "EMAIL_OTP"}) == "EMAIL_OTP"
    assert select_challenge.responses("EMAIL_OTP") == {"ANSWER": "EMAIL_OTP"}
    assert select_challenge.responses("PASSWORD", password="pw") == {"ANSWER": "PASSWORD", "PASSWORD": "pw"}
    assert select_challenge.responses("PASSWORD_SRP", srp_a="abc") == {"ANSWER": "PASSWORD_SRP", "SRP_A": "abc"}


def test_select_challenge_with_only_passkeys_offers_the_passkey() -> None:
    ch = Challenge("SELECT_CHALLENGE", {}, "bob", "bob", available_challenges=("WEB_AUTHN",))
    assert select_challenge.prompt(context(ch)).choices == ("WEB_AUTHN",)
    assert select_challenge.responses("WEB_AUTHN") == {"ANSWER": "WEB_AUTHN"}


def test_select_challenge_offering_nothing_known_is_unsupported() -> None:
    ch = Challenge("SELECT_CHALLENGE", {}, "bob", "bob", available_challenges=("SOMETHING_NEW",))
    with pytest.raises(UnsupportedChallengeError):
        select_challenge.prompt(context(ch))


# --- NEW_PASSWORD_REQUIRED ------------------------------------------------------------------------


def test_new_password_required_with_required_attributes() -> None:
    ch = challenge(
        "NEW_PASSWORD_REQUIRED",
        requiredAttributes='["userAttributes.name","userAttributes.family_name"]',
        userAttributes='{"email":"alice@example.com","email_verified":"true"}',
    )
    prompt = new_password_required.prompt(context(ch))
    assert prompt.kind is PromptKind.NEW_PASSWORD
    assert prompt.required_attributes == ("name", "family_name")
    assert prompt.user_attributes["email"] == "alice@example.com"
    assert [f.name for f in prompt.fields] == ["new_password", "name", "family_name"]
    assert prompt.fields[0].secret and prompt.fields[0].confirm
    assert answered(
        new_password_required, ch, {"new_password": "N3w-Passw0rd!", "name": "Alice", "family_name": "Liddell"}
    ) == {"NEW_PASSWORD": "N3w-Passw0rd!", "userAttributes.name": "Alice", "userAttributes.family_name": "Liddell"}
    with pytest.raises(MissingAnswerError, match="family_name"):
        answered(new_password_required, ch, {"new_password": "N3w-Passw0rd!", "name": "Alice"})


def test_new_password_required_without_attributes() -> None:
    ch = challenge("NEW_PASSWORD_REQUIRED", requiredAttributes="[]", userAttributes="{}")
    assert new_password_required.prompt(context(ch)).required_attributes == ()
    assert answered(new_password_required, ch, {"new_password": "x"}) == {"NEW_PASSWORD": "x"}


# --- MFA_SETUP -----------------------------------------------------------------------------------


def test_mfa_setup_choices_and_totp_prompt() -> None:
    ch = challenge("MFA_SETUP", MFAS_CAN_SETUP='["SMS_MFA","SOFTWARE_TOKEN_MFA","EMAIL_OTP"]')
    assert mfa_setup.choices(ch) == ("SOFTWARE_TOKEN_MFA", "EMAIL_OTP")
    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    prompt = mfa_setup.totp_prompt(context(ch, memory={"totp_secret": secret}, totp_issuer="Demo Pool"))
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


def test_the_registry_and_the_table_name_the_same_states() -> None:
    assert set(states.REGISTRY) == set(machine.STATES) - set(machine.FINAL)
    assert all(name == state.name for name, state in states.REGISTRY.items())
    # The table's answerable states are exactly those whose module has a prompt (plus awaiting_password).
    prompted = {name for name, state in states.REGISTRY.items() if state.prompt is not None}
    assert prompted == {*machine.ANSWERABLE, *machine.ACCOUNT, "awaiting_password"}
    assert not prompted & {*machine.AUTOMATIC, *machine.ACCOUNT_AUTOMATIC}


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


# --- requests as data: what each state asks the engine to send ------------------------------------


def test_mfa_setup_by_app_associates_then_verifies_then_answers() -> None:
    ch = challenge("MFA_SETUP", MFAS_CAN_SETUP='["SOFTWARE_TOKEN_MFA","EMAIL_OTP"]')
    ctx = context(ch)
    requests, outcome = run_exchange(mfa_setup.choose_method(ctx, {"choice": "SOFTWARE_TOKEN_MFA"}),
                                     {"SecretCode": "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", "Session": "S2"})
    assert [(r.operation, dict(r.parameters)) for r in requests] == [("AssociateSoftwareToken", {"Session": "S1"})]
    assert outcome == Move("choose_totp_setup") and ctx.memory == {"totp_secret": "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"}
    assert mfa_setup.totp_prompt(ctx).secret_code == "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    requests, outcome = run_exchange(mfa_setup.verify_totp(ctx, {"code": "123 456"}), {"Status": "SUCCESS"},
                                     {"AuthenticationResult": {}})
    assert [r.operation for r in requests] == ["VerifySoftwareToken", "RespondToAuthChallenge"]
    assert requests[0].parameters["UserCode"] == "123456"
    assert requests[1].parameters["ChallengeName"] == "MFA_SETUP"
    assert requests[1].parameters["ChallengeResponses"] == {"USERNAME": "alice"}
    assert isinstance(outcome, Follow)
    assert "123456" not in repr(requests[0])  # a request's parameters stay out of its repr


def test_mfa_setup_refusals_are_typed() -> None:
    ch = challenge("MFA_SETUP", MFAS_CAN_SETUP='["SOFTWARE_TOKEN_MFA"]')
    with pytest.raises(MalformedResponseError, match="SecretCode"):
        run_exchange(mfa_setup.choose_method(context(ch), {"choice": "SOFTWARE_TOKEN_MFA"}), {"Session": "S2"})
    with pytest.raises(EnableSoftwareTokenMFAError):
        run_exchange(mfa_setup.verify_totp(context(ch), {"code": "123456"}), {"Status": "ERROR"})


def test_mfa_setup_by_email_asks_the_address_then_answers_with_it() -> None:
    ch = challenge("MFA_SETUP", MFAS_CAN_SETUP='["EMAIL_OTP"]')
    requests, outcome = run_exchange(mfa_setup.choose_method(context(ch), {"choice": "EMAIL_OTP"}))
    assert requests == [] and outcome == Move("choose_email_setup")
    requests, _ = run_exchange(mfa_setup.send_email(context(ch), {"email": "a@example.com"}), {})
    assert requests[0].parameters["ChallengeResponses"] == {"USERNAME": "alice", "EMAIL": "a@example.com"}


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"auth_flow": "USER_SRP_AUTH"}, {"SRP_A"}),
        ({"auth_flow": "USER_PASSWORD_AUTH"}, {"PASSWORD"}),
        ({"auth_flow": "CUSTOM_AUTH", "custom_srp": True}, {"SRP_A", "CHALLENGE_NAME"}),
        ({"auth_flow": "USER_AUTH", "preferred_challenge": "PASSWORD"}, {"PASSWORD", "PREFERRED_CHALLENGE"}),
    ],
)
def test_awaiting_password_sends_initiate_auth(options: dict[str, Any], expected: set[str]) -> None:
    ctx = context(Challenge("awaiting_password"), **options)
    requests, _ = run_exchange(awaiting_password.respond(ctx, {"password": "pw"}), {})
    [request] = requests
    assert request.operation == "InitiateAuth" and request.parameters["AuthFlow"] == options["auth_flow"]
    assert set(request.parameters["AuthParameters"]) == {"USERNAME", *expected}
    # For SRP the password and ephemeral wait in carry for PASSWORD_VERIFIER; never otherwise.
    assert set(ctx.carry) == ({"password", "ephemeral"} if "SRP_A" in expected else set())


def test_password_verifier_takes_the_exchange_from_carry_once() -> None:
    v = VECTORS["alexrudd_cognito_srp"]
    ch = Challenge("PASSWORD_VERIFIER", {"SRP_B": v["SRP_B"], "SALT": v["SALT"], "SECRET_BLOCK": v["SECRET_BLOCK"],
                                         "USER_ID_FOR_SRP": v["USER_ID_FOR_SRP"]}, "typed-alias", v["USER_ID_FOR_SRP"])
    ctx = context(ch, pool_name=v["pool_name"], now=lambda: datetime(2018, 7, 10, 11, 1, 0, tzinfo=timezone.utc),
                  carry={"password": v["password"], "ephemeral": srp.ClientEphemeral(int(v["a_dec"]))})
    requests, _ = run_exchange(password_verifier.respond(ctx, {}), {})
    assert requests[0].parameters["ChallengeResponses"]["PASSWORD_CLAIM_SIGNATURE"] == \
        v["expected_PASSWORD_CLAIM_SIGNATURE"]
    assert ctx.carry == {}
    with pytest.raises(ProtocolError, match="SRP exchange"):
        run_exchange(password_verifier.respond(ctx, {}), {})


def test_select_challenge_password_factors_wait_for_the_password() -> None:
    ch = Challenge("SELECT_CHALLENGE", {}, "bob", "bob", available_challenges=("PASSWORD_SRP", "EMAIL_OTP"))
    ctx = context(ch)
    requests, outcome = run_exchange(select_challenge.respond(ctx, {"choice": "PASSWORD_SRP"}))
    assert requests == [] and outcome == Move("need_password") and ctx.memory == {"first_factor": "PASSWORD_SRP"}
    requests, _ = run_exchange(awaiting_password.respond(ctx, {"password": "pw"}), {})
    assert requests[0].parameters["ChallengeName"] == "SELECT_CHALLENGE"
    assert set(requests[0].parameters["ChallengeResponses"]) == {"USERNAME", "ANSWER", "SRP_A"}
    requests, _ = run_exchange(select_challenge.respond(context(ch), {"choice": "EMAIL_OTP"}), {})
    assert requests[0].parameters["ChallengeResponses"] == {"USERNAME": "bob", "ANSWER": "EMAIL_OTP"}


def test_start_moves_to_the_password_or_initiates() -> None:
    requests, outcome = run_exchange(start.respond(context(Challenge("start")), {}))
    assert requests == [] and outcome == Move("need_password")
    ctx = context(Challenge("start"), auth_flow="USER_AUTH", preferred_challenge="EMAIL_OTP")
    requests, _ = run_exchange(start.respond(ctx, {}), {})
    assert dict(requests[0].parameters["AuthParameters"]) == {"USERNAME": "alice@example.com",
                                                              "PREFERRED_CHALLENGE": "EMAIL_OTP"}
