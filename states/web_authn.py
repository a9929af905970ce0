"""WEB_AUTHN: sign in with a passkey (USER_AUTH, preferred or chosen in SELECT_CHALLENGE).

ChallengeParameters: CREDENTIAL_REQUEST_OPTIONS, a JSON string of PublicKeyCredentialRequestOptionsJSON
(challenge, rpId, timeout, allowCredentials, userVerification). The prompt carries them parsed
(``Prompt.webauthn_options``); whoever answers hands them to an authenticator (``authflow.passkeys``) and
answers ``credential``: the AuthenticationResponseJSON it returned, as a JSON string or object.
ChallengeResponses: CREDENTIAL.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from authflow.states.base import Context, Exchange, State, answer_challenge, answer_value, ask, require

from authflow.errors import MalformedResponseError, MissingAnswerError
from authflow.prompts import Field, Prompt, PromptKind

NAME = "WEB_AUTHN"


def request_options(ctx: Context) -> dict[str, Any]:
    raw = require(ctx.challenge, "CREDENTIAL_REQUEST_OPTIONS")
    try:
        options = json.loads(raw)
    except ValueError as exc:
        raise MalformedResponseError("CREDENTIAL_REQUEST_OPTIONS is not JSON") from exc
    if not isinstance(options, dict) or not isinstance(options.get("challenge"), str) or not options.get("rpId"):
        raise MalformedResponseError("CREDENTIAL_REQUEST_OPTIONS without challenge or rpId")
    return options


def prompt(ctx: Context) -> Prompt:
    options = request_options(ctx)
    return ask(ctx, PromptKind.PASSKEY, f"Sign in with your passkey for {options['rpId']}",
               Field(name="credential", label="Passkey"), webauthn_options=options)


def respond(ctx: Context, answer: Mapping[str, str]) -> Exchange:
    credential = answer_value(answer, "credential", "passkey")
    try:
        document = json.loads(credential)
    except ValueError:
        raise MissingAnswerError("the passkey answer is not JSON") from None
    if not isinstance(document, dict) or not isinstance(document.get("response"), dict):
        raise MissingAnswerError("the passkey answer is not a WebAuthn credential")
    return (yield from answer_challenge(ctx, {"CREDENTIAL": json.dumps(document, separators=(",", ":"))}))


STATES = (State(NAME, respond, prompt),)
