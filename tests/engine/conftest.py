"""Engine tests: the real engine over HTTP through boto3 against the strict local user pool."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from authflow import TotpCodes, UserPool
from authflow.localpool import LocalUserPool

from .helpers import user_pool


@pytest.fixture
def pool(local_pool: LocalUserPool) -> UserPool:
    """The default local pool with MFA OPTIONAL (per-user SMS, TOTP and email MFA honoured)."""
    default = local_pool.pool()
    default.mfa_configuration = "OPTIONAL"
    default.mfa_types = {"SMS_MFA", "SOFTWARE_TOKEN_MFA", "EMAIL_OTP"}
    return user_pool(local_pool)


@pytest.fixture(autouse=True)
def no_aws_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    """Sign-in needs no AWS credentials: make sure none can be found anywhere."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
                 "AWS_DEFAULT_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    empty = tmp_path / "aws-empty"
    empty.write_text("")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(empty))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture
def totp_codes(local_pool: LocalUserPool) -> TotpCodes:
    """TOTP codes on the pool's clock: waiting for the next 30-second window moves the pool's time
    forward instead of sleeping, so reuse rules are exercised without slow tests."""
    return TotpCodes(clock=local_pool.clock.now, sleep=local_pool.clock.advance)


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    """A moto server of the module's own (python -m moto.server, from the test extra) on a free port."""
    import moto.server  # noqa: F401 - fails here, with its name, if the test extra is not installed

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    process = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(endpoint + "/moto-api/", timeout=1)
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    pytest.fail("moto server did not start")
                time.sleep(0.1)
        yield endpoint
    finally:
        process.terminate()
        process.wait(timeout=10)
