"""The prompt vocabulary (authflow.prompts, authflow.labels): every prompt carries the words an interface
shows, and the refusal and the code's origin are explained once for every interface."""

from __future__ import annotations

import json

import pytest
from authflow.states import (
    confirm_sign_up,
    mfa_setup,
    new_password_required,
    reset_password,
    select_challenge,
    select_mfa_type,
    sign_up,
    sms_otp,
    software_token_mfa,
)
from authflow.states.base import Challenge

from authflow.errors import (
    AuthflowError,
    CodeMismatchError,
    EnableSoftwareTokenMFAError,
    ExpiredCodeError,
    IncorrectCredentialsError,
    InvalidPasswordError,
    MissingAnswerError,
    PasswordResetRequiredError,
    PinInvalidError,
    ResourceNotFoundError,
    SessionExpiredError,
    UserNotConfirmedError,
)
from authflow.labels import (
    ATTRIBUTE_LABELS,
    CHOICE_LABELS,
    attribute_label,
    choice_label,
    code_origin,
    explain_refusal,
)
from authflow.prompts import RESEND_ANSWER, Field, Prompt, PromptKind, Resend
from tests.helpers.states import account_context, challenge, context, run_exchange


def test_every_choice_of_every_choice_prompt_carries_its_label() -> None:
    prompts = [
        select_mfa_type.prompt(context(challenge(
            "SELECT_MFA_TYPE", MFAS_CAN_CHOOSE='["SMS_MFA","SOFTWARE_TOKEN_MFA","EMAIL_OTP"]'))),
        select_challenge.prompt(context(Challenge("SELECT_CHALLENGE", available_challenges=(
            "PASSWORD_SRP", "PASSWORD", "WEB_AUTHN", "EMAIL_OTP", "SMS_OTP")))),
        mfa_setup.choice_prompt(context(challenge("MFA_SETUP", MFAS_CAN_SETUP='["SOFTWARE_TOKEN_MFA","EMAIL_OTP"]'))),
        reset_password.required_prompt(account_context(error=PasswordResetRequiredError("x"))),
    ]
    for prompt in prompts:
        assert prompt.choices and set(prompt.choice_labels) == set(prompt.choices)
        for choice in prompt.choices:
            assert prompt.choice_label(choice) == CHOICE_LABELS[choice] != choice
            assert CHOICE_LABELS[choice] in prompt.message or prompt.kind is PromptKind.RESET_REQUIRED
    assert prompts[0].choice_label("SOFTWARE_TOKEN_MFA") == "Authenticator app (TOTP)"
    assert prompts[1].choice_label("WEB_AUTHN") == "Passkey"


def test_a_hand_made_prompt_falls_back_on_the_table() -> None:
    prompt = Prompt(kind=PromptKind.MFA_CHOICE, challenge_name=None, fields=(), message="", username="u",
                    choices=("SMS_MFA", "SOMETHING_NEW"))
    assert prompt.choice_label("SMS_MFA") == "Text message (SMS)" == choice_label("SMS_MFA")
    assert prompt.choice_label("SOMETHING_NEW") == "SOMETHING_NEW"


def test_attribute_fields_carry_their_labels() -> None:
    ch = challenge("NEW_PASSWORD_REQUIRED", requiredAttributes=json.dumps(
        ["userAttributes.given_name", "userAttributes.family_name", "userAttributes.custom:team_id"]))
    fields = {f.name: f.label for f in new_password_required.prompt(context(ch)).fields}
    assert fields == {"new_password": "New password", "given_name": "Given name", "family_name": "Family name",
                      "custom:team_id": "Team id"}
    up = sign_up.prompt(account_context(memory={sign_up.ATTRIBUTES: "email,phone_number"}))
    assert [f.label for f in up.fields] == ["Password", "Email address", "Phone number"]
    assert attribute_label("userAttributes.name") == ATTRIBUTE_LABELS["name"] == "Full name"


def test_the_kind_of_code_is_on_the_prompt() -> None:
    totp = software_token_mfa.prompt(context(challenge("SOFTWARE_TOKEN_MFA")))
    assert (totp.kind, totp.delivery_medium, totp.destination, totp.resend) == (PromptKind.TOTP_CODE, None, None, None)
    delivered = sms_otp.prompt(context(challenge("SMS_OTP", CODE_DELIVERY_DESTINATION="+*******0100")))
    assert (delivered.kind, delivered.delivery_medium, delivered.destination) == (
        PromptKind.CODE, "SMS", "+*******0100")  # the challenge's own medium when Cognito does not name it


def test_where_the_code_came_from() -> None:
    def code(**details: object) -> Prompt:
        return Prompt(kind=PromptKind.CODE, challenge_name="X", fields=(Field("code", "Code"),), message="",
                      username="u", **details)  # type: ignore[arg-type]

    emailed = code(delivery_medium="EMAIL", destination="a***@e***")
    assert code_origin(emailed) == "A code was sent by email to a***@e***."
    assert code_origin(code(delivery_medium="SMS")) == "A code was sent by text message."
    assert code_origin(code(destination="a***@e***")) == "A code was sent to a***@e***."
    assert code_origin(code(resend=Resend())) == (
        "No code was sent just now: enter the code you were sent earlier, or ask for a new code.")
    assert code_origin(code()) == "Enter the code you were sent."
    totp = software_token_mfa.prompt(context(challenge("SOFTWARE_TOKEN_MFA")))
    assert code_origin(totp) == "Open your authenticator app for the current code."


def test_a_confirmation_code_never_claims_a_delivery_that_did_not_happen() -> None:
    """An unconfirmed user signing in, or confirm-sign-up without --resend: no delivery in this flow."""
    prompt = confirm_sign_up.prompt(account_context(error=UserNotConfirmedError("User is not confirmed.")))
    assert (prompt.destination, prompt.delivery_medium) == (None, None)
    assert "ask for a new code" in code_origin(prompt)
    assert prompt.resend is not None
    # The new code's delivery is kept, and named from then on.
    c = account_context()
    run_exchange(confirm_sign_up.respond(c, prompt.resend.answer),
                 {"CodeDeliveryDetails": {"Destination": "n***@e***", "DeliveryMedium": "EMAIL"}})
    again = confirm_sign_up.prompt(c)
    assert code_origin(again) == "A code was sent by email to n***@e***."


def test_a_new_code_is_asked_for_with_the_answer_the_prompt_gives() -> None:
    prompt = reset_password.confirm_prompt(account_context())
    assert prompt.resend == Resend() and dict(prompt.resend.answer) == dict(RESEND_ANSWER) == {"resend": "yes"}
    requests, _ = run_exchange(reset_password.confirm(account_context(), prompt.resend.answer),
                               {"CodeDeliveryDetails": {}})
    assert [r.operation for r in requests] == ["ForgotPassword"]
    assert prompt.resend.label == "Send a new code"


@pytest.mark.parametrize(
    ("error", "headline", "advice", "detail"),
    [
        (CodeMismatchError("Invalid code received for user"), "That code is not right.", "Check it and try again.",
         "CodeMismatchException: Invalid code received for user"),
        (ExpiredCodeError("Invalid code provided, please request a code again."),
         "That code has expired or was already used.", "Enter a new code.",
         "ExpiredCodeException: Invalid code provided, please request a code again."),
        (IncorrectCredentialsError("Incorrect username or password.", code="NotAuthorizedException"),
         "Incorrect username or password.", "", "NotAuthorizedException"),
        (SessionExpiredError("Invalid session for the user, session is expired.", code="NotAuthorizedException"),
         "This sign-in took too long and has expired.", "Start over.",
         "NotAuthorizedException: Invalid session for the user, session is expired."),
        (EnableSoftwareTokenMFAError("the code did not verify"), "The authenticator app's code was not accepted.",
         "Enter the code it shows now.", "EnableSoftwareTokenMFAException: the code did not verify"),
        (InvalidPasswordError("Password did not conform with policy: Password must have uppercase characters"),
         "The new password was refused.",
         "Password did not conform with policy: Password must have uppercase characters.",
         "InvalidPasswordException: Password did not conform with policy: Password must have uppercase characters"),
        (UserNotConfirmedError("User is not confirmed."), "This account is not confirmed yet.", "",
         "UserNotConfirmedException: User is not confirmed."),
        (PasswordResetRequiredError("Password reset required for the user"), "This account's password must be reset.",
         "", "PasswordResetRequiredException: Password reset required for the user"),
        (ResourceNotFoundError("user pool client xyz does not exist."), "User pool client xyz does not exist.", "",
         "ResourceNotFoundException: user pool client xyz does not exist."),
        # our own errors' messages are clauses ("wrong PIN ..."): shown to a person, each is a sentence with a stop
        (MissingAnswerError("that is not the username"), "That is not the username.", "",
         "MissingAnswer: that is not the username"),
        (PinInvalidError("wrong PIN for the security key"), "Wrong PIN for the security key.", "",
         "PinInvalid: wrong PIN for the security key"),
    ],
)
def test_one_explanation_of_a_refusal(error: AuthflowError, headline: str, advice: str, detail: str) -> None:
    refusal = explain_refusal(error)
    assert (refusal.headline, refusal.advice, refusal.detail) == (headline, advice, detail)
    assert str(refusal) == f"{headline} {advice}".strip()


def test_a_list_in_words() -> None:
    from authflow.labels import in_words

    assert [in_words(items) for items in ((), ("full name",), ("full name", "email address"),
                                          ("full name", "email address", "phone number"))] == [
        "", "full name", "full name and email address", "full name, email address and phone number"]
