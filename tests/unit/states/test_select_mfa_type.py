"""states/select_mfa_type.py: the MFA choice offered from MFAS_CAN_CHOOSE, and its answer."""

from __future__ import annotations

import pytest
from authflow.states import select_mfa_type

from authflow.errors import MalformedResponseError, MissingAnswerError
from authflow.prompts import PromptKind
from tests.helpers.states import answered, challenge, context


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
