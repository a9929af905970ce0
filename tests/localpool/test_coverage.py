"""``authflow local-pool --operations``: the pool's operations against botocore's cognito-idp model."""

from __future__ import annotations

import subprocess
import sys

from authflow.localpool.coverage import operation_rows
from authflow.localpool.operations import OPERATIONS


def test_every_operation_of_the_pool_is_a_cognito_operation() -> None:
    rows = {row.name: row for row in operation_rows()}
    assert set(OPERATIONS) <= set(rows)
    assert len(rows) >= 150
    assert rows["InitiateAuth"].unsigned and rows["InitiateAuth"].implemented
    assert not rows["AdminInitiateAuth"].unsigned and rows["AdminInitiateAuth"].implemented
    assert rows["UpdateUserPool"].implemented is False


def test_the_command_prints_the_table_and_a_summary() -> None:
    out = subprocess.run([sys.executable, "-m", "authflow", "local-pool", "--operations"], capture_output=True,
                         text=True, timeout=60, check=True).stdout.splitlines()
    rows = operation_rows()
    assert len(out) == len(rows) + 2
    assert out[0].split() == ["operation", "auth", "local", "pool"]
    assert ["VerifyUserAttribute", "unsigned", "yes"] in [line.split() for line in out]
    assert ["UpdateUserPool", "SigV4", "-"] in [line.split() for line in out]
    client = [r for r in rows if r.unsigned]
    assert out[-1].startswith(f"{len(OPERATIONS)} of {len(rows)} operations of botocore ")
    assert out[-1].endswith(f"{sum(r.implemented for r in client)} of the {len(client)} unsigned (client) ones")
