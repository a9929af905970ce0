"""Which cognito-idp operations the local pool answers, against botocore's model of the service
(``authflow local-pool --operations``). botocore is imported only here, and only when asked."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from authflow.localpool.operations import OPERATIONS


@dataclass(frozen=True)
class OperationRow:
    name: str
    #: True for the operations Cognito answers without AWS credentials (the client-facing ones).
    unsigned: bool
    implemented: bool


def _model() -> dict[str, Any]:
    from botocore.loaders import Loader

    model: dict[str, Any] = Loader().load_service_model("cognito-idp", "service-2")
    return model


def operation_rows() -> list[OperationRow]:
    """Every operation of botocore's cognito-idp model, in its order (alphabetical)."""
    rows = []
    for name, spec in sorted(_model()["operations"].items()):
        unsigned = spec.get("authtype") == "none" or "smithy.api#noAuth" in spec.get("auth", [])
        rows.append(OperationRow(name, unsigned, name in OPERATIONS))
    return rows


def operations_table() -> str:
    """The table ``authflow local-pool --operations`` prints, with a summary line at the end."""
    import botocore

    rows = operation_rows()
    width = max(len(r.name) for r in rows)
    lines = [f"{'operation':<{width}}  {'auth':<8}  local pool"]
    for row in rows:
        lines.append(f"{row.name:<{width}}  {'unsigned' if row.unsigned else 'SigV4':<8}  "
                     f"{'yes' if row.implemented else '-'}")
    client = [r for r in rows if r.unsigned]
    lines.append(
        f"{sum(r.implemented for r in rows)} of {len(rows)} operations of botocore {botocore.__version__}'s "
        f"cognito-idp model; {sum(r.implemented for r in client)} of the {len(client)} unsigned (client) ones"
    )
    return "\n".join(lines)
