"""The dialog when the pool goes away at the code page: it stays on that page saying Cognito cannot be reached,
and the same code goes through once the pool is back (same address, same state)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from authflow.localpool import LocalUserPool
from authflow.qt import CodePage, PasswordPage, UsernameScreen
from tests.helpers.restart import DroppingProxy, free_port, picture_port, start_pool

from .conftest import sign_in_to_code, signed_in, watched


@pytest.fixture
def demo_on_a_port() -> Iterator[LocalUserPool]:
    local = start_pool("demo", free_port())
    yield local
    local.close()


def test_the_code_page_stays_while_the_pool_is_away(demo_on_a_port: LocalUserPool, open_dialog: Any) -> None:
    demo = demo_on_a_port
    d = open_dialog(watched(demo))
    sign_in_to_code(d, "tina", "Tina-Passw0rd!")
    d.wait_for(CodePage)
    code, endpoint = demo.totp_code("tina"), demo.endpoint_url
    demo.stop()  # the Python API keeps the users and the Session; start() serves them on the same port again
    d.type("code", code)
    d.submit()
    d.qtbot.waitUntil(lambda: not d.widget.busy and d.page.error.isVisible(), timeout=20_000)
    assert isinstance(d.page, CodePage), "the dialog left the code page"
    assert d.page.error.text() == f"Cannot reach {endpoint}: try again."
    assert d.widget.flow is not None and not d.widget.flow.ended

    demo.start()
    d.type("code", code)
    d.submit()
    signed_in(d, demo, "tina")


def test_a_lost_srp_step_stays_on_the_password_page_and_tries_again(demo_on_a_port: LocalUserPool,
                                                                    open_dialog: Any) -> None:
    """SRP: InitiateAuth was answered, the connection then broke on PASSWORD_VERIFIER, so the sign-in cannot stay
    (the flow says so). The password page stays, saying why, with the password still typed; Try again signs in
    anew with the same username and password in one click."""
    demo = demo_on_a_port
    proxy = DroppingProxy(demo.endpoint_url, picture_port(9282))  # the picture shows the endpoint
    proxy.refuse_next("RespondToAuthChallenge", 3, containing="PASSWORD_VERIFIER")  # each of botocore's tries
    try:
        d = open_dialog(watched(demo, endpoint_url=proxy.endpoint_url))
        sign_in_to_code(d, "tina", "Tina-Passw0rd!")
        d.qtbot.waitUntil(lambda: not d.widget.busy and d.page.error.isVisible(), timeout=20_000)
        page = d.page
        assert isinstance(page, PasswordPage), "the dialog left the password page"
        said = page.error.text()
        assert said == (f"The connection to {proxy.endpoint_url} broke before RespondToAuthChallenge was answered. "
                        "This sign-in cannot go on from here: Try again starts it again with the same username and "
                        "password.")
        assert "Tina-Passw0rd!" not in said and d.field("password").text() == "Tina-Passw0rd!"
        assert d.widget.submit_button.text() == "Try again" and d.widget.submit_button.isEnabled()
        assert d.widget.flow is None and proxy.refused == ["RespondToAuthChallenge"] * 3
        d.snap("password-unreachable")

        d.submit()  # one click: a new sign-in, the password sent again
        d.wait_for(CodePage)
        d.type("code", demo.totp_code("tina"))
        d.submit()
        signed_in(d, demo, "tina")
    finally:
        proxy.close()
    assert [r.operation for r in demo.requests()].count("InitiateAuth") == 2


def test_back_after_a_lost_srp_step_forgets_the_password(demo_on_a_port: LocalUserPool, open_dialog: Any) -> None:
    demo = demo_on_a_port
    proxy = DroppingProxy(demo.endpoint_url)
    proxy.refuse_next("RespondToAuthChallenge", 3, containing="PASSWORD_VERIFIER")
    try:
        d = open_dialog(watched(demo, endpoint_url=proxy.endpoint_url))
        sign_in_to_code(d, "tina", "Tina-Passw0rd!")
        d.qtbot.waitUntil(lambda: not d.widget.busy and d.page.error.isVisible(), timeout=20_000)
        d.click("back")
        d.wait_for(UsernameScreen)
        assert d.field("username").text() == "tina"
        d.submit()
        d.wait_for(PasswordPage)
        assert d.field("password").text() == ""  # typed again: nothing was kept for it
        assert d.widget.submit_button.text() == "Sign in"
    finally:
        proxy.close()
