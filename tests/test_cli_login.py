"""``authflow login --non-interactive`` as a subprocess against the local user pool's demo users.

Each run has no AWS credentials anywhere; answers come from the environment only; the result is the
AuthenticationResult on stdout; a failure is one stderr line naming the Cognito error code or the local
failure; no password, code or TOTP secret is ever printed.
"""

from __future__ import annotations

import json
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyotp
import pytest

from authflow.localpool import LocalUserPool
from tests.helpers.cli import assert_no_secret, assert_one_line_error, credential_free_env, run_cli

pytestmark = pytest.mark.parametrize("local_pool", ["demo"], indirect=True)

OUTBOX_CODE = """\
import json, os, sys, urllib.request
endpoint, username = sys.argv[1], sys.argv[2]
with open(sys.argv[3], "a") as seen:
    seen.write(os.environ["AUTHFLOW_CHALLENGE"] + " " + os.environ["AUTHFLOW_DESTINATION"] + "\\n")
url = f"{endpoint}/_local/outbox?username={username}&purpose={os.environ['AUTHFLOW_CHALLENGE']}"
with urllib.request.urlopen(url) as answer:
    messages = json.load(answer)
if messages:
    print(messages[-1]["code"][:3], messages[-1]["code"][3:])  # as a person would paste it: "123 456"
"""


class Cli:
    """Runs ``authflow login`` for a demo user of ``pool``."""

    def __init__(self, pool: LocalUserPool, tmp_path: Path) -> None:
        self.pool = pool
        self.tmp_path = tmp_path
        self.users = {u["username"]: u for u in pool.demo_users()}
        self.script = tmp_path / "outbox_code.py"
        self.script.write_text(OUTBOX_CODE)
        self.seen = tmp_path / "code-command-saw.txt"

    def code_command(self, username: str) -> str:
        return f"{sys.executable} {self.script} {self.pool.endpoint_url} {username} {self.seen}"

    def env(self, username: str, **answers: str) -> dict[str, str]:
        user = self.users[username]
        return credential_free_env(
            self.tmp_path,
            {
                "AUTHFLOW_POOL_ID": user["pool_id"],
                "AUTHFLOW_CLIENT_ID": user["client_id"],
                "AUTHFLOW_ENDPOINT_URL": self.pool.endpoint_url,
                "AUTHFLOW_USERNAME": username,
                **answers,
            },
        )

    def login(self, username: str, *args: str, **answers: str) -> Any:
        return run_cli(["login", "--non-interactive", *args], self.env(username, **answers))

    def secrets(self, username: str) -> list[str]:
        """What must never be printed for this user: passwords, TOTP secret, codes sent."""
        user = self.users[username]
        found = [user.get("password"), user.get("totp_secret")]
        found += [m.code for m in self.pool.outbox(username)]
        return [s for s in found if s]


@pytest.fixture
def cli(local_pool: LocalUserPool, tmp_path: Path) -> Cli:
    return Cli(local_pool, tmp_path)


def signed_in(done: Any, cli: Cli, username: str, *extra_secrets: str) -> dict[str, Any]:
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    result = json.loads(done.stdout)
    assert set(result) == {"AccessToken", "IdToken", "RefreshToken", "ExpiresIn", "TokenType"}
    assert result["TokenType"] == "Bearer"
    claims = cli.pool.service.tokens.access_claims(result["AccessToken"], None, cli.pool.clock.now())
    assert claims["username"] == username
    assert_no_secret([done.stdout, done.stderr], [*cli.secrets(username), *extra_secrets])
    return result


# --- every kind of user ------------------------------------------------------------------------------


def test_plain_user_with_srp(cli: Cli) -> None:
    signed_in(cli.login("alice", AUTHFLOW_PASSWORD="Alice-Passw0rd!"), cli, "alice")
    assert [r.params["AuthFlow"] for r in cli.pool.requests("InitiateAuth")] == ["USER_SRP_AUTH"]


def test_plain_user_with_user_password_auth(cli: Cli) -> None:
    done = cli.login("alice", "--auth-flow", "USER_PASSWORD_AUTH", AUTHFLOW_PASSWORD="Alice-Passw0rd!")
    signed_in(done, cli, "alice")
    assert [r.params["AuthFlow"] for r in cli.pool.requests("InitiateAuth")] == ["USER_PASSWORD_AUTH"]


def test_alias_as_username(cli: Cli) -> None:
    env = cli.env("alice", AUTHFLOW_PASSWORD="Alice-Passw0rd!", AUTHFLOW_USERNAME="alice@example.com")
    signed_in(run_cli(["login", "--non-interactive"], env), cli, "alice")


def test_totp_user(cli: Cli) -> None:
    secret = cli.users["tina"]["totp_secret"]
    done = cli.login("tina", AUTHFLOW_PASSWORD="Tina-Passw0rd!", AUTHFLOW_TOTP_SECRET=secret)
    signed_in(done, cli, "tina", pyotp.TOTP(secret).now())


def test_totp_user_with_a_16_character_secret(cli: Cli) -> None:
    """An 80-bit secret (16 base32 characters, which pyotp >= 2.12 refuses) in AUTHFLOW_TOTP_SECRET signs in."""
    secret = "JBSWY3DPEHPK3PXP"
    tina = cli.users["tina"]
    cli.pool.add_user("tess", "Tess-Passw0rd!", pool_id=tina["pool_id"], mfa=["SOFTWARE_TOKEN_MFA"],
                      preferred_mfa="SOFTWARE_TOKEN_MFA", totp_secret=secret)
    cli.users["tess"] = dict(tina, username="tess", password="Tess-Passw0rd!", totp_secret=secret)
    done = cli.login("tess", AUTHFLOW_PASSWORD="Tess-Passw0rd!", AUTHFLOW_TOTP_SECRET=secret)
    signed_in(done, cli, "tess")
    answered = [r.params["ChallengeName"] for r in cli.pool.requests("RespondToAuthChallenge")]
    assert answered == ["PASSWORD_VERIFIER", "SOFTWARE_TOKEN_MFA"]


def test_sms_user_with_code_command(cli: Cli) -> None:
    done = cli.login("sam", AUTHFLOW_PASSWORD="Sam-Passw0rd!", AUTHFLOW_CODE_COMMAND=cli.code_command("sam"))
    signed_in(done, cli, "sam")
    assert cli.seen.read_text().split(" ")[0] == "SMS_MFA"
    assert cli.seen.read_text().split(" ")[1].strip().endswith("0100")  # the masked phone number


def test_email_mfa_user_with_code_command(cli: Cli) -> None:
    done = cli.login("emma", AUTHFLOW_PASSWORD="Emma-Passw0rd!", AUTHFLOW_CODE_COMMAND=cli.code_command("emma"))
    signed_in(done, cli, "emma")
    assert cli.seen.read_text().startswith("EMAIL_OTP ")


@pytest.mark.parametrize("choice", ["SMS_MFA", "EMAIL_OTP", "SOFTWARE_TOKEN_MFA"])
def test_mfa_choice_user(cli: Cli, choice: str) -> None:
    answers = {"AUTHFLOW_PASSWORD": "Max-Passw0rd!", "AUTHFLOW_MFA_CHOICE": choice}
    if choice == "SOFTWARE_TOKEN_MFA":
        answers["AUTHFLOW_TOTP_SECRET"] = cli.users["max"]["totp_secret"]
    else:
        answers["AUTHFLOW_CODE_COMMAND"] = cli.code_command("max")
    signed_in(cli.login("max", **answers), cli, "max")
    answered = [r.params["ChallengeName"] for r in cli.pool.requests("RespondToAuthChallenge")]
    assert answered == ["PASSWORD_VERIFIER", "SELECT_MFA_TYPE", choice]


def test_mfa_choice_missing_exits_2_naming_the_variable(cli: Cli) -> None:
    done = cli.login("max", AUTHFLOW_PASSWORD="Max-Passw0rd!")
    assert done.returncode == 2
    assert_one_line_error(done, contains="AUTHFLOW_MFA_CHOICE")
    assert "SELECT_MFA_TYPE" in done.stderr


def test_new_password_user(cli: Cli) -> None:
    done = cli.login(
        "newton",
        AUTHFLOW_PASSWORD="Temp-Passw0rd!",
        AUTHFLOW_NEW_PASSWORD="Newton-Passw0rd!1",
        AUTHFLOW_ATTRIBUTES='{"name": "Isaac Newton"}',
    )
    signed_in(done, cli, "newton", "Newton-Passw0rd!1")
    assert cli.pool.user("newton").attributes["name"] == "Isaac Newton"
    # and the new password is the password now
    signed_in(cli.login("newton", AUTHFLOW_PASSWORD="Newton-Passw0rd!1"), cli, "newton", "Newton-Passw0rd!1")


def test_new_password_breaking_the_policy_is_cognitos_error(cli: Cli) -> None:
    done = cli.login(
        "newton",
        AUTHFLOW_PASSWORD="Temp-Passw0rd!",
        AUTHFLOW_NEW_PASSWORD="weakpass",
        AUTHFLOW_ATTRIBUTES='{"name": "Isaac"}',
    )
    assert done.returncode == 1
    assert_one_line_error(done, contains="InvalidPasswordException")
    assert_no_secret([done.stderr], ["weakpass", "Temp-Passw0rd!"])
    # a refused static answer is not sent again
    assert len(cli.pool.requests("RespondToAuthChallenge")) == 2  # PASSWORD_VERIFIER, NEW_PASSWORD_REQUIRED


def test_new_password_without_attributes_exits_2(cli: Cli) -> None:
    done = cli.login("newton", AUTHFLOW_PASSWORD="Temp-Passw0rd!", AUTHFLOW_NEW_PASSWORD="Newton-Passw0rd!1")
    assert done.returncode == 2
    assert_one_line_error(done, contains="AUTHFLOW_ATTRIBUTES")


def test_user_auth_with_preferred_email_otp(cli: Cli) -> None:
    done = cli.login(
        "uma",
        "--auth-flow",
        "USER_AUTH",
        "--preferred-challenge",
        "EMAIL_OTP",
        AUTHFLOW_CODE_COMMAND=cli.code_command("uma"),
    )
    signed_in(done, cli, "uma")
    initiate = cli.pool.requests("InitiateAuth")[0].params
    assert initiate["AuthParameters"]["PREFERRED_CHALLENGE"] == "EMAIL_OTP"


@pytest.mark.parametrize(
    ("first_factor", "answers"),
    [
        ("PASSWORD", {"AUTHFLOW_PASSWORD": "Uma-Passw0rd!"}),
        ("PASSWORD_SRP", {"AUTHFLOW_PASSWORD": "Uma-Passw0rd!"}),
        ("SMS_OTP", {}),
    ],
)
def test_user_auth_choosing_the_first_factor(cli: Cli, first_factor: str, answers: dict[str, str]) -> None:
    done = cli.login(
        "uma",
        "--auth-flow",
        "USER_AUTH",
        AUTHFLOW_FIRST_FACTOR=first_factor,
        AUTHFLOW_CODE_COMMAND=cli.code_command("uma"),
        **answers,
    )
    signed_in(done, cli, "uma")
    select = cli.pool.requests("RespondToAuthChallenge")[0].params
    assert select["ChallengeName"] == "SELECT_CHALLENGE"
    assert select["ChallengeResponses"]["ANSWER"] == first_factor


def test_mfa_setup_writes_the_secret_file_then_signs_in(cli: Cli) -> None:
    secret_file = cli.tmp_path / "sean.totp"
    done = cli.login("sean", "--totp-secret-out", str(secret_file), AUTHFLOW_PASSWORD="Sean-Passw0rd!")
    secret = secret_file.read_text()
    signed_in(done, cli, "sean", secret)
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    assert (
        secret == cli.pool.user("sean", pool_id=cli.users["sean"]["pool_id"]).totp_secret
    )  # the new base32 secret, and nothing else
    assert pyotp.TOTP(secret).now().isdigit()
    # The saved secret is what signs sean in from now on (in the same 30-second window, the code the setup
    # used is spent: the sign-in waits for the next window and says so on stderr, as the only line there).
    done = cli.login("sean", AUTHFLOW_PASSWORD="Sean-Passw0rd!", AUTHFLOW_TOTP_SECRET=secret)
    waiting = [line for line in done.stderr.splitlines() if line.startswith("authflow: waiting")]
    assert done.stderr == "".join(line + "\n" for line in waiting)
    signed_in(subprocess.CompletedProcess(done.args, done.returncode, done.stdout, ""), cli, "sean", secret)


def test_mfa_setup_without_secret_file_stops_before_anything_is_associated(cli: Cli) -> None:
    done = cli.login("sean", AUTHFLOW_PASSWORD="Sean-Passw0rd!")
    assert done.returncode == 2
    assert_one_line_error(done, contains="--totp-secret-out")
    assert cli.pool.requests("AssociateSoftwareToken") == []
    assert cli.pool.user("sean", pool_id=cli.users["sean"]["pool_id"]).totp_secret is None


def test_totp_secret_out_into_a_missing_folder_is_refused_before_signing_in(cli: Cli) -> None:
    target = cli.tmp_path / "no-such-folder" / "secret"
    done = cli.login("sean", "--totp-secret-out", str(target), AUTHFLOW_PASSWORD="Sean-Passw0rd!")
    assert done.returncode == 2
    assert_one_line_error(done, contains="--totp-secret-out")
    assert cli.pool.requests() == []


# --- failures ----------------------------------------------------------------------------------------


def test_wrong_password_names_cognitos_error(cli: Cli) -> None:
    done = cli.login("alice", AUTHFLOW_PASSWORD="Not-The-Passw0rd!")
    assert done.returncode == 1
    assert_one_line_error(done, contains="authflow: incorrect username or password (NotAuthorizedException).")
    assert "Not-The-Passw0rd!" not in done.stderr


def test_unknown_user(cli: Cli) -> None:
    done = cli.login("alice", AUTHFLOW_PASSWORD="Alice-Passw0rd!", AUTHFLOW_USERNAME="nobody")
    assert done.returncode == 1
    assert_one_line_error(done, contains="Exception")


def test_missing_password_exits_2(cli: Cli) -> None:
    done = cli.login("alice")
    assert done.returncode == 2
    assert_one_line_error(done, contains="AUTHFLOW_PASSWORD")
    assert cli.pool.requests() == []  # nothing was sent


def test_missing_totp_secret_exits_2(cli: Cli) -> None:
    done = cli.login("tina", AUTHFLOW_PASSWORD="Tina-Passw0rd!")
    assert done.returncode == 2
    assert_one_line_error(done, contains="AUTHFLOW_TOTP_SECRET")


def test_missing_code_command_exits_2(cli: Cli) -> None:
    done = cli.login("sam", AUTHFLOW_PASSWORD="Sam-Passw0rd!")
    assert done.returncode == 2
    assert_one_line_error(done, contains="AUTHFLOW_CODE_COMMAND")


@pytest.mark.parametrize(("command", "says"), [("exit 7", "exit status 7"), ("true", "printed no code")])
def test_failing_code_command_is_a_clear_error(cli: Cli, command: str, says: str) -> None:
    done = cli.login("sam", AUTHFLOW_PASSWORD="Sam-Passw0rd!", AUTHFLOW_CODE_COMMAND=command)
    assert done.returncode == 1
    assert_one_line_error(done, contains="authflow: AUTHFLOW_CODE_COMMAND ")
    assert "(CodeCommandFailed)." in done.stderr
    assert says in done.stderr


def test_wrong_code_from_the_command_is_cognitos_error(cli: Cli) -> None:
    done = cli.login("sam", AUTHFLOW_PASSWORD="Sam-Passw0rd!", AUTHFLOW_CODE_COMMAND="echo 000000")
    assert done.returncode == 1
    assert_one_line_error(done, contains="CodeMismatchException")
    # The command printed the refused code again: it is not sent twice.
    assert len(cli.pool.requests("RespondToAuthChallenge")) == 2


def test_wrong_totp_secret_is_not_retried(cli: Cli) -> None:
    other_secret = cli.users["max"]["totp_secret"]
    done = cli.login("tina", AUTHFLOW_PASSWORD="Tina-Passw0rd!", AUTHFLOW_TOTP_SECRET=other_secret)
    assert done.returncode == 1
    assert_one_line_error(done, contains="CodeMismatchException")
    assert len(cli.pool.requests("RespondToAuthChallenge")) == 2


def test_invalid_totp_secret_is_refused_before_signing_in(cli: Cli) -> None:
    done = cli.login("tina", AUTHFLOW_PASSWORD="Tina-Passw0rd!", AUTHFLOW_TOTP_SECRET="GEZDGNBV!")
    assert done.returncode == 2
    assert_one_line_error(done, contains="AUTHFLOW_TOTP_SECRET is not a base32 TOTP secret")
    assert "GEZDGNBV" not in done.stderr
    assert cli.pool.requests() == []


def test_command_that_prints_a_new_code_after_a_refusal_is_run_again(cli: Cli) -> None:
    # First run: a wrong code; second run: the code from the outbox.
    script = cli.tmp_path / "second-time-right.sh"
    once = cli.tmp_path / "once"
    script.write_text(f"if [ -e {once} ]; then {cli.code_command('sam')}; else touch {once}; echo 000000; fi\n")
    done = cli.login("sam", AUTHFLOW_PASSWORD="Sam-Passw0rd!", AUTHFLOW_CODE_COMMAND=f"sh {script}")
    signed_in(done, cli, "sam")
    assert [r.error_code for r in cli.pool.requests("RespondToAuthChallenge")] == [None, "CodeMismatchException", None]


# --- outputs, secret clients, the cache ---------------------------------------------------------------


@pytest.mark.parametrize("output", ["access-token", "id-token", "env"])
def test_output_formats(cli: Cli, output: str) -> None:
    done = cli.login("alice", "--output", output, AUTHFLOW_PASSWORD="Alice-Passw0rd!")
    assert done.returncode == 0, done.stderr
    text = done.stdout.strip()
    if output == "env":
        names = [line.split("=", 1)[0] for line in text.splitlines()]
        assert names == [
            "export AUTHFLOW_ACCESS_TOKEN",
            "export AUTHFLOW_ID_TOKEN",
            "export AUTHFLOW_REFRESH_TOKEN",
            "export AUTHFLOW_EXPIRES_IN",
            "export AUTHFLOW_TOKEN_TYPE",
        ]
    else:
        assert text.count(".") == 2 and "\n" not in text
        claims = cli.pool.service.tokens.access_claims if output == "access-token" else None
        if claims is not None:
            assert claims(text, None, cli.pool.clock.now())["username"] == "alice"


def test_app_client_with_secret(cli: Cli) -> None:
    client = cli.pool.add_client(secret=True, explicit_auth_flows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    assert client.secret
    env = cli.env("alice", AUTHFLOW_PASSWORD="Alice-Passw0rd!", AUTHFLOW_CLIENT_ID=client.id)
    done = run_cli(["login", "--non-interactive"], env)
    assert done.returncode == 1  # no secret: Cognito wants SECRET_HASH
    assert_one_line_error(done, contains="NotAuthorizedException")
    env["AUTHFLOW_CLIENT_SECRET"] = client.secret
    signed_in(run_cli(["login", "--non-interactive"], env), cli, "alice", client.secret)


def test_login_caches_the_tokens_0600(cli: Cli) -> None:
    done = cli.login("alice", AUTHFLOW_PASSWORD="Alice-Passw0rd!")
    signed_in(done, cli, "alice")
    files = list((cli.tmp_path / "authflow-cache" / "tokens").iterdir())
    assert len(files) == 1
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
    assert json.loads(files[0].read_text())["result"] == json.loads(done.stdout)


def test_no_cache(cli: Cli) -> None:
    signed_in(cli.login("alice", "--no-cache", AUTHFLOW_PASSWORD="Alice-Passw0rd!"), cli, "alice")
    assert not (cli.tmp_path / "authflow-cache").exists()
