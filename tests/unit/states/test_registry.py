"""states/__init__.py: the registry of states and the transition table name the same states."""

from __future__ import annotations

from pathlib import Path

from authflow import machine, states


def test_the_registry_and_the_table_name_the_same_states() -> None:
    assert set(states.REGISTRY) == set(machine.STATES) - set(machine.FINAL)
    assert all(name == state.name for name, state in states.REGISTRY.items())
    # The table's answerable states are exactly those whose module has a prompt (plus awaiting_password).
    prompted = {name for name, state in states.REGISTRY.items() if state.prompt is not None}
    assert prompted == {*machine.ANSWERABLE, *machine.ACCOUNT, "awaiting_password"}
    assert not prompted & {*machine.AUTOMATIC, *machine.ACCOUNT_AUTOMATIC}


def test_every_states_module_has_its_test_module() -> None:
    """The tests mirror states/: ``states/<name>.py`` is tested in ``tests/unit/states/test_<name>.py`` (a
    leading underscore dropped; the registry, ``__init__.py``, here)."""
    package = Path(states.__file__).parent
    here = Path(__file__).parent
    modules = sorted(p.stem for p in package.glob("*.py") if p.stem != "__init__")
    assert {"awaiting_password", "_account", "web_authn"} <= set(modules)
    missing = [m for m in modules if not (here / f"test_{m.lstrip('_')}.py").is_file()]
    assert missing == []
