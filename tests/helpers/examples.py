"""Where the examples the tests load live."""

from __future__ import annotations

from pathlib import Path

#: The desktop example app (a Qt window signing in with authflow.qt).
DESKTOP_QT = Path(__file__).resolve().parents[2] / "examples" / "desktop_qt.py"


def demo_passwords() -> list[str]:
    """"username / password" of the demo seed's users of the example's pool (the first) and of its federated
    provider, in the seed's order (read from the seed itself)."""
    from authflow.localpool.seed import demo_seed

    entry = demo_seed()["pools"][0]
    people = list(entry["users"]) + [person for provider in entry["identity_providers"] for person in provider["users"]]
    return [f"{person['username']} / {person['password']}" for person in people]
