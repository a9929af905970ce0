"""Sign-up in a pool that requires attributes (the demo pool requires ``name``): the attributes Cognito's
refusal names are asked for (the password already chosen is kept) and SignUp is sent again; at a terminal
that is a question, in a script an error naming the attribute and how to give it (``--attribute NAME=VALUE``,
repeatable, or AUTHFLOW_ATTRIBUTES), and ``sign-up --help`` says so."""

from __future__ import annotations

import io
import json
import re
import sys
from pathlib import Path

import pexpect
import pytest

from authflow import AuthFlow, PromptKind, UserPool
from authflow.errors import InvalidParameterError
from authflow.localpool import LocalUserPool
from tests.helpers.cli import REPO, assert_one_line_error, credential_free_env, run_cli

PASSWORD = "Nina-Passw0rd!"


@pytest.fixture
def demo() -> LocalUserPool:
    with LocalUserPool("demo") as pool:
        yield pool


def env_for(pool: LocalUserPool, tmp_path: Path, **answers: str) -> dict[str, str]:
    code_command = (f"{sys.executable} -c \"import json, sys, urllib.request; print(json.load(urllib.request."
                    f"urlopen('{pool.endpoint_url}/_local/outbox?username=nina&purpose=CONFIRM_SIGN_UP'))[-1]"
                    f"['code'])\"")
    return credential_free_env(tmp_path, {
        "AUTHFLOW_POOL_ID": pool.pool_id, "AUTHFLOW_CLIENT_ID": pool.client_id,
        "AUTHFLOW_ENDPOINT_URL": pool.endpoint_url, "AUTHFLOW_USERNAME": "nina",
        "AUTHFLOW_CODE_COMMAND": code_command, **answers,
    })


def sign_ups(pool: LocalUserPool) -> list[dict[str, str]]:
    """The attributes of each SignUp the pool received."""
    return [{a["Name"]: a["Value"] for a in r.params["UserAttributes"]} for r in pool.requests("SignUp")]


def test_the_step_api_asks_for_what_cognito_says_is_required(demo: LocalUserPool) -> None:
    pool = UserPool(demo.pool_id, demo.client_id, endpoint_url=demo.endpoint_url)
    flow = AuthFlow(pool, "nina", begin="sign_up", sign_up_attributes=("email",))
    step = flow.start()
    assert [f.name for f in step.prompt.fields] == ["password", "email"]
    step = flow.respond({"password": PASSWORD, "email": "nina@example.com"})
    assert step.prompt.kind is PromptKind.SIGN_UP
    assert isinstance(step.prompt.error, InvalidParameterError)
    assert "name: The attribute is required" in step.prompt.error.message
    assert [f.name for f in step.prompt.fields] == ["email", "name"]  # the password stands
    step = flow.respond({"email": "nina@example.com", "name": "Nina Smith"})
    assert step.prompt.kind is PromptKind.CODE and step.prompt.challenge_name == "CONFIRM_SIGN_UP"
    assert sign_ups(demo) == [{"email": "nina@example.com"}, {"email": "nina@example.com", "name": "Nina Smith"}]
    assert [r.params["Password"] for r in demo.requests("SignUp")] == [PASSWORD, PASSWORD]
    step = flow.respond({"code": demo.last_code("nina", purpose="CONFIRM_SIGN_UP")})
    assert step.done and demo.user("nina").attributes["name"] == "Nina Smith"


def test_a_password_the_policy_refuses_is_still_asked_again(demo: LocalUserPool) -> None:
    pool = UserPool(demo.pool_id, demo.client_id, endpoint_url=demo.endpoint_url)
    flow = AuthFlow(pool, "nina", begin="sign_up")
    flow.start()
    step = flow.respond({"password": "weak", "name": "Nina"})
    assert step.prompt.error is not None and step.prompt.error.code == "InvalidPasswordException"
    assert [f.name for f in step.prompt.fields] == ["password"]


def test_a_script_is_told_which_attribute_and_how(demo: LocalUserPool, tmp_path: Path) -> None:
    done = run_cli(["sign-up", "--non-interactive"], env_for(demo, tmp_path, AUTHFLOW_PASSWORD=PASSWORD))
    assert done.returncode == 2
    assert_one_line_error(done, contains="the user pool requires the attribute name: give --attribute name=VALUE "
                                         "or set it in AUTHFLOW_ATTRIBUTES")
    assert PASSWORD not in done.stderr
    assert len(demo.requests("SignUp")) == 1
    with pytest.raises(KeyError):
        demo.user("nina")  # nothing was created


def test_attributes_from_flags_and_the_environment(demo: LocalUserPool, tmp_path: Path) -> None:
    env = env_for(demo, tmp_path, AUTHFLOW_PASSWORD=PASSWORD,
                  AUTHFLOW_ATTRIBUTES=json.dumps({"email": "old@example.com", "locale": "en-GB"}))
    done = run_cli(["sign-up", "--non-interactive", "--attribute", "name=Nina Smith",
                    "--attribute", "email=nina@example.com"], env)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["AccessToken"]
    assert sign_ups(demo) == [{"email": "nina@example.com", "locale": "en-GB", "name": "Nina Smith"}]


def test_a_malformed_attribute_flag_is_a_usage_error(demo: LocalUserPool, tmp_path: Path) -> None:
    done = run_cli(["sign-up", "--non-interactive", "--attribute", "name"], env_for(demo, tmp_path))
    assert done.returncode == 2
    assert "is not NAME=VALUE" in done.stderr and "Traceback" not in done.stderr
    assert demo.requests("SignUp") == []


def test_help_says_how_attributes_are_given(tmp_path: Path) -> None:
    done = run_cli(["sign-up", "--help"], credential_free_env(tmp_path))
    text = re.sub(r"\s+", " ", done.stdout)
    assert "--attribute NAME=VALUE" in text and "(repeatable)" in text and "AUTHFLOW_ATTRIBUTES" in text
    assert "every attribute the user pool requires is asked for" in text


def test_at_a_terminal_the_required_attribute_is_asked(demo: LocalUserPool, tmp_path: Path) -> None:
    env = env_for(demo, tmp_path, PROMPT_TOOLKIT_NO_CPR="1", TERM="xterm")
    del env["AUTHFLOW_CODE_COMMAND"]  # the person types everything
    child = pexpect.spawn(sys.executable, ["-m", "authflow", "sign-up", "--output", "json",
                                                   "--attribute", "email=nina@example.com"], env=env,
                          cwd=str(REPO), encoding="utf-8", dimensions=(50, 120), timeout=30)
    try:
        child.expect_exact("Signing up nina.")
        child.expect_exact("Password:")
        child.send(PASSWORD + "\r")
        child.expect_exact("Repeat the password:")
        child.send(PASSWORD + "\r")
        child.expect_exact("name: The attribute is required")
        child.expect(r"name\)?:")
        child.send("Nina Smith\r")
        child.expect_exact("Code:")
        child.send(demo.last_code("nina", purpose="CONFIRM_SIGN_UP") + "\r")
        child.expect_exact("Signed in as nina.")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0
    assert sign_ups(demo) == [{"email": "nina@example.com"}, {"email": "nina@example.com", "name": "Nina Smith"}]
    assert demo.user("nina").attributes["name"] == "Nina Smith"


def test_a_sign_up_to_which_cognito_sends_no_code_says_so_and_asks_for_none(demo: LocalUserPool,
                                                                           tmp_path: Path) -> None:
    """No email or phone number to send a code to (the demo pool requires only name): SignUp succeeds without
    CodeDeliveryDetails, so no code exists. The flow says so in one line instead of asking for "the code you
    were sent earlier" (and "r" for a new one, which Cognito refuses: a dead end)."""
    env = env_for(demo, tmp_path, AUTHFLOW_PASSWORD=PASSWORD)
    done = run_cli(["sign-up", "--non-interactive", "--attribute", "name=Nina Smith"], env)
    assert done.returncode == 1, done.stderr
    assert_one_line_error(done, contains="sent no confirmation code")
    assert "administrator" in done.stderr and "authflow confirm-sign-up" not in done.stderr
    assert demo.requests("ConfirmSignUp") == [] and demo.requests("ResendConfirmationCode") == []
    pool = UserPool(demo.pool_id, demo.client_id, endpoint_url=demo.endpoint_url)
    flow = AuthFlow(pool, "nora", begin="sign_up")
    flow.start()
    from authflow.errors import NoConfirmationCodeError

    with pytest.raises(NoConfirmationCodeError) as excinfo:
        flow.respond({"password": PASSWORD, "name": "Nora"})
    assert excinfo.value.code == "NoConfirmationCode"


def test_at_a_terminal_a_sign_up_without_an_email_is_asked_for_one(demo: LocalUserPool, tmp_path: Path) -> None:
    """`authflow sign-up --username nina` at a terminal, no attributes given: the email address is asked before
    SignUp (an account created without one could never be confirmed with a code), then the required name, the
    code sent to that address, and the user is signed in."""
    env = env_for(demo, tmp_path, PROMPT_TOOLKIT_NO_CPR="1", TERM="xterm")
    del env["AUTHFLOW_CODE_COMMAND"], env["AUTHFLOW_USERNAME"]
    child = pexpect.spawn(sys.executable, ["-m", "authflow", "sign-up", "--username", "nina"],
                          env=env, cwd=str(REPO), encoding="utf-8", dimensions=(50, 120), timeout=30)
    child.logfile_read = seen = io.StringIO()
    try:
        child.expect_exact("Password:")
        child.send(PASSWORD + "\r")
        child.expect_exact("Repeat the password:")
        child.send(PASSWORD + "\r")
        child.expect_exact("The confirmation code is sent to an email address")
        child.expect_exact("(email)")
        child.send("nina@example.com\r")
        child.expect_exact("name: The attribute is required")
        child.expect(r"name\)?:")
        child.send("Nina Smith\r")
        child.expect_exact("Code:")
        child.send(demo.last_code("nina", purpose="CONFIRM_SIGN_UP") + "\r")
        child.expect_exact("Signed in as nina.")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0
    assert sign_ups(demo)[0] == {"email": "nina@example.com"}  # asked before the account was created
    said = " ".join(seen.getvalue().split())
    assert said.count("Signed in as nina") == 1 and "The access token is valid for" in said  # said once
    assert demo.user("nina").status == "CONFIRMED"


def test_an_account_no_code_can_confirm_is_said_with_what_an_administrator_does(demo: LocalUserPool,
                                                                               tmp_path: Path) -> None:
    """In a script nothing is asked: SignUp without an email or phone creates the account and no code is sent;
    the line says how an administrator confirms it, and so does `confirm-sign-up --resend` (Cognito: "Auto
    verification not turned on"), instead of a dead end."""
    env = env_for(demo, tmp_path, AUTHFLOW_PASSWORD=PASSWORD)
    admin = f"aws cognito-idp admin-confirm-sign-up --user-pool-id {demo.pool_id} --username nina"
    done = run_cli(["sign-up", "--non-interactive", "--attribute", "name=Nina Smith"], env)
    assert done.returncode == 1
    assert_one_line_error(done, contains="NoConfirmationCode")
    assert admin in done.stderr and f"--endpoint-url {demo.endpoint_url}" in done.stderr
    again = run_cli(["confirm-sign-up", "--resend", "--non-interactive"], env)
    assert again.returncode == 1
    assert_one_line_error(again, contains="Auto verification not turned on (InvalidParameterException)")
    assert admin in again.stderr and "no email address or phone number" in again.stderr
    assert PASSWORD not in done.stderr + again.stderr


#: A pool whose schema requires phone_number (and name), where the confirmation code goes by SMS.
PHONE_POOL = {"pools": [{"id": "us-east-1_PhoneReq1", "required_attributes": ["phone_number", "name"],
                         "auto_verified_attributes": ["phone_number"],
                         "clients": [{"id": "phonereqclient1", "name": "app",
                                      "explicit_auth_flows": ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}]}]}


@pytest.fixture
def phone_pool() -> LocalUserPool:
    with LocalUserPool(PHONE_POOL) as pool:
        yield pool


def test_at_a_terminal_a_pool_requiring_a_phone_number_gets_one(phone_pool: LocalUserPool, tmp_path: Path) -> None:
    """`authflow sign-up` at a terminal against a pool that requires phone_number and name: Cognito's refusal
    names both, both are asked at once; a number not in the +<country code> form is refused before it is sent
    (and, should Cognito refuse a format, the number is asked again rather than the sign-up ending); the code
    goes by SMS and the user is signed in."""
    env = env_for(phone_pool, tmp_path, PROMPT_TOOLKIT_NO_CPR="1", TERM="xterm")
    del env["AUTHFLOW_CODE_COMMAND"], env["AUTHFLOW_USERNAME"]
    child = pexpect.spawn(sys.executable, ["-m", "authflow", "sign-up", "--username", "nina"],
                          env=env, cwd=str(REPO), encoding="utf-8", dimensions=(50, 120), timeout=30)
    child.logfile_read = seen = io.StringIO()
    try:
        child.expect_exact("Password:")
        child.send(PASSWORD + "\r")
        child.expect_exact("Repeat the password:")
        child.send(PASSWORD + "\r")
        child.expect_exact("(email)")  # the delivery address asked first, as in any pool
        child.send("nina@example.com\r")
        child.expect_exact("phone_number: The attribute is required")
        child.expect_exact("like +15555550100:")
        child.send("555-0123\r")  # not a number Cognito takes
        child.expect_exact("A phone number is + and the country code")
        child.send("\x15+15555550123\r")  # ^U clears the line
        child.expect(r"name\)?:")
        child.send("Nina Smith\r")
        child.expect_exact("Code:")
        child.send(phone_pool.last_code("nina", purpose="CONFIRM_SIGN_UP") + "\r")
        child.expect_exact("Signed in as nina.")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0, seen.getvalue()[-2000:]
    assert sign_ups(phone_pool) == [{"email": "nina@example.com"},
                                    {"email": "nina@example.com", "phone_number": "+15555550123",
                                     "name": "Nina Smith"}]  # two SignUps: the refusal named both at once
    sent = phone_pool.outbox(username="nina")
    assert [(m.medium, m.purpose) for m in sent] == [("SMS", "CONFIRM_SIGN_UP")]
    assert phone_pool.user("nina").status == "CONFIRMED"


def test_a_format_cognito_refuses_is_asked_again(phone_pool: LocalUserPool) -> None:
    """The step API: "Invalid phone number format." asks the number again (the password stands), rather than
    ending the sign-up."""
    pool = UserPool(phone_pool.pool_id, phone_pool.client_id, endpoint_url=phone_pool.endpoint_url)
    flow = AuthFlow(pool, "nina", begin="sign_up", sign_up_attributes=("phone_number", "name"))
    flow.start()
    step = flow.respond({"password": PASSWORD, "phone_number": "555-0123", "name": "Nina"})
    assert step.prompt.kind is PromptKind.SIGN_UP and step.prompt.error is not None
    assert step.prompt.error.code == "InvalidParameterException"
    assert [f.name for f in step.prompt.fields] == ["phone_number", "name"]
    step = flow.respond({"phone_number": "+15555550123", "name": "Nina"})
    assert step.prompt.kind is PromptKind.CODE


def test_a_script_is_told_every_attribute_the_pool_requires(phone_pool: LocalUserPool, tmp_path: Path) -> None:
    env = env_for(phone_pool, tmp_path, AUTHFLOW_PASSWORD=PASSWORD)
    done = run_cli(["sign-up", "--non-interactive", "--attribute", "name=Nina Smith"], env)
    assert done.returncode == 2
    assert_one_line_error(done, contains="the user pool requires the attribute phone_number: give --attribute "
                                         "phone_number=VALUE or set it in AUTHFLOW_ATTRIBUTES")
    done = run_cli(["sign-up", "--non-interactive"], env)
    assert done.returncode == 2
    assert_one_line_error(done, contains="the user pool requires the attributes phone_number, name: give "
                                         "--attribute phone_number=VALUE --attribute name=VALUE or set them in "
                                         "AUTHFLOW_ATTRIBUTES")
    assert PASSWORD not in done.stderr
    done = run_cli(["sign-up", "--non-interactive", "--attribute", "name=Nina Smith",
                    "--attribute", "phone_number=+15555550123"], dict(env, AUTHFLOW_CODE_COMMAND=(
                        f"{sys.executable} -c \"import json, urllib.request; print(json.load(urllib.request.urlopen("
                        f"'{phone_pool.endpoint_url}/_local/outbox?username=nina&purpose=CONFIRM_SIGN_UP'))[-1]"
                        f"['code'])\"")))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["AccessToken"]
