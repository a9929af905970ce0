"""Shared by the benchmarks: a local user pool in a separate process, and how to describe the machine.

The pool runs as ``python -m authflow.localpool --seed <file> --quiet`` so that ``time.process_time()`` in
the benchmark measures the client only (an in-process server's CPU would be counted too). The seed is a
temp JSON file: one pool with MFA OPTIONAL and one app client without a secret allowing every flow,
plus the users asked for. Passwords and TOTP secrets are generated here and never printed.
"""

from __future__ import annotations

import json
import os
import platform
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyotp

PASSWORD = "Bench-Passw0rd!" + secrets.token_hex(4)
FLOWS = ["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]


@dataclass(frozen=True)
class BenchUser:
    username: str
    password: str = field(repr=False)
    totp_secret: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class PoolProcess:
    endpoint_url: str
    pool_id: str
    client_id: str
    region: str
    pid: int
    totp_users: list[BenchUser]
    plain_users: list[BenchUser]
    #: Every process serving (the parent and its workers with ``--workers``; else the pool's own pid).
    pids: tuple[int, ...] = ()


def make_users(totp: int, plain: int, prefix: str = "bench") -> tuple[list[BenchUser], list[BenchUser]]:
    totp_users = [BenchUser(f"{prefix}-totp-{i:05d}", PASSWORD, pyotp.random_base32(32)) for i in range(totp)]
    plain_users = [BenchUser(f"{prefix}-plain-{i:05d}", PASSWORD) for i in range(plain)]
    return totp_users, plain_users


def seed(totp_users: list[BenchUser], plain_users: list[BenchUser]) -> dict[str, Any]:
    users: list[dict[str, Any]] = [
        {"username": u.username, "password": u.password, "mfa": ["SOFTWARE_TOKEN_MFA"],
         "preferred_mfa": "SOFTWARE_TOKEN_MFA", "totp_secret": u.totp_secret}
        for u in totp_users
    ]
    users += [{"username": u.username, "password": u.password} for u in plain_users]
    return {"pools": [{
        "id": "us-east-1_BenchPool1", "name": "bench", "mfa": "OPTIONAL", "mfa_types": ["SOFTWARE_TOKEN_MFA"],
        "clients": [{"name": "bench", "explicit_auth_flows": FLOWS}],
        "users": users,
    }]}


@contextmanager
def pool_process(totp: int = 0, plain: int = 0, log_path: Path | None = None,
                 source: Path | None = None, extra: tuple[str, ...] = (),
                 data: bool = False) -> Iterator[PoolProcess]:
    """Start a local pool in its own process with ``totp`` TOTP users and ``plain`` users; stop it after.
    With ``log_path`` the pool's request log (operation, status, error code, ms; no parameters) goes there.
    With ``source`` (a checkout of another revision) the pool runs that revision's code. ``data``: the pool
    keeps its state in an SQLite file (``--data``) in the temp directory; ``extra``: more arguments."""
    totp_users, plain_users = make_users(totp, plain)
    with tempfile.TemporaryDirectory(prefix="authflow-bench-") as tmp:
        seed_path = Path(tmp) / "seed.json"
        seed_path.write_text(json.dumps(seed(totp_users, plain_users)), encoding="utf-8")
        os.chmod(seed_path, 0o600)
        quiet = [] if log_path is not None else ["--quiet"]
        log = open(log_path, "w", encoding="utf-8") if log_path is not None else None
        env = None if source is None else {**os.environ, "PYTHONPATH": str(source)}
        proc = subprocess.Popen(
            [sys.executable, "-m", "authflow.localpool", "--seed", str(seed_path), *quiet,
             *(["--data", str(Path(tmp) / "pool.db")] if data else []), *extra],
            stdout=subprocess.PIPE, stderr=log if log is not None else subprocess.DEVNULL, text=True,
            env=env, cwd=source,
        )
        try:
            assert proc.stdout is not None
            line = proc.stdout.readline()  # blocks until the pool listens (seeding may take a few seconds)
            if not line:
                raise RuntimeError(f"the local pool exited with {proc.wait()} before printing its address")
            info = json.loads(line)
            pids = (proc.pid, *(int(w["pid"]) for w in info.get("workers", [])))
            yield PoolProcess(info["endpoint_url"], info["pool_id"], info["client_id"], info["region"],
                              proc.pid, totp_users, plain_users, pids)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            if log is not None:
                log.close()


def pools_cpu_seconds(pids: tuple[int, ...]) -> float:
    """User + system CPU of all the pool's processes so far."""
    return sum(pool_cpu_seconds(pid) or 0.0 for pid in pids)


def pool_cpu_seconds(pid: int) -> float | None:
    """User + system CPU of the pool process so far (Linux /proc), or None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def boto3_client(pool: PoolProcess) -> Any:
    """An unsigned boto3 cognito-idp client pointed at the local pool."""
    import boto3
    from botocore import UNSIGNED
    from botocore.config import Config

    session = boto3.session.Session(region_name=pool.region)
    return session.client("cognito-idp", region_name=pool.region, endpoint_url=pool.endpoint_url,
                          config=Config(signature_version=UNSIGNED))


def machine() -> str:
    load = ", load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()) if hasattr(os, "getloadavg") else ""
    return (f"# {platform.python_implementation()} {platform.python_version()}, {platform.machine()}, "
            f"{os.cpu_count()} CPUs, {platform.processor() or platform.platform()}{load}")


def wait_for_fresh_totp_window(margin: float = 3.0) -> None:
    """Sleep past a 30-second boundary if fewer than ``margin`` seconds are left in this window."""
    left = 30 - time.time() % 30
    if left < margin:
        time.sleep(left + 0.05)
