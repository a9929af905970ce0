"""What the local pool's durability tests and its two-worker tests share: a seed pool with a TOTP user, and a
``python -m authflow.localpool`` process started, read (its first line) and stopped."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "Passw0rd!x"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

#: A pool with optional TOTP MFA and a client allowing every flow, refresh token rotation on.
SEED = {"pools": [{
    "id": "us-east-1_Durable01", "name": "durable", "mfa": "OPTIONAL", "auto_verified_attributes": ["email"],
    "clients": [{"id": "durableclient0000000000001", "name": "app", "explicit_auth_flows": [
        "ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        "refresh_token_rotation": True}],
    "users": [{"username": "tina", "password": PASSWORD, "mfa": ["SOFTWARE_TOKEN_MFA"],
               "totp_secret": TOTP_SECRET}],
}]}


def spawn(*args: str) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
    return subprocess.Popen([sys.executable, "-m", "authflow.localpool", "--quiet", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def first_line(process: subprocess.Popen[str]) -> dict[str, Any]:
    assert process.stdout is not None
    line = process.stdout.readline()
    assert line, process.stderr.read() if process.stderr else "no output"
    info: dict[str, Any] = json.loads(line)
    return info


def finish(process: subprocess.Popen[str], signum: int = signal.SIGTERM) -> tuple[int, str]:
    if process.poll() is None:
        process.send_signal(signum)
    _, err = process.communicate(timeout=20)
    return process.returncode, err
