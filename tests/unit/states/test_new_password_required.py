"""states/new_password_required.py: the new password and the required attributes."""

from __future__ import annotations

import pytest
from authflow.states import new_password_required

from authflow.errors import MissingAnswerError
from authflow.prompts import PromptKind
from tests.helpers.states import answered, challenge, context


def test_new_password_required_with_required_attributes() -> None:
    ch = challenge(
        "NEW_PASSWORD_REQUIRED",
        requiredAttributes='["userAttributes.name","userAttributes.family_name"]',
        userAttributes='{"email":"alice@example.com","email_verified":"true"}',
    )
    prompt = new_password_required.prompt(context(ch))
    assert prompt.kind is PromptKind.NEW_PASSWORD
    assert prompt.required_attributes == ("name", "family_name")
    assert prompt.user_attributes["email"] == "alice@example.com"
    assert [f.name for f in prompt.fields] == ["new_password", "name", "family_name"]
    assert prompt.fields[0].secret and prompt.fields[0].confirm
    assert answered(
        new_password_required, ch, {"new_password": "N3w-Passw0rd!", "name": "Alice", "family_name": "Liddell"}
    ) == {"NEW_PASSWORD": "N3w-Passw0rd!", "userAttributes.name": "Alice", "userAttributes.family_name": "Liddell"}
    with pytest.raises(MissingAnswerError, match="family_name"):
        answered(new_password_required, ch, {"new_password": "N3w-Passw0rd!", "name": "Alice"})


def test_new_password_required_without_attributes() -> None:
    ch = challenge("NEW_PASSWORD_REQUIRED", requiredAttributes="[]", userAttributes="{}")
    assert new_password_required.prompt(context(ch)).required_attributes == ()
    assert answered(new_password_required, ch, {"new_password": "x"}) == {"NEW_PASSWORD": "x"}
