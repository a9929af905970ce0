"""Every mistake a person can make at the command line: one line saying what is wrong, exit 2.

Each case runs the real command (``python -m authflow``) without a terminal; none reaches a server."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from authflow.cli import build_parser
from authflow.localpool import LocalUserPool
from tests.helpers.cli import assert_one_line_error, credential_free_env, run_cli

POOL = ["--pool-id", "us-east-1_Example", "--client-id", "client123"]
NOT_A_POOL_ID = "(--pool-id / AUTHFLOW_POOL_ID) is not a user pool id"
LOGIN = ["login", "--non-interactive", "--username", "alice", "--endpoint-url", "http://127.0.0.1:9"]


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    return credential_free_env(tmp_path)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--pool-id", "bogus", "--region", "us-east-1", "--client-id", "c1"], f"'bogus' {NOT_A_POOL_ID}"),
        (["--pool-id", "eu-west-1_", "--client-id", "c1"], f"'eu-west-1_' {NOT_A_POOL_ID}"),
        (["--pool-id", "us east 1_x", "--client-id", "c1"], f"'us east 1_x' {NOT_A_POOL_ID}"),
        (
            ["--pool-id", "useast1_AbC", "--client-id", "c1"],
            "'useast1' (the prefix of the pool id 'useast1_AbC') is not an AWS region",
        ),
        ([*POOL, "--region", "us east"], "'us east' (--region / AUTHFLOW_REGION) is not an AWS region"),
        (["--pool-id", "us-east-1_Example", "--client-id", "no such client!"], "is not an app client id"),
        (
            [*POOL, "--endpoint-url", "localhost:9229"],
            "'localhost:9229' (--endpoint-url / AUTHFLOW_ENDPOINT_URL) is not an http(s) URL",
        ),
        ([*POOL, "--endpoint-url", "http://"], "is not an http(s) URL"),
        ([*POOL, "--endpoint-url", "http://127.0.0.1:99999"], "is not an http(s) URL"),
        (
            [*POOL, "--auth-flow", "ADMIN_NO_SRP_AUTH"],
            "argument --auth-flow: 'ADMIN_NO_SRP_AUTH' is not one of "
            "USER_SRP_AUTH | USER_PASSWORD_AUTH | USER_AUTH | CUSTOM_AUTH (see authflow login --help)",
        ),
        (
            [*POOL, "--auth-flow", "user_auth", "--preferred-challenge", "magic"],
            "argument --preferred-challenge: 'magic' is not one of PASSWORD |",
        ),
        ([*POOL, "--output", "yaml"], "argument --output: 'yaml' is not one of json | env | access-token | id-token"),
        ([*POOL, "--no-such-flag"], "unrecognized arguments: --no-such-flag"),
    ],
)
def test_a_bad_setting_is_one_line_and_exit_2(cli_env: dict[str, str], args: list[str], says: str) -> None:
    done = run_cli(["login", "--non-interactive", "--username", "alice", *args], cli_env)
    assert done.returncode == 2, done.stderr
    assert_one_line_error(done, contains=says)


def test_a_setting_from_the_environment_is_checked_alike(cli_env: dict[str, str]) -> None:
    env = dict(cli_env, AUTHFLOW_POOL_ID="eu-west-1_", AUTHFLOW_CLIENT_ID="c1", AUTHFLOW_USERNAME="a")
    done = run_cli(["login", "--non-interactive"], env)
    assert done.returncode == 2
    assert_one_line_error(done, contains="'eu-west-1_' (--pool-id / AUTHFLOW_POOL_ID) is not a user pool id")


def test_a_bad_deadline_names_its_variable_too(cli_env: dict[str, str]) -> None:
    """AUTHFLOW_DEADLINE=abc was said as "argument --deadline: 'abc' ...": a flag the person never gave."""
    env = dict(cli_env, AUTHFLOW_POOL_ID="us-east-1_Example", AUTHFLOW_CLIENT_ID="c1", AUTHFLOW_USERNAME="a",
               AUTHFLOW_DEADLINE="abc")
    done = run_cli(["login", "--non-interactive"], env)
    assert done.returncode == 2
    assert_one_line_error(done, contains="'abc' (--deadline / AUTHFLOW_DEADLINE) is not a number of seconds")


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("AUTHFLOW_ATTRIBUTES", "{nope", "AUTHFLOW_ATTRIBUTES is not a JSON object"),
        ("AUTHFLOW_ATTRIBUTES", "[1, 2]", "AUTHFLOW_ATTRIBUTES is not a JSON object"),
        ("AUTHFLOW_TOTP_SECRET", "not-base32!", "AUTHFLOW_TOTP_SECRET is not a base32 TOTP secret"),
        ("AUTHFLOW_MFA_CHOICE", "sms", "AUTHFLOW_MFA_CHOICE='sms' is not one of SMS_MFA | SOFTWARE_TOKEN_MFA |"),
        ("AUTHFLOW_FIRST_FACTOR", "magic", "AUTHFLOW_FIRST_FACTOR='magic' is not one of PASSWORD | PASSWORD_SRP"),
    ],
)
def test_a_bad_answer_in_the_environment_is_one_line_and_exit_2(
    cli_env: dict[str, str], variable: str, value: str, says: str
) -> None:
    done = run_cli([*LOGIN, *POOL], dict(cli_env, **{variable: value}))
    assert done.returncode == 2, done.stderr
    assert_one_line_error(done, contains=says)
    if variable == "AUTHFLOW_TOTP_SECRET":
        assert value not in done.stderr  # a secret is never echoed


def test_no_command_is_one_line(cli_env: dict[str, str]) -> None:
    done = run_cli([], cli_env)
    assert done.returncode == 2
    assert_one_line_error(done, contains="authflow: the following arguments are required: COMMAND")


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("{nope", "Expecting property name"),
        ("[1]", "a seed file holds a JSON object"),
        (None, "No such file or directory"),
    ],
)
def test_a_bad_seed_file_is_named(cli_env: dict[str, str], tmp_path: Path, content: str | None, says: str) -> None:
    seed = tmp_path / "bad.json"
    if content is not None:
        seed.write_text(content)
    done = run_cli(["local-pool", "--seed", str(seed)], cli_env, timeout=30)
    assert done.returncode == 2
    assert_one_line_error(done, contains=f"authflow: local-pool --seed {seed}: {says}")


def test_version(cli_env: dict[str, str]) -> None:
    from authflow import __version__

    done = run_cli(["--version"], cli_env)
    assert done.returncode == 0
    assert done.stdout == f"authflow {__version__}\n"


def test_every_command_has_a_description() -> None:
    sub = next(action for action in build_parser()._actions if action.dest == "command")
    descriptions = {name: parser.description for name, parser in sub.choices.items()}
    assert {"login", "token", "logout", "diagram", "demo"} <= set(descriptions)
    for name, description in descriptions.items():
        if name != "local-pool":  # its own parser describes it (authflow local-pool --help)
            assert description and len(description.split()) >= 4, name  # a sentence, not "Demo."


# --- against the local pool ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_pool() -> object:
    pool = LocalUserPool("demo").start()
    yield pool
    pool.stop()


def _alice(pool: LocalUserPool, tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    alice = next(u for u in pool.demo_users() if u["username"] == "alice")
    settings = {
        "AUTHFLOW_POOL_ID": str(alice["pool_id"]), "AUTHFLOW_CLIENT_ID": str(alice["client_id"]),
        "AUTHFLOW_ENDPOINT_URL": pool.endpoint_url, "AUTHFLOW_USERNAME": "alice",
        "AUTHFLOW_PASSWORD": str(alice["password"]), **env,
    }
    return run_cli(["login", "--non-interactive", *args], credential_free_env(tmp_path, settings))


def test_flows_and_choices_in_any_case(demo_pool: LocalUserPool, tmp_path: Path) -> None:
    done = _alice(demo_pool, tmp_path, "--auth-flow", "user_password_auth", "--output", "ACCESS-TOKEN")
    assert done.returncode == 0, done.stderr
    assert done.stdout.count(".") == 2  # a JWT
    assert demo_pool.requests("InitiateAuth")[-1].params["AuthFlow"] == "USER_PASSWORD_AUTH"


def test_a_wrong_client_id_gets_a_hint(demo_pool: LocalUserPool, tmp_path: Path) -> None:
    done = _alice(demo_pool, tmp_path, AUTHFLOW_CLIENT_ID="nosuchclient0000000000000")
    assert done.returncode == 1
    assert_one_line_error(done, contains="ResourceNotFoundException")
    assert "Check the pool id (us-east-1_AuthFlow1) and the client id (nosuchclient0000000000000)" in done.stderr


def test_a_wrong_pool_id_gets_a_hint(demo_pool: LocalUserPool, tmp_path: Path) -> None:
    done = _alice(demo_pool, tmp_path, AUTHFLOW_POOL_ID="us-east-1_AuthFlow2")  # SRP proves the wrong pool
    assert done.returncode == 1
    assert_one_line_error(done, contains="incorrect username or password (NotAuthorizedException).")
    assert "with SRP a wrong pool id (us-east-1_AuthFlow2) is refused the same way" in done.stderr
