"""The ``authflow`` command without a user pool: usage errors, the diagram, output formats."""

from __future__ import annotations

import json
import shlex
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from authflow import machine
from authflow.cli.output import command_run, format_tokens
from authflow.tokens import Tokens
from tests.helpers.cli import REPO, assert_one_line_error, credential_free_env, run_cli

POOL = ["--pool-id", "us-east-1_Example", "--client-id", "client123"]


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    return credential_free_env(tmp_path)


def test_help_lists_the_subcommands(cli_env: dict[str, str]) -> None:
    done = run_cli(["--help"], cli_env)
    assert done.returncode == 0
    for name in ("login", "token", "logout", "diagram", "demo", "local-pool"):
        assert name in done.stdout


def test_login_help_shows_the_contract(cli_env: dict[str, str]) -> None:
    done = run_cli(["login", "--help"], cli_env)
    assert done.returncode == 0
    for flag in (
        "--pool-id",
        "--client-id",
        "--client-secret",
        "--region",
        "--endpoint-url",
        "--username",
        "--auth-flow",
        "--preferred-challenge",
        "--non-interactive",
        "--output",
        "--totp-secret-out",
    ):
        assert flag in done.stdout
    for variable in ("AUTHFLOW_POOL_ID", "AUTHFLOW_CLIENT_ID", "AUTHFLOW_CLIENT_SECRET", "AUTHFLOW_REGION"):
        assert variable in done.stdout


def test_no_pool_is_a_usage_error(cli_env: dict[str, str]) -> None:
    done = run_cli(["login", "--non-interactive", "--client-id", "c"], cli_env)
    assert done.returncode == 2
    assert_one_line_error(done, contains="AUTHFLOW_POOL_ID")


def test_preferred_challenge_is_for_user_auth_only(cli_env: dict[str, str]) -> None:
    args = ["login", *POOL, "--username", "a", "--non-interactive", "--preferred-challenge", "EMAIL_OTP"]
    done = run_cli(args, cli_env)
    assert done.returncode == 2
    assert_one_line_error(done, contains="USER_AUTH")


def test_non_interactive_without_username_exits_2(cli_env: dict[str, str]) -> None:
    done = run_cli(["login", *POOL, "--non-interactive"], cli_env)
    assert done.returncode == 2
    assert_one_line_error(done, contains="AUTHFLOW_USERNAME")


def test_no_terminal_means_non_interactive(cli_env: dict[str, str]) -> None:
    # stdin is not a terminal: nothing is prompted, the missing username is an error.
    done = run_cli(["login", *POOL], cli_env)
    assert done.returncode == 2
    assert_one_line_error(done, contains="no username")


def test_settings_from_environment_twins(cli_env: dict[str, str]) -> None:
    env = dict(cli_env, AUTHFLOW_POOL_ID="us-east-1_Example", AUTHFLOW_CLIENT_ID="c", AUTHFLOW_REGION="nowhere")
    done = run_cli(["login", "--non-interactive"], env)
    assert_one_line_error(done, contains="'nowhere' (--region / AUTHFLOW_REGION)")  # read from the environment


def test_unreachable_endpoint_is_one_line(cli_env: dict[str, str]) -> None:
    env = dict(cli_env, AUTHFLOW_PASSWORD="Passw0rd!")
    args = ["login", *POOL, "--username", "a", "--non-interactive", "--endpoint-url", "http://127.0.0.1:9"]
    done = run_cli(args, env)
    assert done.returncode == 1
    assert_one_line_error(done, contains="EndpointConnectionError")
    assert "Passw0rd!" not in done.stderr


def test_bad_attributes_json_is_one_line(cli_env: dict[str, str]) -> None:
    env = dict(cli_env, AUTHFLOW_ATTRIBUTES="{nope")
    done = run_cli(["login", *POOL, "--username", "a", "--non-interactive"], env)
    assert done.returncode == 2
    assert_one_line_error(done, contains="AUTHFLOW_ATTRIBUTES is not a JSON object")


# --- the diagram -------------------------------------------------------------------------------------


def test_diagram_is_the_engine_table(cli_env: dict[str, str]) -> None:
    done = run_cli(["diagram"], cli_env)
    assert done.returncode == 0, done.stderr
    chart = done.stdout
    assert chart.startswith("stateDiagram-v2\n")
    assert "    [*] --> start\n" in chart
    for state in machine.STATES:
        assert state in chart
    for row in machine.TRANSITIONS:
        assert row["trigger"] in chart
    assert "SELECT_MFA_TYPE --> SMS_MFA: SMS_MFA" in chart
    assert "SMS_MFA --> SMS_MFA: retry" in chart
    assert "    authenticated --> [*]" in chart


# --- output formats ----------------------------------------------------------------------------------

RESULT = {
    "AccessToken": "acc.ess.tok",
    "IdToken": "id.tok.en",
    "RefreshToken": "refresh",
    "ExpiresIn": 3600,
    "TokenType": "Bearer",
    "NewDeviceMetadata": {"DeviceKey": "us-east-1_dk", "DeviceGroupKey": "-grp"},
}


def test_output_formats() -> None:
    tokens = Tokens.from_authentication_result(RESULT)
    assert json.loads(format_tokens(tokens, "json")) == RESULT
    assert format_tokens(tokens, "access-token") == "acc.ess.tok"
    assert format_tokens(tokens, "id-token") == "id.tok.en"
    env_text = format_tokens(tokens, "env")
    script = env_text + '\nprintf "%s|%s|%s|%s" "$AUTHFLOW_ACCESS_TOKEN" "$AUTHFLOW_EXPIRES_IN" '
    script += '"$AUTHFLOW_DEVICE_KEY" "$AUTHFLOW_DEVICE_GROUP_KEY"'
    shown = subprocess.run(["sh", "-c", script], capture_output=True, text=True, check=True).stdout
    assert shown == "acc.ess.tok|3600|us-east-1_dk|-grp"
    assert all(line.startswith("export AUTHFLOW_") for line in env_text.splitlines())
    assert shlex.split(env_text.splitlines()[0]) == ["export", "AUTHFLOW_ACCESS_TOKEN=acc.ess.tok"]


def test_id_token_output_without_id_token_is_an_error() -> None:
    from authflow.errors import AuthflowError

    tokens = Tokens.from_authentication_result({"AccessToken": "a", "ExpiresIn": 60})
    with pytest.raises(AuthflowError, match="NoIdToken"):
        format_tokens(tokens, "id-token")


def test_python_dash_m_and_console_script_share_main(tmp_path: Path) -> None:
    from authflow import cli

    assert cli.main(["diagram"]) == 0


def test_local_pool_subcommand_serves_until_interrupted(cli_env: dict[str, str]) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "authflow", "local-pool", "--quiet"],
        env=cli_env,
        cwd=str(REPO),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        described = json.loads(process.stdout.readline())
        assert {u["username"] for u in described["users"]} >= {"alice", "tina", "sean"}
        with urllib.request.urlopen(f"{described['endpoint_url']}/_local/health", timeout=5) as answer:
            assert json.load(answer) == {"status": "ok"}
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=10)  # and closes both pipes
    assert process.returncode == 0


def test_the_command_said_again_leaves_out_the_client_secret_and_the_output() -> None:
    said = command_run(["login", "--browser", "--client-secret", "s3cret", "--domain=https://d", "--output", "env",
                        "--client-sec=abbrev", "--out=json", "--scope", "openid email"])
    assert said == "authflow login --browser --domain=https://d --scope 'openid email'"


def test_the_token_command_said_after_a_sign_in_finds_the_same_tokens() -> None:
    """The summary's `authflow token ...` carries the options that say where the tokens were kept (a profile, pool
    flags, --keyring), never the client secret: without them it found no pool ("no user pool") in a shell that
    has no AUTHFLOW_* variables."""
    from authflow.cli.output import token_command

    said = token_command("alice", ["login", "--profile", "demo", "--auth-flow", "USER_AUTH", "--client-secret", "s3",
                                   "--pool-id=us-east-1_X", "--endpoint-url", "http://127.0.0.1:9", "--keyring",
                                   "--output", "json"])
    assert said == ("authflow token --profile demo --pool-id=us-east-1_X --endpoint-url http://127.0.0.1:9 "
                    "--keyring --username alice")
    assert token_command("bob", ["login"]) == "authflow token --username bob"


#: What the contract says of each command's options, as its --help must say it too (white space folded).
CONTRACT_HELP = {
    ("login",): ["--auth-flow FLOW USER_SRP_AUTH (default) | USER_PASSWORD_AUTH | USER_AUTH | CUSTOM_AUTH",
                 "--preferred-challenge C USER_AUTH only: PASSWORD | PASSWORD_SRP | EMAIL_OTP | SMS_OTP | WEB_AUTHN",
                 "--totp-secret-out FILE", "--non-interactive", "json (default) | env | access-token | id-token",
                 "--browser", "--domain URL AUTHFLOW_DOMAIN", "--redirect-port N AUTHFLOW_REDIRECT_PORT",
                 "redirect_uri http://127.0.0.1:N/callback (default: a free port", "--idp NAME", "--scope",
                 "--no-browser print the authorization URL on stderr; read the redirected URL (or the code) on stdin",
                 "--profile NAME AUTHFLOW_PROFILE", "AUTHFLOW_REGION (default: the prefix of the pool id)",
                 "AUTHFLOW_CLIENT_SECRET (SECRET_HASH is sent when set)", "AUTHFLOW_USERNAME (may be an alias"],
    ("token",): ["--id-token", "--client-credentials", "--scope", "access-token", "id-token", "env"],
    ("sign-up",): ["json (default) | env | access-token | id-token"],
    ("confirm-sign-up",): ["--resend", "json (default) | env | access-token | id-token"],
    ("reset-password",): ["json (default) | env | access-token | id-token"],
    ("passkey", "add"): ["--software FILE", "mode 0600; an existing FILE or a symlink is refused", "--name NAME",
                         "--origin URL", "AUTHFLOW_PASSKEY_ORIGIN; default https://<RelyingPartyId>"],
    ("passkey", "delete"): ["CREDENTIAL_ID"],
    ("account",): ["--output FORMAT json (default)"],
    ("account", "mfa", "totp"): ["--device-name NAME", "--totp-secret-out FILE the new authenticator's base32 "
                                 "secret", "needed when not at a terminal"],
    ("account", "devices", "forget"): ["DEVICE_KEY", "--current"],
    ("account", "attributes", "verify"): ["--resend"],
    ("account", "delete"): ["--yes", "needed when not at a terminal"],
    ("credentials",): ["--identity-pool-id ID AUTHFLOW_IDENTITY_POOL_ID",
                       "--identity-endpoint-url URL AUTHFLOW_IDENTITY_ENDPOINT_URL (default: --endpoint-url)",
                       "--role-arn ARN", "process (default", "| env | json"],
    ("profiles",): ["AUTHFLOW_CONFIG, default: config.toml in the user's config directory for authflow",
                    "one a line"],
}


def test_every_commands_help_says_what_the_contract_says(monkeypatch: pytest.MonkeyPatch) -> None:
    import argparse

    from authflow.cli import build_parser

    monkeypatch.setenv("COLUMNS", "200")
    for path, phrases in CONTRACT_HELP.items():
        parser = build_parser(None)
        for word in path:
            sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
            parser = sub.choices[word]
        text = " ".join(parser.format_help().split())
        for phrase in phrases:
            assert phrase in text, (path, phrase)
