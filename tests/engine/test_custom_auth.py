"""CUSTOM_AUTH: challenges defined by the pool's triggers (Python stand-ins for the Lambdas)."""

from __future__ import annotations

from typing import Any

import pytest

from authflow import AuthFlow, IncorrectCredentialsError, PromptKind, ScriptedHandler, UserPool
from authflow.localpool import LocalUserPool
from tests.engine.helpers import PASSWORD, claims


def install_quiz(local_pool: LocalUserPool, *, tries: int = 3) -> None:
    """Ask "2 + 3?" up to ``tries`` times; after an SRP_A step (CUSTOM_AUTH with SRP) the quiz follows."""

    def define(event: dict[str, Any]) -> None:
        history = [h for h in event["request"]["session"] if h["challengeName"] == "CUSTOM_CHALLENGE"]
        response = event["response"]
        if [h["challengeName"] for h in event["request"]["session"]] == ["SRP_A"]:
            response.update(issueTokens=False, failAuthentication=False, challengeName="PASSWORD_VERIFIER")
        elif history and history[-1]["challengeResult"]:
            response.update(issueTokens=True, failAuthentication=False)
        elif len(history) >= tries:
            response.update(issueTokens=False, failAuthentication=True)
        else:
            response.update(issueTokens=False, failAuthentication=False, challengeName="CUSTOM_CHALLENGE")

    def create(event: dict[str, Any]) -> None:
        event["response"].update(publicChallengeParameters={"question": "2 + 3?"},
                                 privateChallengeParameters={"answer": "5"})

    def verify(event: dict[str, Any]) -> None:
        request = event["request"]
        event["response"]["answerCorrect"] = (
            request["challengeAnswer"] == request["privateChallengeParameters"]["answer"]
        )

    local_pool.set_custom_auth(define, create, verify)


def test_custom_challenge_wrong_answer_then_right(local_pool: LocalUserPool, pool: UserPool) -> None:
    local_pool.add_user("quiz", PASSWORD)
    install_quiz(local_pool)
    flow = AuthFlow(pool, "quiz", "CUSTOM_AUTH")
    step = flow.start()
    assert step.prompt is not None and step.prompt.kind is PromptKind.CUSTOM_ANSWER
    assert step.prompt.message == "2 + 3?"
    step = flow.respond("4")  # the pool's triggers issue a new challenge with a new Session
    assert step.challenge_name == "CUSTOM_CHALLENGE"
    step = flow.respond("5")
    assert claims(step.tokens.access_token)["username"] == "quiz"  # type: ignore[union-attr]
    assert flow.history.count("CUSTOM_CHALLENGE") == 2


def test_custom_auth_with_srp_first(local_pool: LocalUserPool, pool: UserPool) -> None:
    local_pool.add_user("quiz", PASSWORD)
    install_quiz(local_pool)
    flow = AuthFlow(pool, "quiz", "CUSTOM_AUTH", custom_srp=True)
    tokens = flow.run(ScriptedHandler(password=PASSWORD, custom_answer="5"))
    assert claims(tokens.access_token)["username"] == "quiz"
    assert flow.history[:4] == ["start", "awaiting_password", "PASSWORD_VERIFIER", "CUSTOM_CHALLENGE"]


def test_custom_auth_fails_when_the_triggers_say_so(local_pool: LocalUserPool, pool: UserPool) -> None:
    local_pool.add_user("quiz", PASSWORD)
    install_quiz(local_pool, tries=1)
    with pytest.raises(IncorrectCredentialsError):
        AuthFlow(pool, "quiz", "CUSTOM_AUTH").run(ScriptedHandler(custom_answer=lambda p: "4"))
