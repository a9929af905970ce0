"""states/web_authn.py, pure: the prompt carries the parsed request options; the answer becomes CREDENTIAL;
malformed options and answers are typed errors; the table has its rows."""

from __future__ import annotations

import json

import pytest
from authflow.states import web_authn

from authflow import machine
from authflow.errors import MalformedResponseError, MissingAnswerError
from authflow.prompts import PromptKind
from tests.helpers.states import answered, challenge, context

OPTIONS = {"challenge": "Y2hhbGxlbmdl", "rpId": "example.org", "timeout": 180000, "userVerification": "required",
           "allowCredentials": [{"type": "public-key", "id": "Y3JlZA", "transports": ["usb"]}]}
CREDENTIAL = {"id": "Y3JlZA", "rawId": "Y3JlZA", "type": "public-key", "clientExtensionResults": {},
              "response": {"clientDataJSON": "e30", "authenticatorData": "AA", "signature": "AA"}}


def test_prompt_carries_the_request_options() -> None:
    ch = challenge("WEB_AUTHN", CREDENTIAL_REQUEST_OPTIONS=json.dumps(OPTIONS))
    prompt = web_authn.prompt(context(ch))
    assert prompt.kind is PromptKind.PASSKEY
    assert prompt.webauthn_options == OPTIONS
    assert "example.org" in prompt.message


def test_answer_is_sent_as_credential() -> None:
    ch = challenge("WEB_AUTHN", CREDENTIAL_REQUEST_OPTIONS=json.dumps(OPTIONS))
    sent = answered(web_authn, ch, {"credential": json.dumps(CREDENTIAL)})
    assert set(sent) == {"CREDENTIAL"}
    assert json.loads(sent["CREDENTIAL"]) == CREDENTIAL


@pytest.mark.parametrize("raw", ["", "not json", '{"rpId": "x"}', '["a"]'])
def test_malformed_options_are_typed_errors(raw: str) -> None:
    with pytest.raises(MalformedResponseError):
        web_authn.prompt(context(challenge("WEB_AUTHN", CREDENTIAL_REQUEST_OPTIONS=raw)))


@pytest.mark.parametrize("answer", [{}, {"credential": "nope"}, {"credential": '{"id": "x"}'}])
def test_unusable_answers_are_not_sent(answer: dict[str, str]) -> None:
    ch = challenge("WEB_AUTHN", CREDENTIAL_REQUEST_OPTIONS=json.dumps(OPTIONS))
    with pytest.raises(MissingAnswerError):
        next(web_authn.respond(context(ch), answer))


def test_table_rows() -> None:
    assert set(machine.next_states("SELECT_CHALLENGE")) >= {"WEB_AUTHN"}
    assert "WEB_AUTHN" in machine.next_states("start")
    assert "authenticated" in machine.next_states("WEB_AUTHN")
