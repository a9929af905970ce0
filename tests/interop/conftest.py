"""Real Cognito clients run against the local user pool.

The Node clients (AWS Amplify JS v6, amazon-cognito-identity-js) come from the npm registry, pinned in
``package.json`` / ``package-lock.json`` beside this file. The first test that needs them installs them
(``npm ci``) when ``node_modules`` is missing, so the README's test command works on a fresh machine;
``.ci/run`` installs them up front. A script prints one JSON object on its last stdout line.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).parent
JS = HERE / "js"

NodeRunner = Callable[..., dict[str, Any]]


def _install_node_modules() -> None:
    if (HERE / "node_modules" / ".package-lock.json").exists():
        return
    npm = shutil.which("npm")
    assert npm, "npm is needed for the interoperability tests (Node 20 and npm; .ci/run installs them)"
    subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=HERE, check=True,
                   timeout=600)


@pytest.fixture(scope="session")
def node() -> NodeRunner:
    """``node(script, env={...}, timeout=60)``: run ``tests/interop/js/<script>``, return its JSON result."""
    _install_node_modules()
    node_bin = shutil.which("node")
    assert node_bin, "node is needed for the interoperability tests"

    def run(script: str, env: Mapping[str, str] | None = None, timeout: float = 90) -> dict[str, Any]:
        full_env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        full_env.update(env or {})
        proc = subprocess.run([node_bin, str(JS / script)], cwd=HERE, env=full_env, capture_output=True,
                              text=True, timeout=timeout)
        lines = [line for line in proc.stdout.splitlines() if line.strip()]
        assert proc.returncode == 0 and lines, (
            f"{script} exited {proc.returncode}\nstdout:\n{proc.stdout[-4000:]}\nstderr:\n{proc.stderr[-4000:]}"
        )
        result: dict[str, Any] = json.loads(lines[-1])
        return result

    return run
