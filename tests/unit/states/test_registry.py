"""states/__init__.py: the registry of states and the transition table name the same states."""

from __future__ import annotations

from authflow import machine, states


def test_the_registry_and_the_table_name_the_same_states() -> None:
    assert set(states.REGISTRY) == set(machine.STATES) - set(machine.FINAL)
    assert all(name == state.name for name, state in states.REGISTRY.items())
    # The table's answerable states are exactly those whose module has a prompt (plus awaiting_password).
    prompted = {name for name, state in states.REGISTRY.items() if state.prompt is not None}
    assert prompted == {*machine.ANSWERABLE, *machine.ACCOUNT, "awaiting_password"}
    assert not prompted & {*machine.AUTOMATIC, *machine.ACCOUNT_AUTOMATIC}
