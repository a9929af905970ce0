"""The SRP public value A is made at start(), while the person types, so the password step does less."""

from __future__ import annotations

import pytest

from authflow import AuthFlow, UserPool, srp
from authflow.localpool import LocalUserPool
from tests.engine.helpers import PASSWORD


@pytest.fixture
def made(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """SRP_A of every client ephemeral made, in order."""
    made: list[str] = []

    class Recording(srp.ClientEphemeral):
        def __init__(self) -> None:
            super().__init__()
            made.append(self.srp_a)

    monkeypatch.setattr(srp, "ClientEphemeral", Recording)
    return made


def test_a_is_made_at_start_and_sent_with_the_password(
    local_pool: LocalUserPool, pool: UserPool, made: list[str]
) -> None:
    local_pool.add_user("early", PASSWORD)
    flow = AuthFlow(pool, "early")
    flow.start()
    assert len(made) == 1 and local_pool.requests("InitiateAuth") == []
    flow.respond("Wrong-Passw0rd!")  # refused: the next try must use a new ephemeral
    step = flow.respond(PASSWORD)
    assert step.tokens is not None
    sent = [r.params["AuthParameters"]["SRP_A"] for r in local_pool.requests("InitiateAuth")]
    assert sent == made and len(set(made)) == 2


@pytest.mark.parametrize("options", [{"auth_flow": "USER_AUTH", "preferred_challenge": "PASSWORD_SRP"},
                                     {"auth_flow": "USER_PASSWORD_AUTH"}])
def test_only_srp_first_factors_make_a_early(
    local_pool: LocalUserPool, pool: UserPool, made: list[str], options: dict[str, str]
) -> None:
    local_pool.add_user("early", PASSWORD)
    flow = AuthFlow(pool, "early", **options)
    flow.start()
    assert len(made) == (1 if options["auth_flow"] == "USER_AUTH" else 0)
    assert flow.respond(PASSWORD).tokens is not None
