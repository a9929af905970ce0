"""A plain install has no ``fido2`` (it is the ``[fido2]`` extra): a security-key sign-in or registration is
then a typed PasskeyError naming the extra, never a ModuleNotFoundError, and the terminal wizard says so in one
line and offers to sign in another way. fido2 is hidden here as it is absent from a plain install: importing
it fails with ModuleNotFoundError."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from authflow import ScriptedHandler, UserPool, sign_in
from authflow.errors import PasskeyError
from authflow.localpool import LocalUserPool
from authflow.passkeys import SecurityKey, SoftwarePasskey, register_passkey
from tests.helpers.cli import credential_free_env, run_cli
from tests.helpers.wizard import run_typed_wizard

PASSWORD = "Carol-Passw0rd!"
EXTRA = "pip install 'authflow[fido2]'"


@pytest.fixture
def no_fido2(monkeypatch: pytest.MonkeyPatch) -> None:
    """``import fido2`` (and any fido2.x) raises ModuleNotFoundError, as in a plain install."""
    for name in [n for n in sys.modules if n == "fido2" or n.startswith("fido2.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "fido2", None)
    with pytest.raises(ModuleNotFoundError):
        import fido2.client  # noqa: F401


@pytest.fixture
def carol(local_pool: LocalUserPool, tmp_path: Path) -> tuple[UserPool, str]:
    """carol has a password and a (software) passkey, so USER_AUTH offers her both."""
    local_pool.add_user("carol", PASSWORD)
    pool = UserPool(local_pool.pool_id, local_pool.client_id, endpoint_url=local_pool.endpoint_url)
    access_token = sign_in(pool, "carol", ScriptedHandler(password=PASSWORD)).access_token
    register_passkey(pool, access_token, SoftwarePasskey.generate(tmp_path / "carol.passkey"))
    return pool, access_token


def test_registration_is_a_passkey_error_naming_the_extra(carol: tuple[UserPool, str], no_fido2: None) -> None:
    pool, access_token = carol
    with pytest.raises(PasskeyError, match=re.escape(EXTRA)) as raised:
        register_passkey(pool, access_token, SecurityKey())
    assert raised.value.code == "PasskeyError"


def test_sign_in_is_a_passkey_error_naming_the_extra(carol: tuple[UserPool, str], no_fido2: None) -> None:
    pool, _ = carol
    with pytest.raises(PasskeyError, match=re.escape(EXTRA)):
        sign_in(pool, "carol", ScriptedHandler(passkey=SecurityKey()), auth_flow="USER_AUTH",
                preferred_challenge="WEB_AUTHN")


def test_the_wizard_says_why_and_offers_another_way(carol: tuple[UserPool, str], no_fido2: None) -> None:
    from authflow.answers import EnvAnswers

    pool, _ = carol
    tokens, text = run_typed_wizard(pool, "carol", ((0.5, "y\r"), (1.0, "2\r")),  # another way? yes; 2 = PASSWORD_SRP
                                    env=EnvAnswers(password=PASSWORD), auth_flow="USER_AUTH",
                                    preferred_challenge="WEB_AUTHN")
    assert tokens.access_token
    assert EXTRA in text
    assert "ModuleNotFoundError" not in text
    assert "Sign in another way?" in text


def test_cli_passkey_add_says_which_extra_in_one_line(local_pool: LocalUserPool, tmp_path: Path) -> None:
    """``authflow passkey add`` (a security key) in a process where fido2 cannot be imported."""
    hidden = tmp_path / "hidden"
    (hidden / "fido2").mkdir(parents=True)
    (hidden / "fido2" / "__init__.py").write_text(
        'raise ModuleNotFoundError("No module named \'fido2\'", name="fido2")\n'
    )
    local_pool.add_user("carol", PASSWORD)
    env = credential_free_env(tmp_path, {
        "AUTHFLOW_POOL_ID": local_pool.pool_id, "AUTHFLOW_CLIENT_ID": local_pool.client_id,
        "AUTHFLOW_ENDPOINT_URL": local_pool.endpoint_url, "AUTHFLOW_USERNAME": "carol",
        "AUTHFLOW_PASSWORD": PASSWORD,
    })
    env["PYTHONPATH"] = str(hidden) + ":" + env["PYTHONPATH"]
    done = run_cli(["passkey", "add"], env)
    assert done.returncode == 1, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and EXTRA in lines[0] and "PasskeyError" in lines[0], done.stderr
    assert "ModuleNotFoundError" not in done.stderr and "InternalError" not in done.stderr
