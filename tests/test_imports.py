"""Each module an app imports first works alone, in a fresh interpreter (no import-order cycle)."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize(
    "statement",
    [
        "from authflow import AuthFlow",
        "import authflow.flow",
        "import authflow.devices",
        "import authflow.states",
        "from authflow.qt import SignInDialog",
    ],
)
def test_imports_alone(statement: str) -> None:
    done = subprocess.run([sys.executable, "-c", statement], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr


BOTOCORE_HTTP = """
import sys
{first}
import authflow.transport
import botocore.httpsession, urllib3.util.ssl_
print("OpenSSL" in sys.modules, botocore.httpsession.SSLContext is urllib3.util.ssl_.SSLContext)
import webauthn  # pyOpenSSL stays importable for whoever needs it (py_webauthn does)
import urllib3.contrib.pyopenssl
print("urllib3.contrib.pyopenssl" in sys.modules)
"""


@pytest.mark.parametrize(
    ("first", "expected"),
    [
        ("", "False True\nTrue\n"),  # botocore takes urllib3's own SSLContext, and pyOpenSSL is not loaded
        # pyOpenSSL already imported by the app: botocore's own import runs, unchanged
        ("import urllib3.contrib.pyopenssl", "True True\nTrue\n"),
    ],
    ids=["alone", "after-pyopenssl"],
)
def test_talking_to_cognito_does_not_load_pyopenssl(first: str, expected: str) -> None:
    """authflow.transport imports botocore's HTTP module without pyOpenSSL (a third of botocore's import time
    when py_webauthn has installed it), and the SSLContext botocore uses is the one it would have taken."""
    code = BOTOCORE_HTTP.format(first=first)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout == expected
