"""AUTHFLOW_CODE_COMMAND: no secret in its environment, killed whole at its timeout, its output checked."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from authflow.answers import CodeCommandError, EnvAnswers, run_code_command
from authflow.errors import UsageError
from authflow.prompts import Field, Prompt, PromptKind

SECRETS = {
    "AUTHFLOW_PASSWORD": "Pa55-word-secret", "AUTHFLOW_NEW_PASSWORD": "N3w-pa55-secret",
    "AUTHFLOW_TOTP_SECRET": "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", "AUTHFLOW_CLIENT_SECRET": "client-secret-value",
    "AUTHFLOW_ATTRIBUTES": '{"name": "Ada"}',
}


def sms_prompt(destination: str = "+*******0100") -> Prompt:
    return Prompt(kind=PromptKind.CODE, challenge_name="SMS_MFA", username="sam", destination=destination,
                  message="Enter the code sent by SMS.",
                  fields=(Field(name="code", label="Code", pattern=r"^[0-9]{6,8}$"),))


def py(code: str) -> str:
    return f"{sys.executable} -c {code!r}"


def test_the_command_sees_what_the_contract_gives_and_no_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AUTHFLOW_ENDPOINT_URL", "http://127.0.0.1:9")
    script = ("import os, sys; env = {k: v for k, v in os.environ.items() if k.startswith('AUTHFLOW_')}; "
              "sys.stderr.write(repr(sorted(env.items()))); print('123456')")
    captured: list[str] = []
    import subprocess

    real_popen = subprocess.Popen

    def spy(*args: object, **kwargs: object) -> subprocess.Popen[bytes]:
        env = kwargs["env"]
        assert isinstance(env, dict)
        captured.extend(f"{k}={v}" for k, v in env.items() if k.startswith("AUTHFLOW_"))
        return real_popen(*args, **kwargs)  # type: ignore[call-overload, no-any-return]

    monkeypatch.setattr(subprocess, "Popen", spy)
    assert run_code_command(py(script), sms_prompt()) == "123456"
    assert sorted(captured) == sorted([
        "AUTHFLOW_CHALLENGE=SMS_MFA", "AUTHFLOW_DESTINATION=+*******0100", "AUTHFLOW_USERNAME=sam",
        "AUTHFLOW_ENDPOINT_URL=http://127.0.0.1:9",
    ])
    assert not any(value in " ".join(captured) for value in SECRETS.values())


def test_a_nul_or_escape_in_the_destination_is_dropped_not_a_crash() -> None:
    script = "import os; print('654321' if os.environ['AUTHFLOW_DESTINATION'] == '+1555' else 'bad')"
    assert run_code_command(py(script), sms_prompt("+1\x00\x1b[2J555")) == "654321"


def test_at_the_timeout_the_whole_group_dies_children_too(tmp_path: Path) -> None:
    marker = tmp_path / "child-alive"
    # The shell starts a child that would write the marker after 5 s, and then waits for ever. A child left
    # holding the output pipe would keep the call waiting until it ends (5 s or more): the call's bound says
    # that did not happen, with 4 s for a loaded machine to start and kill a shell (it was 2 s).
    command = f"(sleep 5; touch {marker}) & sleep 600"
    started = time.monotonic()
    with pytest.raises(CodeCommandError, match="within 1 s"):
        run_code_command(command, sms_prompt(), timeout=1)
    assert time.monotonic() - started < 5
    time.sleep(5.5)  # past the moment a surviving child would have written the marker
    assert not marker.exists(), "a child of the code command outlived its timeout"


@pytest.mark.parametrize("output", ["Yourcodeis:123456", "77", "987654321098", "123456\\n654321", "abc def"])
def test_output_that_is_not_a_code_is_a_clear_error(output: str) -> None:
    with pytest.raises(CodeCommandError, match="not a code") as caught:
        run_code_command(py(f"print('{output}')"), sms_prompt())
    assert output.split("\\")[0] not in str(caught.value)


def test_ten_megabytes_of_output_is_refused_quickly() -> None:
    started = time.monotonic()
    with pytest.raises(CodeCommandError, match="more than"):
        run_code_command(py("import sys; sys.stdout.write('1' * 10_000_000)"), sms_prompt())
    assert time.monotonic() - started < 10


def test_pasted_spaces_and_dashes_are_still_a_code() -> None:
    assert run_code_command(py("print('123 456')"), sms_prompt()) == "123456"
    assert run_code_command(py("print('123-456')"), sms_prompt()) == "123456"


def test_the_timeout_is_settable_from_the_environment() -> None:
    env = {"AUTHFLOW_CODE_COMMAND": "sleep 30", "AUTHFLOW_CODE_COMMAND_TIMEOUT": "0.5"}
    answers = EnvAnswers.from_environ(env)
    started = time.monotonic()
    with pytest.raises(CodeCommandError, match=r"within 0\.5 s"):
        answers.code_for(sms_prompt())
    assert time.monotonic() - started < 5
    with pytest.raises(UsageError, match="AUTHFLOW_CODE_COMMAND_TIMEOUT"):
        EnvAnswers.from_environ({"AUTHFLOW_CODE_COMMAND_TIMEOUT": "soon"})


def test_environment_of_this_process_is_untouched() -> None:
    before = dict(os.environ)
    run_code_command(py("print(111111)"), sms_prompt())
    assert dict(os.environ) == before
