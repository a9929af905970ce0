"""What the command's own help promises is there: each kind of sign-in ``authflow demo --help`` names has a
demo user (it once promised custom challenges that no demo user had)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from authflow.localpool.seed import load_seed
from tests.helpers.cli import credential_free_env

#: Each kind the help may name, and how to tell a demo user (or its pool) has it.
KINDS = {
    "passwords": lambda pool, u: bool(u.get("password")),
    "a plain password": lambda pool, u: bool(u.get("password")) and not u.get("mfa"),
    "a choice of MFA": lambda pool, u: len(u.get("mfa", [])) > 1 and not u.get("preferred_mfa"),
    "SMS": lambda pool, u: "SMS_MFA" in u.get("mfa", []),
    "email": lambda pool, u: "EMAIL_OTP" in u.get("mfa", []),
    "authenticator-app": lambda pool, u: "SOFTWARE_TOKEN_MFA" in u.get("mfa", []),
    "MFA setup": lambda pool, u: pool.get("mfa") == "ON" and not u.get("mfa"),
    "a new password": lambda pool, u: u.get("status") == "FORCE_CHANGE_PASSWORD",
    "passwordless": lambda pool, u: bool({"EMAIL_OTP", "SMS_OTP"} & set(pool.get("allowed_first_auth_factors", []))),
    "a passkey": lambda pool, u: "passkey" in u.get("description", "").lower(),
    "custom": lambda pool, u: "CUSTOM" in u.get("description", ""),
}


def test_demo_help_promises_only_what_a_demo_user_has(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "authflow", "demo", "--help"], capture_output=True, text=True,
                          timeout=60, check=True, env=credential_free_env(tmp_path))
    text = re.sub(r"\s+", " ", done.stdout)
    promised = [kind for kind in KINDS if kind in text]
    assert len(promised) >= 7, text  # the help still lists the kinds
    pools = load_seed("demo")["pools"]
    missing = [kind for kind in promised
               if not any(KINDS[kind](pool, user) for pool in pools for user in pool["users"])]
    assert missing == [], f"authflow demo --help promises {missing}, which no demo user has"
