"""The asyncio twin drives the same flow: several sign-ins share one event loop."""

from __future__ import annotations

import asyncio

import pyotp

from authflow import PromptKind, ScriptedHandler, UserPool
from authflow.aio import AsyncAuthFlow, sign_in_async
from authflow.localpool import LocalUserPool
from authflow.prompts import Prompt
from tests.engine.helpers import PASSWORD, claims


def test_async_step_api_with_a_wrong_code(local_pool: LocalUserPool, pool: UserPool) -> None:
    local_pool.add_user("sam", PASSWORD, attributes={"phone_number": "+15555550100"}, mfa=["SMS_MFA"],
                        preferred_mfa="SMS_MFA")

    async def main() -> str:
        flow = AsyncAuthFlow(pool, "sam")
        step = await flow.start()
        assert step.prompt is not None and step.prompt.kind is PromptKind.PASSWORD
        step = await flow.respond(PASSWORD)
        assert step.challenge_name == "SMS_MFA" and flow.session
        code = local_pool.last_code("sam")
        step = await flow.respond("000000" if code != "000000" else "111111")
        assert step.error is not None and step.error.code == "CodeMismatchException"
        step = await flow.respond(code)
        assert step.tokens is not None
        return claims(step.tokens.access_token)["username"]

    assert asyncio.run(main()) == "sam"


def test_async_handlers_and_concurrent_sign_ins(local_pool: LocalUserPool, pool: UserPool) -> None:
    secrets = {f"t{i}": pyotp.random_base32(32) for i in range(6)}
    for name, secret in secrets.items():
        local_pool.add_user(name, PASSWORD, mfa=["SOFTWARE_TOKEN_MFA"], preferred_mfa="SOFTWARE_TOKEN_MFA",
                            totp_secret=secret)

    def handler_for(name: str) -> object:
        scripted = ScriptedHandler(password=PASSWORD, totp_secret=secrets[name])

        async def answer(prompt: Prompt) -> object:
            await asyncio.sleep(0)  # an async UI would await the person here
            return scripted.answer(prompt)

        return answer

    async def main() -> list[str]:
        results = await asyncio.gather(*(sign_in_async(pool, n, handler_for(n)) for n in secrets))
        return [claims(t.access_token)["username"] for t in results]

    assert asyncio.run(main()) == list(secrets)


def test_async_handler_giving_up_cancels_the_flow(local_pool: LocalUserPool, pool: UserPool) -> None:
    """The same dialogue loop as AuthFlow.run: a handler's error is thrown into it and fails the flow."""
    from authflow.errors import SignInCancelled

    local_pool.add_user("sam", PASSWORD, attributes={"phone_number": "+15555550100"}, mfa=["SMS_MFA"],
                        preferred_mfa="SMS_MFA")

    async def answer(prompt: Prompt) -> object:
        if prompt.kind is PromptKind.PASSWORD:
            return PASSWORD
        raise SignInCancelled("the person closed the window")

    async def main() -> AsyncAuthFlow:
        flow = AsyncAuthFlow(pool, "sam")
        try:
            await flow.run(answer)
        except SignInCancelled:
            return flow
        raise AssertionError("the handler's error did not come out of run()")

    flow = asyncio.run(main())
    assert flow.state == "failed" and flow.session is None
    assert flow.history[-2:] == ["SMS_MFA", "failed"]
