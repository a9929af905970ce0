"""The interoperability harness itself: AWS Amplify JS v6 signs a demo user in against the local pool."""

from __future__ import annotations

from authflow.localpool import LocalUserPool

from .conftest import NodeRunner


def test_amplify_signs_in_a_demo_user_with_srp(node: NodeRunner) -> None:
    with LocalUserPool("demo") as local:
        result = node("amplify_smoke.mjs", env={
            "POOL_ID": local.pool_id, "CLIENT_ID": local.client_id, "ENDPOINT_URL": local.endpoint_url,
            "USERNAME": "alice", "PASSWORD": "Alice-Passw0rd!",
        })
        assert result["isSignedIn"] is True and result["nextStep"] == "DONE"
        assert result["username"] == "alice"
        assert [r.operation for r in local.requests()][:2] == ["InitiateAuth", "RespondToAuthChallenge"]
