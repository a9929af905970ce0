"""The step API's rough edges (issue 23, items 1-6): answers checked before they are sent, a refused answer
never sent twice, a plain way to ask whether a flow ended and why, Cognito's API names in UserPool.call, the
documented options, and a default deadline."""

from __future__ import annotations

import inspect
import time

import pytest
from authflow.states.start import FIRST_FACTORS

from authflow import AuthFlow, ScriptedHandler, UserPool, sign_in
from authflow.errors import (
    CodeMismatchError,
    IncorrectCredentialsError,
    InvalidAnswerError,
    RepeatedAnswerError,
    SignInCancelled,
    UnknownOperationError,
)
from authflow.flow import AUTHENTICATED, DEFAULT_DEADLINE, FAILED, INITIAL
from authflow.localpool import LocalUserPool
from authflow.prompts import Prompt
from tests.engine.helpers import PASSWORD, TOTP_SECRET


def code_answers(local: LocalUserPool, username: str) -> int:
    """RespondToAuthChallenge requests for ``username`` other than SRP's PASSWORD_VERIFIER."""
    return sum(1 for r in local.requests("RespondToAuthChallenge")
               if r.params.get("ChallengeName") != "PASSWORD_VERIFIER"
               and r.params.get("ChallengeResponses", {}).get("USERNAME") == username)


def sms_user(local: LocalUserPool, name: str = "sam") -> None:
    local.add_user(name, PASSWORD, attributes={"phone_number": "+15555550100"}, mfa=["SMS_MFA"],
                   preferred_mfa="SMS_MFA")


@pytest.mark.parametrize("bad", ["abc", "12 34 5", "1234567890", "12a456"])
def test_a_code_that_breaks_the_fields_pattern_is_not_sent(local_pool: LocalUserPool, pool: UserPool,
                                                           bad: str) -> None:
    sms_user(local_pool)
    flow = AuthFlow(pool, "sam")
    step = flow.start(password=PASSWORD)
    assert step.challenge_name == "SMS_MFA"
    before, attempts = code_answers(local_pool, "sam"), flow.attempts
    step = flow.respond({"code": bad})
    assert isinstance(step.error, InvalidAnswerError) and step.error.field == "code"
    assert bad not in str(step.error) and "digits" in step.error.message
    assert step.challenge_name == "SMS_MFA" and flow.attempts == attempts  # no attempt used
    assert code_answers(local_pool, "sam") == before  # nothing was sent
    step = flow.respond(local_pool.last_code("sam"))
    assert step.done


@pytest.mark.parametrize("dress", [
    lambda c: f"  {c[:3]} {c[3:]} ",                              # spaces around and inside
    lambda c: f"{c[:3]}-{c[3:]}",                                 # a dash
    lambda c: "".join(chr(0xFF10 + int(d)) for d in c),           # full-width digits
    lambda c: "".join(chr(0x0660 + int(d)) for d in c),           # Arabic-Indic digits
])
def test_codes_are_tidied_before_they_are_checked_and_sent(local_pool: LocalUserPool, pool: UserPool,
                                                           dress: object) -> None:
    sms_user(local_pool)
    flow = AuthFlow(pool, "sam")
    flow.start(password=PASSWORD)
    code = local_pool.last_code("sam")
    assert callable(dress)
    step = flow.respond({"code": dress(code)})
    assert step.done, step.error
    sent = local_pool.requests("RespondToAuthChallenge")[-1].params["ChallengeResponses"]["SMS_MFA_CODE"]
    assert sent == code


def test_run_never_sends_a_refused_password_twice(local_pool: LocalUserPool, pool: UserPool) -> None:
    local_pool.add_user("wes", PASSWORD)
    asked: list[Prompt] = []

    def stubborn(prompt: Prompt) -> str:  # a handler that always gives the same wrong password
        asked.append(prompt)
        return "Wr0ng-Passw0rd!"

    flow = AuthFlow(pool, "wes", "USER_PASSWORD_AUTH")
    with pytest.raises(IncorrectCredentialsError):
        flow.run(stubborn)
    assert len(local_pool.requests("InitiateAuth")) == 1  # sent once, not max_attempts times
    assert len(asked) == 2 and flow.failed and isinstance(flow.failure, IncorrectCredentialsError)


def test_run_never_sends_a_refused_code_twice(local_pool: LocalUserPool, pool: UserPool) -> None:
    local_pool.add_user("tina", PASSWORD, mfa=["SOFTWARE_TOKEN_MFA"], preferred_mfa="SOFTWARE_TOKEN_MFA",
                        totp_secret=TOTP_SECRET)

    def stubborn(prompt: Prompt) -> str:  # the right password, then always the same wrong code
        return "000000" if prompt.fields[0].name == "code" else PASSWORD

    with pytest.raises(CodeMismatchError):
        sign_in(pool, "tina", stubborn)
    assert code_answers(local_pool, "tina") == 1


def test_the_step_api_gives_the_refused_answer_back_unsent(local_pool: LocalUserPool, pool: UserPool) -> None:
    sms_user(local_pool)
    flow = AuthFlow(pool, "sam")
    flow.start(password=PASSWORD)
    wrong = "000000" if local_pool.last_code("sam") != "000000" else "111111"
    step = flow.respond(wrong)
    assert isinstance(step.error, CodeMismatchError)
    sent = code_answers(local_pool, "sam")
    step = flow.respond(f" {wrong[:3]} {wrong[3:]}")  # the same answer, dressed differently
    assert isinstance(step.error, RepeatedAnswerError) and isinstance(step.error.refused, CodeMismatchError)
    assert code_answers(local_pool, "sam") == sent and flow.attempts == 2
    assert flow.respond(local_pool.last_code("sam")).done


def test_a_handler_that_keeps_breaking_the_pattern_ends_without_a_call(local_pool: LocalUserPool,
                                                                        pool: UserPool) -> None:
    sms_user(local_pool)
    answers = iter(["abc", "abcd", "x", "12", "1", "zz"])
    handler = ScriptedHandler(password=PASSWORD)

    def answer(prompt: Prompt) -> object:
        return next(answers) if prompt.fields[0].name == "code" else handler.answer(prompt)

    flow = AuthFlow(pool, "sam", max_attempts=3)
    with pytest.raises(InvalidAnswerError):
        flow.run(answer)  # type: ignore[arg-type]
    assert code_answers(local_pool, "sam") == 0 and flow.state == FAILED


def test_a_flow_says_whether_it_ended_and_why(local_pool: LocalUserPool, pool: UserPool) -> None:
    local_pool.add_user("ann", PASSWORD)
    flow = AuthFlow(pool, "ann", "USER_PASSWORD_AUTH", max_attempts=1)
    assert flow.state == INITIAL and not flow.ended and flow.failure is None
    flow.start()
    with pytest.raises(IncorrectCredentialsError) as refused:
        flow.respond({"password": "Wr0ng-Passw0rd!"})
    assert flow.ended and flow.failed and not flow.done and flow.state == FAILED
    assert flow.failure is refused.value

    cancelled = AuthFlow(pool, "ann")
    cancelled.start()
    cancelled.cancel()
    assert cancelled.ended and isinstance(cancelled.failure, SignInCancelled)

    good = AuthFlow(pool, "ann")
    assert good.start(password=PASSWORD).done
    assert good.ended and good.done and not good.failed and good.failure is None and good.state == AUTHENTICATED


def test_call_takes_cognitos_api_names_and_types_an_unknown_one(local_pool: LocalUserPool, pool: UserPool) -> None:
    local_pool.add_user("ann", PASSWORD)
    tokens = sign_in(pool, "ann", ScriptedHandler(password=PASSWORD))
    assert pool.call("GetUser", AccessToken=tokens.access_token)["Username"] == "ann"
    assert pool.call("get_user", AccessToken=tokens.access_token)["Username"] == "ann"
    pool.call("ChangePassword", AccessToken=tokens.access_token, PreviousPassword=PASSWORD,
              ProposedPassword="N3w-Passw0rd!")
    assert sign_in(pool, "ann", ScriptedHandler(password="N3w-Passw0rd!")).access_token
    sent = len(local_pool.requests())
    for unknown in ("NoSuchOperation", "no_such_operation", "__class__", ""):
        with pytest.raises(UnknownOperationError) as caught:
            pool.call(unknown)
        assert isinstance(caught.value, AttributeError) and caught.value.code == "UnknownOperation"
    assert len(local_pool.requests()) == sent


def test_the_options_a_gui_developer_needs_are_documented() -> None:
    doc = inspect.getdoc(AuthFlow) or ""
    for factor in FIRST_FACTORS:
        assert factor in doc, factor
    assert "session_validity" in doc and "180" in doc and "must give it" in doc
    assert "deadline" in doc and "None" in doc


def test_a_sign_in_has_a_deadline_by_default_that_counts_only_cognitos_time(local_pool: LocalUserPool,
                                                                             pool: UserPool) -> None:
    assert inspect.signature(AuthFlow).parameters["deadline"].default == DEFAULT_DEADLINE
    assert 0 < DEFAULT_DEADLINE <= 120
    assert AuthFlow(pool, "ann").deadline == DEFAULT_DEADLINE
    sms_user(local_pool)
    handler = ScriptedHandler(password=PASSWORD)

    def slow_person(prompt: Prompt) -> object:  # takes longer to answer than the whole deadline
        if prompt.fields[0].name == "code":
            time.sleep(2.2)
            return local_pool.last_code("sam")
        return handler.answer(prompt)

    flow = AuthFlow(pool, "sam", "USER_PASSWORD_AUTH", deadline=2.0)
    assert flow.run(slow_person).access_token  # type: ignore[arg-type]



def _issuer(uri: str | None) -> str:
    from urllib.parse import parse_qs, urlsplit

    assert uri is not None
    return parse_qs(urlsplit(uri).query)["issuer"][0]


def test_the_totp_issuer_is_a_name_unless_the_app_gives_its_own(local_pool: LocalUserPool) -> None:
    from authflow import Account
    from authflow.prompts import PromptKind

    local_pool.pool().mfa_configuration = "ON"
    local_pool.add_user("sean", PASSWORD)
    pool = UserPool(local_pool.pool_id, local_pool.client_id, endpoint_url=local_pool.endpoint_url)
    for given, shown in ((None, "authflow"), ("Example App", "Example App")):
        flow = AuthFlow(pool, "sean", totp_issuer=given)
        flow.start()
        step = flow.respond({"password": PASSWORD})
        if step.prompt is not None and step.prompt.kind is PromptKind.MFA_SETUP_CHOICE:
            step = flow.respond({"choice": "SOFTWARE_TOKEN_MFA"})
        assert step.prompt is not None and step.prompt.kind is PromptKind.TOTP_SETUP
        assert _issuer(step.prompt.otpauth_uri) == shown  # never the pool id's suffix
    local_pool.pool().mfa_configuration = "OPTIONAL"
    tokens = sign_in(pool, "sean", ScriptedHandler(password=PASSWORD))
    for given, shown in ((None, "authflow"), ("Example App", "Example App")):
        setup = Account(pool, tokens, totp_issuer=given).set_up_totp().start()
        assert setup.prompt is not None and _issuer(setup.prompt.otpauth_uri) == shown
