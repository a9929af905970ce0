"""The dialog when the pool goes away at the code page: it stays on that page saying Cognito cannot be reached,
and the same code goes through once the pool is back (same address, same state)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from authflow.localpool import LocalUserPool
from authflow.qt import CodePage
from tests.helpers.restart import free_port, start_pool

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
