"""How the command line reads nested actions: an option given before an action's name is kept."""

from __future__ import annotations

from pathlib import Path

from authflow.cli import build_parser


def test_an_option_before_the_action_is_kept_and_one_after_it_wins() -> None:
    parser = build_parser("account")
    before = parser.parse_args(["account", "--pool-id", "us-east-1_Before", "--non-interactive", "password"])
    assert (before.pool_id, before.non_interactive, before.func.__name__) == ("us-east-1_Before", True, "cmd_password")
    after = parser.parse_args(["account", "--pool-id", "us-east-1_Before", "mfa", "enable", "sms",
                               "--pool-id", "us-east-1_After"])
    assert (after.pool_id, after.method) == ("us-east-1_After", "sms")
    plain = parser.parse_args(["account", "devices", "forget", "--current"])
    assert plain.current is True and plain.non_interactive is False


def test_a_reader_that_closes_stdout_early_gets_no_traceback_nor_internal_error(tmp_path: Path) -> None:
    """``authflow account | head -c 300``: the reader is gone before the command has written all it has."""
    import os
    import subprocess
    import sys

    from tests.helpers.cli import REPO, credential_free_env

    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader went away before a byte was written
    try:
        done = subprocess.run([sys.executable, "-m", "authflow", "diagram"], cwd=REPO, stdout=write_end,
                              stderr=subprocess.PIPE, env=credential_free_env(tmp_path), text=True, timeout=60,
                              check=False)
    finally:
        os.close(write_end)
    assert done.stderr == ""  # no traceback, no "Exception ignored", no internal error
    assert done.returncode == 1


def test_every_action_says_a_usage_mistake_in_one_line(tmp_path: Path) -> None:
    """A missing or wrong argument of any command or action is one line naming its --help, exit 2 (passkey's actions
    printed argparse's whole usage block and "error:")."""
    from tests.helpers.cli import assert_one_line_error, credential_free_env, run_cli

    env = credential_free_env(tmp_path)
    for args, helped in ((["passkey", "delete"], "authflow passkey delete --help"),
                         (["passkey", "add", "--software"], "authflow passkey add --help"),
                         (["passkey", "list", "--output", "env"], "--help"),
                         (["account", "devices", "remember"], "authflow account devices remember --help"),
                         (["credentials", "--output", "bogus"], "authflow credentials --help"),
                         # an argument no option takes names the --help of the command it was given to
                         (["token", "--bogus"], "(see authflow token --help)"),
                         (["account", "mfa", "totp", "--bogus"], "(see authflow account mfa totp --help)")):
        done = run_cli(args, env)
        assert done.returncode == 2, (args, done.stderr)
        assert_one_line_error(done, contains=helped)
