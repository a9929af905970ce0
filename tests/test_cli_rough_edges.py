"""The terminal's rough edges (issue 23, items 7-16): one error form, hints only where they can be the cause,
an endpoint that is not Cognito, a bad port, a summary instead of tokens at a terminal, `authflow token`'s JSON
and its 'nothing cached', what logout / passkey delete / an unfinished sign-up say, a new sign-in code at the
wizard, the TOTP issuer, and the help texts."""

from __future__ import annotations

import http.server
import json
import re
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pexpect
import pytest

from authflow.localpool import LocalUserPool
from tests.helpers.cli import REPO, credential_free_env, run_cli

ERROR_LINE = re.compile(r"^authflow: .+ \([A-Za-z0-9]+\)\.( .+)?$")


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[tuple[LocalUserPool, dict[str, str]]]:
    with LocalUserPool("demo") as pool:
        env = credential_free_env(tmp_path, {"AUTHFLOW_POOL_ID": pool.pool_id, "AUTHFLOW_CLIENT_ID": pool.client_id,
                                             "AUTHFLOW_ENDPOINT_URL": pool.endpoint_url})
        yield pool, env


def one_error_line(done: Any) -> str:
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    assert ERROR_LINE.match(lines[0]), lines[0]
    assert not re.match(r"^[A-Z][A-Za-z]+: ", lines[0])  # no Python class name as a prefix
    return lines[0]


class NotCognito(http.server.BaseHTTPRequestHandler):
    status, body = 404, b""

    def do_POST(self) -> None:
        self.send_response(self.status)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: Any) -> None:
        pass


class ErrorPage(NotCognito):
    status, body = 500, b"<html><head><title>500 Internal Server Error</title></head><body><h1>Oops</h1></body></html>"


class DoctypePage(NotCognito):
    """Python's http.server answering a POST: a page botocore cannot tell from an error body (it does not start
    with <html>), so the whole page came back as the message and was printed, markup and all."""

    status, body = 501, (b"<!DOCTYPE HTML>\n<html lang=\"en\">\n<head><title>Error response</title></head>\n"
                         b"<body><h1>Error response</h1><p>Message: Unsupported method ('POST').</p></body></html>\n")


@pytest.mark.parametrize("server", [NotCognito, ErrorPage, DoctypePage], ids=["404-empty", "500-html", "501-doctype"])
def test_an_endpoint_that_is_not_cognito_is_said_in_one_line(tmp_path: Path, server: type[NotCognito]) -> None:
    httpd = http.server.HTTPServer(("127.0.0.1", 0), server)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{httpd.server_port}"
        env = credential_free_env(tmp_path, {"AUTHFLOW_POOL_ID": "us-east-1_Example1", "AUTHFLOW_CLIENT_ID": "abc",
                                             "AUTHFLOW_ENDPOINT_URL": url, "AUTHFLOW_PASSWORD": "Passw0rd!"})
        done = run_cli(["login", "--non-interactive", "--username", "alice"], env)
    finally:
        httpd.shutdown()
    assert done.returncode == 1
    line = one_error_line(done)
    assert "not as Cognito does (NotCognitoEndpoint)" in line and f"HTTP {server.status}" in line
    assert "--endpoint-url" in line and url in line and "<" not in line


def test_an_endpoint_url_with_a_wrong_path_points_at_it(demo: tuple[LocalUserPool, dict[str, str]]) -> None:
    """The local pool answers a path it does not serve as Cognito answers an unknown call
    (UnknownOperationException, "Not found."): the line said only "not found", and nothing of the URL."""
    pool, env = demo
    url = f"{pool.endpoint_url}/cognito"
    done = run_cli(["login", "--non-interactive", "--username", "alice"],
                   {**env, "AUTHFLOW_ENDPOINT_URL": url, "AUTHFLOW_PASSWORD": "Alice-Passw0rd!"})
    assert done.returncode == 1
    line = one_error_line(done)
    assert "(UnknownOperationException)" in line and "does not know InitiateAuth" in line
    assert "--endpoint-url" in line and url in line


def test_a_sign_up_of_a_taken_username_says_what_to_do(demo: tuple[LocalUserPool, dict[str, str]]) -> None:
    """It said only "user already exists": the ways on are to choose another name, or sign in, or confirm."""
    _, env = demo
    done = run_cli(["sign-up", "--non-interactive", "--username", "alice", "--attribute", "name=Alice"],
                   {**env, "AUTHFLOW_PASSWORD": "Alice-Passw0rd!9"})
    assert done.returncode == 1
    line = one_error_line(done)
    assert "(UsernameExistsException)" in line and "another username" in line
    assert "authflow login --username alice" in line and "authflow confirm-sign-up --username alice --resend" in line


def test_a_reset_cognito_refuses_says_what_to_do_instead(demo: tuple[LocalUserPool, dict[str, str]]) -> None:
    """ForgotPassword refused for a user with no verified email or phone number, or with a temporary password:
    the line says how the person gets on (verify an address, an administrator's new password; or sign in with
    the temporary password), not only Cognito's words."""
    pool, env = demo
    pool.add_user("una", "Una-Passw0rd!9", attributes={"email": "una@example.com", "name": "Una"})  # not verified
    pool.add_user("tib", "Tib-Passw0rd!9", attributes={"email": "tib@example.com", "email_verified": "true",
                                                       "name": "Tib"}, status="FORCE_CHANGE_PASSWORD")
    env = {**env, "AUTHFLOW_NEW_PASSWORD": "N3w-Passw0rd!9"}
    done = run_cli(["reset-password", "--non-interactive", "--username", "una"], env)
    assert done.returncode == 1
    line = one_error_line(done)
    assert "(InvalidParameterException)" in line and "authflow account attributes verify email" in line
    assert f"admin-set-user-password --user-pool-id {pool.pool_id} --username una" in line
    done = run_cli(["reset-password", "--non-interactive", "--username", "tib"], env)
    assert done.returncode == 1
    line = one_error_line(done)
    assert "cannot be reset in the current state (NotAuthorizedException)" in line
    assert "authflow login --username tib" in line
    assert pool.outbox(username="una") == [] and pool.outbox(username="tib") == []


@pytest.mark.parametrize("port", ["99999", "-5", "http"])
def test_local_pool_with_a_bad_port_is_one_line(tmp_path: Path, port: str) -> None:
    done = run_cli(["local-pool", "--port", port], credential_free_env(tmp_path))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("authflow: ") and "0 to 65535" in lines[0], done.stderr


def test_the_pool_and_client_ids_are_named_only_where_they_can_be_the_cause(
        demo: tuple[LocalUserPool, dict[str, str]]) -> None:
    pool, env = demo
    wrong = run_cli(["login", "--non-interactive", "--username", "alice", "--auth-flow", "USER_PASSWORD_AUTH"],
                    {**env, "AUTHFLOW_PASSWORD": "Wr0ng-pass!"})
    line = one_error_line(wrong)
    assert "(NotAuthorizedException)" in line and "pool id" not in line and "password" in line
    srp = run_cli(["login", "--non-interactive", "--username", "alice"], {**env, "AUTHFLOW_PASSWORD": "Wr0ng-pass!"})
    line = one_error_line(srp)  # SRP's proof mixes in the pool id (not the client id): that one can be the cause
    assert f"pool id ({pool.pool_id})" in line and "client id" not in line
    client = run_cli(["login", "--non-interactive", "--username", "alice", "--client-id", "nosuchclient1"],
                     {**env, "AUTHFLOW_PASSWORD": "Alice-Passw0rd!"})
    line = one_error_line(client)
    assert "(ResourceNotFoundException)" in line and f"pool id ({pool.pool_id})" in line and "nosuchclient1" in line
    passkey = run_cli(["passkey", "delete", "--non-interactive", "--username", "alice", "Zm9vYmFy"],
                      {**env, "AUTHFLOW_PASSWORD": "Alice-Passw0rd!"})
    line = one_error_line(passkey)
    assert "(ResourceNotFoundException)" in line and "pool id" not in line and "authflow passkey list" in line


def test_missing_answers_read_as_a_person_says_them(demo: tuple[LocalUserPool, dict[str, str]]) -> None:
    _, env = demo
    done = run_cli(["login", "--non-interactive", "--username", "tina"], {**env, "AUTHFLOW_PASSWORD": "Tina-Passw0rd!"})
    assert done.returncode == 2
    line = one_error_line(done)
    assert "(MissingAnswer)" in line and "SOFTWARE_TOKEN_MFA" not in line
    assert "the code from the authenticator app" in line and "AUTHFLOW_TOTP_SECRET" in line


def test_a_wrong_totp_secret_points_at_its_variable(demo: tuple[LocalUserPool, dict[str, str]]) -> None:
    _, env = demo
    done = run_cli(["login", "--non-interactive", "--username", "tina"],
                   {**env, "AUTHFLOW_PASSWORD": "Tina-Passw0rd!", "AUTHFLOW_TOTP_SECRET": "A" * 32})
    assert done.returncode == 1
    line = one_error_line(done)
    assert "(CodeMismatchException)" in line and "AUTHFLOW_TOTP_SECRET" in line and "A" * 32 not in line


def test_token_with_nothing_cached_says_to_log_in(demo: tuple[LocalUserPool, dict[str, str]]) -> None:
    _, env = demo
    done = run_cli(["token", "--non-interactive", "--username", "alice"], env)
    assert done.returncode == 2
    line = one_error_line(done)
    assert "nothing is cached for alice" in line and "authflow login --username alice" in line


def test_token_json_has_the_expiry_and_help_shows_the_leeway(demo: tuple[LocalUserPool, dict[str, str]]) -> None:
    _, env = demo
    assert run_cli(["login", "--non-interactive", "--username", "alice"],
                   {**env, "AUTHFLOW_PASSWORD": "Alice-Passw0rd!"}).returncode == 0
    done = run_cli(["token", "--non-interactive", "--username", "alice", "--output", "json"], env)
    assert done.returncode == 0, done.stderr
    shown = json.loads(done.stdout)
    assert set(shown) == {"AccessToken", "ExpiresAt", "ExpiresIn"} and 3000 < shown["ExpiresIn"] <= 3600
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", shown["ExpiresAt"])
    plain = run_cli(["token", "--non-interactive", "--username", "alice"], env)
    assert plain.stdout.strip() == shown["AccessToken"]  # the default output is unchanged
    helped = run_cli(["token", "--help"], env)
    assert "(default: 60)" in " ".join(helped.stdout.split())


def test_logout_global_and_passkey_delete_say_what_they_did(demo: tuple[LocalUserPool, dict[str, str]],
                                                           tmp_path: Path) -> None:
    _, env = demo
    env = {**env, "AUTHFLOW_PASSWORD": "Alice-Passw0rd!"}
    base = ["--non-interactive", "--username", "alice"]
    assert run_cli(["login", *base], env).returncode == 0
    key = tmp_path / "alice.passkey"
    added = run_cli(["passkey", "add", *base, "--software", str(key), "--origin", "https://localhost"], env)
    assert added.returncode == 0, added.stderr
    credential = json.loads(added.stdout)["CredentialId"]
    deleted = run_cli(["passkey", "delete", *base, credential], env)
    assert deleted.returncode == 0 and f"Deleted the passkey {credential} of alice." in deleted.stderr
    out = run_cli(["logout", "--username", "alice", "--global"], env)
    assert out.returncode == 0 and "Signed out alice everywhere" in out.stderr


def test_an_unfinished_sign_up_says_the_account_exists_and_how_to_confirm_it(
        demo: tuple[LocalUserPool, dict[str, str]]) -> None:
    pool, env = demo
    failing = f"{sys.executable} -c 'import sys; sys.exit(3)'"
    done = run_cli(["sign-up", "--non-interactive", "--username", "nina", "--attribute", "email=nina@example.com",
                    "--attribute", "name=Nina"],
                   {**env, "AUTHFLOW_PASSWORD": "Nina-Passw0rd!1", "AUTHFLOW_CODE_COMMAND": failing})
    assert done.returncode != 0
    line = one_error_line(done)
    assert "exists now but is not confirmed" in line and "authflow confirm-sign-up --username nina" in line
    assert pool.user("nina").status == "UNCONFIRMED"


#: The demo seed's identity pool (authflow/localpool/demo_seed.json).
IDENTITY_POOL = "us-east-1:0a17f10e-de30-4000-8000-000000000001"


def terminal(env: dict[str, str], *args: str, columns: int = 120) -> Any:
    return pexpect.spawn(sys.executable, ["-m", "authflow", *args], env={**env, "TERM": "xterm",
                                                                        "PROMPT_TOOLKIT_NO_CPR": "1"},
                         cwd=str(REPO), encoding="utf-8", dimensions=(40, columns), timeout=30)


def test_at_a_terminal_login_prints_a_summary_not_the_tokens(demo: tuple[LocalUserPool, dict[str, str]]) -> None:
    _, env = demo
    env = {**env, "AUTHFLOW_PASSWORD": "Alice-Passw0rd!"}
    child = terminal(env, "login", "--non-interactive", "--username", "alice")
    child.expect(pexpect.EOF)
    said = str(child.before)
    child.close()
    assert child.exitstatus == 0, said
    assert "Signed in as alice" in said and "authflow token" in said and "--output json" in said
    # `authflow token --output json` prints the access token and its expiry only: all three come from login.
    # the command to run again is this one, whole (it named no user: login would have asked who)
    assert "`authflow login --non-interactive --username alice --output json` prints all three" in " ".join(
        said.split())
    assert "eyJ" not in said and len(said) < 400  # no token on the screen
    child = terminal(env, "login", "--non-interactive", "--username", "alice", "--output", "json")
    child.expect(pexpect.EOF)
    assert '"AccessToken": "eyJ' in str(child.before)
    child.close()


def test_at_a_terminal_the_wizard_says_signed_in_once(demo: tuple[LocalUserPool, dict[str, str]]) -> None:
    """The wizard says "✓ Signed in as alice."; the summary after it (no --output) does not say it again."""
    _, env = demo
    child = terminal({**env, "AUTHFLOW_PASSWORD": "Alice-Passw0rd!"}, "login", "--username", "alice")
    child.expect(pexpect.EOF)
    said = str(child.before)
    child.close()
    assert child.exitstatus == 0, said
    assert said.count("Signed in as alice") == 1, said
    assert "✓ Signed in as alice." in said
    assert "`authflow login --username alice --output json` prints all three" in " ".join(said.split())
    # the username typed at the wizard's question is in the command to run again too
    child = terminal({**env, "AUTHFLOW_PASSWORD": "Alice-Passw0rd!"}, "login")
    child.expect_exact("Username:")
    child.send("alice\r")
    child.expect(pexpect.EOF)
    said = str(child.before)
    child.close()
    assert child.exitstatus == 0, said
    assert "`authflow login --username alice --output json` prints all three" in " ".join(said.split())


def test_after_a_sign_in_with_a_profile_the_summary_says_the_token_command_of_that_profile(
        demo: tuple[LocalUserPool, dict[str, str]], tmp_path: Path) -> None:
    """With the pool in a profile (no AUTHFLOW_* variables), `authflow token --username alice` finds no pool: the
    summary names `authflow token --profile demo --username alice`, which prints the cached token."""
    pool, env = demo
    config = tmp_path / "config.toml"
    config.write_text(f'[profiles.demo]\npool_id = "{pool.pool_id}"\nclient_id = "{pool.client_id}"\n'
                      f'endpoint_url = "{pool.endpoint_url}"\n')
    pool_settings = ("AUTHFLOW_POOL_ID", "AUTHFLOW_CLIENT_ID", "AUTHFLOW_ENDPOINT_URL")
    bare = {k: v for k, v in env.items() if k not in pool_settings}
    bare = {**bare, "AUTHFLOW_CONFIG": str(config), "AUTHFLOW_PASSWORD": "Alice-Passw0rd!"}
    child = terminal(bare, "login", "--profile", "demo", "--username", "alice", "--non-interactive")
    child.expect(pexpect.EOF)
    said = " ".join(str(child.before).split())
    child.close()
    assert child.exitstatus == 0, said
    assert "`authflow token --profile demo --username alice` prints the access token" in said
    done = run_cli(["token", "--profile", "demo", "--username", "alice", "--non-interactive"], bare)
    assert done.returncode == 0 and done.stdout.count(".") == 2, done.stderr
    # nothing cached: the sign-in to run first is the profile's too (`authflow login --username bob` found no pool)
    done = run_cli(["account", "--profile", "demo", "--username", "bob", "--non-interactive"],
                   {k: v for k, v in bare.items() if k != "AUTHFLOW_PASSWORD"})
    assert done.returncode == 2
    assert "Run `authflow login --profile demo --username bob` first" in done.stderr


def test_at_a_narrow_terminal_the_summary_breaks_between_words(demo: tuple[LocalUserPool, dict[str, str]]) -> None:
    """The summaries printed instead of tokens or credentials are wrapped to the terminal's width between words
    (the terminal broke them inside a word: "`authflow token --user" / "name alice`")."""
    _, env = demo
    env = {**env, "AUTHFLOW_PASSWORD": "Alice-Passw0rd!"}

    def summary_at_80_columns(env: dict[str, str], *args: str) -> str:
        """What the command said in an 80-column terminal, checked to fit; its words joined by single spaces."""
        child = terminal(env, *args, "--non-interactive", "--username", "alice", columns=80)
        child.expect(pexpect.EOF)
        said = str(child.before)
        child.close()
        assert child.exitstatus == 0, said
        lines = [line for line in said.splitlines() if line.strip()]
        assert len(lines) >= 3 and all(len(line) <= 80 for line in lines), lines
        return " ".join(said.split())

    assert "`authflow token --username alice` prints the access token" in summary_at_80_columns(env, "login")
    credentials = summary_at_80_columns({**env, "AUTHFLOW_IDENTITY_POOL_ID": IDENTITY_POOL}, "credentials")
    assert "`--output env` (or `process`, `json`) prints them whole" in credentials


def test_at_an_sms_code_the_wizard_offers_a_new_sign_in(demo: tuple[LocalUserPool, dict[str, str]]) -> None:
    pool, env = demo
    child = terminal({**env, "AUTHFLOW_PASSWORD": "Sam-Passw0rd!"}, "login", "--username", "sam", "--output", "json")
    child.expect_exact("to start the sign-in again")
    child.expect_exact("Code:")
    assert len(pool.outbox("sam", purpose="SMS_MFA")) == 1
    child.send("r\r")
    child.expect_exact("Starting the sign-in again")
    child.expect_exact("Code:")
    assert len(pool.outbox("sam", purpose="SMS_MFA")) == 2  # the new sign-in sent a new code
    child.send(pool.last_code("sam") + "\r")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_a_new_sign_in_for_a_new_code_does_not_ask_the_password_again(
        demo: tuple[LocalUserPool, dict[str, str]]) -> None:
    """`r` at the SMS code starts the sign-in again (only a new sign-in sends a new code) with the password the
    person typed a moment ago: it asked for it again."""
    pool, env = demo
    child = terminal(env, "login", "--username", "sam", "--output", "json")
    child.expect_exact("Password for sam:")
    child.send("Sam-Passw0rd!\r")
    child.expect_exact("Code:")
    child.send("r\r")
    child.expect_exact("Starting the sign-in again")
    assert child.expect_exact(["Password for sam:", "Code:"]) == 1, child.before
    assert len(pool.outbox("sam", purpose="SMS_MFA")) == 2  # the new sign-in sent a new code
    child.send(pool.last_code("sam") + "\r")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_the_totp_issuer_is_a_name_a_person_knows() -> None:
    from authflow.cli import build_parser

    args = build_parser("login").parse_args(["login"])
    assert args.totp_issuer == "authflow"


@pytest.mark.parametrize("command", [["login"], ["token"], ["logout"], ["sign-up"], ["confirm-sign-up"],
                                     ["reset-password"], ["passkey"], ["local-pool"]])
def test_the_help_fits_an_80_column_terminal_but_for_example_commands(tmp_path: Path, command: list[str]) -> None:
    """A command's description is wrapped to the terminal as argparse does (it was one line of up to 600
    characters, which a terminal breaks mid-word); only an indented example command may run longer."""
    done = run_cli([*command, "--help"], credential_free_env(tmp_path, {"COLUMNS": "80"}))
    assert done.returncode == 0
    long = [line for line in done.stdout.splitlines() if len(line) > 80 and not line.startswith("  ")]
    assert long == []


@pytest.mark.parametrize("command", [["login"], ["token"], ["logout"], ["sign-up"], ["confirm-sign-up"],
                                     ["reset-password"], ["passkey"], ["local-pool"]])
def test_the_main_commands_end_their_help_with_examples(tmp_path: Path, command: list[str]) -> None:
    done = run_cli([*command, "--help"], credential_free_env(tmp_path))
    assert done.returncode == 0
    tail = done.stdout[done.stdout.rindex("examples:"):]
    assert 2 <= len([line for line in tail.splitlines() if "authflow " in line]) <= 4


def test_passkey_actions_have_descriptions_and_credential_id_help(tmp_path: Path) -> None:
    for action in ("add", "list", "delete"):
        done = run_cli(["passkey", action, "--help"], credential_free_env(tmp_path))
        description = done.stdout.split("\n\n")[1]
        assert not description.lstrip().startswith(("positional", "options")), done.stdout
    delete = run_cli(["passkey", "delete", "--help"], credential_free_env(tmp_path)).stdout
    assert "CREDENTIAL_ID  the passkey's CredentialId" in " ".join(delete.split()).replace("  ", " ") or \
        "the passkey's CredentialId" in delete


def test_local_pool_help_says_what_it_prints_and_how_to_use_it(tmp_path: Path) -> None:
    done = run_cli(["local-pool", "--help"], credential_free_env(tmp_path))
    assert "what it prints:" in done.stdout and "AUTHFLOW_ENDPOINT_URL" in done.stdout
    assert "authflow login" in done.stdout


def test_ctrl_c_at_the_sign_up_code_says_the_account_exists(demo: tuple[LocalUserPool, dict[str, str]]) -> None:
    pool, env = demo
    child = terminal({**env, "AUTHFLOW_PASSWORD": "Nina-Passw0rd!1"}, "sign-up", "--username", "nina",
                     "--attribute", "email=nina@example.com", "--attribute", "name=Nina", "--output", "json")
    child.expect_exact("Code:")
    child.send("\x03")
    child.expect(pexpect.EOF)
    said = " ".join(str(child.before).split())
    child.close()
    assert child.exitstatus == 130
    assert "exists now but is not confirmed" in said and "authflow confirm-sign-up --username nina" in said
    assert pool.user("nina").status == "UNCONFIRMED"


def test_the_first_factor_labels_say_what_differs() -> None:
    from authflow.labels import CHOICE_LABELS

    srp, plain = CHOICE_LABELS["PASSWORD_SRP"], CHOICE_LABELS["PASSWORD"]
    assert srp.startswith("Password") and plain.startswith("Password") and srp != plain
    assert "without sending" in srp and "sent" in plain and not srp.startswith("Password (SRP")
