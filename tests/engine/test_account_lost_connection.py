"""An account change whose connection to Cognito breaks at a question: the flow stays at that question (the step
API raises the EndpointError, ``prompt.error`` is it, the change keeps what Cognito said: the new authenticator's
secret, the code sent), and once the pool is back the answer goes through. An answer that reached Cognito before
the connection broke is not asked for again as if it were wrong: a code that verified, a password that changed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyotp
import pytest

from authflow import Account, ScriptedHandler, UserPool, sign_in
from authflow.account import AccountFlow, TotpNotVerifiedError
from authflow.calls import Request
from authflow.errors import ConnectionLostError, EndpointError, IncorrectCredentialsError, NotAuthorizedError
from authflow.labels import LOST_CONNECTION, explain_refusal
from authflow.localpool import LocalUserPool
from authflow.prompts import Field, Prompt, PromptKind
from tests.helpers.restart import (
    ACCOUNT_CLIENT_ID,
    ACCOUNT_PASSWORD,
    ACCOUNT_POOL_ID,
    ACCOUNT_SEED,
    DroppingProxy,
    free_port,
    start_pool,
)

PASSWORD = ACCOUNT_PASSWORD
NEW_PASSWORD = "Brand-New-Passw0rd!"


@pytest.fixture
def local() -> Iterator[LocalUserPool]:
    pool = start_pool(ACCOUNT_SEED, free_port())
    yield pool
    pool.close()


def account(endpoint_url: str, **options: int) -> Account:
    pool = UserPool(ACCOUNT_POOL_ID, ACCOUNT_CLIENT_ID, endpoint_url=endpoint_url, **options)
    return Account(pool, sign_in(pool, "ada", ScriptedHandler(password=PASSWORD), auth_flow="USER_PASSWORD_AUTH"))


def operations(local: LocalUserPool) -> list[str]:
    return [r.operation for r in local.requests()]


def test_the_authenticator_code_goes_through_once_the_pool_is_back(local: LocalUserPool) -> None:
    ada = account(local.endpoint_url)
    flow = ada.set_up_totp("Phone")
    step = flow.start()
    prompt = step.prompt
    assert prompt is not None and prompt.kind is PromptKind.TOTP_SETUP and prompt.secret_code
    endpoint = local.endpoint_url
    local.stop()  # the Python API keeps the users (and the associated secret); start() serves them again

    with pytest.raises(EndpointError) as raised:
        flow.respond(pyotp.TOTP(prompt.secret_code).now())
    assert not flow.failed and flow.prompt is not None  # the same question, with why
    assert flow.prompt.kind is PromptKind.TOTP_SETUP and flow.prompt.error is raised.value
    assert flow.prompt.secret_code == prompt.secret_code and flow.prompt.attempt == prompt.attempt
    assert str(explain_refusal(raised.value)) == f"Cannot reach {endpoint}: try again."
    with pytest.raises(EndpointError):  # still away: still at the same question
        flow.respond(pyotp.TOTP(prompt.secret_code).now())
    assert flow.prompt is not None and not flow.failed
    assert prompt.secret_code not in repr(flow)

    local.start()
    local.clear_requests()
    step = flow.respond(pyotp.TOTP(prompt.secret_code).now())
    assert step.done and step.result == prompt.secret_code
    assert operations(local) == ["VerifySoftwareToken", "SetUserMFAPreference"]  # no new secret
    assert local.user("ada").totp_secret == prompt.secret_code
    assert ada.mfa().enabled == ("SOFTWARE_TOKEN_MFA",)


def test_a_new_password_goes_through_once_the_pool_is_back(local: LocalUserPool) -> None:
    ada = account(local.endpoint_url)
    flow = ada.change_password()
    flow.start()
    step = flow.respond({"password": PASSWORD})
    assert step.prompt is not None and step.prompt.kind is PromptKind.NEW_PASSWORD
    local.stop()
    with pytest.raises(EndpointError):
        flow.respond({"new_password": "Another-Passw0rd!"})
    assert flow.prompt is not None and flow.prompt.kind is PromptKind.NEW_PASSWORD
    assert isinstance(flow.prompt.error, EndpointError)
    local.start()
    local.clear_requests()
    assert flow.respond({"new_password": NEW_PASSWORD}).done  # another answer than the first: the one that goes
    kept = repr(vars(flow))
    assert PASSWORD not in kept and NEW_PASSWORD not in kept  # no answer is held once the change is over
    (change,) = local.requests("ChangePassword")
    assert change.status == 200
    sign_in(ada.pool, "ada", ScriptedHandler(password=NEW_PASSWORD), auth_flow="USER_PASSWORD_AUTH")  # type: ignore[arg-type]


def test_an_attribute_code_goes_through_once_the_pool_is_back(local: LocalUserPool) -> None:
    ada = account(local.endpoint_url)
    flow = ada.update_attributes({"email": "ada@example.org"})
    step = flow.start()
    assert step.prompt is not None and step.prompt.kind is PromptKind.CODE
    code = local.last_code("ada")
    local.stop()
    with pytest.raises(EndpointError):
        flow.respond({"code": code})
    with pytest.raises(EndpointError):  # a new code asked for while away: the same question too
        flow.respond(dict(step.prompt.resend.answer))  # type: ignore[union-attr]
    assert flow.prompt is not None and flow.prompt.kind is PromptKind.CODE and not flow.failed
    local.start()
    assert flow.respond({"code": code}).done
    assert ada.attributes()["email_verified"] == "true"
    assert operations(local).count("UpdateUserAttributes") == 1


def test_a_script_run_still_ends_with_what_was_left_half_done(local: LocalUserPool) -> None:
    ada = account(local.endpoint_url)

    def answer(prompt: Any) -> str:
        local.stop()
        return pyotp.TOTP(prompt.secret_code).now()

    flow = ada.set_up_totp()
    with pytest.raises(TotpNotVerifiedError) as raised:
        flow.run(answer)
    assert "EndpointConnectionError" in str(raised.value) and flow.failed


def test_a_person_s_run_is_asked_again(local: LocalUserPool) -> None:
    ada = account(local.endpoint_url)
    asked: list[Any] = []

    def answer(prompt: Any) -> str:
        asked.append(prompt.error)
        if len(asked) == 1:
            local.stop()
        else:
            local.start()
        return pyotp.TOTP(prompt.secret_code).now()

    secret = ada.set_up_totp().run(answer, retry_unreachable=True)
    assert asked[0] is None and isinstance(asked[1], EndpointError) and len(asked) == 2
    assert local.user("ada").totp_secret == secret


def test_a_verified_code_whose_reply_was_lost_is_not_asked_again(local: LocalUserPool) -> None:
    proxy = DroppingProxy(local.endpoint_url)
    try:
        ada = account(proxy.endpoint_url, max_attempts=1)
        flow = ada.update_attributes({"email": "ada@example.org"})
        flow.start()
        code = local.last_code("ada")
        proxy.drop_next("VerifyUserAttribute")  # the pool verifies the address; its answer never comes back
        with pytest.raises(ConnectionLostError):
            flow.respond({"code": code})
        assert proxy.dropped == ["VerifyUserAttribute"] and flow.prompt is not None
        # Sent again, the code is refused (it was used); the change finds the address verified.
        assert flow.respond({"code": code}).done
        verify = local.requests("VerifyUserAttribute")
        assert [r.status for r in verify] == [200, 400] and ada.attributes()["email_verified"] == "true"
    finally:
        proxy.close()


def test_an_authenticator_verified_whose_reply_was_lost_is_set_up(local: LocalUserPool) -> None:
    proxy = DroppingProxy(local.endpoint_url)
    try:
        ada = account(proxy.endpoint_url, max_attempts=1)
        flow = ada.set_up_totp()
        secret = flow.start().prompt.secret_code  # type: ignore[union-attr]
        assert secret
        code = pyotp.TOTP(secret).now()
        proxy.drop_next("VerifySoftwareToken")
        with pytest.raises(ConnectionLostError):
            flow.respond(code)
        step = flow.respond(code)  # refused (already verified): turning TOTP on says it was verified
        assert step.done and step.result == secret
        assert ada.mfa().enabled == ("SOFTWARE_TOKEN_MFA",) and local.user("ada").totp_secret == secret
    finally:
        proxy.close()


def test_a_password_changed_whose_reply_was_lost_is_said_to_have_been_used(local: LocalUserPool) -> None:
    proxy = DroppingProxy(local.endpoint_url)
    try:
        ada = account(proxy.endpoint_url, max_attempts=1)
        flow = ada.change_password()
        flow.start()
        flow.respond({"password": PASSWORD})
        proxy.drop_next("ChangePassword")
        with pytest.raises(ConnectionLostError):
            flow.respond({"new_password": NEW_PASSWORD})
        step = flow.respond({"new_password": NEW_PASSWORD})  # the old password is no longer it
        assert step.prompt is not None and step.prompt.kind is PromptKind.PASSWORD
        error = step.prompt.error
        assert isinstance(error, IncorrectCredentialsError) and error.after_lost_connection
        said = str(explain_refusal(error))
        assert said.startswith(LOST_CONNECTION) and "current password is then the new one" in said
        assert PASSWORD not in said and NEW_PASSWORD not in said
        assert flow.respond({"password": NEW_PASSWORD}).done  # the new one as the current: nothing is lost
    finally:
        proxy.close()


def test_a_request_after_cognito_took_the_answer_is_what_goes_again(local: LocalUserPool) -> None:
    """Email MFA with an address not verified: the code verifies it, then SetUserMFAPreference cannot be sent. The
    flow stays at the code; answered again, only SetUserMFAPreference goes (the code was taken)."""
    local.update_user("ada", attributes={"email_verified": "false"})
    proxy = DroppingProxy(local.endpoint_url)
    try:
        ada = account(proxy.endpoint_url, max_attempts=1)
        flow = ada.enable_mfa("email")
        step = flow.start()
        assert step.prompt is not None and step.prompt.kind is PromptKind.CODE
        code = local.last_code("ada")
        proxy.refuse_next("SetUserMFAPreference")  # never reaches the pool
        with pytest.raises(ConnectionLostError):
            flow.respond({"code": code})
        assert flow.prompt is not None and isinstance(flow.prompt.error, ConnectionLostError)
        local.clear_requests()
        assert flow.respond({"code": code}).done
        assert operations(local) == ["SetUserMFAPreference"]
        assert ada.mfa().enabled == ("EMAIL_OTP",)
    finally:
        proxy.close()


def test_a_wrong_code_whose_reply_was_lost_is_only_a_wrong_code(local: LocalUserPool) -> None:
    proxy = DroppingProxy(local.endpoint_url)
    try:
        ada = account(proxy.endpoint_url, max_attempts=1)
        flow = ada.update_attributes({"email": "ada@example.org"})
        flow.start()
        right = local.last_code("ada")
        wrong = "000000" if right != "000000" else "111111"
        proxy.drop_next("VerifyUserAttribute")  # the pool refuses the code; its answer never comes back
        with pytest.raises(ConnectionLostError):
            flow.respond({"code": wrong})
        step = flow.respond({"code": wrong})  # refused again; the address is not verified: a wrong code
        assert step.prompt is not None and step.error is not None
        assert step.error.code == "CodeMismatchException" and not step.error.after_lost_connection
        assert not str(explain_refusal(step.error)).startswith(LOST_CONNECTION)
        assert flow.respond({"code": right}).done
    finally:
        proxy.close()


@pytest.mark.parametrize("attempts", [1, 3], ids=["answered-again", "retried-by-the-client"])
def test_an_account_deleted_whose_reply_was_lost_is_said_to_be_most_likely_deleted(local: LocalUserPool,
                                                                                   attempts: int) -> None:
    """The first DeleteUser deleted ada; sent again (by the person, or by the client's own retry), Cognito refuses
    her revoked access token: that is said to be what it most likely means, never a plain refusal."""
    proxy = DroppingProxy(local.endpoint_url)
    try:
        ada = account(proxy.endpoint_url, max_attempts=attempts)
        flow = ada.delete()
        flow.start()
        proxy.drop_next("DeleteUser")
        if attempts == 1:
            with pytest.raises(ConnectionLostError):
                flow.respond({"confirm": "ada"})
            assert flow.prompt is not None and not flow.failed
        with pytest.raises(NotAuthorizedError) as raised:
            flow.respond({"confirm": "ada"})
        assert proxy.dropped == ["DeleteUser"] and raised.value.after_lost_connection
        said = str(explain_refusal(raised.value))
        assert said.startswith(LOST_CONNECTION) and "most likely deleted" in said
        with pytest.raises(KeyError):
            local.user("ada")
    finally:
        proxy.close()


def test_a_change_given_as_a_generator_sends_its_request_again(local: LocalUserPool) -> None:
    """An AccountFlow made from a generator (not a function that makes one) cannot be brought back to its question:
    the request Cognito could not be sent goes again, whatever the next answer."""
    ada = account(local.endpoint_url)
    sent: list[dict[str, Any]] = []

    def action() -> Any:
        answer = yield Prompt(kind=PromptKind.CONFIRM, challenge_name="ASK", fields=(Field("name", "Name"),),
                              message="A name", username="ada")
        sent.append(answer)
        reply = yield Request("GetUser", {})
        return (answer["name"], reply["Username"])

    flow: AccountFlow[Any] = AccountFlow(ada, action(), "a change of one's own")
    flow.start()
    local.stop()
    with pytest.raises(EndpointError):
        flow.respond({"name": "first"})
    local.start()
    step = flow.respond({"name": "second"})
    assert step.done and step.result == ("first", "ada") and sent == [{"name": "first"}]
