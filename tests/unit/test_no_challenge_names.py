"""No code outside ``states/`` tests a challenge name: an interface reads what it needs from the prompt
(``PromptKind``, ``delivery_medium``, ``resend``, ``choice_labels``, ``authflow.labels``).

Checked on the syntax tree of every .py file under authflow/ and examples/, except the local pool
(authflow/localpool: the server side, which implements the challenges and must tell them apart). Caught:
a comparison or membership test with a ``challenge_name`` (``prompt.challenge_name == ...``, ``in (...)``),
``match`` on one, a lookup keyed by one (``table[step.challenge_name]``, ``labels.get(prompt.challenge_name)``),
and a comparison with, or a table keyed by, the name of a challenge that is not also an answer's value
(``"SELECT_MFA_TYPE"``; ``"SOFTWARE_TOKEN_MFA"`` is also an MFA method a person chooses, as the choice
labels name it). Tests may use names in their assertions.
"""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest
from authflow.states import REGISTRY

from authflow.labels import CHOICE_LABELS

ROOT = Path(__file__).resolve().parents[2]


def _challenge_only_names() -> frozenset[str]:
    """Names of challenges (and of the engine's states) that are never the value of an answer."""
    return frozenset(name for name in REGISTRY if name.isupper() and name not in CHOICE_LABELS)


def _is_challenge_name(node: ast.AST) -> bool:
    """``node`` is, or is made of, a challenge name: ``prompt.challenge_name``, ``challenge_name or ""``..."""
    if isinstance(node, (ast.BoolOp, ast.IfExp, ast.Call)):
        return any(_is_challenge_name(part) for part in ast.iter_child_nodes(node))
    return (isinstance(node, ast.Attribute) and node.attr == "challenge_name") or (
        isinstance(node, ast.Name) and node.id == "challenge_name"
    )


def offences(source: str, names: frozenset[str]) -> list[str]:
    """Where ``source`` tests a challenge name: ``line: code`` for each."""
    found = []

    def literal(node: ast.AST | None) -> bool:
        return isinstance(node, ast.Constant) and node.value in names

    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            bad = any(_is_challenge_name(o) or literal(o) for o in operands) or any(
                isinstance(o, (ast.Tuple, ast.List, ast.Set)) and any(literal(e) for e in o.elts) for o in operands
            )
        elif isinstance(node, ast.Match):
            bad = _is_challenge_name(node.subject) or any(
                isinstance(case.pattern, ast.MatchValue) and literal(case.pattern.value) for case in node.cases
            )
        elif isinstance(node, ast.Subscript):
            bad = _is_challenge_name(node.slice)
        elif isinstance(node, ast.Call):
            bad = (isinstance(node.func, ast.Attribute) and node.func.attr in ("get", "pop", "setdefault")
                   and bool(node.args) and _is_challenge_name(node.args[0]))
        elif isinstance(node, ast.Dict):
            bad = any(literal(key) for key in node.keys)
        else:
            continue
        if bad:
            found.append(f"{getattr(node, 'lineno', '?')}: {ast.unparse(node)[:120]}")
    return found


def sources() -> list[Path]:
    files = [*sorted((ROOT / "authflow").rglob("*.py")), *sorted((ROOT / "examples").rglob("*.py"))]
    return [f for f in files if "localpool" not in f.relative_to(ROOT).parts]


def test_no_code_outside_states_tests_a_challenge_name() -> None:
    names = _challenge_only_names()
    assert {"SELECT_MFA_TYPE", "NEW_PASSWORD_REQUIRED", "CONFIRM_SIGN_UP"} <= names
    assert "SOFTWARE_TOKEN_MFA" not in names  # also an MFA method to choose (a choice's value)
    checked = sources()
    assert any(f.name == "wizard.py" for f in checked) and any(f.parent.name == "examples" for f in checked)
    found = {str(f.relative_to(ROOT)): hits for f in checked if (hits := offences(f.read_text(), names))}
    assert found == {}, "read the prompt (kind, delivery_medium, resend, choice_labels) instead"


@pytest.mark.parametrize(
    "code",
    [
        'if prompt.challenge_name == "SOFTWARE_TOKEN_MFA": pass',
        'if step.challenge_name != "SMS_MFA": pass',
        'ok = prompt.challenge_name in ("SMS_MFA", "EMAIL_OTP")',
        'ok = "EMAIL_OTP" == challenge_name',
        """
        match prompt.challenge_name:
            case "SMS_MFA":
                pass
        """,
        """
        match name:
            case "SELECT_MFA_TYPE":
                pass
        """,
        "labels = LABELS[prompt.challenge_name]",
        'labels = LABELS.get(prompt.challenge_name or "", {})',
        'LABELS = {"SELECT_MFA_TYPE": {}, "MFA_SETUP": {}}',
        'ok = flow.state == "NEW_PASSWORD_REQUIRED"',
        'ok = name in ["CONFIRM_SIGN_UP", "X"]',
    ],
)
def test_the_check_catches_each_way_of_testing_a_name(code: str) -> None:
    assert offences(textwrap.dedent(code), _challenge_only_names()) != []


@pytest.mark.parametrize(
    "code",
    [
        'message = f"{prompt.challenge_name} needs a code"',
        'env["AUTHFLOW_CHALLENGE"] = prompt.challenge_name or ""',
        'default = "SOFTWARE_TOKEN_MFA" if "SOFTWARE_TOKEN_MFA" in prompt.choices else None',
        "if prompt.kind is PromptKind.TOTP_CODE: pass",
    ],
)
def test_the_check_lets_prompts_be_read(code: str) -> None:
    assert offences(code, _challenge_only_names()) == []
