"""pytest fixtures for testing code that needs Cognito tokens, offline, against authflow's local user pool.

Installed with authflow (entry point ``pytest11``), so the fixtures are there in any suite::

    def test_api_accepts_my_token(make_cognito_user, cognito_sign_in):
        user = make_cognito_user(mfa="SOFTWARE_TOKEN_MFA")         # or None, "SMS_MFA", "EMAIL_OTP"
        tokens = cognito_sign_in(user)                              # SRP + TOTP through the real engine
        assert my_api.whoami(tokens.access_token) == user.username
        # cognito_pool.endpoint_url / .jwks() / .issuer() to verify tokens like Cognito's

The plugin is loaded by every pytest run where authflow is installed, so it imports the local pool and
botocore only when one of its fixtures is used.

The pool listens on a free port of 127.0.0.1, unless ``--cognito-pool-port PORT`` (or the variable
``AUTHFLOW_PYTEST_POOL_PORT``; the option wins) pins it: for a service under test started separately that
must be told the endpoint in advance. A pinned port already in use fails the pool's tests with one line.

Fixtures (every name starts with ``cognito_`` or ``make_cognito_``):

* ``cognito_pool_seed`` (session): the seed the pool starts from; override it in a conftest to change the
  pool (format in :mod:`authflow.localpool.seed`). Default: one pool with MFA OPTIONAL (SMS, TOTP and
  email), every first factor allowed (passkeys for relying party ``localhost``, user verification
  required), one app client without a secret allowing every flow.
* ``cognito_pool`` (session): the started :class:`~authflow.localpool.LocalUserPool`, stopped at the end.
* ``cognito_user_pool`` (session): an :class:`authflow.UserPool` for its first pool and app client.
* ``cognito_totp_codes`` (session): TOTP codes on the pool's clock, so a second sign-in of one user in
  the same 30-second window moves the pool's clock forward instead of sleeping (no code is reused).
* ``make_cognito_user`` (function): ``make_cognito_user(mfa=None, username=None, password=None,
  attributes=None, passkey=False)`` creates a confirmed user and returns a :class:`CognitoTestUser` (``username``,
  ``password``, ``totp_secret``; it unpacks as those three). With ``passkey=True`` the user also has a
  software passkey (``user.passkey_file``, mode 0600, relying party ``localhost``) that
  ``cognito_sign_in(user, "USER_AUTH", preferred_challenge="WEB_AUTHN")`` signs in with. The users are
  deleted after the test.
* ``cognito_user`` (function): one user without MFA.
* ``cognito_sign_in`` (function): ``cognito_sign_in(user, auth_flow="USER_SRP_AUTH", **options)`` signs the
  user in through :class:`authflow.AuthFlow` with a :class:`authflow.ScriptedHandler` (TOTP codes from the
  user's secret, SMS and email codes from the pool's outbox) and returns :class:`authflow.Tokens`.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import warnings
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from authflow.handlers import TotpCodes
    from authflow.localpool import LocalUserPool
    from authflow.prompts import Prompt
    from authflow.tokens import Tokens
    from authflow.transport import UserPool

__all__ = ["MFA_CHOICES", "PORT_ENV", "CognitoTestUser"]

#: What ``make_cognito_user(mfa=...)`` accepts.
MFA_CHOICES = (None, "SOFTWARE_TOKEN_MFA", "SMS_MFA", "EMAIL_OTP")
#: The variable that pins the pool's port (``--cognito-pool-port`` wins over it).
PORT_ENV = "AUTHFLOW_PYTEST_POOL_PORT"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("authflow", "authflow's local Cognito user pool")
    group.addoption("--cognito-pool-port", metavar="PORT", default=None,
                    help=f"port of the cognito_pool fixture's local user pool ({PORT_ENV}; default: a free port)")


def pool_port(option: str | None, environ: Mapping[str, str]) -> int:
    """The port the pool listens on: the option, else the variable, else 0 (a free port). A value that is not
    a port number is a pytest.UsageError naming where it came from."""
    where, value = ("--cognito-pool-port", option) if option not in (None, "") else (PORT_ENV, environ.get(PORT_ENV))
    if value is None or value == "":
        return 0
    try:
        port = int(value)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise pytest.UsageError(f"{where}={value!r}: give a port number from 0 to 65535 (0: a free port)")
    return port


def __getattr__(name: str) -> Any:
    if name == "CognitoUser":  # its name until authflow.locust.CognitoUser (a Locust user class) took it
        warnings.warn("authflow.pytest_plugin.CognitoUser is now CognitoTestUser", DeprecationWarning, stacklevel=2)
        return CognitoTestUser
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass(frozen=True)
class CognitoTestUser:
    """A user made by ``make_cognito_user``; the password and TOTP secret stay out of its repr."""

    username: str
    password: str = field(repr=False)
    totp_secret: str | None = field(default=None, repr=False)
    mfa: str | None = None
    pool_id: str | None = None
    attributes: dict[str, str] = field(default_factory=dict, repr=False)
    passkey_file: str | None = field(default=None, repr=False)  # a software passkey (make_cognito_user(passkey=True))

    def __iter__(self) -> Iterator[str | None]:
        """``username, password, totp_secret = make_cognito_user(...)``."""
        return iter((self.username, self.password, self.totp_secret))


def default_seed() -> dict[str, Any]:
    """One pool with optional SMS / TOTP / email MFA and every first factor; one client, every flow."""
    from authflow.localpool.seed import ALL_FLOWS

    return {"pools": [{
        "name": "pytest",
        "mfa": "OPTIONAL",
        "mfa_types": ["SMS_MFA", "SOFTWARE_TOKEN_MFA", "EMAIL_OTP"],
        "allowed_first_auth_factors": ["PASSWORD", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN"],
        "web_authn": {"relying_party_id": "localhost", "user_verification": "required"},
        "clients": [{"name": "pytest", "explicit_auth_flows": list(ALL_FLOWS)}],
    }]}


@pytest.fixture(scope="session")
def cognito_pool_seed() -> dict[str, Any]:
    """The seed ``cognito_pool`` starts from (override in a conftest for another pool)."""
    return default_seed()


@pytest.fixture(scope="session")
def cognito_pool(cognito_pool_seed: dict[str, Any], pytestconfig: pytest.Config) -> Iterator[LocalUserPool]:
    """A started local user pool for the whole session (on ``--cognito-pool-port``), stopped at the end."""
    from authflow.localpool import LocalUserPool

    port = pool_port(pytestconfig.getoption("cognito_pool_port", None), os.environ)
    try:
        pool = LocalUserPool(cognito_pool_seed, port=port).start()
    except OSError as exc:
        pytest.fail(f"authflow: the local user pool cannot listen on 127.0.0.1:{port} ({exc.strerror}): free the "
                    f"port, or give another with --cognito-pool-port / {PORT_ENV}", pytrace=False)
    try:
        yield pool
    finally:
        pool.stop()


@pytest.fixture(scope="session")
def cognito_user_pool(cognito_pool: LocalUserPool) -> UserPool:
    """An authflow UserPool for the local pool's first pool and app client (with its secret, if any)."""
    from authflow.transport import UserPool

    client = cognito_pool.app_client()
    return UserPool(cognito_pool.pool_id, client.id, client.secret, endpoint_url=cognito_pool.endpoint_url)


@pytest.fixture(scope="session")
def cognito_totp_codes(cognito_pool: LocalUserPool) -> TotpCodes:
    """TOTP codes on the pool's clock: waiting for the next window advances the pool, never sleeps."""
    from authflow.handlers import TotpCodes

    return TotpCodes(clock=cognito_pool.clock.now, sleep=cognito_pool.clock.advance)


_counter = iter(range(1, 1 << 62))


@pytest.fixture
def make_cognito_user(
    cognito_pool: LocalUserPool, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[..., CognitoTestUser]]:
    """A factory of confirmed users with the chosen MFA; each is deleted after the test."""
    made: list[tuple[str, str]] = []

    def make(
        mfa: str | None = None,
        *,
        username: str | None = None,
        password: str | None = None,
        attributes: dict[str, str] | None = None,
        pool_id: str | None = None,
        passkey: bool = False,
    ) -> CognitoTestUser:
        if mfa not in MFA_CHOICES:
            raise ValueError(f"mfa must be one of {MFA_CHOICES}")
        pool_id = pool_id or cognito_pool.pool_id
        name = username or f"user{next(_counter)}-{secrets.token_hex(3)}"
        password = password or cognito_pool.pool(pool_id).password_policy.generate()
        attrs = dict(attributes or {})
        if mfa == "SMS_MFA":
            attrs.setdefault("phone_number", f"+1555{secrets.randbelow(10**7):07d}")
            attrs.setdefault("phone_number_verified", "true")
        elif mfa == "EMAIL_OTP":
            attrs.setdefault("email", f"{name}@example.com")
            attrs.setdefault("email_verified", "true")
        passkey_file = str(tmp_path_factory.mktemp("passkey") / f"{name}.passkey") if passkey else None
        user = cognito_pool.add_user(
            name, password, pool_id=pool_id, attributes=attrs,
            mfa=[mfa] if mfa else [], preferred_mfa=mfa, passkey_file=passkey_file,
        )
        made.append((name, pool_id))
        return CognitoTestUser(name, password, user.totp_secret, mfa, pool_id, attrs, passkey_file)

    yield make
    for name, pool_id in made:
        with contextlib.suppress(KeyError):  # the test deleted it already
            cognito_pool.delete_user(name, pool_id=pool_id)


@pytest.fixture
def cognito_user(make_cognito_user: Callable[..., CognitoTestUser]) -> CognitoTestUser:
    """A confirmed user without MFA."""
    return make_cognito_user()


@pytest.fixture
def cognito_sign_in(
    cognito_pool: LocalUserPool, cognito_user_pool: UserPool, cognito_totp_codes: TotpCodes
) -> Callable[..., Tokens]:
    """``cognito_sign_in(user, auth_flow="USER_SRP_AUTH", **AuthFlow options) -> Tokens``."""
    from authflow.flow import AuthFlow
    from authflow.handlers import ScriptedHandler
    from authflow.transport import UserPool

    def sign_in(user: CognitoTestUser, auth_flow: str = "USER_SRP_AUTH", **options: Any) -> Tokens:
        pool = cognito_user_pool
        if user.pool_id and user.pool_id != cognito_user_pool.pool_id:
            client = cognito_pool.app_client(pool_id=user.pool_id)
            pool = UserPool(user.pool_id, client.id, client.secret, endpoint_url=cognito_pool.endpoint_url)

        def code(prompt: Prompt) -> str:  # SMS / email codes: the newest one the pool "sent"
            return cognito_pool.last_code(user.username, pool_id=user.pool_id)

        handler = ScriptedHandler(
            password=user.password, totp_secret=user.totp_secret, code=code, totp_codes=cognito_totp_codes,
            passkey=user.passkey_file,
        )
        options.setdefault("clock", cognito_pool.clock.datetime)  # SRP TIMESTAMP on the pool's time
        return AuthFlow(pool, user.username, auth_flow, **options).run(handler)

    return sign_in
