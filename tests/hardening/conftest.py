from __future__ import annotations

from collections.abc import Iterator

import pytest

from .fake_cognito import FakeCognito, Reply, Scripted


@pytest.fixture(scope="module")
def fake() -> Iterator[Scripted]:
    """One fake Cognito endpoint for a module; each test queues the replies it wants."""
    scripted = Scripted()
    with FakeCognito(scripted) as server:
        scripted.url = server.url
        yield scripted


__all__ = ["Reply"]
