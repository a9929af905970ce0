"""authflow/localpool/shapes.json is the input shapes of the pool's operations as botocore's Cognito model
has them (AUTHFLOW_WRITE_SHAPES=1 rewrites it), and requests are checked against them."""

from __future__ import annotations

import json
import os
from typing import Any

import botocore.session
import pytest
from botocore.exceptions import ClientError

from authflow.localpool import LocalUserPool
from authflow.localpool.errors import PoolError
from authflow.localpool.operations import OPERATIONS
from authflow.localpool.shapes import SHAPES_PATH, check_request

from .helpers import error, idp


def model_shapes() -> dict[str, Any]:
    model = botocore.session.get_session().get_service_model("cognito-idp")
    shapes: dict[str, dict[str, Any]] = {}

    def visit(shape: Any) -> None:
        if shape.name in shapes:
            return
        entry: dict[str, Any] = {"type": shape.type_name}
        shapes[shape.name] = entry
        if shape.type_name == "structure" and getattr(shape, "is_document_type", False):
            entry["type"] = "document"
        elif shape.type_name == "structure":
            entry["members"] = {name: member.name for name, member in shape.members.items()}
            for member in shape.members.values():
                visit(member)
        elif shape.type_name == "list":
            entry["member"] = shape.member.name
            visit(shape.member)
        elif shape.type_name == "map":
            entry["key"], entry["value"] = shape.key.name, shape.value.name
            visit(shape.key)
            visit(shape.value)
        maximum = shape.metadata.get("max")
        if maximum is not None and shape.type_name in ("string", "list", "map"):
            entry["max"] = maximum

    operations = {}
    for operation in sorted(OPERATIONS):
        shape = model.operation_model(operation).input_shape
        operations[operation] = shape.name
        visit(shape)
    return {"operations": operations, "shapes": dict(sorted(shapes.items()))}


def test_shapes_json_matches_botocores_model() -> None:
    expected = model_shapes()
    if os.environ.get("AUTHFLOW_WRITE_SHAPES"):
        SHAPES_PATH.write_text(json.dumps(expected, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    assert json.loads(SHAPES_PATH.read_text(encoding="utf-8")) == expected, (
        "shapes.json is stale: run with AUTHFLOW_WRITE_SHAPES=1")


@pytest.mark.parametrize(("params", "code"), [
    ({"ClientId": 5}, "SerializationException"),
    ({"ClientId": "c", "AuthParameters": ["USERNAME"]}, "SerializationException"),
    ({"ClientId": "c", "AuthParameters": {"USERNAME": {"a": 1}}}, "SerializationException"),
    ({"ClientId": "c", "AuthParameters": {"USERNAME": True}}, "SerializationException"),
    ({"ClientId": "c" * 129}, "InvalidParameterException"),
])
def test_wrong_types_and_lengths_are_refused(params: dict[str, Any], code: str) -> None:
    with pytest.raises(PoolError) as caught:
        check_request("InitiateAuth", params)
    assert caught.value.code == code and caught.value.status == 400


def test_fitting_bodies_and_unknown_members_pass() -> None:
    check_request("InitiateAuth", {"ClientId": "c", "AuthFlow": "USER_SRP_AUTH", "Unknown": [1, {"x": None}],
                                   "AuthParameters": {"USERNAME": "a"}, "ClientMetadata": None})
    check_request("AdminSetUserMFAPreference", {"SMSMfaSettings": {"Enabled": True}, "UserPoolId": "p"})


def test_the_pool_answers_a_wrong_type_with_a_400(local_pool: LocalUserPool) -> None:
    local_pool.add_user("alice", "Passw0rd!")
    with pytest.raises(ClientError) as excinfo:
        idp(local_pool).verify_software_token(Session="s" * 20, UserCode="1234567")
    assert error(excinfo)[0] == "InvalidParameterException"
