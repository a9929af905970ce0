"""Class names that two modules gave to different things (issue 19 item 6, for the two pairs issue 23 took):
``SignInResult`` (a batch sign-in's result in authflow.many; the Qt dialog's is now ``DialogResult``) and
``CognitoUser`` (the Locust user class in authflow.locust; the pytest plugin's made user is now
``CognitoTestUser``). The old names of the renamed ones still resolve, with a DeprecationWarning. And no public class
name is given twice anywhere in authflow/ or states/ (the local pool's form input is ``FormField``, not a second
``Field`` beside authflow.prompts')."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def classes_defined() -> dict[str, list[str]]:
    """Top-level class name -> the modules (paths) defining it, over authflow/ and states/."""
    found: dict[str, list[str]] = defaultdict(list)
    for root in ("authflow", "states"):
        for path in sorted((REPO / root).rglob("*.py")):
            for node in ast.parse(path.read_text(encoding="utf-8")).body:
                if isinstance(node, ast.ClassDef):
                    found[node.name].append(str(path.relative_to(REPO)))
    return found


@pytest.mark.parametrize(("name", "home"), [("SignInResult", "authflow/many.py"),
                                            ("CognitoUser", "authflow/locust.py")])
def test_each_of_these_names_is_one_class(name: str, home: str) -> None:
    assert classes_defined()[name] == [home]


def test_no_public_class_name_is_defined_twice() -> None:
    found = classes_defined()
    assert found["Field"] == ["authflow/prompts.py"]
    twice = {name: homes for name, homes in found.items() if not name.startswith("_") and len(homes) > 1}
    assert twice == {}


def test_the_renamed_classes_keep_their_old_name_with_a_warning() -> None:
    import authflow.pytest_plugin as plugin
    import authflow.qt as qt

    with pytest.warns(DeprecationWarning, match="DialogResult"):
        assert qt.SignInResult is qt.DialogResult
    with pytest.warns(DeprecationWarning, match="CognitoTestUser"):
        assert plugin.CognitoUser is plugin.CognitoTestUser
