"""The asyncio twin of the step API: the same flow, awaited.

boto3 is synchronous, so each step runs the shared synchronous core (:class:`~authflow.flow.AuthFlow`) in a
worker thread and the event loop stays free; nothing about the protocol is re-implemented here. ``run``
drives the same dialogue as ``AuthFlow.run`` (:meth:`~authflow.flow.AuthFlow.conversation`), awaiting the
handler between turns. Handlers may be plain or ``async``.

    flow = AsyncAuthFlow(pool, "alice")
    step = await flow.start()
    while not step.done:
        step = await flow.respond(await ask_user(step.prompt))
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from authflow.errors import AuthflowError
from authflow.flow import AuthFlow, Step, advance, answerer
from authflow.prompts import Answer, Prompt
from authflow.tokens import Tokens
from authflow.transport import UserPool

AsyncHandlerLike = Callable[[Prompt], Answer | Awaitable[Answer]] | Any


class AsyncAuthFlow:
    """An :class:`AuthFlow` driven from asyncio. Attributes not defined here (``session``, ``state``,
    ``history``, ``prompt``, ``snapshot()``...) are the wrapped flow's."""

    def __init__(self, pool: UserPool, username: str, auth_flow: str = "USER_SRP_AUTH", **options: Any) -> None:
        self.flow = AuthFlow(pool, username, auth_flow, **options)
        self._lock = asyncio.Lock()

    @classmethod
    def resume(cls, pool: UserPool, snapshot: Mapping[str, Any], **options: Any) -> AsyncAuthFlow:
        instance = cls.__new__(cls)
        instance.flow = AuthFlow.resume(pool, snapshot, **options)
        instance._lock = asyncio.Lock()
        return instance

    def __getattr__(self, name: str) -> Any:
        return getattr(self.flow, name)

    def __repr__(self) -> str:
        return f"Async{self.flow!r}"

    async def start(self, password: str | None = None) -> Step:
        async with self._lock:  # one step at a time, like the synchronous flow
            return await asyncio.to_thread(self.flow.start, password)

    async def respond(self, answer: Answer) -> Step:
        async with self._lock:
            return await asyncio.to_thread(self.flow.respond, answer)

    async def run(self, handler: AsyncHandlerLike) -> Tokens:
        """Drive the flow to the end; ``handler`` (or its ``answer``) may be a coroutine function."""
        ask = answerer(handler)
        conversation = self.flow.conversation()
        answer: Answer | AuthflowError | None = None
        while True:
            async with self._lock:
                question = await asyncio.to_thread(advance, conversation, answer)
            if not isinstance(question, Prompt):
                return question
            try:
                answer = ask(question)
                if inspect.isawaitable(answer):
                    answer = await answer
            except AuthflowError as exc:
                answer = exc


async def sign_in_async(
    pool: UserPool, username: str, handler: AsyncHandlerLike, auth_flow: str = "USER_SRP_AUTH", **options: Any
) -> Tokens:
    """``sign_in`` for asyncio."""
    return await AsyncAuthFlow(pool, username, auth_flow, **options).run(handler)
