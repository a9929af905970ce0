"""states/custom_challenge.py: the pool's own question, answered with ANSWER; a pool that never decides is
stopped."""

from __future__ import annotations

import pytest
from authflow.states import custom_challenge

from authflow.errors import MissingAnswerError, ProtocolError
from authflow.prompts import PromptKind
from tests.helpers.states import answered, challenge, context, run_exchange


def test_the_pools_question_is_the_prompt() -> None:
    prompt = custom_challenge.prompt(context(challenge("CUSTOM_CHALLENGE", question="What is 2 + 2?")))
    assert (prompt.kind, prompt.message, [f.label for f in prompt.fields]) == (
        PromptKind.CUSTOM_ANSWER, "What is 2 + 2?", ["What is 2 + 2?"])
    plain = custom_challenge.prompt(context(challenge("CUSTOM_CHALLENGE")))
    assert (plain.message, plain.fields[0].label) == ("The user pool asks a custom challenge.", "Answer")


def test_the_answer_is_sent_as_answer() -> None:
    ch = challenge("CUSTOM_CHALLENGE", question="What is 2 + 2?")
    assert answered(custom_challenge, ch, {"answer": " 4 "}) == {"ANSWER": "4"}
    with pytest.raises(MissingAnswerError):
        answered(custom_challenge, ch, {"answer": ""})


def test_a_pool_that_never_decides_is_stopped() -> None:
    ctx = context(challenge("CUSTOM_CHALLENGE"))
    for _ in range(custom_challenge.MAX_ROUNDS):
        run_exchange(custom_challenge.respond(ctx, {"answer": "x"}), {"ChallengeName": "CUSTOM_CHALLENGE"})
    with pytest.raises(ProtocolError, match="more than"):
        run_exchange(custom_challenge.respond(ctx, {"answer": "x"}), {})
