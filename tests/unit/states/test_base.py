"""states/base.py: what every state module works with: checked parameters and answers, and prompts that show
a person nothing a server could use to mislead."""

from __future__ import annotations

import pytest
from authflow.states import base

from authflow.errors import MalformedResponseError, MissingAnswerError, ProtocolError
from authflow.prompts import Field, PromptKind
from tests.helpers.states import challenge, context


def test_required_and_json_parameters() -> None:
    ch = challenge("X", A="a", LIST='["x","y"]', MAP='{"k": 1}', EMPTY="")
    assert base.require(ch, "A") == "a"
    with pytest.raises(MalformedResponseError, match="EMPTY"):
        base.require(ch, "EMPTY")
    assert base.json_string_list(ch, "LIST") == ("x", "y")
    assert base.json_string_list(ch, "ABSENT", required=False) == ()
    assert base.json_string_map(ch, "MAP") == {"k": "1"}
    with pytest.raises(MalformedResponseError):
        base.json_string_list(ch, "MAP")


def test_answers_are_checked_and_cleaned() -> None:
    assert base.answer_value({"code": " 1 "}, "code", "code") == "1"
    with pytest.raises(MissingAnswerError, match="no code"):
        base.answer_value({"code": " "}, "code", "code")
    assert base.clean_code("12 34-56") == "123456"
    assert base.chosen({"choice": "B"}, ("A", "B"), "the thing") == "B"
    with pytest.raises(MissingAnswerError, match="one of A, B"):
        base.chosen({"choice": "C"}, ("A", "B"), "the thing")


def test_carry_is_taken_once_and_typed() -> None:
    ctx = context(challenge("X"), carry={"k": 1})
    with pytest.raises(ProtocolError, match="without a number"):
        base.take(ctx, "k", str, "a number")
    assert ctx.carry == {}


def test_a_prompt_shows_no_control_characters_from_a_server() -> None:
    ctx = context(challenge("X"))
    prompt = base.ask(ctx, PromptKind.CUSTOM_ANSWER, "Hi\x1b[2J there", Field("answer", "Q\x00?"),
                      destination="a\x07b")
    assert "\x1b" not in prompt.message and "\x00" not in prompt.fields[0].label
    assert prompt.destination is not None and "\x07" not in prompt.destination
    assert (prompt.challenge_name, prompt.username, prompt.attempt) == ("X", "alice@example.com", 1)


def test_a_choice_prompt_labels_every_option_from_the_one_table() -> None:
    prompt = base.choice_prompt(PromptKind.MFA_CHOICE, context(challenge("X")), "Pick", "Pick: ",
                                ("SMS_MFA", "NEW_THING"))
    assert dict(prompt.choice_labels) == {"SMS_MFA": "Text message (SMS)", "NEW_THING": "NEW_THING"}
    assert prompt.message == "Pick: SMS_MFA (Text message (SMS)); NEW_THING (NEW_THING)"
    assert prompt.fields[0].choices == ("SMS_MFA", "NEW_THING")
