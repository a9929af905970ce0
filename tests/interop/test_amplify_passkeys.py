"""AWS Amplify JS v6's own passkey code (aws-amplify from npm, in Node) against the local pool:
associateWebAuthnCredential, signIn with WEB_AUTHN by preference and by first-factor selection,
listWebAuthnCredentials and deleteWebAuthnCredential. ``navigator.credentials`` is a small authenticator
written with node:crypto (js/test_authenticator.mjs); everything else is Amplify's. If Amplify, which works
against Cognito, is refused, the pool is wrong."""

from __future__ import annotations

from typing import Any

import pytest

from authflow.localpool import LocalUserPool

from .conftest import NodeRunner

PASSWORD = "Amplify-Passw0rd!"


@pytest.fixture(scope="module")
def amplify() -> Any:
    with LocalUserPool() as local:
        local.add_user("ada", PASSWORD, attributes={"email": "ada@example.com", "email_verified": "true"})
        yield local


@pytest.fixture(scope="module")
def results(amplify: LocalUserPool, node: NodeRunner) -> dict[str, Any]:
    found: dict[str, Any] = node("amplify_passkeys.mjs", env={
        "POOL_ID": amplify.pool_id, "CLIENT_ID": amplify.client_id, "ENDPOINT_URL": amplify.endpoint_url,
        "USERNAME": "ada", "PASSWORD": PASSWORD, "ORIGIN": "https://localhost",
    }, timeout=60)
    return found


def value(results: dict[str, Any], name: str) -> Any:
    assert results[name]["ok"], f"{name}: {results[name]['error']}"
    return results[name]["value"]


def test_associate_then_sign_in_list_and_delete(amplify: LocalUserPool, results: dict[str, Any]) -> None:
    assert value(results, "associate") == 0  # registration made no assertion
    assert value(results, "sign_in_preferred") == {"step": "DONE", "user": "ada", "used": 1}
    assert value(results, "sign_in_selected") == {
        "first": "CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION",
        "offered": ["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "WEB_AUTHN"],
        "step": "DONE", "user": "ada", "used": 2,
    }
    assert value(results, "list") == [{"relyingPartyId": "localhost", "authenticatorAttachment": "platform",
                                       "transports": ["internal"], "hasDate": True}]
    assert value(results, "delete") == 0
    assert "WEB_AUTHN" not in value(results, "offered_after_delete")
    answered = [(r.params.get("ChallengeName"), r.status) for r in amplify.requests("RespondToAuthChallenge")]
    assert ("WEB_AUTHN", 200) in answered
    assert all(PASSWORD not in str(r.params) for r in amplify.requests("RespondToAuthChallenge"))
